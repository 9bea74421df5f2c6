/**
 * Kustomer keeps the `createdAt` and `createdBy` sent on messages and notes only for a key with `org.admin`; for
 * any other key it silently stores the time of creation and the key's own user. The default key has every role,
 * `org.admin` included, so it keeps them.
 */
import { BulkJob, BulkResource } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { Simulator, SimulatorClient, SimulatorConfig } from "../src/index.js"
import { awaitJobOnTestClock, conversations, inProcessApi } from "./utils.js"

const adminUser = "5e1ec7ed00000000000000a1"
const plainUser = "5e1ec7ed00000000000000b2"
const sourceAgent = "5cb3a1b7c9e77c0013e5f2d9"
const historic = "2020-01-01T00:00:00.000Z"
/** Where the test clock stands when the items are sent. */
const now = DateTime.toEpochMillis(DateTime.unsafeMake("2026-05-01T12:00:00.000Z"))

const keys: SimulatorConfig.SimulatorOptions = {
  apiKeys: [
    { key: "admin", userId: adminUser },
    { key: "plain", userId: plainUser, roles: SimulatorConfig.resourceRoles }
  ]
}

const run = <A, E>(
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>,
  options: SimulatorConfig.SimulatorOptions = keys
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

/** Sends items with a key and waits for the job (polled with the first key). */
const sendWith = (key: string, path: string, items: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const created = yield* api.post(path, { json: items, key })
    assert.isBelow(created.status, 300, created.text)
    yield* awaitJobOnTestClock(api, Schema.decodeUnknownSync(BulkJob.BulkJobDocument)(created.body).data.id)
  })

/** A conversation of the first seeded customer, created with the default key; its message and note items. */
const aConversation = Effect.gen(function*() {
  yield* TestClock.setTime(now)
  const simulator = yield* Simulator.Simulator
  const customer = simulator.customerIds[0] ?? ""
  yield* sendWith(simulator.apiKey, BulkResource.Conversations.bulkPath, conversations(customer, 1, "parent"))
  const [conversation] = yield* simulator.objects("conversations")
  const id = conversation?.id ?? ""
  const dated = { createdAt: historic, createdBy: sourceAgent }
  return {
    message: (externalId: string) => ({ channel: "email", app: "postmark", conversation: id, externalId, ...dated }),
    note: (externalId: string) => ({ conversation: id, body: "history", externalId, ...dated })
  }
})

/** The one stored object of a resource with this external id. */
const storedOne = (resource: "messages" | "notes" | "conversations", externalId: string) =>
  Effect.gen(function*() {
    const [object] = yield* (yield* Simulator.Simulator).findByExternalId(resource, externalId)
    if (object === undefined) return assert.fail(`no ${resource} ${externalId}`)
    return object
  })

describe("createdAt and createdBy on messages and notes need org.admin", () => {
  it.effect("a key without org.admin: the simulator's time of creation and the key's user, without an error", () =>
    run(Effect.gen(function*() {
      const { message, note } = yield* aConversation
      yield* sendWith("plain", BulkResource.Messages.bulkPath, [message("m-1")])
      yield* sendWith("plain", BulkResource.Notes.bulkPath, [note("n-1")])
      for (const object of [yield* storedOne("messages", "m-1"), yield* storedOne("notes", "n-1")]) {
        assert.isAtLeast(object.storedAtMillis, now)
        assert.strictEqual(
          object.attributes["createdAt"],
          DateTime.formatIso(DateTime.unsafeMake(object.storedAtMillis))
        )
        assert.strictEqual(object.attributes["createdBy"], plainUser)
      }
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.messages.itemsFailed + stats.notes.itemsFailed, 0)
    })))

  it.effect("a key with org.admin keeps them", () =>
    run(Effect.gen(function*() {
      const { message, note } = yield* aConversation
      yield* sendWith("admin", BulkResource.Messages.bulkPath, [message("m-1")])
      yield* sendWith("admin", BulkResource.Notes.bulkPath, [note("n-1")])
      for (const object of [yield* storedOne("messages", "m-1"), yield* storedOne("notes", "n-1")]) {
        assert.strictEqual(object.attributes["createdAt"], historic)
        assert.strictEqual(object.attributes["createdBy"], sourceAgent)
      }
    })))

  it.effect("the default key has every role, org.admin included, so it keeps them as before", () =>
    run(
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        assert.include(simulator.config.apiKeys[0]?.roles ?? [], SimulatorConfig.orgAdminRole)
        const { message } = yield* aConversation
        yield* sendWith(simulator.apiKey, BulkResource.Messages.bulkPath, [message("m-1")])
        const stored = yield* storedOne("messages", "m-1")
        assert.strictEqual(stored.attributes["createdAt"], historic)
        assert.strictEqual(stored.attributes["createdBy"], sourceAgent)
      }),
      {}
    ))

  it.effect("the rule is for messages and notes only: a conversation keeps its createdAt with any key", () =>
    run(Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      yield* sendWith("plain", BulkResource.Conversations.bulkPath, [
        { customer, externalId: "old", createdAt: historic }
      ])
      const stored = yield* storedOne("conversations", "old")
      assert.strictEqual(stored.attributes["createdAt"], historic)
    })))
})
