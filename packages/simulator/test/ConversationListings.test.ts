/**
 * A conversation's messages and notes, `GET /v1/conversations/{id}/messages` and `…/notes`: pages linked by
 * `links.next`, oldest first, behind the same guard as every other read (roles, rate limit, faults).
 */
import { BulkResource, ErrorBody } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { Simulator, SimulatorClient, SimulatorConfig } from "../src/index.js"
import { at, conversations, inProcessApi, str, submitAndAwait } from "./utils.js"

const run = <A, E>(
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>,
  options: SimulatorConfig.SimulatorOptions = {}
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

const list = (value: unknown): ReadonlyArray<unknown> => Array.isArray(value) ? value : []

const errorCode = (body: unknown) => Schema.decodeUnknownSync(ErrorBody.ApiErrorBody)(body).errors[0]?.code

/** Two conversations of the first seeded customer; their ids. */
const twoConversations = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const customer = simulator.customerIds[0] ?? ""
  const submitted = yield* submitAndAwait(BulkResource.Conversations.bulkPath, conversations(customer, 2, "parent"))
  const [first, second] = submitted.batches[0]?.objectIds ?? []
  return { customer, first: String(first), second: String(second) }
})

const messagesOf = (conversation: string, customer: string, count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({
    channel: "email",
    app: "postmark",
    conversation,
    customer,
    externalId: `${prefix}-${index}`,
    preview: `message ${index}`
  }))

const messagesPath = (conversation: string) => `/v1/conversations/${conversation}/messages`

describe("GET /v1/conversations/{id}/messages", () => {
  it.effect("25 messages in pages of 10: three pages linked by links.next, oldest first, nothing else in them", () =>
    run(Effect.gen(function*() {
      const { customer, first, second } = yield* twoConversations
      yield* submitAndAwait(BulkResource.Messages.bulkPath, messagesOf(first, customer, 25, "m"))
      yield* submitAndAwait(BulkResource.Messages.bulkPath, messagesOf(second, customer, 3, "other"))
      const api = yield* inProcessApi
      const pages: Array<unknown> = []
      let next: unknown = `${messagesPath(first)}?pageSize=10`
      while (typeof next === "string") {
        const reply = yield* api.get(next)
        assert.strictEqual(reply.status, 200)
        pages.push(reply.body)
        next = at(reply.body, "links", "next")
      }
      assert.deepStrictEqual(pages.map((page) => list(at(page, "data")).length), [10, 10, 5])
      const externalIds = pages.flatMap((page) =>
        list(at(page, "data")).map((message) => at(message, "attributes", "externalId"))
      )
      assert.deepStrictEqual(externalIds, Array.from({ length: 25 }, (_, index) => `m-${index}`))
      const path = messagesPath(first)
      assert.deepStrictEqual(pages.map((page) => at(page, "links")), [
        {
          self: `${path}?page=1&pageSize=10`,
          first: `${path}?page=1&pageSize=10`,
          prev: null,
          next: `${path}?page=2&pageSize=10`
        },
        {
          self: `${path}?page=2&pageSize=10`,
          first: `${path}?page=1&pageSize=10`,
          prev: `${path}?page=1&pageSize=10`,
          next: `${path}?page=3&pageSize=10`
        },
        {
          self: `${path}?page=3&pageSize=10`,
          first: `${path}?page=1&pageSize=10`,
          prev: `${path}?page=2&pageSize=10`,
          next: null
        }
      ])
      assert.deepStrictEqual(pages.map((page) => at(page, "meta")), [
        { pageSize: 10, page: 1 },
        { pageSize: 10, page: 2 },
        { pageSize: 10, page: 3 }
      ])
      // Each entry is the stored object, as a look-up answers it.
      const entry = at(pages[0], "data", 0)
      assert.strictEqual(at(entry, "type"), "message")
      assert.match(str(entry, "id"), /^[0-9a-f]{24}$/)
      assert.strictEqual(at(entry, "attributes", "preview"), "message 0")
      assert.strictEqual(at(entry, "attributes", "channel"), "email")
      assert.isString(at(entry, "attributes", "createdAt"))
      assert.strictEqual(at(entry, "relationships", "conversation", "data", "id"), first)
      assert.strictEqual(at(entry, "relationships", "customer", "data", "id"), customer)
      const lookedUp = yield* api.get(`/v1/messages/${str(entry, "id")}`)
      assert.deepStrictEqual(at(lookedUp.body, "data"), entry)
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/conversations/{id}/messages"], 3)
    })))

  it.effect("pageSize defaults to 10 and is served as 100 above 100; a page past the end is empty", () =>
    run(Effect.gen(function*() {
      const { customer, first } = yield* twoConversations
      yield* submitAndAwait(BulkResource.Messages.bulkPath, messagesOf(first, customer, 12, "m"))
      const api = yield* inProcessApi
      const byDefault = yield* api.get(messagesPath(first))
      assert.strictEqual(list(at(byDefault.body, "data")).length, 10)
      assert.deepStrictEqual(at(byDefault.body, "meta"), { pageSize: 10, page: 1 })
      assert.strictEqual(at(byDefault.body, "links", "next"), `${messagesPath(first)}?page=2&pageSize=10`)
      const clamped = yield* api.get(`${messagesPath(first)}?pageSize=500`)
      assert.strictEqual(list(at(clamped.body, "data")).length, 12)
      assert.deepStrictEqual(at(clamped.body, "meta"), { pageSize: 100, page: 1 })
      assert.isNull(at(clamped.body, "links", "next"))
      const pastTheEnd = yield* api.get(`${messagesPath(first)}?page=4&pageSize=5`)
      assert.strictEqual(pastTheEnd.status, 200)
      assert.deepStrictEqual(at(pastTheEnd.body, "data"), [])
      assert.isNull(at(pastTheEnd.body, "links", "next"))
      // Not a positive integer: the defaults.
      const odd = yield* api.get(`${messagesPath(first)}?page=0&pageSize=ten`)
      assert.deepStrictEqual(at(odd.body, "meta"), { pageSize: 10, page: 1 })
    })))

  it.effect("a conversation without messages has an empty list; an unknown conversation is 404 not_found", () =>
    run(Effect.gen(function*() {
      const { first } = yield* twoConversations
      const api = yield* inProcessApi
      const empty = yield* api.get(messagesPath(first))
      assert.strictEqual(empty.status, 200)
      assert.deepStrictEqual(at(empty.body, "data"), [])
      assert.isNull(at(empty.body, "links", "prev"))
      assert.isNull(at(empty.body, "links", "next"))
      const unknown = yield* api.get(messagesPath("5cb3a1b7c9e77c0013e5f2d1"))
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(errorCode(unknown.body), "not_found")
      const notes = yield* api.get("/v1/conversations/5cb3a1b7c9e77c0013e5f2d1/notes")
      assert.strictEqual(notes.status, 404)
    })))

  it.effect("a message duplicated by a client is listed twice: the listing shows what was stored", () =>
    run(Effect.gen(function*() {
      const { customer, first } = yield* twoConversations
      const messages = messagesOf(first, customer, 2, "m")
      yield* submitAndAwait(BulkResource.Messages.bulkPath, messages)
      yield* submitAndAwait(BulkResource.Messages.bulkPath, messages)
      const api = yield* inProcessApi
      const reply = yield* api.get(messagesPath(first))
      assert.deepStrictEqual(
        list(at(reply.body, "data")).map((message) => at(message, "attributes", "externalId")),
        ["m-0", "m-1", "m-0", "m-1"]
      )
    })))
})

describe("GET /v1/conversations/{id}/notes", () => {
  it.effect("lists the conversation's notes, oldest first, in pages", () =>
    run(Effect.gen(function*() {
      const { first, second } = yield* twoConversations
      const notes = Array.from({ length: 3 }, (_, index) => ({ conversation: first, body: `note ${index}` }))
      yield* submitAndAwait(BulkResource.Notes.bulkPath, [...notes, { conversation: second, body: "elsewhere" }])
      const api = yield* inProcessApi
      const path = `/v1/conversations/${first}/notes`
      const firstPage = yield* api.get(`${path}?pageSize=2`)
      assert.deepStrictEqual(
        list(at(firstPage.body, "data")).map((note) => at(note, "attributes", "body")),
        ["note 0", "note 1"]
      )
      assert.strictEqual(at(firstPage.body, "data", 0, "type"), "note")
      assert.strictEqual(at(firstPage.body, "data", 0, "relationships", "conversation", "data", "id"), first)
      const secondPage = yield* api.get(str(firstPage.body, "links", "next"))
      assert.deepStrictEqual(
        list(at(secondPage.body, "data")).map((note) => at(note, "attributes", "body")),
        ["note 2"]
      )
      assert.isNull(at(secondPage.body, "links", "next"))
      assert.strictEqual(at(secondPage.body, "links", "prev"), `${path}?page=1&pageSize=2`)
    })))
})

describe("the listings' guard", () => {
  const writer = "writer-key"
  const keys: SimulatorConfig.SimulatorOptions = {
    apiKeys: [
      { key: SimulatorConfig.defaultApiKey },
      // Every role but reading messages and notes.
      {
        key: writer,
        roles: SimulatorConfig.allRoles.filter((role) =>
          !role.endsWith(".message.read") && !role.endsWith(".note.read")
        )
      }
    ]
  }

  it.effect("403 without message.read / note.read, naming both spellings; 401 without a key", () =>
    run(
      Effect.gen(function*() {
        const { first } = yield* twoConversations
        const api = yield* inProcessApi
        const messages = yield* api.get(messagesPath(first), { key: writer })
        assert.strictEqual(messages.status, 403)
        assert.strictEqual(errorCode(messages.body), "forbidden")
        assert.include(messages.text, "org.permission.message.read or org.user.message.read")
        const notes = yield* api.get(`/v1/conversations/${first}/notes`, { key: writer })
        assert.strictEqual(notes.status, 403)
        assert.include(notes.text, "org.permission.note.read or org.user.note.read")
        const anonymous = yield* api.get(messagesPath(first), { key: null })
        assert.strictEqual(anonymous.status, 401)
      }),
      keys
    ))

  it.effect("401 instead of 403 when so configured", () =>
    run(
      Effect.gen(function*() {
        const { first } = yield* twoConversations
        const api = yield* inProcessApi
        const reply = yield* api.get(messagesPath(first), { key: writer })
        assert.strictEqual(reply.status, 401)
        assert.include(reply.text, "org.permission.message.read")
      }),
      { ...keys, forbiddenStatus: 401 }
    ))

  it.effect("each page spends the org's rate budget; a spent window is 429", () =>
    run(
      Effect.gen(function*() {
        const { first } = yield* twoConversations
        const api = yield* inProcessApi
        // Three units of the budget of 5 went on the conversations: their POST, a poll and the batches.
        const statuses: Array<number> = []
        const remaining: Array<string | undefined> = []
        for (let index = 0; index < 3; index++) {
          const reply = yield* api.get(messagesPath(first))
          statuses.push(reply.status)
          remaining.push(reply.headers["x-ratelimit-remaining"])
        }
        assert.deepStrictEqual(statuses.slice(0, 2), [200, 200])
        assert.strictEqual(statuses[2], 429)
        assert.deepStrictEqual(remaining, ["1", "0", "0"])
      }),
      { rateLimit: { limit: 5, window: "1 hour" } }
    ))

  it.effect("a slow-response fault holds a listing back like any other read", () =>
    run(
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const fiber = yield* Effect.fork(api.get(messagesPath("5cb3a1b7c9e77c0013e5f2d1")))
        yield* TestClock.adjust("999 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust("1 millis")
        assert.strictEqual((yield* Fiber.join(fiber)).status, 404)
        assert.strictEqual((yield* simulator.stats).faults.slow_response, 1)
      }),
      { faults: { slowRate: 1, slowDelay: "1 second" } }
    ))
})
