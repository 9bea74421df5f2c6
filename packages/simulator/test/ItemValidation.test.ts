/** Per-item, asynchronous validation: reported in the batches while the rest of the job succeeds. */
import { BulkJob, BulkResource } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { at, conversations, inProcessApi, submitAndAwait } from "./utils.js"

const run = <A, E>(
  options: SimulatorConfig.SimulatorOptions,
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

/** Submits items, waits for the job, returns its batches. */
const importItems = (path: string, items: ReadonlyArray<unknown>) =>
  Effect.map(submitAndAwait(path, items), (submitted) => {
    assert.strictEqual(submitted.status, 201)
    return { raw: submitted.raw, batches: submitted.batches }
  })

const resultsOf = (batch: BulkJob.BatchAttributes | undefined) =>
  batch === undefined ? [] : BulkJob.readableResults(batch)

const errorsOf = (batch: BulkJob.BatchAttributes | undefined) =>
  (batch?.errors ?? []).map((error) => Either.getOrThrow(error))

describe("asynchronous item validation", () => {
  it.effect("an item that fails its schema is reported with the schema's message; the others are created", () =>
    run(
      {},
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const customer = simulator.customerIds[0] ?? ""
        const { batches } = yield* importItems(BulkResource.Conversations.bulkPath, [
          { customer, externalId: "ok-0" },
          { customer, externalId: "bad-status", status: "snoozed" },
          { customer, externalId: "ok-2", custom: { orderNumberStr: "17" } },
          { customer, externalId: "bad-custom", custom: { orderNumber: "17" } },
          "not an object",
          { externalId: "no-customer" }
        ])
        const batch = batches[0]
        assert.strictEqual(batch?.successCount, 2)
        assert.strictEqual(batch?.failureCount, 4)
        assert.strictEqual(batch?.objectIds?.length, 2)
        const errors = errorsOf(batch)
        assert.deepStrictEqual(errors.map((error) => error.index), [1, 3, 4, 5])
        assert.deepStrictEqual(errors.map((error) => error.code), ["invalid", "invalid", "invalid", "invalid"])
        assert.include(errors[0]?.error ?? "", "status")
        assert.include(errors[1]?.error ?? "", "custom attribute keys must end in one of")
        assert.include(errors[3]?.error ?? "", "customer")
        assert.deepStrictEqual(errors.map((error) => error.externalId), [
          "bad-status",
          "bad-custom",
          undefined,
          "no-customer"
        ])
        // No results without _clientRef.
        assert.isUndefined(batch?.results)
        const stored = yield* simulator.conversations
        assert.deepStrictEqual(stored.map((object) => object.externalId), ["ok-0", "ok-2"])
        assert.deepStrictEqual(stored[1]?.attributes["custom"], { orderNumberStr: "17" })
      })
    ))

  it.effect("a conversation whose customer does not exist fails with `customer not found`", () =>
    run(
      {},
      Effect.gen(function*() {
        const { batches } = yield* importItems(BulkResource.Conversations.bulkPath, [
          { customer: "0123456789abcdef01234567", externalId: "orphan", _clientRef: "row-1" }
        ])
        assert.deepStrictEqual(errorsOf(batches[0]), [
          { index: 0, _clientRef: "row-1", externalId: "orphan", code: "not_found", error: "customer not found" }
        ])
        assert.deepStrictEqual(resultsOf(batches[0]), [{
          _clientRef: "row-1",
          status: "error",
          error: "customer not found"
        }])
        const simulator = yield* Simulator.Simulator
        assert.strictEqual((yield* simulator.stats).conversations.stored, 0)
      })
    ))

  it.effect("an externalId already stored, or earlier in the same job, is `duplicate detected` and not stored again", () =>
    run(
      {},
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const customer = simulator.customerIds[0] ?? ""
        yield* importItems(BulkResource.Conversations.bulkPath, conversations(customer, 3, "dup"))
        const { batches } = yield* importItems(BulkResource.Conversations.bulkPath, [
          { customer, externalId: "dup-1", _clientRef: "a" },
          { customer, externalId: "fresh", _clientRef: "b" },
          { customer, externalId: "fresh", _clientRef: "c" }
        ])
        const batch = batches[0]
        assert.strictEqual(batch?.successCount, 1)
        assert.deepStrictEqual(
          errorsOf(batch).map((error) => [error.index, error.externalId, error.code, error.error]),
          [[0, "dup-1", "duplicate", "duplicate detected"], [2, "fresh", "duplicate", "duplicate detected"]]
        )
        assert.deepStrictEqual(resultsOf(batch).map((result) => [result._clientRef, result.status, result.error]), [
          ["a", "error", "duplicate detected"],
          ["b", "created", undefined],
          ["c", "error", "duplicate detected"]
        ])
        assert.strictEqual(resultsOf(batch)[1]?.objectId, batch?.objectIds?.[0])
        const stats = yield* simulator.stats
        assert.strictEqual(stats.conversations.stored, 4)
        assert.strictEqual(stats.conversations.duplicatesRejected, 2)
        assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [])
        assert.strictEqual((yield* simulator.findByExternalId("conversations", "dup-1")).length, 1)
        const counts = yield* simulator.externalIdCounts("conversations")
        assert.deepStrictEqual([...counts.values()], [1, 1, 1, 1])
      })
    ))

  it.effect("with duplicates allowed, the per-externalId counts show every extra copy", () =>
    run(
      { duplicateExternalIds: "allow" },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const customer = simulator.customerIds[0] ?? ""
        yield* importItems(BulkResource.Conversations.bulkPath, conversations(customer, 2, "twice"))
        yield* importItems(BulkResource.Conversations.bulkPath, conversations(customer, 1, "twice"))
        const stats = yield* simulator.stats
        assert.strictEqual(stats.conversations.stored, 3)
        assert.strictEqual(stats.conversations.distinctExternalIds, 2)
        assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [{ externalId: "twice-0", count: 2 }])
        assert.strictEqual((yield* simulator.externalIdCounts("conversations")).get("twice-0"), 2)
        assert.strictEqual((yield* simulator.findByExternalId("conversations", "twice-0")).length, 2)
      })
    ))

  it.effect("a conversation may bring its own id; reusing it is a duplicate", () =>
    run(
      {},
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const api = yield* inProcessApi
        const customer = simulator.customerIds[0] ?? ""
        const id = "58228e05d4e96711004eccb7"
        const { batches } = yield* importItems(BulkResource.Conversations.bulkPath, [
          { customer, id, name: "mine" },
          { customer, id, name: "again" }
        ])
        assert.deepStrictEqual(batches[0]?.objectIds, [id])
        assert.strictEqual(errorsOf(batches[0])[0]?.code, "duplicate")
        const reply = yield* api.get(BulkResource.Conversations.objectPath(id))
        assert.strictEqual(at(reply.body, "data", "attributes", "name"), "mine")
      })
    ))

  it.effect("items are split into batches of the configured size; error indexes are request positions", () =>
    run(
      { batchSize: 10 },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const items = conversations(simulator.customerIds[0] ?? "", 25, "split", true)
        items[17] = { ...items[17], priority: 0 }
        const { batches, raw } = yield* importItems(BulkResource.Conversations.bulkPath, items)
        assert.deepStrictEqual(batches.map((batch) => [batch.successCount, batch.failureCount]), [[10, 0], [9, 1], [
          5,
          0
        ]])
        assert.deepStrictEqual(errorsOf(batches[1]).map((error) => [error.index, error._clientRef]), [[
          17,
          "split-ref-17"
        ]])
        assert.deepStrictEqual(batches.map((batch) => batch.results?.length), [10, 10, 5])
        assert.strictEqual(resultsOf(batches[2])[0]?._clientRef, "split-ref-20")
        const ids = new Set(batches.flatMap((batch) => batch.objectIds ?? []))
        assert.strictEqual(ids.size, 24)
        assert.strictEqual(at(raw, "data", 1, "type"), "bulk_batch")
      })
    ))

  it.effect("customers go through the same path: invalid e-mail fails, the rest are stored", () =>
    run(
      { customers: 0 },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const { batches } = yield* importItems(BulkResource.Customers.bulkPath, [
          { name: "Ada", externalId: "c-1", emails: [{ email: "ada@example.com" }] },
          { name: "Bob", externalId: "c-2", emails: [{ email: "not-an-address" }] },
          { name: "Ada again", externalId: "c-1" }
        ])
        assert.deepStrictEqual(errorsOf(batches[0]).map((error) => [error.index, error.code]), [[1, "invalid"], [
          2,
          "duplicate"
        ]])
        assert.include(errorsOf(batches[0])[0]?.error ?? "", "e-mail")
        const stats = yield* simulator.stats
        assert.strictEqual(stats.customers.stored, 1)
        assert.strictEqual(stats.customers.duplicatesRejected, 1)
      })
    ))

  it.effect("seedCustomers adds customers that conversations can reference", () =>
    run(
      { customers: 0 },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        assert.deepStrictEqual(simulator.customerIds, [])
        const [generated] = yield* simulator.seedCustomers(1)
        const [named] = yield* simulator.seedCustomers([{ name: "Named", externalId: "named-1" }])
        assert.match(generated ?? "", /^[0-9a-f]{24}$/)
        const { batches } = yield* importItems(BulkResource.Conversations.bulkPath, [
          { customer: generated, externalId: "x-1" },
          { customer: named, externalId: "x-2" }
        ])
        assert.strictEqual(batches[0]?.successCount, 2)
        assert.strictEqual((yield* simulator.findByExternalId("customers", "named-1"))[0]?.id, named)
        const stored = yield* simulator.conversations
        assert.deepStrictEqual(stored.map((object) => object.attributes["customer"]), [generated, named])
      })
    ))
})
