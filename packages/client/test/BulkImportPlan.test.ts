import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { conversationRecord, recordsWithInvalid } from "./records.js"

const customers = ["5cb3a1b7c9e77c0013e5f2d1", "507f1f77bcf86cd799439031"]

/** Every event of a dry run, in order. */
const planAll = (
  records: ReadonlyArray<unknown>,
  options: Parameters<typeof BulkImport.plan>[1] = {}
) =>
  runOnTestClock(
    BulkImport.plan(ImportSource.fromIterable(records), options).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events))
    )
  )

const plannedChunks = (events: ReadonlyArray<BulkImport.PlanEvent>) =>
  events.flatMap((event) => (event._tag === "ChunkPlanned" ? [event] : []))

describe("BulkImport.plan (dry run)", () => {
  it.effect("rejects invalid records with their positions and plans chunks within the limits, sending nothing", () =>
    Effect.gen(function*() {
      const { invalid, records } = recordsWithInvalid(450, customers, 50)
      const events = yield* planAll(records, { maxItems: 40, maxBytes: 5_000 })
      const rejected = events.flatMap((event) => (event._tag === "Rejected" ? [event] : []))
      assert.deepStrictEqual(rejected.map((outcome) => outcome.position.index), invalid)
      assert.include(rejected[0]?.reason ?? "", "priority")
      const chunks = plannedChunks(events)
      assert.strictEqual(chunks.reduce((total, chunk) => total + chunk.items, 0), 450 - invalid.length)
      assert.deepStrictEqual(chunks.map((chunk) => chunk.chunk), chunks.map((_, index) => index))
      for (const chunk of chunks) {
        assert.isAtMost(chunk.items, 40)
        assert.isAtMost(chunk.bytes, 5_000)
        assert.isAtMost(chunk.first.index, chunk.last.index)
      }
      assert.strictEqual(chunks[0]?.first.index, 0)
      // 449 is invalid (every 50th record), so the last planned record is 448.
      assert.strictEqual(chunks[chunks.length - 1]?.last.index, 448)
    }))

  it.effect("counts items without an externalId, and none once ids are assigned", () =>
    Effect.gen(function*() {
      const records = [0, 1, 2].map((index) => conversationRecord(index, customers[0] ?? "", index !== 1))
      const [before] = plannedChunks(yield* planAll(records))
      assert.strictEqual(before?.withoutExternalId, 1)
      const [after] = plannedChunks(
        yield* planAll(records, { assignExternalId: (position) => `run-${position.index}` })
      )
      assert.strictEqual(after?.withoutExternalId, 0)
    }))

  it.effect("forms exactly the requests the import sends", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const { records } = recordsWithInvalid(730, simulator.customerIds, 60)
      const options = { maxItems: 70, maxBytes: 9_000 }
      const planned = plannedChunks(yield* planAll(records, options))
      const events = yield* runOnTestClock(
        Stream.runCollect(BulkImport.stream(ImportSource.fromIterable(records), options))
      )
      const submitted = Chunk.toReadonlyArray(events).flatMap((event) =>
        event._tag === "ChunkSubmitted" ? [{ chunk: event.chunk, items: event.items, bytes: event.bytes }] : []
      ).sort((a, b) => a.chunk - b.chunk)
      assert.deepStrictEqual(
        submitted,
        planned.map((chunk) => ({ chunk: chunk.chunk, items: chunk.items, bytes: chunk.bytes }))
      )
    }).pipe(Effect.provide(simulated())))

  it.effect("fails like the import when the source cannot be read", () =>
    Effect.gen(function*() {
      const bytes = Stream.make(new TextEncoder().encode(`[{"customer": "${customers[0]}"}`))
      const error = yield* Effect.flip(
        runOnTestClock(Stream.runDrain(BulkImport.plan(ImportSource.jsonArray(bytes, { sourceName: "broken.json" }))))
      )
      assert.strictEqual(error._tag, "SourceError")
      assert.include(error.message, "broken.json")
    }))
})
