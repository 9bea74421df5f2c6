/** Messages and notes: created against their conversation (and its customer), checked like Kustomer does. */
import { BulkResource, Customer } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { at, externalIdPath, inProcessApi, submitAndAwait } from "./utils.js"

const run = <A, E>(
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>,
  options: SimulatorConfig.SimulatorOptions = {}
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

/** Submits items, waits for the job; returns the status of the submission and the job's first batch. */
const importItems = (path: string, items: ReadonlyArray<unknown>) =>
  Effect.map(submitAndAwait(path, items), (submitted) => {
    const batch = submitted.batches[0]
    return {
      status: submitted.status,
      objectIds: batch?.objectIds ?? [],
      errors: (batch?.errors ?? []).map((error) => Either.getOrThrow(error))
    }
  })

/** A conversation of the simulator's first customer; returns both ids. */
const conversationOfFirstCustomer = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const customer = simulator.customerIds[0] ?? ""
  const created = yield* importItems(BulkResource.Conversations.bulkPath, [{ customer, externalId: "conv-1" }])
  return { customer, other: simulator.customerIds[1] ?? "", conversation: String(created.objectIds[0]) }
})

describe("messages", () => {
  it.effect("answers 200; a message needs its conversation, of the customer it names", () =>
    run(Effect.gen(function*() {
      const { conversation, customer, other } = yield* conversationOfFirstCustomer
      const message = { channel: "email", app: "postmark", direction: "in", preview: "hi" }
      const result = yield* importItems(BulkResource.Messages.bulkPath, [
        { ...message, conversation, customer, externalId: "m-1" },
        { ...message, conversation, customer: other, externalId: "m-2" },
        { ...message, conversation: "5cb3a1b7c9e77c0013e5f2d1", customer, externalId: "m-3" },
        { ...message, conversation, customer, externalId: "m-1" },
        { ...message, channel: "pigeon", conversation, customer }
      ])
      assert.strictEqual(result.status, 200)
      // Kustomer documents no duplicate detection for messages: the second m-1 is stored again.
      assert.strictEqual(result.objectIds.length, 2)
      assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code]), [
        [1, "invalid"],
        [2, "not_found"],
        [4, "invalid"]
      ])
      assert.include(result.errors[0]?.error ?? "", "does not belong to customer")
      const api = yield* inProcessApi
      const found = yield* api.get("/v1/messages/externalid=m-1")
      assert.strictEqual(found.status, 200)
      assert.strictEqual(at(found.body, "data", "id"), result.objectIds[0])
      assert.strictEqual(at(found.body, "data", "relationships", "conversation", "data", "id"), conversation)
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.messages.storedTwice, 1)
    })))

  it.effect("with messages' duplicates refused, a repeated externalId is `duplicate detected`", () =>
    run(
      Effect.gen(function*() {
        const { conversation, customer } = yield* conversationOfFirstCustomer
        const message = { channel: "email", app: "postmark", conversation, customer }
        const result = yield* importItems(BulkResource.Messages.bulkPath, [
          { ...message, externalId: "m-1" },
          { ...message, externalId: "m-1" }
        ])
        assert.strictEqual(result.objectIds.length, 1)
        assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code, error.error]), [
          [1, "duplicate", "duplicate detected"]
        ])
        const stats = yield* (yield* Simulator.Simulator).stats
        assert.strictEqual(stats.messages.storedTwice, 0)
        assert.strictEqual(stats.messages.duplicatesRejected, 1)
      }),
      { duplicateExternalIds: { messages: "reject" } }
    ))
})

describe("notes", () => {
  it.effect("answers 201; a note needs an existing conversation and cannot be read by external id", () =>
    run(Effect.gen(function*() {
      const { conversation } = yield* conversationOfFirstCustomer
      const result = yield* importItems(BulkResource.Notes.bulkPath, [
        { conversation, body: "Refund approved", externalId: "n-1" },
        { conversation, body: "" },
        { conversation: "5cb3a1b7c9e77c0013e5f2d1", body: "lost" }
      ])
      assert.strictEqual(result.status, 201)
      assert.strictEqual(result.objectIds.length, 1)
      assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code]), [[1, "invalid"], [
        2,
        "not_found"
      ]])
      const api = yield* inProcessApi
      const lookup = yield* api.get("/v1/notes/externalId=n-1")
      assert.strictEqual(lookup.status, 404)
      const simulator = yield* Simulator.Simulator
      const stored = yield* simulator.findByExternalId("notes", "n-1")
      assert.strictEqual(stored.length, 1)
    })))
})

describe("customers", () => {
  it.effect("stores every customer field, and finds a customer by external id and by e-mail (any case)", () =>
    run(Effect.gen(function*() {
      // A customer names its company by id: the company is created first.
      const company = yield* importItems(BulkResource.Companies.bulkPath, [{ name: "Analytical Engines Ltd" }])
      const companyId = String(company.objectIds[0])
      const customer = {
        externalId: "zd-user-55",
        name: "Ada Lovelace",
        company: companyId,
        emails: [{ type: "home", email: "Ada@Example.com" }, { type: "work", email: "ada@work.example" }],
        phones: [{ type: "mobile", phone: "+44 20 7946 0001" }],
        createdAt: "2023-11-02T09:15:00.000Z",
        importedAt: "2026-12-02T10:00:00.000Z"
      }
      const result = yield* importItems(BulkResource.Customers.bulkPath, [
        customer,
        { ...customer, externalId: "zd-user-56", emails: [{ type: "personal", email: "x@example.com" }] }
      ])
      assert.strictEqual(result.status, 201)
      assert.strictEqual(result.objectIds.length, 1)
      assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code]), [[1, "invalid"]])
      const api = yield* inProcessApi
      const byExternalId = yield* api.get(externalIdPath("customers", "zd-user-55"))
      assert.strictEqual(at(byExternalId.body, "data", "id"), result.objectIds[0])
      assert.strictEqual(at(byExternalId.body, "data", "relationships", "company", "data", "id"), companyId)
      assert.strictEqual(
        at(byExternalId.body, "data", "relationships", "company", "links", "self"),
        `/v1/companies/${companyId}`
      )
      assert.strictEqual(at(byExternalId.body, "data", "attributes", "createdAt"), "2023-11-02T09:15:00.000Z")
      for (const email of ["ada@example.com", "ADA@EXAMPLE.COM", "ada@work.example"]) {
        const found = yield* api.get(Customer.emailPath(email))
        assert.strictEqual(found.status, 200, email)
        assert.strictEqual(at(found.body, "data", "id"), result.objectIds[0])
      }
      const missing = yield* api.get(Customer.emailPath("x@example.com"))
      assert.strictEqual(missing.status, 404)
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/customers/email={email}"], 4)
    })))
})

describe("messages and their conversation", () => {
  it.effect("a message without customer gets its conversation's; without conversation it opens one", () =>
    run(Effect.gen(function*() {
      const { conversation, customer } = yield* conversationOfFirstCustomer
      const message = { channel: "chat", app: "chat", direction: "in", preview: "hello" }
      const result = yield* importItems(BulkResource.Messages.bulkPath, [
        { ...message, conversation, externalId: "m-conv" },
        { ...message, customer, externalId: "m-cust" },
        { ...message, externalId: "m-none" }
      ])
      assert.strictEqual(result.objectIds.length, 2)
      assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code]), [[2, "invalid"]])
      const simulator = yield* Simulator.Simulator
      const [first] = yield* simulator.findByExternalId("messages", "m-conv")
      assert.strictEqual(first?.attributes["customer"], customer)
      const [second] = yield* simulator.findByExternalId("messages", "m-cust")
      const opened = second?.attributes["conversation"]
      assert.isString(opened)
      assert.notStrictEqual(opened, conversation)
      const conversations = yield* simulator.objects("conversations")
      assert.deepStrictEqual(conversations.map((stored) => stored.id), [conversation, opened])
      const api = yield* inProcessApi
      const openedConversation = yield* api.get(BulkResource.Conversations.objectPath(String(opened)))
      assert.strictEqual(at(openedConversation.body, "data", "relationships", "customer", "data", "id"), customer)
    })))

  it.effect("messages count against the per-customer creation limit unless they carry importedAt", () =>
    run(
      Effect.gen(function*() {
        const { conversation, customer } = yield* conversationOfFirstCustomer
        const messages = Array.from({ length: 4 }, (_, index) => ({
          channel: "email",
          app: "postmark",
          conversation,
          customer,
          ...(index % 2 === 0 ? {} : { importedAt: "2026-01-01T00:00:00.000Z" })
        }))
        const result = yield* importItems(BulkResource.Messages.bulkPath, [...messages, ...messages])
        // Four without importedAt: one fits the limit of 1; four imported ones are exempt.
        assert.strictEqual(result.objectIds.length, 5)
        assert.deepStrictEqual(result.errors.map((error) => error.code), [
          "rate_limited",
          "rate_limited",
          "rate_limited"
        ])
      }),
      // The conversation takes the customer's one conversation creation; messages have their own count.
      { perCustomerCreateLimit: { limit: 1, window: "1 hour" } }
    ))
})

describe("every resource: the same guard", () => {
  it.effect("one org budget across resources, and the same fault injection on every bulk create", () =>
    run(
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const paths = [
          BulkResource.Customers.bulkPath,
          BulkResource.Messages.bulkPath,
          BulkResource.Notes.bulkPath,
          BulkResource.Conversations.bulkPath
        ]
        const statuses: Array<number> = []
        for (const path of paths) statuses.push((yield* api.post(path, { json: [{}] })).status)
        // Budget of 3 for the whole org: the fourth request, whatever its resource, is refused.
        assert.strictEqual(statuses[3], 429)
        assert.isTrue(statuses.slice(0, 3).every((status) => status >= 500), JSON.stringify(statuses))
        const stats = yield* (yield* Simulator.Simulator).stats
        assert.strictEqual(stats.requests.rateLimited, 1)
        assert.strictEqual(stats.faults.server_error_before_acceptance, 3)
      }),
      { rateLimit: { limit: 3, window: "1 minute" }, faults: { serverErrorRate: 1, afterAcceptanceShare: 0 } }
    ))
})

describe("look-ups by external id, spelt as Kustomer spells them", () => {
  it.effect("messages only at externalid= (lower case); camelCase externalId= is an unknown message id", () =>
    run(Effect.gen(function*() {
      const { conversation, customer } = yield* conversationOfFirstCustomer
      const created = yield* importItems(BulkResource.Messages.bulkPath, [
        { channel: "email", app: "postmark", conversation, customer, externalId: "zd/comment 1" }
      ])
      const api = yield* inProcessApi
      const found = yield* api.get(externalIdPath("messages", "zd/comment 1"))
      assert.strictEqual(found.status, 200)
      assert.strictEqual(at(found.body, "data", "id"), created.objectIds[0])
      assert.strictEqual(at(found.body, "data", "attributes", "externalId"), "zd/comment 1")
      const camelCase = yield* api.get(`/v1/messages/externalId=${encodeURIComponent("zd/comment 1")}`)
      assert.strictEqual(camelCase.status, 404)
      assert.include(camelCase.text, "no message with id externalId=")
      const missing = yield* api.get(externalIdPath("messages", "never-sent"))
      assert.strictEqual(missing.status, 404)
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/messages/externalid={externalId}"], 2)
      assert.strictEqual(stats.requests.byRoute["GET /v1/messages/{id}"], 1)
    })))

  it.effect("customers and conversations only at externalId=; lower-case externalid= is an unknown id", () =>
    run(Effect.gen(function*() {
      const { conversation } = yield* conversationOfFirstCustomer
      const api = yield* inProcessApi
      const byExternalId = yield* api.get(externalIdPath("conversations", "conv-1"))
      assert.strictEqual(at(byExternalId.body, "data", "id"), conversation)
      assert.strictEqual((yield* api.get("/v1/conversations/externalid=conv-1")).status, 404)
      assert.strictEqual((yield* api.get(externalIdPath("customers", "sim-customer-1"))).status, 200)
      assert.strictEqual((yield* api.get("/v1/customers/externalid=sim-customer-1")).status, 404)
    })))

  it.effect("notes have no look-up by external id in either spelling", () =>
    run(Effect.gen(function*() {
      const { conversation } = yield* conversationOfFirstCustomer
      yield* importItems(BulkResource.Notes.bulkPath, [{ conversation, body: "hello", externalId: "n-1" }])
      const api = yield* inProcessApi
      for (const path of ["/v1/notes/externalId=n-1", "/v1/notes/externalid=n-1"]) {
        const reply = yield* api.get(path)
        assert.strictEqual(reply.status, 404, path)
        assert.include(reply.text, "no note with id", path)
      }
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/notes/{id}"], 2)
    })))
})
