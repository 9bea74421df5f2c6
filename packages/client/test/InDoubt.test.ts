/**
 * Requests whose answer is lost after the API accepted them (the connection drops): the items are created once,
 * and reported as created by this import — customers known only by e-mail included.
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

/** Every other request has its connection reset after the API accepted it. */
const lostAnswers = { connectionResetRate: 0.5, afterAcceptanceShare: 1, seed: 11 }

const outcomesOf = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  records: ReadonlyArray<unknown>,
  resource: BulkResource.BulkResource<Item, Encoded>
) =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records), { resource, maxItems: 5, linger: "10 millis" }).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events).filter(ImportEvent.isOutcome))
    )
  )

const tagCounts = (outcomes: ReadonlyArray<ImportEvent.Outcome>) =>
  outcomes.reduce<Record<string, number>>((counts, outcome) => {
    counts[outcome._tag] = (counts[outcome._tag] ?? 0) + 1
    return counts
  }, {})

describe("requests whose answer was lost", () => {
  it.effect("customers known only by e-mail are found by e-mail, created once and reported created", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customers = Array.from({ length: 40 }, (_, index) => ({
        name: `Customer ${index}`,
        emails: [{ type: "home", email: `lost-${index}@example.com` }]
      }))
      const outcomes = yield* outcomesOf(customers, BulkResource.Customers)
      const stats = yield* simulator.stats
      assert.isAbove(stats.faults.connection_reset_after_acceptance, 0, "some answers were lost")
      assert.strictEqual(stats.customers.stored, customers.length, "each customer stored once")
      assert.deepStrictEqual(tagCounts(outcomes), { Created: customers.length })
      const stored = new Set((yield* simulator.objects("customers")).map((customer) => customer.id))
      for (const outcome of outcomes) {
        assert.isTrue(outcome._tag === "Created" && outcome.objectId !== undefined && stored.has(outcome.objectId))
      }
    }).pipe(Effect.provide(simulated({ customers: 0, faults: lostAnswers }))))

  it.effect("records with an externalId sent again are counted created, not already existing", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      const records = Array.from({ length: 40 }, (_, index) => conversationRecord(index, customer))
      const outcomes = yield* outcomesOf(records, BulkResource.Conversations)
      const stats = yield* simulator.stats
      assert.isAbove(stats.faults.connection_reset_after_acceptance, 0, "some answers were lost")
      assert.strictEqual(stats.conversations.stored, records.length)
      assert.deepStrictEqual(tagCounts(outcomes), { Created: records.length })
    }).pipe(Effect.provide(simulated({ faults: lostAnswers }))))
})
