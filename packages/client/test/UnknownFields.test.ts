import { BulkResource } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"

const customer = "5cb3a1b7c9e77c0013e5f2d1"

const planOf = (records: ReadonlyArray<unknown>, options: Parameters<typeof BulkImport.plan>[1]) =>
  runOnTestClock(
    BulkImport.plan(ImportSource.fromIterable(records), options).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events))
    )
  )

const rejectedOf = (events: ReadonlyArray<BulkImport.PlanEvent>) =>
  events.flatMap((event) => event._tag === "Rejected" ? [event] : [])

const plannedBytes = (events: ReadonlyArray<BulkImport.PlanEvent>) =>
  events.reduce((total, event) => total + (event._tag === "ChunkPlanned" ? event.bytes : 0), 0)

describe("unknown fields, at every depth", () => {
  it.effect("are rejected with their path, nested exactly like top-level ones", () =>
    Effect.gen(function*() {
      const records = [
        { customer, queue: { id: "q1", bogus: true } },
        { customer, colour: "red" },
        { customer, name: "fine", queue: { id: null } }
      ]
      const rejected = rejectedOf(yield* planOf(records, {}))
      assert.deepStrictEqual(rejected.map((event) => event.position.index), [0, 1])
      assert.deepStrictEqual(rejected[0]?.issues.map((issue) => issue.path), ["queue.bogus"])
      assert.deepStrictEqual(rejected[1]?.issues.map((issue) => issue.path), ["colour"])
      const customers = [
        { name: "A", emails: [{ email: "a@example.com" }, { email: "b@example.com", verifiedd: true }] }
      ]
      const ofCustomers = rejectedOf(yield* planOf(customers, { resource: BulkResource.Customers }))
      assert.deepStrictEqual(ofCustomers[0]?.issues.map((issue) => issue.path), ["emails.1.verifiedd"])
    }))

  it.effect("unknownFields: \"keep\" sends them as given at every depth; \"drop\" leaves them out", () =>
    Effect.gen(function*() {
      const record = { customer, queue: { id: "q1", bogus: true }, colour: "red" }
      const kept = yield* planOf([record], { unknownFields: "keep" })
      const dropped = yield* planOf([record], { unknownFields: "drop" })
      assert.lengthOf(rejectedOf(kept), 0)
      assert.lengthOf(rejectedOf(dropped), 0)
      assert.strictEqual(plannedBytes(kept) - plannedBytes(dropped), ",\"bogus\":true,\"colour\":\"red\"".length)
    }))

  it.effect("kept fields reach the API as given", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const record = {
        customer: simulator.customerIds[0],
        externalId: "keep-1",
        queue: { id: "q1", bogus: true },
        colour: "red"
      }
      yield* runOnTestClock(
        Stream.runDrain(BulkImport.stream(ImportSource.fromIterable([record]), { unknownFields: "keep" }))
      )
      const [stored] = yield* simulator.findByExternalId("conversations", "keep-1")
      assert.deepInclude(stored?.attributes ?? {}, { queue: { id: "q1", bogus: true }, colour: "red" })
    }).pipe(Effect.provide(simulated())))
})
