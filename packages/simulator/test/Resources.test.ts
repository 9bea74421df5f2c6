/** Messages and notes: created against their conversation (and its customer), checked like Kustomer does. */
import { BulkJob, BulkResource } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Simulator, SimulatorClient } from "../src/index.js"
import { at, awaitJobOnTestClock, inProcessApi } from "./utils.js"

const run = <A, E>(effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>) =>
  Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0 }))

const decodeJob = Schema.decodeUnknownSync(BulkJob.BulkJobDocument)
const decodeBatches = Schema.decodeUnknownSync(BulkJob.BatchListDocument)

/** Submits items, waits for the job; returns the status of the submission and the job's first batch. */
const importItems = (path: string, items: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const created = yield* api.post(path, { json: items })
    if (created.status >= 300) assert.fail(`${path}: ${created.status} ${JSON.stringify(created.body)}`)
    const jobId = decodeJob(created.body).data.id
    yield* awaitJobOnTestClock(api, jobId)
    const reply = yield* api.get(`/v1/bulk/${jobId}/batches`)
    const batch = decodeBatches(reply.body).data[0]?.attributes
    return {
      status: created.status,
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
      assert.strictEqual(result.objectIds.length, 1)
      assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code]), [
        [1, "invalid"],
        [2, "not_found"],
        [3, "duplicate"],
        [4, "invalid"]
      ])
      assert.include(result.errors[0]?.error ?? "", "does not belong to customer")
      const api = yield* inProcessApi
      const found = yield* api.get("/v1/messages/externalid=m-1")
      assert.strictEqual(found.status, 200)
      assert.strictEqual(at(found.body, "data", "relationships", "conversation", "data", "id"), conversation)
    })))
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
