/** The wire contract over real HTTP: a Node server on port 0, called with `fetch`. */
import { BulkJob, BulkResource, Conversation, Customer, ErrorBody } from "@effect-kustomer/domain"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import { SimulatorConfig, SimulatorServer } from "../src/index.js"
import { at, awaitJobLive, conversations, externalIdPath, makeApi, str } from "./utils.js"

type Api = ReturnType<typeof makeApi>

const withServer = <A, E>(
  options: SimulatorServer.SimulatorServerOptions,
  body: (api: Api, server: SimulatorServer.Service) => Effect.Effect<A, E, HttpClient.HttpClient>
) =>
  Effect.gen(function*() {
    const server = yield* SimulatorServer.SimulatorServer
    return yield* body(makeApi(server.baseUrl, server.apiKey), server)
  }).pipe(
    Effect.provide(
      Layer.merge(SimulatorServer.layer({ jobLatency: 0, itemLatency: 0, ...options }), FetchHttpClient.layer)
    )
  )

const decodeError = Schema.decodeUnknownSync(ErrorBody.ApiErrorBody)
const decodeJob = Schema.decodeUnknownSync(BulkJob.BulkJobDocument)
const decodeBatches = Schema.decodeUnknownSync(BulkJob.BatchListDocument)

const assertError = (reply: { status: number; body: unknown }, status: number, code: string) => {
  assert.strictEqual(reply.status, status)
  const body = decodeError(reply.body)
  assert.strictEqual(body.errors.length, 1)
  assert.strictEqual(body.errors[0]?.status, status)
  assert.strictEqual(body.errors[0]?.code, code)
  assert.isString(body.errors[0]?.title)
  assert.isString(body.errors[0]?.detail)
  return body.errors[0]?.detail ?? ""
}

const assertRateHeaders = (headers: Readonly<Record<string, string | undefined>>) => {
  assert.match(headers["x-ratelimit-limit"] ?? "", /^\d+$/)
  assert.match(headers["x-ratelimit-remaining"] ?? "", /^\d+$/)
  assert.match(headers["x-ratelimit-reset"] ?? "", /^\d+$/)
}

describe("SimulatorServer (real HTTP)", () => {
  it.live("listens on a free port and reports its base URL, key and seeded customers", () =>
    withServer({ customers: 3 }, (_api, server) =>
      Effect.sync(() => {
        assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
        assert.isAbove(server.port, 0)
        assert.strictEqual(server.apiKey, SimulatorConfig.defaultApiKey)
        assert.strictEqual(server.customerIds.length, 3)
        for (const id of server.customerIds) assert.match(id, /^[0-9a-f]{24}$/)
      })))

  describe("authentication", () => {
    it.live("401 without an Authorization header, with rate-limit headers and no budget used", () =>
      withServer({}, (api) =>
        Effect.gen(function*() {
          const reply = yield* api.get("/v1/bulk/abc", { key: null })
          assertError(reply, 401, "unauthorized")
          assertRateHeaders(reply.headers)
          assert.strictEqual(reply.headers["x-ratelimit-remaining"], "1000")
        })))

    it.live("401 for an unknown key", () =>
      withServer({}, (api) =>
        Effect.gen(function*() {
          const reply = yield* api.post(BulkResource.Conversations.bulkPath, { key: "nope", json: [{}] })
          assertError(reply, 401, "unauthorized")
        })))

    it.live("403 naming the missing roles when the key lacks them", () =>
      withServer({
        apiKeys: [{ key: "reader", roles: ["org.permission.conversation.read"] }]
      }, (api, server) =>
        Effect.gen(function*() {
          const create = yield* api.post(BulkResource.Conversations.bulkPath, {
            json: conversations(server.customerIds[0] ?? "", 1)
          })
          const detail = assertError(create, 403, "forbidden")
          assert.include(detail, "org.permission.conversation.create or org.user.conversation.write")
          const customers = yield* api.post(BulkResource.Customers.bulkPath, { json: [{ name: "x" }] })
          assert.include(assertError(customers, 403, "forbidden"), "org.permission.customer.create")
          const job = yield* api.get("/v1/bulk/abc")
          assert.include(assertError(job, 403, "forbidden"), "org.permission.bulk.read or org.user.bulk.read")
          const customer = yield* api.get(`/v1/customers/${server.customerIds[0]}`)
          assert.include(assertError(customer, 403, "forbidden"), "org.permission.customer.read")
          // The role it has works.
          const conversation = yield* api.get("/v1/conversations/000000000000000000000000")
          assertError(conversation, 404, "not_found")
          assertRateHeaders(create.headers)
        })))

    it.live("a key lacking a role can get 401 instead, when so configured", () =>
      withServer({ forbiddenStatus: 401, apiKeys: [{ key: "nothing", roles: [] }] }, (api) =>
        Effect.gen(function*() {
          const reply = yield* api.get("/v1/bulk/abc")
          assert.include(assertError(reply, 401, "unauthorized"), "org.permission.bulk.read")
        })))
  })

  describe("bulk POST: synchronous checks", () => {
    const badRequests: ReadonlyArray<readonly [string, { json?: unknown; raw?: string }, string]> = [
      ["a body that is not JSON", { raw: "[{not json" }, "not valid JSON"],
      ["a JSON object instead of an array", { json: { data: [] } }, "JSON array"],
      ["an empty array", { json: [] }, "empty"],
      ["more than 100 items", { json: Array.from({ length: 101 }, () => ({ name: "x" })) }, "at most 100"],
      ["_clientRef on some items only", { json: [{ name: "a", _clientRef: "1" }, { name: "b" }] }, "every item"],
      [
        "a duplicated _clientRef",
        { json: [{ name: "a", _clientRef: "1" }, { name: "b", _clientRef: "1" }] },
        "more than once"
      ],
      ["an empty _clientRef", { json: [{ name: "a", _clientRef: "" }] }, "empty"],
      ["a _clientRef over 255 characters", { json: [{ name: "a", _clientRef: "r".repeat(256) }] }, "255"],
      ["a _clientRef that is not a string", { json: [{ name: "a", _clientRef: 7 }] }, "string"]
    ]
    for (const [name, body, detail] of badRequests) {
      it.live(`400 for ${name}, and nothing is stored`, () =>
        withServer({}, (api, server) =>
          Effect.gen(function*() {
            const reply = yield* api.post(BulkResource.Customers.bulkPath, body)
            assert.include(assertError(reply, 400, "bad_request"), detail)
            assertRateHeaders(reply.headers)
            const stats = yield* server.simulator.stats
            assert.strictEqual(stats.jobs.created, 0)
          })))
    }

    it.live("exactly 100 items are accepted", () =>
      withServer({}, (api) =>
        Effect.gen(function*() {
          const reply = yield* api.post(BulkResource.Customers.bulkPath, {
            json: Array.from({ length: 100 }, (_, index) => ({ name: `c${index}` }))
          })
          assert.strictEqual(reply.status, 201)
        })))

    it.live("413 for a body over 100,000 bytes, checked before parsing", () =>
      withServer({}, (api, server) =>
        Effect.gen(function*() {
          // Not even JSON: the size check comes first.
          const reply = yield* api.post(BulkResource.Conversations.bulkPath, { raw: "x".repeat(100_001) })
          assert.include(assertError(reply, 413, "payload_too_large"), "100000")
          assertRateHeaders(reply.headers)
          const atLimit = yield* api.post(BulkResource.Customers.bulkPath, {
            raw: JSON.stringify([{ name: "n".repeat(100_000 - 13) }]) // exactly 100,000 bytes
          })
          assert.strictEqual(atLimit.status, 201)
          assert.strictEqual((yield* server.simulator.stats).jobs.created, 1)
        })))
  })

  it.live("201 answers with the job descriptor the domain decodes", () =>
    withServer({}, (api, server) =>
      Effect.gen(function*() {
        const items = conversations(server.customerIds[0] ?? "", 3, "wire")
        const reply = yield* api.post(BulkResource.Conversations.bulkPath, { json: items })
        assert.strictEqual(reply.status, 201)
        assertRateHeaders(reply.headers)
        const job = decodeJob(reply.body)
        assert.match(job.data.id, /^[0-9a-f]{24}$/)
        assert.strictEqual(job.data.type, "bulk")
        const attributes = BulkJob.attributesOf(job.data)
        assert.strictEqual(attributes?.status, "queued")
        assert.strictEqual(attributes?.context, "conversation")
        assert.strictEqual(attributes?.v2, true)
        assert.strictEqual(attributes?.completed, false)
        assert.deepStrictEqual(attributes?.ids, [])
        assert.deepStrictEqual(attributes?.batches, { complete: 0, total: 1 })
        assert.deepStrictEqual(BulkJob.payloadOf(job.data)?.api?.data, items)
        assert.strictEqual(BulkJob.payloadOf(job.data)?.api?.path, "/v1/conversations/bulk")
        assert.strictEqual(BulkJob.payloadOf(job.data)?.api?.method, "POST")
        assert.strictEqual(BulkJob.payloadOf(job.data)?.api?.service, "simulator")
        assert.strictEqual(BulkJob.payloadOf(job.data)?.api?.user?.userType, "machine")
        assert.strictEqual(at(reply.body, "data", "links", "self"), `/v1/bulk/${job.data.id}`)
        assert.strictEqual(at(reply.body, "data", "relationships", "org", "data", "type"), "org")
        assert.strictEqual(at(reply.body, "data", "relationships", "createdBy", "data", "type"), "user")
      })))

  it.live("a job runs to completion; its batches, objects and external ids can be read back", () =>
    withServer({}, (api, server) =>
      Effect.gen(function*() {
        const customer = server.customerIds[0] ?? ""
        const items = [
          { customer, externalId: "ext/1 a", name: "first", _clientRef: "r0" },
          { customer: "00000000000000000000beef", externalId: "ext-2", _clientRef: "r1" },
          { customer, priority: 9, _clientRef: "r2" }
        ]
        const created = yield* api.post(BulkResource.Conversations.bulkPath, { json: items })
        const jobId = decodeJob(created.body).data.id
        const done = decodeJob(yield* awaitJobLive(api, jobId))
        const attributes = BulkJob.attributesOf(done.data)
        assert.strictEqual(attributes?.completed, true)
        assert.deepStrictEqual(attributes?.batches, { complete: 1, total: 1 })

        const batchesReply = yield* api.get(`/v1/bulk/${jobId}/batches`)
        assert.strictEqual(batchesReply.status, 200)
        assertRateHeaders(batchesReply.headers)
        const batches = decodeBatches(batchesReply.body)
        assert.strictEqual(batches.data.length, 1)
        assert.strictEqual(at(batchesReply.body, "data", 0, "type"), "bulk_batch")
        const batch = batches.data[0]?.attributes
        assert.strictEqual(batch?.status, "complete")
        assert.strictEqual(batch?.successCount, 1)
        assert.strictEqual(batch?.failureCount, 2)
        assert.isString(batch?.completedAt)
        const objectId = batch?.objectIds?.[0] ?? ""
        assert.match(objectId, /^[0-9a-f]{24}$/)
        assert.deepStrictEqual(batch === undefined ? [] : BulkJob.readableResults(batch), [
          { _clientRef: "r0", objectId, status: "created" },
          { _clientRef: "r1", status: "error", error: "customer not found" },
          {
            _clientRef: "r2",
            status: "error",
            error: str(batchesReply.body, "data", 0, "attributes", "errors", 1, "error")
          }
        ])
        const errors = (batch?.errors ?? []).map((error) => Either.getOrThrow(error))
        assert.deepStrictEqual(errors.map((error) => error.index), [1, 2])
        assert.deepStrictEqual(errors.map((error) => error.code), ["not_found", "invalid"])
        assert.strictEqual(errors[0]?.externalId, "ext-2")
        assert.include(errors[1]?.error ?? "", "priority")

        const byExternalId = yield* api.get(externalIdPath("conversations", "ext/1 a"))
        assert.strictEqual(byExternalId.status, 200)
        const conversation = Schema.decodeUnknownSync(Conversation.ConversationDocument)(byExternalId.body)
        assert.strictEqual(conversation.data.id, objectId)
        assert.strictEqual(conversation.data.attributes?.externalId, "ext/1 a")
        assert.strictEqual(conversation.data.attributes?.name, "first")
        assert.strictEqual(conversation.data.attributes?.status, "open")
        assert.strictEqual(at(byExternalId.body, "data", "relationships", "customer", "data", "id"), customer)

        const byId = yield* api.get(BulkResource.Conversations.objectPath(objectId))
        assert.strictEqual(Schema.decodeUnknownSync(Conversation.ConversationDocument)(byId.body).data.id, objectId)

        const customerReply = yield* api.get(BulkResource.Customers.objectPath(customer))
        assert.strictEqual(Schema.decodeUnknownSync(Customer.CustomerDocument)(customerReply.body).data.id, customer)

        assertError(yield* api.get(externalIdPath("conversations", "ext-2")), 404, "not_found")
        assertError(yield* api.get(BulkResource.Conversations.objectPath("000000000000000000000000")), 404, "not_found")
        assertError(yield* api.get("/v1/bulk/000000000000000000000000"), 404, "not_found")
        assertError(yield* api.get("/v1/bulk/000000000000000000000000/batches"), 404, "not_found")
        assertError(yield* api.get("/v1/unknown"), 404, "not_found")
      })))

  it.live("customers bulk-created through the API can then own conversations", () =>
    withServer({ customers: 0 }, (api) =>
      Effect.gen(function*() {
        const created = yield* api.post(BulkResource.Customers.bulkPath, {
          json: [{ name: "Ada", externalId: "crm-1", emails: [{ email: "ada@example.com" }] }]
        })
        assert.strictEqual(BulkJob.attributesOf(decodeJob(created.body).data)?.context, "customer")
        yield* awaitJobLive(api, decodeJob(created.body).data.id)
        const customer = yield* api.get(externalIdPath("customers", "crm-1"))
        const customerId = str(customer.body, "data", "id")
        const conversationJob = yield* api.post(BulkResource.Conversations.bulkPath, {
          json: conversations(customerId, 2, "owned")
        })
        yield* awaitJobLive(api, decodeJob(conversationJob.body).data.id)
        const found = yield* api.get(externalIdPath("conversations", "owned-1"))
        assert.strictEqual(found.status, 200)
      })))

  for (const [share, phase, jobs] of [[0, "before", 0], [1, "after", 1]] as const) {
    it.live(`a connection reset ${phase} acceptance drops the socket without a response; ${jobs} job stored`, () =>
      withServer(
        { faults: { connectionResetRate: 1, afterAcceptanceShare: share } },
        (api, server) =>
          Effect.gen(function*() {
            const result = yield* Effect.either(api.post(BulkResource.Conversations.bulkPath, {
              json: conversations(server.customerIds[0] ?? "", 2, "reset")
            }))
            assert.isTrue(Either.isLeft(result))
            if (Either.isLeft(result)) {
              assert.strictEqual(result.left._tag, "RequestError")
              if (result.left._tag === "RequestError") assert.strictEqual(result.left.reason, "Transport")
            }
            const stats = yield* server.simulator.stats
            assert.strictEqual(stats.jobs.created, jobs)
            assert.strictEqual(stats.faults[`connection_reset_${phase}_acceptance`], 1)
            assert.deepStrictEqual(stats.requests.byStatus, {})
          })
      ))
  }

  it.live("a proxy-style 502 has an HTML body", () =>
    withServer({ faults: { htmlBadGatewayRate: 1, afterAcceptanceShare: 0 } }, (api) =>
      Effect.gen(function*() {
        const reply = yield* api.post(BulkResource.Customers.bulkPath, { json: [{ name: "x" }] })
        assert.strictEqual(reply.status, 502)
        assert.include(reply.headers["content-type"] ?? "", "text/html")
        assert.include(reply.text, "<h1>502 Bad Gateway</h1>")
        assert.isUndefined(reply.body)
      })))

  it.live("GET /__admin/stats needs no key and is neither counted nor rate-limited", () =>
    withServer({ rateLimit: { limit: 1, window: "1 minute" } }, (api) =>
      Effect.gen(function*() {
        assert.strictEqual((yield* api.get("/v1/bulk/x")).status, 404)
        const first = yield* api.get("/__admin/stats", { key: null })
        const second = yield* api.get("/__admin/stats", { key: null })
        assert.strictEqual(first.status, 200)
        assert.strictEqual(second.status, 200)
        assert.strictEqual(at(second.body, "requests", "total"), 1)
        assert.strictEqual(at(second.body, "requests", "byRoute", "GET /v1/bulk/{id}"), 1)
        assert.strictEqual(at(second.body, "customers", "stored"), 10)
        assert.strictEqual((yield* api.get("/v1/bulk/x")).status, 429)
      })))

  it.live("a hung request keeps its connection open without an answer; stopping the server drops it and closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const server = yield* Scope.extend(
        SimulatorServer.make({ faults: { hangRate: 1, afterAcceptanceShare: 0 } }),
        scope
      )
      const api = makeApi(server.baseUrl, server.apiKey)
      const fiber = yield* Effect.fork(api.get("/v1/bulk/abc"))
      // Wait (one real round trip at a time) until the server holds the request: the admin route never hangs.
      let held = false
      for (let attempt = 0; attempt < 10_000 && !held; attempt++) {
        const stats = yield* api.get("/__admin/stats", { key: null })
        held = at(stats.body, "faults", "hang_before_acceptance") === 1
      }
      assert.isTrue(held)
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      // Closing waits for every connection: it finishes only because the hung one is dropped.
      yield* Scope.close(scope, Exit.void)
      const result = yield* Effect.either(Fiber.join(fiber))
      if (Either.isLeft(result) && result.left._tag === "RequestError") {
        assert.strictEqual(result.left.reason, "Transport")
      } else {
        assert.fail("expected a transport RequestError")
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
