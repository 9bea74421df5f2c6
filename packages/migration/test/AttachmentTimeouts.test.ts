/**
 * A source that stops sending: each download attempt fails as `Stalled` after the idle timeout and is retried under
 * the one retry policy; a source still stalled after the retries is that attachment's reject, with the reason.
 * Driven on the `TestClock`.
 */
import { KustomerClient } from "@effect-kustomer/client"
import { Simulator } from "@effect-kustomer/simulator"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as PlatformPath from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { createHash } from "node:crypto"
import { simulated } from "../../journal/test/harness.js"
import * as Attachments from "../src/internal/attachments.js"
import type * as IdMap from "../src/internal/idMap.js"

const fileBytes = new Uint8Array(Array.from({ length: 5_000 }, (_, index) => (index * 31) % 251))

/** The source's answers: all its bytes, or its first 1,000 and then nothing, the connection kept open. */
const sourceBody = (stall: boolean) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      if (!stall) {
        controller.enqueue(fileBytes)
        controller.close()
        return
      }
      controller.enqueue(fileBytes.subarray(0, 1_000))
    }
  })

/**
 * The simulator's HTTP client, with `https://files.example` a source whose first `stalls` answers stall; each answer
 * is told to `served` (`true`: it stalls) as it is given.
 */
const withSource = (stalls: number, attempts: { count: number }, served: Queue.Queue<boolean>) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (inner) =>
      HttpClient.make((request, url) => {
        if (url.hostname !== "files.example") return inner.execute(request)
        attempts.count += 1
        const stall = attempts.count <= stalls
        return Effect.as(
          Queue.offer(served, stall),
          HttpClientResponse.fromWeb(request, new Response(sourceBody(stall), { status: 200 }))
        )
      }))
  )

/** An id map's attachments, in memory. */
const memoryStore = (): Pick<IdMap.IdMap, "attachments" | "setAttachment"> => {
  const rows = new Map<string, IdMap.AttachmentRow>()
  return {
    attachments: (keys) =>
      Effect.succeed(
        new Map(keys.flatMap((key) => {
          const row = rows.get(key)
          return row === undefined ? [] : [[key, row] as const]
        }))
      ),
    setAttachment: (row) => Effect.sync(() => void rows.set(row.key, row))
  }
}

/** Jumps the test clock to the next wake-up once one is due, unless `fiber` ends first (a bounded number of looks). */
const jumpToNextWakeUp = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function*() {
    for (let look = 0; look < 100_000; look++) {
      yield* Effect.yieldNow()
      if (Option.isSome(yield* Fiber.poll(fiber))) return
      const next = Array.from(yield* TestClock.sleeps()).reduce((min, at) => Math.min(min, at), Infinity)
      if (next === Infinity) continue
      return yield* TestClock.adjust(Duration.millis(Math.max(0, Math.ceil(next - (yield* Clock.currentTimeMillis)))))
    }
  })

/**
 * Runs `effect` on the test clock, led by the source's answers: after each answer that stalls, the clock jumps past
 * the attempt's idle timeout and then past the pause before the retry (if one follows); once an answer flows, the
 * rest (its download, the upload to the simulator) is real I/O, which is only waited for — a jump could cut it
 * short with its idle timeout on a busy machine. At most `attempts` answers.
 */
const onTestClock = <A, E, R>(effect: Effect.Effect<A, E, R>, served: Queue.Queue<boolean>, attempts: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let answer = 0; answer < attempts; answer++) {
      const next = yield* Effect.raceFirst(Queue.take(served), Effect.as(Fiber.await(fiber), false))
      if (!next) break
      yield* jumpToNextWakeUp(fiber)
      yield* jumpToNextWakeUp(fiber)
    }
    return yield* Fiber.join(fiber)
  })

const message = {
  externalId: "m-1",
  preview: "see the file",
  attachments: [{
    name: "a.bin",
    contentType: "application/octet-stream",
    size: 5_000,
    url: "https://files.example/a.bin"
  }]
}

/** Carries `message`'s attachment with a source whose first `stalls` answers stall; three attempts at most. */
const carry = (stalls: number) => {
  // The simulator (its HTTP client and the API client over it) comes from the test, which inspects it afterwards.
  const attempts = { count: 0 }
  const served = Effect.runSync(Queue.unbounded<boolean>())
  const rejects: Array<Attachments.AttachmentReject> = []
  return Effect.gen(function*() {
    const carrier = yield* Attachments.make({
      client: yield* KustomerClient.KustomerClient,
      store: memoryStore(),
      baseDir: "/nonexistent",
      schedule: Schedule.intersect(Schedule.spaced("1 second"), Schedule.recurs(2)),
      maxRateLimitRetries: 5,
      options: { idleTimeout: "30 seconds" },
      onReject: (reject) => Effect.sync(() => void rejects.push(reject))
    })
    const sent = yield* onTestClock(
      carrier.carry("messages", { index: 0, line: 1 }, message),
      served,
      3
    )
    const startedAt = yield* Clock.currentTimeMillis
    return { sent, counts: carrier.counts(), attempts: attempts.count, rejects, startedAt }
  }).pipe(
    Effect.scoped,
    Effect.provide(Layer.merge(withSource(stalls, attempts, served), PlatformPath.layer))
  )
}

describe("attachments: a source that stops sending", () => {
  it.effect("stalled at every attempt: retried, then that attachment's reject with the reason; the message goes", () =>
    Effect.gen(function*() {
      const result = yield* carry(Infinity)
      assert.strictEqual(result.attempts, 3, "the first attempt and two retries")
      assert.deepStrictEqual(result.sent, { externalId: "m-1", preview: "see the file" })
      assert.deepStrictEqual([result.counts.carried, result.counts.notCarried, result.counts.held], [0, 1, 0])
      assert.strictEqual(result.rejects.length, 1)
      assert.strictEqual(
        result.rejects[0]?.reason,
        "https://files.example/a.bin: Attachments.download: no byte came or went for 30s (idle timeout): " +
          "downloading https://files.example/a.bin"
      )
      // Three attempts of 30 s each (plus the first 1,000 bytes' progress) and two pauses of 1 s.
      assert.isAtLeast(result.startedAt, 92_000)
      const simulator = yield* Simulator.Simulator
      assert.strictEqual((yield* simulator.attachments).length, 0, "no document for a file never had")
    }).pipe(Effect.provide(simulated())))

  it.effect("stalled once: the retry downloads it, and it is carried with its bytes", () =>
    Effect.gen(function*() {
      const result = yield* carry(1)
      assert.strictEqual(result.attempts, 2)
      assert.deepStrictEqual([result.counts.carried, result.counts.notCarried], [1, 0])
      assert.deepStrictEqual(result.rejects, [])
      const [document] = yield* (yield* Simulator.Simulator).attachments
      assert.isTrue(document?.uploaded)
      assert.strictEqual(document?.sha256, createHash("sha256").update(fileBytes).digest("hex"))
      assert.deepStrictEqual(result.sent, {
        externalId: "m-1",
        preview: "see the file",
        attachments: [{
          _id: document?.id,
          name: "a.bin",
          contentType: "application/octet-stream",
          contentLength: 5_000
        }]
      })
    }).pipe(Effect.provide(simulated())))
})
