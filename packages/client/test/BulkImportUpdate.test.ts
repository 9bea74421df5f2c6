/**
 * The pipeline's updates (`operation: "update"`): records `{ id, …fields }` checked with the resource's update
 * schema and sent with `PUT`, on the same chunking, job polling and in-doubt handling as a create. An update whose
 * answer was lost is sent again (it sets the same fields again) and counted once; an invalid one is rejected
 * unsent; one naming no object fails.
 */
import { BulkResource } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { conversationRecord } from "./records.js"

const outcomesOf = (records: ReadonlyArray<unknown>, operation: "create" | "update") =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records), {
      resource: BulkResource.Conversations,
      operation,
      maxItems: 5,
      linger: "10 millis"
    }).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events).filter(ImportEvent.isOutcome))
    )
  )

const tagCounts = (outcomes: ReadonlyArray<ImportEvent.Outcome>) =>
  outcomes.reduce<Record<string, number>>((counts, outcome) => {
    counts[outcome._tag] = (counts[outcome._tag] ?? 0) + 1
    return counts
  }, {})

describe("BulkImport updates", () => {
  it.effect("updates whose answers were lost are sent again: each applied, each counted once", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      yield* outcomesOf(Array.from({ length: 40 }, (_, index) => conversationRecord(index, customer)), "create")
      const ids = (yield* simulator.objects("conversations")).flatMap((conversation) =>
        conversation.externalId === undefined ? [] : [{ id: conversation.id, externalId: conversation.externalId }]
      )
      assert.strictEqual(ids.length, 40)
      const updates = ids.map(({ externalId, id }) => ({ id, externalId, status: "done", tags: ["updated"] }))
      const outcomes = yield* outcomesOf(updates, "update")
      const stats = yield* simulator.stats
      assert.isAbove(stats.faults.connection_reset_after_acceptance, 0, "some answers were lost")
      assert.isAbove(stats.requests.byRoute["PUT /v1/conversations/bulk"] ?? 0, 8, "some updates were sent again")
      assert.deepStrictEqual(tagCounts(outcomes), { Created: 40 })
      assert.strictEqual(stats.conversations.stored, 40)
      for (const conversation of yield* simulator.objects("conversations")) {
        assert.strictEqual(conversation.attributes["status"], "done")
        assert.deepStrictEqual(conversation.attributes["tags"], ["updated"])
      }
    }).pipe(Effect.provide(simulated({ faults: { connectionResetRate: 0.4, afterAcceptanceShare: 1, seed: 5 } }))))

  it.effect("an invalid update is rejected unsent; one naming no object fails", () =>
    Effect.gen(function*() {
      const outcomes = yield* outcomesOf([
        { id: "5f1d7a3e0000000000000000", externalId: "x-1", status: "done" },
        { id: "another", externalId: "x-2", status: "closed-forever" }
      ], "update")
      assert.deepStrictEqual(outcomes.map((outcome) => outcome._tag), ["Rejected", "Failed"])
      assert.strictEqual((yield* (yield* Simulator.Simulator).stats).requests.byRoute["PUT /v1/conversations/bulk"], 1)
    }).pipe(Effect.provide(simulated())))
})
