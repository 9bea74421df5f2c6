/** The import against a simulator that answers in the odd-but-plausible ways: every record is still settled. */
import type { Conversation } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { conversationRecord } from "./records.js"

const importAll = (
  records: ReadonlyArray<unknown>,
  options: BulkImport.Options<Conversation.ConversationInput, Conversation.ConversationInputEncoded> = {}
) =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records), options).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events).filter(ImportEvent.isOutcome))
    )
  )

type ImportOutcomeOf = Extract<ImportEvent.ImportEvent, { readonly position: unknown }>

const tagsByIndex = (outcomes: ReadonlyArray<ImportOutcomeOf>) =>
  new Map(outcomes.map((outcome) => [outcome.position.index, outcome._tag]))

describe("BulkImport against odd answers", () => {
  it.effect("paged batches, null lists, item errors as objects, epoch-ms completedAt, null objectIds: all settled", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      // An earlier run stored ticket-151: this run finds it already existing.
      yield* importAll([conversationRecord(151, customer)])
      const records = [
        ...Array.from({ length: 150 }, (_, index) => conversationRecord(index, customer)),
        { ...conversationRecord(150, customer), customer: "0123456789abcdef01234567" },
        conversationRecord(151, customer)
      ]
      const outcomes = yield* importAll(records, { resolveExisting: true })
      const tags = tagsByIndex(outcomes)
      assert.strictEqual(outcomes.length, records.length)
      assert.strictEqual(tags.get(150), "Failed")
      assert.strictEqual(tags.get(151), "AlreadyExisting")
      const created = outcomes.filter((outcome) => outcome._tag === "Created")
      assert.strictEqual(created.length, 150)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, 151)
      assert.strictEqual(stats.conversations.externalIdsStoredMoreThanOnce.length, 0)
      assert.isAbove(stats.faults.server_error_before_acceptance, 0)
      assert.isAbove(stats.requests.rateLimited, 0)
      // 16 batches, 2 per page: the two jobs' results are read over 5 + 3 pages, by links.next.
      assert.isAtLeast(stats.requests.byRoute["GET /v1/bulk/{id}/batches"] ?? 0, 1 + 5 + 3)
      // Only the already existing record is looked up: every other verdict came from the batches.
      assert.strictEqual(stats.requests.byRoute["GET /v1/conversations/externalId={externalId}"], 1)
    }).pipe(Effect.provide(simulated({
      // Plain error bodies on 5xx (before acceptance, so nothing is in doubt) and on the 429s of storms.
      faults: {
        serverErrorRate: 0.3,
        afterAcceptanceShare: 0,
        rateLimitStormRate: 0.2,
        rateLimitStormDuration: "2 seconds",
        seed: 3
      },
      batchSize: 10,
      answers: {
        batchesPerPage: 2,
        nullLists: true,
        itemErrors: "object",
        completedAt: "epochMillis",
        nullObjectIdRate: 0.3,
        errorBody: "plain"
      }
    }))))

  it.effect("the per-customer limit fails records without importedAt, each with the reason, and none twice", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      const records = Array.from({ length: 8 }, (_, index) => {
        const { importedAt: _importedAt, ...record } = conversationRecord(index, customer)
        return index < 4 ? record : conversationRecord(index, customer)
      })
      const outcomes = yield* importAll(records)
      const tags = tagsByIndex(outcomes)
      assert.deepStrictEqual([...tags.keys()].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7])
      assert.deepStrictEqual([0, 1, 2, 3].map((index) => tags.get(index)), ["Created", "Created", "Failed", "Failed"])
      assert.deepStrictEqual([4, 5, 6, 7].map((index) => tags.get(index)), ["Created", "Created", "Created", "Created"])
      const failed = outcomes.find((outcome) => outcome._tag === "Failed")
      assert.include(failed?._tag === "Failed" ? failed.reason : "", "importedAt")
      assert.strictEqual((yield* simulator.stats).conversations.stored, 6)
    }).pipe(Effect.provide(simulated({ perCustomerCreateLimit: { limit: 2, window: "1 hour" } }))))
})
