/**
 * `bulkUpdate`, `bulkDelete` and `getById`: against the in-process simulator (the job model, per-item outcomes, a
 * conversation marked deleted, customers deleted and a delete sent again, the retry decision) and at the wire (the
 * requests sent, the answers without a job a delete tolerates, what is refused unsent).
 */
import { BulkJob, BulkResource, Conversation, Customer, Ids } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { BatchResults, KustomerClient, KustomerError, RetryPolicy } from "../src/index.js"
import { clientWith, json } from "./fakes.js"
import { simulated } from "./importHarness.js"

const unknownId = "000000000000000000000000"
const instant = { jobLatency: 0, itemLatency: 0 } as const

/** Polls a job until it is complete (the simulator's jobs run at once: no clock to move) and reads its batches. */
const settled = (jobId: Ids.BulkJobId) =>
  Effect.gen(function*() {
    const client = yield* KustomerClient.KustomerClient
    for (let attempt = 0; attempt < 1_000; attempt++) {
      if (BulkJob.isComplete((yield* client.getBulkJob(jobId)).data)) return yield* client.getBulkJobBatches(jobId)
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage(`job ${jobId} did not complete`)
  })

/** Creates conversations of the first seeded customer through the client; their ids. */
const createConversations = (count: number) =>
  Effect.gen(function*() {
    const client = yield* KustomerClient.KustomerClient
    const simulator = yield* Simulator.Simulator
    const items = Array.from({ length: count }, (_, index) =>
      Schema.decodeSync(Conversation.ConversationInput)({
        customer: simulator.customerIds[0] ?? "",
        externalId: `t-${index}`
      }))
    const job = yield* client.bulkCreateConversations(items)
    const reading = BatchResults.read(yield* settled(job.data.id))
    return reading.reported.flatMap((item) => item.objectId === undefined ? [] : [item.objectId])
  })

const conversationUpdate = Schema.decodeSync(Conversation.ConversationUpdate)

describe("KustomerClient.bulkUpdate against the simulator", () => {
  it.effect("sends { id, …fields } as a job: each item updated or an error, the object changed", () =>
    Effect.gen(function*() {
      const [first = ""] = yield* createConversations(1)
      const client = yield* KustomerClient.KustomerClient
      const job = yield* client.bulkUpdate(BulkResource.Conversations, [
        conversationUpdate({ id: first, status: "done", tags: ["migrated"], _clientRef: "u1" }),
        conversationUpdate({ id: unknownId, status: "done", _clientRef: "u2" })
      ])
      assert.strictEqual(BulkJob.payloadOf(job.data)?.api?.method, "PUT")
      const reading = BatchResults.read(yield* settled(job.data.id), [{ clientRef: "u1" }, { clientRef: "u2" }])
      assert.deepStrictEqual(reading.reported.map((item) => [item.clientRef, item.status, item.objectId]), [
        ["u1", "updated", first],
        ["u2", "error", undefined]
      ])
      assert.strictEqual(reading.verdicts.get("u2")?._tag, "Failed")
      const read = yield* client.getById(BulkResource.Conversations, first)
      assert.isTrue(Option.isSome(read))
      assert.strictEqual(Option.getOrThrow(read).attributes?.["status"], "done")
      assert.deepStrictEqual(Option.getOrThrow(read).attributes?.["tags"], ["migrated"])
    }).pipe(Effect.provide(simulated(instant))))

  it.effect("deleted: true marks a conversation deleted; getById shows it", () =>
    Effect.gen(function*() {
      const [first = ""] = yield* createConversations(1)
      const client = yield* KustomerClient.KustomerClient
      const job = yield* client.bulkUpdate(BulkResource.Conversations, [
        conversationUpdate({ id: first, deleted: true })
      ])
      yield* settled(job.data.id)
      const read = Option.getOrThrow(yield* client.getById(BulkResource.Conversations, first))
      assert.strictEqual(read.attributes?.["deleted"], true)
      assert.deepStrictEqual(read.relationships?.["customer"], {
        links: { self: `/v1/customers/${(yield* Simulator.Simulator).customerIds[0]}` },
        data: { type: "customer", id: (yield* Simulator.Simulator).customerIds[0] }
      })
    }).pipe(Effect.provide(simulated(instant))))

  it.effect("an update whose answer was lost is retried, not held in doubt: sent twice, it sets the same fields", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const [id = ""] = simulator.customerIds
      const client = yield* KustomerClient.KustomerClient
      const update = Schema.decodeSync(Customer.CustomerUpdate)({ id, name: "Ada Lovelace" })
      const lost = yield* Effect.flip(client.bulkUpdate(BulkResource.Customers, [update]))
      assert.strictEqual(lost.reason._tag, "ServerError")
      assert.isTrue(lost.reason.mayHaveTakenEffect)
      assert.strictEqual(RetryPolicy.decide(lost, { write: false }), "retry")
      yield* Effect.flip(client.bulkUpdate(BulkResource.Customers, [update]))
      for (const job of yield* simulator.jobs) yield* settled(Ids.BulkJobId.make(job.id))
      const stored = yield* simulator.objects("customers")
      assert.strictEqual(stored.find((customer) => customer.id === id)?.attributes["name"], "Ada Lovelace")
      assert.strictEqual((yield* simulator.stats).customers.updated, 2)
    }).pipe(Effect.provide(simulated({ ...instant, faults: { serverErrorRate: 1, afterAcceptanceShare: 1 } }))))
})

describe("KustomerClient.bulkDelete against the simulator", () => {
  it.effect("deletes customers; sent again, every id comes back not found", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const ids = simulator.customerIds.slice(0, 2)
      const client = yield* KustomerClient.KustomerClient
      const job = Option.getOrThrow(yield* client.bulkDelete(BulkResource.Customers, ids))
      assert.deepStrictEqual(BulkJob.payloadOf(job.data)?.api?.data, { ids })
      const first = BatchResults.read(yield* settled(job.data.id))
      assert.deepStrictEqual(first.reported.map((item) => item.objectId), ids)
      for (const id of ids) {
        assert.isTrue(Option.isNone(yield* client.getById(BulkResource.Customers, id)))
      }
      const again = Option.getOrThrow(yield* client.bulkDelete(BulkResource.Customers, ids))
      const second = BatchResults.read(yield* settled(again.data.id))
      assert.deepStrictEqual(second.reported.map((item) => item.index), [0, 1])
      for (const item of second.reported) {
        assert.strictEqual(item.verdict._tag, "Failed")
        assert.include(BatchResults.reason(item.verdict), "not found")
      }
      const stats = yield* simulator.stats
      assert.strictEqual(stats.customers.deleted, 2)
      assert.strictEqual(stats.customers.deletesFailed, 2)
    }).pipe(Effect.provide(simulated(instant))))

  it.effect("refuses unsent a resource without a bulk delete and ids a query cannot carry", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const client = yield* KustomerClient.KustomerClient
      const refused = [
        yield* Effect.flip(client.bulkDelete(BulkResource.Conversations, [unknownId])),
        yield* Effect.flip(client.bulkDelete(BulkResource.Customers, [])),
        yield* Effect.flip(client.bulkDelete(BulkResource.Customers, Array.from({ length: 101 }, () => unknownId))),
        yield* Effect.flip(client.bulkDelete(BulkResource.Customers, ["a,b"])),
        yield* Effect.flip(client.getById(BulkResource.Customers, ""))
      ]
      assert.deepStrictEqual(refused.map((error) => error.reason._tag), Array(5).fill("InvalidRequest"))
      assert.include(refused[0]?.message ?? "", "no bulk delete of conversations")
      assert.strictEqual((yield* simulator.stats).requests.total, 0)
    }).pipe(Effect.provide(simulated(instant))))
})

describe("KustomerClient.getById against the simulator", () => {
  it.effect("reads any resource's object with every attribute; None for an unknown id", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const client = yield* KustomerClient.KustomerClient
      const customer = Option.getOrThrow(yield* client.getById(BulkResource.Customers, simulator.customerIds[0] ?? ""))
      assert.strictEqual(customer.type, "customer")
      assert.strictEqual(customer.attributes?.["externalId"], "sim-customer-1")
      assert.isTrue(Option.isNone(yield* client.getById(BulkResource.Notes, unknownId)))
      const stats = yield* simulator.stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/customers/{id}"], 1)
      assert.strictEqual(stats.requests.byRoute["GET /v1/notes/{id}"], 1)
    }).pipe(Effect.provide(simulated(instant))))

  it.effect("a key without the read role fails Forbidden, naming the role", () =>
    Effect.gen(function*() {
      const client = yield* KustomerClient.KustomerClient
      const error = yield* Effect.flip(client.getById(BulkResource.Companies, unknownId))
      assert.strictEqual(error.reason._tag, "Forbidden")
      assert.include(error.message, "org.permission.company.read or org.user.company.read")
    }).pipe(Effect.provide(simulated({ apiKeys: [{ key: "creator", roles: BulkResource.Companies.createRoles }] }))))
})

describe("bulkUpdate, bulkDelete and getById at the wire", () => {
  const accepted = { data: { type: "bulk", id: "6543a1b7c9e77c0013e5f2aa", attributes: { status: "queued" } } }

  it.effect("an update is a PUT of the encoded array to the resource's bulk path", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith(() => Effect.succeed(json(201, accepted)))
      const item = conversationUpdate({ id: "58228e05d4e96711004eccb7", deleted: true })
      const job = yield* client.bulkUpdate(BulkResource.Conversations, [item])
      assert.strictEqual(job.data.id, accepted.data.id)
      const [request] = yield* Ref.get(seen)
      assert.strictEqual(request?.method, "PUT")
      assert.strictEqual(request?.url, "http://127.0.0.1:4010/v1/conversations/bulk")
      assert.deepStrictEqual(JSON.parse(request?.body ?? ""), [{ id: "58228e05d4e96711004eccb7", deleted: true }])
    }))

  it.effect("a delete is a DELETE with the ids in the query; a job whose request record is an object is read", () =>
    Effect.gen(function*() {
      const deleted = {
        data: {
          ...accepted.data,
          attributes: { status: "queued", ids: ["a1", "b2"], payload: { api: { data: { ids: ["a1", "b2"] } } } }
        }
      }
      const { client, seen } = yield* clientWith(() => Effect.succeed(json(201, deleted)))
      const job = yield* client.bulkDelete(BulkResource.Customers, ["a1", "b2"])
      assert.strictEqual(Option.getOrThrow(job).data.id, accepted.data.id)
      const [request] = yield* Ref.get(seen)
      assert.strictEqual(request?.method, "DELETE")
      assert.strictEqual(request?.url, "http://127.0.0.1:4010/v1/customers/bulk?ids=a1,b2")
      assert.strictEqual(request?.body, "")
    }))

  it.effect.each(
    [
      ["a 404 (the ids are gone already)", json(404, { errors: [{ code: "not_found", title: "Not Found" }] })],
      ["a 204 without a body", { status: 204 }],
      ["a 200 with an empty body", { status: 200, body: "" }]
    ] as const
  )("a delete answered with %s is None, not a failure", ([, reply]) =>
    Effect.gen(function*() {
      const { client } = yield* clientWith(() => Effect.succeed(reply))
      assert.isTrue(Option.isNone(yield* client.bulkDelete(BulkResource.Customers, ["a1"])))
    }))

  it.effect("a delete answered 5xx fails as a server error, retried like a read", () =>
    Effect.gen(function*() {
      const { client } = yield* clientWith(() => Effect.succeed(json(503, { errors: [{ code: "unavailable" }] })))
      const error = yield* Effect.flip(client.bulkDelete(BulkResource.Customers, ["a1"]))
      assert.instanceOf(error, KustomerError.KustomerError)
      assert.strictEqual(error.method, "bulkDelete")
      assert.strictEqual(RetryPolicy.decide(error, { write: false }), "retry")
    }))

  it.effect("getById reads the object at objectPath, None on a 404", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith((_request, url) =>
        Effect.succeed(
          url.pathname.endsWith("/gone")
            ? json(404, { errors: [{ code: "not_found" }] })
            : json(200, { data: { type: "message", id: "m 1", attributes: { preview: "hi", extra: 1 } } })
        )
      )
      const found = Option.getOrThrow(yield* client.getById(BulkResource.Messages, "m 1"))
      assert.deepStrictEqual(found.attributes, { preview: "hi", extra: 1 })
      assert.isTrue(Option.isNone(yield* client.getById(BulkResource.Messages, "gone")))
      const [request] = yield* Ref.get(seen)
      assert.strictEqual(request?.url, "http://127.0.0.1:4010/v1/messages/m%201")
    }))
})
