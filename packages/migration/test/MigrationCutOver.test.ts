/**
 * The cut-over end to end, under injected faults (server errors, dropped connections and lost answers) on the test
 * clock: a bundle migrated over a simulator that already holds customers and a conversation; then a re-export with
 * 10 % new tickets, 10 % new comments on old tickets and 10 % changed statuses and tags (the conversation that
 * existed before among them) migrated as a delta that is stopped mid-way and run again. The simulator then holds
 * exactly the new export; `verify` finds no difference, and exactly those made behind its back; `rollback` leaves
 * the simulator as before the first run, but for what its report lists as not undoable — the old conversation's
 * status and tags, which the delta changed, among them. Under faults the old conversation may sit in a chunk whose
 * answer was lost and be recorded without a job (created or existing, undetermined): read back, it is kept. And
 * over two deltas: a conversation the first created and the second updated is checked against the newest export
 * and undone with the rest.
 */
import { BulkJob, KustomerClient } from "@effect-kustomer/client"
import type { BulkJob as BulkJobDocument } from "@effect-kustomer/domain"
import { BulkResource, Conversation } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration, Rollback, Verify } from "../src/index.js"
import { onTestClock } from "./fixtures/testClock.js"
import {
  bundleLines,
  createOldConversation,
  expectedAfterRollback,
  oldTicket,
  snapshot,
  visibleAfterRollback,
  writeBundle
} from "./fixtures/undoHarness.js"

const tickets = 40
const pipeline = { ...fastPipeline, maxItems: 5 }

type Line = Record<string, unknown> & { readonly externalId: string; readonly messages: ReadonlyArray<unknown> }

const first: ReadonlyArray<Line> = bundleLines(tickets).map((line) => ({
  ...line,
  externalId: String(line["externalId"]),
  messages: Array.isArray(line["messages"]) ? line["messages"] : []
}))

const comment = (ticket: string) => ({
  externalId: `${ticket}-reply`,
  direction: "out",
  channel: "email",
  app: "postmark",
  preview: `A later reply on ${ticket}`,
  createdAt: "2024-03-01T09:00:00Z"
})

/**
 * The re-export: 10 % new tickets (4, two by new customers), 10 % of the old ones with a new comment (the old
 * ticket's among them), 10 % with their status and tags changed (the old ticket's among them).
 */
const reexport: ReadonlyArray<Line> = [
  ...first.map((line, index): Line => {
    if (line.externalId === oldTicket) {
      return { ...line, status: "done", tags: ["vip"], messages: [...line.messages, comment(oldTicket)] }
    }
    if (index <= 3) return { ...line, messages: [...line.messages, comment(line.externalId)] }
    if (index >= 10 && index <= 13) return { ...line, status: "done", tags: ["refunded", "t1"] }
    return line
  }),
  ...Array.from({ length: 4 }, (_, offset): Line => ({
    externalId: `ticket-new-${offset}`,
    name: `New ticket ${offset}`,
    status: "open",
    tags: ["new"],
    createdAt: "2024-03-02T09:00:00Z",
    customer: offset % 2 === 0
      ? { externalId: "user-1", name: "Person 1" }
      : { externalId: `user-new-${offset}`, name: `New person ${offset}` },
    messages: [{ ...comment(`ticket-new-${offset}`), direction: "in" }],
    notes: [{ externalId: `n-new-${offset}`, body: `New note ${offset}` }]
  }))
]

/** Runs `run` again until its phases leave nothing in doubt, failed or held (faults may leave some). */
const toTheEnd = <E, R>(run: Effect.Effect<Migration.Result, E, R>) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 6; attempt++) {
      const result = yield* Effect.either(run)
      if (
        result._tag === "Right" &&
        result.right.phases.every((phase) => phase.summary.unknown + phase.summary.failed + phase.held === 0)
      ) return result.right
    }
    return yield* Effect.dieMessage("the run did not finish")
  })

const idOf = (resource: BulkResource.ResourceName, externalId: string) =>
  Effect.map(
    Effect.flatMap(Simulator.Simulator, (simulator) => simulator.findByExternalId(resource, externalId)),
    (found) => found[0]?.id ?? ""
  )

/** An update sent and applied; sent again when the faulty API fails it (an update may be sent twice). */
const applied = <E, R>(send: Effect.Effect<BulkJobDocument.BulkJobDocument, E, R>) =>
  Effect.retry(
    Effect.flatMap(send, (job) => BulkJob.awaitResults(job.data.id, { firstRead: "5 millis" })),
    { times: 5 }
  )

describe("Cut-over: migrate, delta, verify, rollback", () => {
  for (const seed of [5, 9]) {
    it.scoped(
      `seed ${seed}: under faults, a stopped delta run again: the new export; verify; rollback to before`,
      () =>
        Effect.gen(function*() {
          const dir = yield* tempDir
          const simulator = yield* Simulator.Simulator
          const client = yield* KustomerClient.KustomerClient
          const oldConversation = yield* onTestClock(createOldConversation)
          const before = yield* snapshot
          assert.strictEqual(before.customers.length, 3)
          const journal = `${dir}/migration.journal`
          writeBundle(`${dir}/first.jsonl`, first)
          writeBundle(`${dir}/second.jsonl`, reexport)
          const migrate = (bundle: string, delta: boolean) =>
            Migration.run({ bundle: `${dir}/${bundle}`, journal, delta, pipeline })
          yield* onTestClock(toTheEnd(migrate("first.jsonl", false)))

          // The delta stopped once its first conversations were sent (as a kill would stop it), then run again.
          const createdBefore = (yield* simulator.jobs).filter((job) => job.operation === "create").length
          yield* onTestClock(Effect.gen(function*() {
            const fiber = yield* Effect.fork(migrate("second.jsonl", true))
            while ((yield* simulator.jobs).filter((job) => job.operation === "create").length === createdBefore) {
              yield* Effect.sleep("1 millis")
            }
            yield* Fiber.interrupt(fiber)
          }))
          const delta = yield* onTestClock(toTheEnd(migrate("second.jsonl", true)))
          assert.strictEqual(delta.delta?.generation, 1)
          assert.isTrue(delta.resumed)
          const stats = yield* simulator.stats
          const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0)
          assert.isAbove(sum(stats.faults), 0, "faults injected")

          // Exactly the new export: every object once, every change applied.
          for (const resource of ["customers", "conversations", "messages", "notes"] as const) {
            const counts = yield* simulator.externalIdCounts(resource)
            assert.isTrue([...counts.values()].every((count) => count === 1), `${resource}: an externalId stored twice`)
          }
          const children = (part: "messages" | "notes") =>
            reexport.reduce((total, line) => total + (Array.isArray(line[part]) ? line[part].length : 0), 0)
          assert.strictEqual((yield* simulator.objects("conversations")).length, reexport.length)
          assert.strictEqual((yield* simulator.objects("messages")).length, children("messages"))
          assert.strictEqual((yield* simulator.objects("notes")).length, children("notes"))
          for (const line of reexport) {
            const [stored] = yield* simulator.findByExternalId("conversations", line.externalId)
            if (line["status"] !== undefined) assert.strictEqual(stored?.attributes["status"], line["status"])
            if (line["tags"] !== undefined) assert.deepStrictEqual(stored?.attributes["tags"], line["tags"])
          }

          // Verify: against the newest export, no difference; then exactly those made behind its back.
          const clean = yield* onTestClock(Verify.run({ journal, pipeline }))
          assert.deepStrictEqual(clean.differences, [])
          assert.strictEqual(clean.bundle, `${dir}/second.jsonl`)
          assert.deepStrictEqual(clean.checked, {
            companies: 1,
            customers: tickets / 2 + 2,
            conversations: tickets + 4,
            messages: children("messages"),
            notes: children("notes")
          })
          const changedTicket = yield* idOf("conversations", "ticket-11")
          const newTicket = yield* idOf("conversations", "ticket-new-1")
          yield* onTestClock(applied(client.bulkUpdate(BulkResource.Conversations, [
            Schema.decodeSync(Conversation.ConversationUpdate)({ id: changedTicket, status: "open" }),
            Schema.decodeSync(Conversation.ConversationUpdate)({ id: newTicket, name: "Renamed" })
          ])))
          const dirty = yield* onTestClock(Verify.run({ journal, pipeline }))
          assert.sameDeepMembers(
            dirty.differences.map((difference) => [difference.externalId, difference.field, difference.actual]),
            [["ticket-11", "status", "open"], ["ticket-new-1", "name", "Renamed"]]
          )

          // Its dry run: what every run created, from the journals alone.
          const dry = yield* Rollback.plan({ journal })
          // What no job reported created is listed as the journal has it, to be read back first by the real run.
          const toUndo = dry.objects.filter((object) =>
            object.resource === "conversations" && object.state === "toUndo"
          )
          const unsure = toUndo.filter((object) => /read back first/.test(object.reason ?? ""))
          assert.isAtMost(toUndo.length - unsure.length, tickets + 4)
          assert.isAtLeast(toUndo.length, tickets + 4)

          // Rollback: as before the first run, but for what it lists as not undoable.
          let report = yield* onTestClock(Rollback.run({ journal, pipeline }))
          for (let attempt = 0; attempt < 5 && !report.complete; attempt++) {
            report = yield* onTestClock(Rollback.run({ journal, pipeline }))
          }
          assert.isTrue(report.complete)
          // A delete resent after a lost answer finds its customers deleted: `gone`, as good as undone.
          const undone = (resource: string) =>
            (report.counts[resource]?.["undone"] ?? 0) + (report.counts[resource]?.["gone"] ?? 0)
          assert.strictEqual(undone("conversations"), tickets + 4)
          assert.strictEqual(undone("customers"), tickets / 2 + 2, JSON.stringify(report.counts))
          assert.strictEqual(report.counts["customers"]?.["existed"], 1)
          const old = report.objects.find((object) => object.id === oldConversation)
          assert.strictEqual(old?.state, "notUndoable")
          assert.match(old?.reason ?? "", /delta 1 changed its status, tags/)
          const notUndoable = report.objects.filter((object) => object.state === "notUndoable")
          // The old ticket's two messages (the first run's, the delta's) and the company.
          assert.deepStrictEqual(
            notUndoable.map((object) => object.resource).sort(),
            ["companies", "conversations", "messages", "messages"]
          )
          const rolledBack = yield* snapshot
          assert.deepStrictEqual(rolledBack.customers, before.customers)
          assert.deepStrictEqual(rolledBack.conversations, before.conversations)
          assert.deepStrictEqual(yield* visibleAfterRollback, expectedAfterRollback(before, notUndoable))
          // A rolled-back migration is not continued by another delta.
          const refused = yield* Effect.flip(onTestClock(migrate("second.jsonl", true)))
          assert.include(refused.message, "was rolled back")
        }).pipe(Effect.provide(simulated({
          customers: 3,
          faults: { seed, serverErrorRate: 0.1, connectionResetRate: 0.1, afterAcceptanceShare: 0.5 }
        }))),
      120_000
    )
  }

  it.scopedLive("two deltas: a conversation the first delta created and the second updated is undone, not listed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const journal = `${dir}/migration.journal`
      const before = yield* snapshot
      const lines = first.slice(1, 6)
      const added = (line: Line, status: string): Line => ({ ...line, externalId: "ticket-late", status })
      const exports = [lines, [...lines, added(lines[0] ?? first[1]!, "open")], [
        ...lines,
        added(lines[0] ?? first[1]!, "done"),
        { ...(lines[1] ?? first[1]!), externalId: "ticket-later" }
      ]]
      for (const [generation, bundle] of exports.entries()) {
        writeBundle(`${dir}/${generation}.jsonl`, bundle)
        const result = yield* Migration.run({
          bundle: `${dir}/${generation}.jsonl`,
          journal,
          delta: generation > 0,
          pipeline
        })
        assert.strictEqual(result.delta?.generation ?? 0, generation)
      }
      const simulator = yield* Simulator.Simulator
      const verified = yield* Verify.run({ journal, pipeline })
      assert.deepStrictEqual(verified.differences, [])
      assert.strictEqual(verified.bundle, `${dir}/2.jsonl`)
      assert.strictEqual(verified.checked["conversations"], 7)
      assert.strictEqual(
        (yield* simulator.findByExternalId("conversations", "ticket-late"))[0]?.attributes["status"],
        "done"
      )
      const report = yield* Rollback.run({ journal, pipeline })
      assert.isTrue(report.complete)
      assert.deepStrictEqual(report.counts["conversations"], { undone: 7 })
      assert.deepStrictEqual(report.objects.filter((object) => object.state === "notUndoable").map((o) => o.resource), [
        "companies"
      ])
      const after = yield* snapshot
      assert.deepStrictEqual(after.customers, before.customers)
      assert.deepStrictEqual(after.conversations, before.conversations)
    }).pipe(Effect.provide(simulated({ customers: 2 }))))
})
