/**
 * Bulk updates and deletes, served from the domain's registry: `PUT /v1/{resource}/bulk` applies `{ id, …fields }`
 * to stored objects through the same job model as a create (per-item errors for unknown ids and invalid fields),
 * `deleted: true` marks a conversation deleted, `DELETE /v1/customers/bulk?ids=` removes customers (its job's
 * request record an object), with the roles, the synchronous checks, the faults and the counters of a create.
 */
import { BulkJob, BulkResource } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Simulator, SimulatorClient, SimulatorConfig } from "../src/index.js"
import {
  at,
  awaitJobOnTestClock,
  conversations,
  externalIdPath,
  inProcessApi,
  makeApi,
  type Reply,
  submitAndAwait
} from "./utils.js"

const run = <A, E>(
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>,
  options: SimulatorConfig.SimulatorOptions = {}
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

const unknownId = "000000000000000000000000"

/** Waits for the job a bulk request was answered with; the job document and its (one) batch. */
const settle = (reply: Reply) =>
  Effect.gen(function*() {
    if (reply.status >= 300) assert.fail(`${reply.status} ${JSON.stringify(reply.body)}`)
    const api = yield* inProcessApi
    const job = Schema.decodeUnknownSync(BulkJob.BulkJobDocument)(reply.body)
    yield* awaitJobOnTestClock(api, job.data.id)
    const batches = yield* api.get(`/v1/bulk/${job.data.id}/batches`)
    const batch = Schema.decodeUnknownSync(BulkJob.BatchListDocument)(batches.body).data[0]?.attributes
    return {
      job,
      objectIds: (batch?.objectIds ?? []).map((id) => String(id)),
      errors: (batch?.errors ?? []).map((entry) => Either.getOrThrow(entry)),
      results: batch === undefined ? [] : BulkJob.readableResults(batch),
      raw: batches.body
    }
  })

/** Creates `count` conversations of the first seeded customer; their ids, in order. */
const createConversations = (count: number, prefix = "conv") =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.Simulator
    const created = yield* submitAndAwait(
      BulkResource.Conversations.bulkPath,
      conversations(simulator.customerIds[0] ?? "", count, prefix)
    )
    return (created.batches[0]?.objectIds ?? []).map((id) => String(id))
  })

describe("PUT /v1/conversations/bulk", () => {
  it.effect("applies each { id, …fields } in a job: updated, an unknown id not_found, invalid fields invalid", () =>
    run(Effect.gen(function*() {
      const [first = "", second = ""] = yield* createConversations(2)
      const api = yield* inProcessApi
      const reply = yield* api.put(BulkResource.Conversations.update.path, {
        json: [
          { id: first, status: "done", tags: ["migrated"], priority: 4, _clientRef: "u1" },
          { id: unknownId, status: "done", _clientRef: "u2" },
          { id: second, priority: 9, _clientRef: "u3" }
        ]
      })
      assert.strictEqual(reply.status, 201)
      assert.strictEqual(at(reply.body, "data", "attributes", "payload", "api", "method"), "PUT")
      const settled = yield* settle(reply)
      assert.deepStrictEqual(settled.objectIds, [first])
      assert.deepStrictEqual(
        settled.results.map((result) => [result._clientRef, result.status, result.objectId]),
        [["u1", "updated", first], ["u2", "error", undefined], ["u3", "error", undefined]]
      )
      assert.deepStrictEqual(settled.errors.map((error) => [error.index, error.code]), [[1, "not_found"], [
        2,
        "invalid"
      ]])
      assert.include(String(settled.errors[1]?.error), "priority")
      assert.strictEqual(at(settled.raw, "data", 0, "attributes", "errors", 0, "id"), unknownId)

      const read = yield* api.get(BulkResource.Conversations.objectPath(first))
      assert.strictEqual(at(read.body, "data", "attributes", "status"), "done")
      assert.deepStrictEqual(at(read.body, "data", "attributes", "tags"), ["migrated"])
      assert.strictEqual(at(read.body, "data", "attributes", "externalId"), "conv-0")
      const untouched = yield* api.get(BulkResource.Conversations.objectPath(second))
      assert.strictEqual(at(untouched.body, "data", "attributes", "status"), "open")

      const simulator = yield* Simulator.Simulator
      const stored = yield* simulator.objects("conversations")
      assert.strictEqual(stored.find((object) => object.id === first)?.attributes["priority"], 4)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.updated, 1)
      assert.strictEqual(stats.conversations.updatesFailed, 2)
      assert.strictEqual(stats.conversations.itemsFailed, 0)
      assert.strictEqual(stats.requests.byRoute["PUT /v1/conversations/bulk"], 1)
      const jobs = yield* simulator.jobs
      assert.deepStrictEqual(jobs.map((job) => job.operation), ["create", "update"])
    })))

  it.effect("deleted: true marks a conversation deleted: read by id and by externalId, its externalId still taken", () =>
    run(Effect.gen(function*() {
      const [first = ""] = yield* createConversations(1, "gone")
      const api = yield* inProcessApi
      const simulator = yield* Simulator.Simulator
      const before = yield* simulator.objects("conversations")
      yield* settle(
        yield* api.put(BulkResource.Conversations.update.path, { json: [{ id: first, deleted: true }] })
      )
      const read = yield* api.get(BulkResource.Conversations.objectPath(first))
      assert.strictEqual(read.status, 200)
      assert.strictEqual(at(read.body, "data", "attributes", "deleted"), true)
      const lookUp = yield* api.get(externalIdPath("conversations", "gone-0"))
      assert.strictEqual(at(lookUp.body, "data", "attributes", "deleted"), true)
      // What was read before the update is a copy: it does not change.
      assert.isUndefined(before[0]?.attributes["deleted"])
      const after = yield* simulator.objects("conversations")
      assert.strictEqual(after[0]?.attributes["deleted"], true)
      const again = yield* submitAndAwait(
        BulkResource.Conversations.bulkPath,
        conversations(simulator.customerIds[0] ?? "", 1, "gone")
      )
      assert.strictEqual(again.batches[0]?.errors?.map((entry) => Either.getOrThrow(entry).code)[0], "duplicate")
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.markedDeleted, 1)
      assert.strictEqual(stats.conversations.stored, 1)
      const noRoute = yield* api.delete(`/v1/conversations/bulk?ids=${first}`)
      assert.strictEqual(noRoute.status, 404)
    })))

  it.effect("checks the objects a changed field names, and refuses a taken externalId where duplicates are", () =>
    run(Effect.gen(function*() {
      const [first = "", second = ""] = yield* createConversations(2)
      const api = yield* inProcessApi
      const settled = yield* settle(
        yield* api.put(BulkResource.Conversations.update.path, {
          json: [{ id: first, customer: unknownId }, { id: second, externalId: "conv-0" }, {
            id: second,
            externalId: "conv-renamed"
          }]
        })
      )
      assert.deepStrictEqual(settled.errors.map((error) => [error.index, error.code, error.error]), [
        [0, "not_found", "customer not found"],
        [1, "duplicate", "duplicate detected"]
      ])
      const renamed = yield* api.get(externalIdPath("conversations", "conv-renamed"))
      assert.strictEqual(at(renamed.body, "data", "id"), second)
      const old = yield* api.get(externalIdPath("conversations", "conv-1"))
      assert.strictEqual(old.status, 404)
    })))

  it.effect("refuses a bad request as a create does, and the ?ids= form", () =>
    run(Effect.gen(function*() {
      const api = yield* inProcessApi
      const path = BulkResource.Conversations.update.path
      const statuses = [
        (yield* api.put(path, { json: { id: unknownId } })).status,
        (yield* api.put(path, { json: [] })).status,
        (yield* api.put(path, { json: [{ id: unknownId, _clientRef: "a" }, { id: unknownId }] })).status,
        (yield* api.put(`${path}?ids=${unknownId}`, { json: { status: "done" } })).status,
        (yield* api.put(path, { raw: "[{" })).status
      ]
      assert.deepStrictEqual(statuses, [400, 400, 400, 400, 400])
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.jobs.created, 0)
    })))
})

describe("PUT of the other resources", () => {
  it.effect("updates a customer's e-mail and externalId, and the look-ups follow", () =>
    run(Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const [id = ""] = yield* simulator.seedCustomers([
        { externalId: "zd-user-1", name: "Ada", emails: [{ email: "ada@old.example" }] }
      ])
      const api = yield* inProcessApi
      const settled = yield* settle(
        yield* api.put(BulkResource.Customers.update.path, {
          json: [{ id, externalId: "zd-user-1b", emails: [{ type: "work", email: "ada@new.example" }] }]
        })
      )
      assert.deepStrictEqual(settled.objectIds, [id])
      assert.strictEqual((yield* api.get("/v1/customers/email=ada%40new.example")).status, 200)
      assert.strictEqual((yield* api.get("/v1/customers/email=ada%40old.example")).status, 404)
      assert.strictEqual(at((yield* api.get(externalIdPath("customers", "zd-user-1b"))).body, "data", "id"), id)
      assert.strictEqual((yield* api.get(externalIdPath("customers", "zd-user-1"))).status, 404)
    })))

  it.effect("moves a note to another conversation: the listings follow", () =>
    run(Effect.gen(function*() {
      const [from = "", to = ""] = yield* createConversations(2)
      const created = yield* submitAndAwait(BulkResource.Notes.bulkPath, [{ conversation: from, body: "hello" }])
      const note = String(created.batches[0]?.objectIds?.[0])
      const api = yield* inProcessApi
      yield* settle(yield* api.put(BulkResource.Notes.update.path, { json: [{ id: note, conversation: to }] }))
      const listed = (conversation: string) =>
        Effect.map(api.get(`/v1/conversations/${conversation}/notes`), (reply) => at(reply.body, "data"))
      assert.deepStrictEqual(yield* listed(from), [])
      assert.strictEqual(at(yield* listed(to), 0, "id"), note)
    })))
})

describe("DELETE /v1/customers/bulk?ids=", () => {
  it.effect("removes the customers in a job whose request record is an object; an unknown id is not_found", () =>
    run(Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const [first = "", second = ""] = simulator.customerIds
      const api = yield* inProcessApi
      const path = BulkResource.Customers.delete?.pathWithIds([first, second, unknownId]) ?? ""
      const reply = yield* api.delete(path)
      assert.strictEqual(reply.status, 201)
      const settled = yield* settle(reply)
      const payload = BulkJob.payloadOf(settled.job.data)
      assert.deepStrictEqual(payload?.api?.data, { ids: [first, second, unknownId] })
      assert.strictEqual(payload?.api?.method, "DELETE")
      assert.deepStrictEqual(BulkJob.attributesOf(settled.job.data)?.ids, [first, second, unknownId])
      assert.deepStrictEqual(settled.objectIds, [first, second])
      assert.deepStrictEqual(settled.errors.map((error) => [error.index, error.code]), [[2, "not_found"]])

      assert.strictEqual((yield* api.get(BulkResource.Customers.objectPath(first))).status, 404)
      assert.strictEqual((yield* api.get(externalIdPath("customers", "sim-customer-1"))).status, 404)
      assert.strictEqual((yield* api.get("/v1/customers/email=customer1%40simulator.example")).status, 404)
      const stored = yield* simulator.objects("customers")
      assert.deepStrictEqual(stored.map((customer) => customer.id), simulator.customerIds.slice(2))
      const stats = yield* simulator.stats
      assert.strictEqual(stats.customers.deleted, 2)
      assert.strictEqual(stats.customers.deletesFailed, 1)
      assert.strictEqual(stats.customers.stored, simulator.customerIds.length - 2)
      assert.strictEqual(stats.requests.byRoute["DELETE /v1/customers/bulk"], 1)
    })))

  it.effect("a delete sent again is accepted: every id it names is then not_found", () =>
    run(Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const api = yield* inProcessApi
      const path = BulkResource.Customers.delete?.pathWithIds(simulator.customerIds.slice(0, 2)) ?? ""
      yield* settle(yield* api.delete(path))
      const again = yield* settle(yield* api.delete(path))
      assert.deepStrictEqual(again.objectIds, [])
      assert.deepStrictEqual(again.errors.map((error) => error.code), ["not_found", "not_found"])
    })))

  it.effect("refuses a delete without ids, with an empty id or with more than 100", () =>
    run(Effect.gen(function*() {
      const api = yield* inProcessApi
      const many = Array.from({ length: 101 }, (_, index) => index.toString(16).padStart(24, "0"))
      const statuses = [
        (yield* api.delete("/v1/customers/bulk")).status,
        (yield* api.delete("/v1/customers/bulk?ids=")).status,
        (yield* api.delete(`/v1/customers/bulk?ids=${unknownId},,${unknownId}`)).status,
        (yield* api.delete(BulkResource.Customers.delete?.pathWithIds(many) ?? "")).status
      ]
      assert.deepStrictEqual(statuses, [400, 400, 400, 400])
    })))
})

describe("roles and faults", () => {
  it.effect("an update needs the update role and a delete the delete role; reads need the read role", () =>
    run(
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const api = makeApi(SimulatorClient.baseUrl, "creator")
        const update = yield* api.put(BulkResource.Conversations.update.path, { json: [{ id: unknownId }] })
        assert.strictEqual(update.status, 403)
        assert.include(update.text, "org.permission.conversation.update or org.user.conversation.write")
        const remove = yield* api.delete(BulkResource.Customers.delete?.pathWithIds([unknownId]) ?? "")
        assert.strictEqual(remove.status, 403)
        assert.include(remove.text, "org.permission.customer.delete or org.user.customer.delete")
        const read = yield* api.get(BulkResource.Customers.objectPath(simulator.customerIds[0] ?? ""))
        assert.strictEqual(read.status, 403)
        assert.include(read.text, "org.permission.customer.read or org.user.customer.read")
        const legacy = makeApi(SimulatorClient.baseUrl, "legacy-writer")
        assert.strictEqual(
          (yield* legacy.put(BulkResource.Conversations.update.path, { json: [{ id: unknownId }] })).status,
          201
        )
        const allowed = makeApi(SimulatorClient.baseUrl, SimulatorConfig.defaultApiKey)
        assert.strictEqual(
          (yield* allowed.delete(BulkResource.Customers.delete?.pathWithIds([unknownId]) ?? "")).status,
          201
        )
      }),
      {
        apiKeys: [
          { key: SimulatorConfig.defaultApiKey },
          // The permission-set create roles only: the legacy `….write` grants updates as well.
          { key: "creator", roles: BulkResource.all.map((resource) => resource.createRoles[0]) },
          { key: "legacy-writer", roles: ["org.user.conversation.write"] }
        ]
      }
    ))

  it.effect("a fault after acceptance answers 5xx, yet the update and the delete run", () =>
    run(
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const [first = "", second = ""] = simulator.customerIds
        const api = yield* inProcessApi
        const update = yield* api.put(BulkResource.Customers.update.path, { json: [{ id: first, name: "Renamed" }] })
        const remove = yield* api.delete(BulkResource.Customers.delete?.pathWithIds([second]) ?? "")
        assert.isAtLeast(update.status, 500)
        assert.isAtLeast(remove.status, 500)
        const jobs = yield* simulator.jobs
        for (const job of jobs) yield* awaitJobOnTestClock(api, job.id)
        const stored = yield* simulator.objects("customers")
        assert.strictEqual(stored.find((customer) => customer.id === first)?.attributes["name"], "Renamed")
        assert.isUndefined(stored.find((customer) => customer.id === second))
        const stats = yield* simulator.stats
        assert.strictEqual(stats.faults.server_error_after_acceptance, 2)
        assert.deepStrictEqual(jobs.map((job) => job.operation), ["update", "delete"])
      }),
      { faults: { serverErrorRate: 1, afterAcceptanceShare: 1 } }
    ))
})
