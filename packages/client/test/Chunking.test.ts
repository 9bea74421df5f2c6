import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { bodyBytes, chunked } from "../src/internal/chunking.js"

interface Item {
  readonly id: number
  readonly bytes: number
}

const group = (items: ReadonlyArray<Item>, maxItems: number, maxBytes: number) =>
  Stream.fromIterable(items).pipe(
    (stream) => chunked(stream, { maxItems, maxBytes, linger: Duration.seconds(1) }),
    Stream.map((chunk) => Chunk.toReadonlyArray(chunk)),
    Stream.runCollect,
    Effect.map((chunks) => Chunk.toReadonlyArray(chunks))
  )

describe("chunked", () => {
  it("loses, duplicates and reorders nothing, and keeps every chunk within both limits (property)", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(
        FastCheck.integer({ min: 1, max: 100 }),
        FastCheck.integer({ min: 200, max: 5000 }),
        FastCheck.array(FastCheck.integer({ min: 1, max: 198 }), { maxLength: 600 }),
        async (maxItems, maxBytes, sizes) => {
          const items = sizes.map((bytes, id) => ({ id, bytes }))
          const chunks = await Effect.runPromise(group(items, maxItems, maxBytes))
          assert.deepStrictEqual(chunks.flat().map((item) => item.id), items.map((item) => item.id))
          for (const chunk of chunks) {
            assert.isAbove(chunk.length, 0)
            assert.isAtMost(chunk.length, maxItems)
            assert.isAtMost(bodyBytes(chunk.map((item) => item.bytes)), maxBytes)
          }
          // Greedy: a chunk closes only when the next item would not fit.
          chunks.slice(0, -1).forEach((chunk, index) => {
            const next = chunks[index + 1]?.[0]
            const fits = next !== undefined && chunk.length < maxItems &&
              bodyBytes([...chunk, next].map((item) => item.bytes)) <= maxBytes
            assert.isFalse(fits)
          })
        }
      ),
      { numRuns: 150 }
    )
  })

  it("fills a body to exactly the byte limit", () =>
    Effect.runPromise(Effect.gen(function*() {
      // Three items of 32 bytes make a 1 + 3 × 33 = 100-byte body.
      const chunks = yield* group(Array.from({ length: 7 }, (_, id) => ({ id, bytes: 32 })), 100, 100)
      assert.deepStrictEqual(chunks.map((chunk) => chunk.length), [3, 3, 1])
    })))

  it.effect("releases a partial chunk after the linger while the source is still open", () =>
    Effect.gen(function*() {
      const input = yield* Queue.unbounded<Item>()
      const output = yield* Queue.unbounded<ReadonlyArray<Item>>()
      const fiber = yield* Stream.fromQueue(input).pipe(
        (stream) => chunked(stream, { maxItems: 100, maxBytes: 100_000, linger: Duration.seconds(2) }),
        Stream.runForEach((chunk) => Queue.offer(output, Chunk.toReadonlyArray(chunk))),
        Effect.fork
      )
      yield* Queue.offerAll(input, [{ id: 1, bytes: 10 }, { id: 2, bytes: 10 }])
      yield* TestClock.adjust(Duration.millis(1900))
      assert.isTrue(Option.isNone(yield* Queue.poll(output)))
      yield* TestClock.adjust(Duration.millis(200))
      const released = yield* Queue.take(output)
      assert.deepStrictEqual(released.map((item) => item.id), [1, 2])
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("a source's failure reaches the output, also when it arrives with the last items", () =>
    Effect.gen(function*() {
      const source = Stream.concat(
        Stream.make<Array<Item>>({ id: 0, bytes: 10 }, { id: 1, bytes: 10 }),
        Stream.fail("the source broke")
      )
      const result = yield* chunked(source, { maxItems: 100, maxBytes: 100_000, linger: Duration.seconds(1) }).pipe(
        Stream.runCollect,
        Effect.either
      )
      assert.deepStrictEqual(result, Either.left("the source broke"))
    }))

  it.effect("loses nothing that arrives as a partial chunk's linger runs out", () =>
    Effect.gen(function*() {
      const linger = Duration.seconds(1)
      // Each round: one item, then the next exactly when (or a hair before or after) the partial chunk's deadline
      // releases it: every item arrives once, in order, whichever side of the deadline it falls on.
      const gaps = [999, 1000, 1001, 1000, 1000, 1000]
      const source = Stream.concat(
        Stream.succeed<Item>({ id: 0, bytes: 10 }),
        Stream.fromIterable(gaps.map((gap, index) => ({ gap, id: index + 1 }))).pipe(
          Stream.mapEffect(({ gap, id }) => Effect.as(Effect.sleep(Duration.millis(gap)), { id, bytes: 10 }))
        )
      )
      const fiber = yield* source.pipe(
        (stream) => chunked(stream, { maxItems: 100, maxBytes: 100_000, linger }),
        Stream.runCollect,
        Effect.fork
      )
      for (let step = 0; step < 12; step++) yield* TestClock.adjust(Duration.millis(500))
      const chunks = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.deepStrictEqual(
        chunks.flatMap((chunk) => Chunk.toReadonlyArray(chunk).map((item) => item.id)),
        [0, 1, 2, 3, 4, 5, 6]
      )
    }))
})
