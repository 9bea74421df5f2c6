/**
 * Duplicate `externalId`s, per resource: refused for customers and conversations (Kustomer's documented
 * `duplicate detected`), stored again for companies, messages and notes (nothing is documented for them), and
 * counted in each resource's `storedTwice`.
 */
import { BulkResource } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { at, conversations, inProcessApi, submitAndAwait } from "./utils.js"

const run = <A, E>(
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>,
  options: SimulatorConfig.SimulatorOptions = {}
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

/** Submits items and waits for the job; the codes of the items that failed, by request position. */
const failures = (path: string, items: ReadonlyArray<unknown>) =>
  Effect.map(
    submitAndAwait(path, items),
    (submitted) =>
      submitted.batches.flatMap((batch) =>
        (batch.errors ?? []).map((error) => Either.getOrThrow(error)).map((error) => [error.index, error.code])
      )
  )

/** One conversation of the first seeded customer, and items of every child resource for it. */
const aConversation = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const customer = simulator.customerIds[0] ?? ""
  const submitted = yield* submitAndAwait(BulkResource.Conversations.bulkPath, conversations(customer, 1, "parent"))
  const conversation = String(submitted.batches[0]?.objectIds?.[0])
  return {
    customer,
    conversation,
    message: (externalId: string) => ({ channel: "email", app: "postmark", conversation, customer, externalId }),
    note: (externalId: string) => ({ conversation, body: "a note", externalId })
  }
})

describe("duplicate externalIds, Kustomer's way (the default)", () => {
  it.effect("a message sent again is stored again, and counted in storedTwice (a third copy counts 2)", () =>
    run(Effect.gen(function*() {
      const { message } = yield* aConversation
      assert.deepStrictEqual(yield* failures(BulkResource.Messages.bulkPath, [message("m-1"), message("m-2")]), [])
      // A client that re-sends a chunk it thinks failed: nothing refuses it.
      assert.deepStrictEqual(yield* failures(BulkResource.Messages.bulkPath, [message("m-1"), message("m-1")]), [])
      const simulator = yield* Simulator.Simulator
      const stats = yield* simulator.stats
      assert.strictEqual(stats.messages.stored, 4)
      assert.strictEqual(stats.messages.storedTwice, 2)
      assert.strictEqual(stats.messages.duplicatesRejected, 0)
      assert.strictEqual(stats.messages.distinctExternalIds, 2)
      assert.deepStrictEqual(stats.messages.externalIdsStoredMoreThanOnce, [{ externalId: "m-1", count: 3 }])
      assert.strictEqual((yield* simulator.findByExternalId("messages", "m-1")).length, 3)
      // The same counts over HTTP.
      const api = yield* inProcessApi
      const served = yield* api.get("/__admin/stats", { key: null })
      assert.strictEqual(at(served.body, "messages", "storedTwice"), 2)
      assert.strictEqual(at(served.body, "conversations", "storedTwice"), 0)
    })))

  it.effect("a note sent again is stored again", () =>
    run(Effect.gen(function*() {
      const { note } = yield* aConversation
      assert.deepStrictEqual(yield* failures(BulkResource.Notes.bulkPath, [note("n-1"), note("n-1")]), [])
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.notes.stored, 2)
      assert.strictEqual(stats.notes.storedTwice, 1)
    })))

  it.effect("a conversation or a customer sent again is refused with `duplicate detected`, and never stored twice", () =>
    run(Effect.gen(function*() {
      const { customer } = yield* aConversation
      assert.deepStrictEqual(
        yield* failures(BulkResource.Conversations.bulkPath, [...conversations(customer, 1, "parent"), {
          customer,
          externalId: "fresh"
        }]),
        [[0, "duplicate"]]
      )
      assert.deepStrictEqual(
        yield* failures(BulkResource.Customers.bulkPath, [{ externalId: "crm-1" }, { externalId: "crm-1" }]),
        [[1, "duplicate"]]
      )
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.conversations.stored, 2)
      assert.strictEqual(stats.conversations.storedTwice, 0)
      assert.strictEqual(stats.conversations.duplicatesRejected, 1)
      assert.strictEqual(stats.customers.storedTwice, 0)
      assert.strictEqual(stats.customers.duplicatesRejected, 1)
    })))

  it.effect("objects without an externalId are never counted as stored twice", () =>
    run(Effect.gen(function*() {
      const { conversation } = yield* aConversation
      const note = { conversation, body: "no external id" }
      assert.deepStrictEqual(yield* failures(BulkResource.Notes.bulkPath, [note, note, note]), [])
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.notes.stored, 3)
      assert.strictEqual(stats.notes.storedTwice, 0)
    })))
})

describe("duplicate externalIds, switched per resource", () => {
  it.effect("{ messages: \"reject\" } refuses repeated messages and leaves the other resources as they were", () =>
    run(
      Effect.gen(function*() {
        const { message, note } = yield* aConversation
        assert.deepStrictEqual(
          yield* failures(BulkResource.Messages.bulkPath, [message("m-1"), message("m-1")]),
          [[1, "duplicate"]]
        )
        assert.deepStrictEqual(yield* failures(BulkResource.Notes.bulkPath, [note("n-1"), note("n-1")]), [])
        const stats = yield* (yield* Simulator.Simulator).stats
        assert.strictEqual(stats.messages.storedTwice, 0)
        assert.strictEqual(stats.messages.duplicatesRejected, 1)
        assert.strictEqual(stats.notes.storedTwice, 1)
      }),
      { duplicateExternalIds: { messages: "reject" } }
    ))

  it.effect("\"reject\" refuses repeats in every resource, as before the per-resource switch", () =>
    run(
      Effect.gen(function*() {
        const { message, note } = yield* aConversation
        assert.deepStrictEqual(
          yield* failures(BulkResource.Messages.bulkPath, [message("m-1"), message("m-1")]),
          [[1, "duplicate"]]
        )
        assert.deepStrictEqual(
          yield* failures(BulkResource.Notes.bulkPath, [note("n-1"), note("n-1")]),
          [[1, "duplicate"]]
        )
        const company = { name: "Acme", externalId: "org-1" }
        assert.deepStrictEqual(yield* failures(BulkResource.Companies.bulkPath, [company, company]), [[1, "duplicate"]])
        const stats = yield* (yield* Simulator.Simulator).stats
        assert.deepStrictEqual(
          [stats.companies, stats.customers, stats.conversations, stats.messages, stats.notes].map((resource) =>
            resource.storedTwice
          ),
          [0, 0, 0, 0, 0]
        )
        assert.strictEqual(stats.companies.duplicatesRejected, 1)
      }),
      { duplicateExternalIds: "reject" }
    ))

  it.effect("{ conversations: \"allow\" } stores a repeated conversation, and counts it", () =>
    run(
      Effect.gen(function*() {
        const { customer } = yield* aConversation
        assert.deepStrictEqual(
          yield* failures(BulkResource.Conversations.bulkPath, conversations(customer, 1, "parent")),
          []
        )
        const stats = yield* (yield* Simulator.Simulator).stats
        assert.strictEqual(stats.conversations.storedTwice, 1)
        assert.strictEqual(stats.customers.storedTwice, 0)
      }),
      { duplicateExternalIds: { conversations: "allow" } }
    ))
})
