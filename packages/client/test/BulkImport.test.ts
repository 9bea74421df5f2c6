import { type Conversation } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { BulkImport, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { conversationRecord, recordsWithInvalid } from "./records.js"

/** Runs an import of `records` to the end, collecting every event. */
const importAll = (
  records: ReadonlyArray<unknown>,
  options: BulkImport.Options<Conversation.ConversationInput, Conversation.ConversationInputEncoded> = {}
) =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records), options).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events))
    )
  )

const outcomesOf = (events: ReadonlyArray<ImportEvent.ImportEvent>) => events.filter(ImportEvent.isOutcome)

const summaryOf = (events: ReadonlyArray<ImportEvent.ImportEvent>) => BulkImport.summarize(Stream.fromIterable(events))

describe("BulkImport against the simulator", () => {
  it.effect("creates every valid record once, rejects invalid ones with their position, two requests a chunk", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const { invalid, records } = recordsWithInvalid(1_050, simulator.customerIds, 100)
      const events = yield* importAll(records)
      const summary = yield* summaryOf(events)
      assert.strictEqual(summary.read, 1_050)
      assert.strictEqual(summary.rejected, invalid.length)
      assert.strictEqual(summary.created, 1_050 - invalid.length)
      assert.strictEqual(
        summary.read,
        summary.created + summary.alreadyExisting + summary.failed + summary.rejected + summary.unknown
      )
      const rejected = outcomesOf(events).filter((outcome) => outcome._tag === "Rejected")
      assert.deepStrictEqual(rejected.map((outcome) => outcome.position.index).sort((a, b) => a - b), invalid)
      assert.include(rejected[0]?._tag === "Rejected" ? rejected[0].reason : "", "priority")
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, 1_050 - invalid.length)
      // 11 chunks: 11 submissions and, with jobs done before the first read, 11 result reads.
      assert.strictEqual(summary.jobs, 11)
      assert.strictEqual(summary.submits, 11)
      assert.isAtMost(summary.polls, 13)
      const created = outcomesOf(events).filter((outcome) => outcome._tag === "Created")
      assert.isTrue(created.every((outcome) => outcome._tag === "Created" && outcome.objectId !== undefined))
    }).pipe(Effect.provide(simulated({ jobLatency: "200 millis", itemLatency: "2 millis" }))))

  it.effect("maps item errors from the job's results back to their records", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      const records = [
        conversationRecord(0, customer),
        { ...conversationRecord(1, customer), customer: "0123456789abcdef01234567" },
        conversationRecord(0, customer)
      ]
      const events = yield* importAll(records)
      const byIndex = new Map(outcomesOf(events).map((outcome) => [outcome.position.index, outcome]))
      assert.strictEqual(byIndex.get(0)?._tag, "Created")
      const failed = byIndex.get(1)
      assert.strictEqual(failed?._tag, "Failed")
      assert.include(failed?._tag === "Failed" ? failed.reason : "", "customer")
      // An item error in the job's results is the API's final verdict on it.
      assert.isTrue(failed?._tag === "Failed" && failed.final)
      // The same externalId twice within one input: the later record is rejected, naming both positions.
      const repeated = byIndex.get(2)
      assert.strictEqual(repeated?._tag, "Rejected")
      const reason = repeated?._tag === "Rejected" ? repeated.reason : ""
      assert.include(reason, "index 0")
      assert.include(reason, "index 2")
      // An object created by an earlier run is reported as existing: without a look-up by default, so without its
      // id; with `resolveExisting`, with its id, one counted look-up.
      const rerun = yield* importAll([conversationRecord(0, customer)])
      const again = outcomesOf(rerun)
      assert.strictEqual(again[0]?._tag, "AlreadyExisting")
      assert.isUndefined(again[0]?._tag === "AlreadyExisting" ? again[0].objectId : "")
      assert.strictEqual((yield* summaryOf(rerun)).lookups, 0)
      const resolvedRun = yield* importAll([conversationRecord(0, customer)], { resolveExisting: true })
      const resolved = outcomesOf(resolvedRun)
      const original = byIndex.get(0)
      assert.strictEqual(resolved[0]?._tag, "AlreadyExisting")
      assert.strictEqual(
        resolved[0]?._tag === "AlreadyExisting" ? resolved[0].objectId : "",
        original?._tag === "Created" ? original.objectId : undefined
      )
      assert.strictEqual((yield* summaryOf(resolvedRun)).lookups, 1)
    }).pipe(Effect.provide(simulated())))

  it.effect("settles the records sent before the source failed, then fails with the source's error", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      const records = Array.from({ length: 150 }, (_, index) => conversationRecord(index, customer))
      const source = ImportSource.fromStream(
        Stream.concat(Stream.fromIterable(records), Stream.fail("the input ended in the middle of a value"))
      )
      const seen: Array<ImportEvent.ImportEvent> = []
      const exit = yield* runOnTestClock(
        Effect.exit(Stream.runForEach(BulkImport.stream(source), (event) => Effect.sync(() => seen.push(event))))
      )
      assert.isTrue(exit._tag === "Failure")
      const created = outcomesOf(seen).filter((outcome) => outcome._tag === "Created")
      assert.strictEqual(created.length, 150)
      assert.strictEqual((yield* simulator.stats).conversations.stored, 150)
      assert.isUndefined(seen.find((event) => event._tag === "Finished"))
    }).pipe(Effect.provide(simulated())))

  it.effect("rejects a record with a misspelt field, naming it, unless told to drop unknown fields", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const record = { ...conversationRecord(0, simulator.customerIds[0] ?? ""), extrenalId: "oops" }
      const [rejected] = outcomesOf(yield* importAll([record]))
      assert.strictEqual(rejected?._tag, "Rejected")
      assert.include(
        rejected?._tag === "Rejected" ? rejected.reason : "",
        "extrenalId: is not a field of conversations"
      )
      const [created] = outcomesOf(yield* importAll([record], { unknownFields: "drop" }))
      assert.strictEqual(created?._tag, "Created")
    }).pipe(Effect.provide(simulated())))

  it.effect("waits for the window after the budget is spent, then goes on", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const { records } = recordsWithInvalid(1_000, simulator.customerIds, 0)
      const events = yield* importAll(records, { submitConcurrency: 2 })
      const summary = yield* summaryOf(events)
      assert.strictEqual(summary.created, 1_000)
      assert.isTrue(events.some((event) => event._tag === "RateLimitedUntil"))
      assert.strictEqual((yield* simulator.stats).requests.rateLimited, 0)
    }).pipe(Effect.provide(simulated({ rateLimit: { limit: 6, window: "10 seconds" } }))))

  it.effect("reports a stalled job's items unknown with the job id after the job timeout", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const { records } = recordsWithInvalid(5, simulator.customerIds, 0)
      const events = yield* importAll(records, { jobTimeout: Duration.seconds(30) })
      const timedOut = events.find((event) => event._tag === "JobTimedOut")
      assert.isDefined(timedOut)
      const outcomes = outcomesOf(events)
      assert.lengthOf(outcomes, 5)
      for (const outcome of outcomes) {
        assert.strictEqual(outcome._tag, "Unknown")
        assert.strictEqual(
          outcome._tag === "Unknown" ? outcome.jobId : "",
          timedOut?._tag === "JobTimedOut" ? timedOut.jobId : "x"
        )
      }
    }).pipe(Effect.provide(simulated({ faults: { stallRate: 1, stallDuration: "10 minutes" } }))))

  it.effect("fails the whole import on a key without the create role, naming the role", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const { records } = recordsWithInvalid(3, simulator.customerIds, 0)
      const error = yield* Effect.flip(importAll(records))
      assert.strictEqual(error._tag, "KustomerError")
      assert.include(error.message, "org.permission.conversation.create")
    }).pipe(Effect.provide(simulated({ apiKeys: [{ key: "reader", roles: ["org.permission.bulk.read"] }] }))))

  it.effect("sends a partial chunk after the linger while the source is still open", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const input = yield* Queue.unbounded<unknown>()
      const events = yield* Queue.unbounded<ImportEvent.ImportEvent>()
      const fiber = yield* BulkImport.stream(ImportSource.fromStream(Stream.fromQueue(input)), {
        linger: Duration.seconds(3)
      }).pipe(Stream.runForEach((event) => Queue.offer(events, event)), Effect.fork)
      yield* Queue.offerAll(input, [0, 1].map((index) => conversationRecord(index, simulator.customerIds[0] ?? "")))
      yield* TestClock.adjust(Duration.millis(2_900))
      assert.isTrue(Option.isNone(yield* Queue.poll(events)))
      yield* TestClock.adjust(Duration.millis(200))
      const first = yield* Queue.take(events)
      assert.strictEqual(first._tag, "ChunkSubmitted")
      assert.strictEqual(first._tag === "ChunkSubmitted" ? first.items : 0, 2)
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(simulated())))
})
