/**
 * `Rollback.run` against the simulator: the migration undone to the state before it (what existed before left
 * alone, the children added to an old conversation and the company listed as not undoable), a dry run that sends
 * nothing, a rollback stopped with its jobs unread and resumed without sending anything twice, and a rollback
 * under injected faults (5xx, resets, lost answers).
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration, Rollback } from "../src/index.js"
import { onTestClock } from "./fixtures/testClock.js"
import {
  bundleLines,
  createOldConversation,
  expectedAfterRollback,
  jobItems,
  snapshot,
  visibleAfterRollback,
  writeBundle
} from "./fixtures/undoHarness.js"

const migrated = (count: number) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const oldConversation = yield* createOldConversation
    const before = yield* snapshot
    writeBundle(`${dir}/bundle.jsonl`, bundleLines(count))
    const journal = `${dir}/migration.journal`
    // Under faults a run may leave objects in doubt: the same command again finishes it.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = yield* Effect.either(
        Migration.run({ bundle: `${dir}/bundle.jsonl`, journal, pipeline: fastPipeline })
      )
      if (
        result._tag === "Right" &&
        result.right.phases.every((phase) => phase.summary.unknown + phase.summary.failed + phase.held === 0)
      ) break
    }
    return { dir, journal, before, oldConversation }
  })

const byState = (report: Rollback.Report, resource: string) => report.counts[resource] ?? {}

describe("Rollback", () => {
  it.scopedLive("leaves the simulator as before the migration, lists what it cannot undo", () =>
    Effect.gen(function*() {
      const { before, dir, journal, oldConversation } = yield* migrated(8)
      const after = yield* snapshot
      assert.isAbove(after.conversations.length, before.conversations.length)

      const dry = yield* Rollback.run({ journal, dryRun: true })
      const simulator = yield* Simulator.Simulator
      const requests = (yield* simulator.stats).requests.total
      const report = yield* Rollback.run({ journal, pipeline: fastPipeline })
      assert.isTrue(report.complete)
      assert.deepStrictEqual(byState(dry, "conversations"), { toUndo: 8, existed: 1 })
      assert.deepStrictEqual(byState(report, "conversations"), { undone: 8, existed: 1 })
      assert.deepStrictEqual(byState(report, "customers"), { undone: 4, existed: 1 })
      assert.deepStrictEqual(byState(report, "companies"), { notUndoable: 1 })
      assert.deepStrictEqual(byState(report, "messages"), { notUndoable: 1 })
      assert.deepStrictEqual(report.withConversations, { messages: 16, notes: 8 })
      assert.deepStrictEqual(report.migrationInDoubt, { customers: 0, conversations: 0 })
      const notUndoable = report.objects.filter((object) => object.resource === "messages")
      assert.match(notUndoable[0]?.reason ?? "", new RegExp(`conversation ${oldConversation}, which existed before`))
      assert.strictEqual(notUndoable[0]?.line, 1)
      const conversationLines = report.objects.filter((object) => object.resource === "conversations")
      assert.deepStrictEqual(conversationLines.map((object) => object.line), [1, 2, 3, 4, 5, 6, 7, 8, 9])

      const rolledBack = yield* snapshot
      assert.deepStrictEqual(rolledBack.customers, before.customers)
      assert.deepStrictEqual(rolledBack.conversations, before.conversations)
      assert.include(rolledBack.conversations, oldConversation)
      const notUndoableObjects = report.objects.filter((object) => object.state === "notUndoable")
      assert.deepStrictEqual(yield* visibleAfterRollback, expectedAfterRollback(before, notUndoableObjects))
      // The dry run sent nothing: the rollback's requests are all after it.
      assert.isAtMost(report.requests, (yield* simulator.stats).requests.total - requests)
      assert.strictEqual(yield* jobItems("conversations", "update"), 8)
      assert.strictEqual(yield* jobItems("customers", "delete"), 4)

      const again = yield* Rollback.run({ journal, pipeline: fastPipeline })
      assert.isTrue(again.resumed)
      assert.strictEqual(again.requests, 0)
      // The migration's journal now records objects that were undone: it is not resumed.
      const resumed = yield* Effect.flip(
        Migration.run({ bundle: `${dir}/bundle.jsonl`, journal, pipeline: fastPipeline })
      )
      assert.include(resumed.message, "its migration was rolled back")
    }).pipe(Effect.provide(simulated({ customers: 3 }))))

  it.scopedLive("stopped with its jobs unread, a resume polls them and sends nothing again", () =>
    Effect.gen(function*() {
      const { before, journal } = yield* migrated(6)
      const stopped = yield* Rollback.run({
        journal,
        pipeline: { ...fastPipeline, maxItems: 2, jobTimeout: "1 millis" }
      })
      assert.isFalse(stopped.complete)
      assert.isAbove(byState(stopped, "conversations")["inDoubt"] ?? 0, 0)
      const updates = yield* jobItems("conversations", "update")
      // Customers wait for their conversations: none is deleted while a conversation's update is in doubt.
      assert.strictEqual(yield* jobItems("customers", "delete"), 0)
      const resumed = yield* Rollback.run({ journal, pipeline: { ...fastPipeline, maxItems: 2 } })
      assert.isTrue(resumed.resumed)
      assert.isTrue(resumed.complete)
      // Every conversation's update was sent once, by the first run; the resume only polled its jobs.
      assert.strictEqual(updates, 6)
      assert.strictEqual(yield* jobItems("conversations", "update"), 6)
      assert.strictEqual(yield* jobItems("customers", "delete"), 3)
      const rolledBack = yield* snapshot
      assert.deepStrictEqual(rolledBack.customers, before.customers)
      assert.deepStrictEqual(rolledBack.conversations, before.conversations)
    }).pipe(Effect.provide(simulated({ customers: 2, jobLatency: "200 millis" }))))

  it.scopedLive("interrupted while its first jobs run, a resume finishes it: each object undone once", () =>
    Effect.gen(function*() {
      const { before, journal } = yield* migrated(6)
      const simulator = yield* Simulator.Simulator
      const pipeline = { ...fastPipeline, maxItems: 2, submitConcurrency: 1 }
      const fiber = yield* Effect.fork(Rollback.run({ journal, pipeline }))
      // Stopped as a kill would stop it: once its first update job was accepted, before its results were read.
      while ((yield* simulator.jobs).every((job) => job.operation !== "update")) yield* Effect.sleep("1 millis")
      yield* Fiber.interrupt(fiber)
      assert.isAbove(yield* jobItems("conversations", "update"), 0)
      const resumed = yield* Rollback.run({ journal, pipeline })
      assert.isTrue(resumed.resumed)
      assert.isTrue(resumed.complete)
      // At most the chunk caught between its request and its job's id being recorded is sent again (an update to
      // deleted: true, which sets what is set); customers, deleted after every conversation is settled, once.
      assert.isAtMost(yield* jobItems("conversations", "update"), 6 + 2)
      assert.strictEqual(yield* jobItems("customers", "delete"), 3)
      assert.deepStrictEqual(byState(resumed, "conversations"), { undone: 6, existed: 1 })
      const rolledBack = yield* snapshot
      assert.deepStrictEqual(rolledBack.customers, before.customers)
      assert.deepStrictEqual(rolledBack.conversations, before.conversations)
    }).pipe(Effect.provide(simulated({ customers: 2, jobLatency: "100 millis" }))))

  // Seed 6 loses the answer of the chunk that holds the conversation that existed before: the resend finds every
  // item a duplicate and the pipeline takes them all for its own; read back, it is kept.
  for (const seed of [2, 6, 8]) {
    it.scoped(`seed ${seed}: under 5xx, resets and lost answers (test clock), everything the migration created is undone`, () =>
      onTestClock(Effect.gen(function*() {
        const { before, journal } = yield* migrated(12)
        const simulator = yield* Simulator.Simulator
        const faultsBefore = (yield* simulator.stats).faults
        const pipeline = { ...fastPipeline, maxItems: 2 }
        let report = yield* Rollback.run({ journal, pipeline })
        for (let attempt = 0; attempt < 5 && !report.complete; attempt++) {
          report = yield* Rollback.run({ journal, pipeline })
        }
        assert.isTrue(report.complete)
        assert.strictEqual(report.objects.filter((object) => object.state === "failed").length, 0)
        const notUndoable = report.objects.filter((object) => object.state === "notUndoable")
        assert.deepStrictEqual(yield* visibleAfterRollback, expectedAfterRollback(before, notUndoable))
        const faults = (yield* simulator.stats).faults
        const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0)
        assert.isAbove(sum(faults) - sum(faultsBefore), 0, "faults injected into the rollback's requests")
      })).pipe(Effect.provide(simulated({
        customers: 2,
        faults: { seed, serverErrorRate: 0.25, connectionResetRate: 0.2, afterAcceptanceShare: 0.5 }
      }))))
  }
})
