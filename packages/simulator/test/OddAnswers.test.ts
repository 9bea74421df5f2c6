/** The odd-but-plausible answers the simulator can give, each checked on the wire and through the domain decoder. */
import { BulkJob, BulkResource, ErrorBody, ItemError } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { at, awaitJobOnTestClock, conversations, inProcessApi, str } from "./utils.js"

const decodeBatches = Schema.decodeUnknownSync(BulkJob.BatchList)

const run = <A, E>(
  options: SimulatorConfig.SimulatorOptions,
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

/** Submits items, waits for the job, and returns its id and the raw body of the first batches page. */
const importItems = (items: ReadonlyArray<unknown>, path = BulkResource.Conversations.bulkPath) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const created = yield* api.post(path, { json: items })
    assert.strictEqual(created.status, 201)
    const jobId = str(created.body, "data", "id")
    yield* awaitJobOnTestClock(api, jobId)
    const reply = yield* api.get(`/v1/bulk/${jobId}/batches`)
    assert.strictEqual(reply.status, 200)
    return { api, jobId, body: reply.body }
  })

/** A valid conversation, a duplicate of it and one for a customer that does not exist, all with `_clientRef`. */
const mixedItems = (customer: string) => [
  { customer, externalId: "odd-1", _clientRef: "r0" },
  { customer, externalId: "odd-1", _clientRef: "r1" },
  { customer: "0123456789abcdef01234567", externalId: "odd-2", _clientRef: "r2" }
]

const list = (value: unknown): ReadonlyArray<unknown> => Array.isArray(value) ? value : []

const customerOf = Effect.map(Simulator.Simulator, (simulator) => simulator.customerIds[0] ?? "")

describe("odd answers", () => {
  it.effect("pages batches N at a time, linked by links.next until null", () =>
    run(
      { batchSize: 10, answers: { batchesPerPage: 2 } },
      Effect.gen(function*() {
        const customer = yield* customerOf
        const { api, body, jobId } = yield* importItems(conversations(customer, 45, "page", true))
        const pages = [body]
        let next = BulkJob.nextPage(decodeBatches(body))
        while (next !== undefined) {
          const reply = yield* api.get(next)
          pages.push(reply.body)
          next = BulkJob.nextPage(decodeBatches(reply.body))
        }
        const decoded = pages.map((page) => decodeBatches(page))
        assert.deepStrictEqual(decoded.map((page) => page.data.length), [2, 2, 1])
        assert.strictEqual(at(body, "links", "next"), `/v1/bulk/${jobId}/batches?page=2`)
        assert.isNull(at(pages[2], "links", "next"))
        const refs = decoded.flatMap((page) =>
          page.data.flatMap((batch) => BulkJob.readableResults(batch.attributes).map((result) => result._clientRef))
        )
        assert.strictEqual(new Set(refs).size, 45)
      })
    ))

  it.effect("without paging, every batch is on one page and there are no links", () =>
    run(
      { batchSize: 10 },
      Effect.gen(function*() {
        const customer = yield* customerOf
        const { body } = yield* importItems(conversations(customer, 25, "one"))
        assert.strictEqual(decodeBatches(body).data.length, 3)
        assert.isUndefined(at(body, "links"))
      })
    ))

  it.effect("sends empty lists, and results without _clientRef, as null", () =>
    run(
      { answers: { nullLists: true } },
      Effect.gen(function*() {
        const customer = yield* customerOf
        const { body } = yield* importItems(conversations(customer, 2, "nulls"))
        const attributes = at(body, "data", 0, "attributes")
        assert.isNull(at(attributes, "errors"))
        assert.isNull(at(attributes, "results"))
        assert.strictEqual(list(at(attributes, "objectIds")).length, 2)
        const decoded = decodeBatches(body).data[0]?.attributes
        assert.isUndefined(decoded?.errors)
        assert.strictEqual(decoded?.successCount, 2)
      })
    ))

  it.effect("sends item errors as objects { code, message } in errors and results", () =>
    run(
      { answers: { itemErrors: "object" } },
      Effect.gen(function*() {
        const customer = yield* customerOf
        const { body } = yield* importItems(mixedItems(customer))
        assert.deepStrictEqual(at(body, "data", 0, "attributes", "results", 1, "error"), {
          code: "duplicate",
          message: "duplicate detected"
        })
        assert.deepStrictEqual(at(body, "data", 0, "attributes", "errors", 1, "error"), {
          code: "not_found",
          message: "customer not found"
        })
        const results = BulkJob.readableResults(decodeBatches(body).data[0]?.attributes ?? { status: "complete" })
        const errors = results.flatMap((result) => result.error === undefined ? [] : [result.error])
        assert.deepStrictEqual(errors.map((error) => ItemError.isDuplicate(error)), [true, false])
      })
    ))

  it.effect("by default, item errors are strings and results carry no code", () =>
    run(
      {},
      Effect.gen(function*() {
        const customer = yield* customerOf
        const { body } = yield* importItems(mixedItems(customer))
        assert.deepStrictEqual(at(body, "data", 0, "attributes", "results", 1), {
          _clientRef: "r1",
          status: "error",
          error: "duplicate detected"
        })
      })
    ))

  it.effect("sends completedAt as epoch milliseconds", () =>
    run(
      { answers: { completedAt: "epochMillis" } },
      Effect.gen(function*() {
        yield* TestClock.setTime(Date.UTC(2026, 9, 21, 14, 2, 13))
        const customer = yield* customerOf
        const { body } = yield* importItems(conversations(customer, 1, "millis"))
        const completedAt = at(body, "data", 0, "attributes", "completedAt")
        assert.isNumber(completedAt)
        const decoded = decodeBatches(body).data[0]?.attributes
        const instant = decoded === undefined ? undefined : BulkJob.completedAtOf(decoded)
        assert.strictEqual(instant?.epochMillis, completedAt)
      })
    ))

  it.effect("answers objectId null for a seeded share of created items, the same on every read", () =>
    run(
      { answers: { nullObjectIdRate: 0.5, seed: 7 } },
      Effect.gen(function*() {
        const customer = yield* customerOf
        const { api, body, jobId } = yield* importItems(conversations(customer, 40, "nullid", true))
        const objectIds = (page: unknown) =>
          list(at(page, "data", 0, "attributes", "results")).map((result) => at(result, "objectId"))
        const first = objectIds(body)
        const nulls = first.filter((objectId) => objectId === null).length
        assert.isAbove(nulls, 5)
        assert.isBelow(nulls, 35)
        const again = yield* api.get(`/v1/bulk/${jobId}/batches`)
        assert.deepStrictEqual(objectIds(again.body), first)
        // The objects exist all the same: objectIds lists all 40.
        assert.strictEqual(list(at(body, "data", 0, "attributes", "objectIds")).length, 40)
        const results = BulkJob.readableResults(decodeBatches(body).data[0]?.attributes ?? { status: "complete" })
        assert.strictEqual(results.filter((result) => result.objectId === undefined).length, nulls)
      })
    ))

  it.effect("answers errors with the plain { code, message, meta } body", () =>
    run(
      { answers: { errorBody: "plain" } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const reply = yield* api.get("/v1/bulk/0123456789abcdef01234567")
        assert.strictEqual(reply.status, 404)
        assert.deepStrictEqual(reply.body, {
          code: "not_found",
          message: "no bulk operation with id 0123456789abcdef01234567",
          meta: { status: 404 }
        })
        const read = ErrorBody.fromText(reply.text)
        assert.isTrue(read.recognized)
        assert.strictEqual(ErrorBody.firstCode(read.body), "not_found")
        const unauthorized = yield* api.get("/v1/bulk/0123456789abcdef01234567", { key: "nope" })
        assert.strictEqual(at(unauthorized.body, "code"), "unauthorized")
      })
    ))

  it.effect("limits creations per customer per window unless items carry importedAt", () =>
    run(
      { perCustomerCreateLimit: { limit: 3, window: "1 minute" } },
      Effect.gen(function*() {
        const customer = yield* customerOf
        const items = conversations(customer, 5, "limited", true)
        const { body } = yield* importItems(items)
        const results = BulkJob.readableResults(decodeBatches(body).data[0]?.attributes ?? { status: "complete" })
        assert.deepStrictEqual(results.map((result) => result.status), [
          "created",
          "created",
          "created",
          "error",
          "error"
        ])
        assert.match(str(body, "data", 0, "attributes", "errors", 0, "error"), /importedAt/)
        assert.strictEqual(at(body, "data", 0, "attributes", "errors", 0, "code"), "rate_limited")

        const imported = conversations(customer, 5, "imported", true).map((item) => ({
          ...item,
          importedAt: "2026-01-01T00:00:00.000Z"
        }))
        const waived = yield* importItems(imported)
        assert.strictEqual(at(waived.body, "data", 0, "attributes", "successCount"), 5)

        yield* TestClock.adjust("1 minute")
        const later = yield* importItems(conversations(customer, 2, "later", true))
        assert.strictEqual(at(later.body, "data", 0, "attributes", "successCount"), 2)
      })
    ))

  it.effect("Kustomer's 120 per minute with `perCustomerCreateLimit: true`; another customer has its own count", () =>
    run(
      { perCustomerCreateLimit: true, customers: 2 },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const [first = "", second = ""] = simulator.customerIds
        yield* importItems(conversations(first, 100, "a1"))
        const { body } = yield* importItems([...conversations(first, 30, "a2"), ...conversations(second, 30, "b")])
        assert.strictEqual(at(body, "data", 0, "attributes", "successCount"), 50)
        assert.strictEqual(at(body, "data", 0, "attributes", "failureCount"), 10)
        const stats = yield* simulator.stats
        assert.strictEqual(stats.conversations.stored, 150)
      })
    ))
})

describe("odd answers: the domain decoder", () => {
  it("decodes every odd answer at once", () => {
    const wire = {
      data: [{
        attributes: {
          status: "complete",
          objectIds: null,
          errors: [{ index: 0, code: "duplicate", error: { code: "duplicate", message: "duplicate detected" } }],
          results: [{ _clientRef: "a", status: "error", error: { code: "duplicate", message: "duplicate detected" } }],
          completedAt: 1_792_591_333_000
        }
      }],
      links: { next: null }
    }
    const decoded = Either.getOrThrow(Schema.decodeUnknownEither(BulkJob.BatchList)(wire))
    assert.isUndefined(BulkJob.nextPage(decoded))
    assert.strictEqual(BulkJob.readableResults(decoded.data[0]?.attributes ?? { status: "complete" }).length, 1)
  })
})
