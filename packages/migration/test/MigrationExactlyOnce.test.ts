/**
 * Exactly once for every resource, against the truthful simulator (a repeated `externalId` is refused for customers
 * and conversations only; messages and notes are stored again): a re-run without the journal stores nothing, and a
 * parent whose job could not be read holds its children instead of rejecting them.
 */
import { KustomerClient, KustomerError } from "@effect-kustomer/client"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

/** `conversations` lines over `customers` customers, 3 messages and 1 note each. */
const bundle = (conversations: number, customers: number) =>
  Array.from({ length: conversations }, (_, index) => ({
    externalId: `ticket-${index}`,
    name: `Ticket ${index}`,
    customer: { externalId: `user-${index % customers}`, name: `Person ${index % customers}` },
    messages: [0, 1, 2].map((message) => ({
      externalId: `m-${index}-${message}`,
      direction: message === 1 ? "out" : "in",
      channel: "email",
      app: "postmark",
      preview: `Message ${message} of ticket ${index}`
    })),
    notes: [{ externalId: `n-${index}`, body: `Checked ticket ${index}` }]
  }))

const writeBundle = (path: string, lines: ReadonlyArray<unknown>) =>
  NodeFs.writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")

/** Every resource stored exactly as often as the bundle holds it. */
const storedOnce = (conversations: number, customers: number) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.Simulator
    const stats = yield* simulator.stats
    for (const resource of ["customers", "conversations", "messages", "notes"] as const) {
      assert.strictEqual(stats[resource].storedTwice, 0, `${resource} stored twice`)
    }
    assert.strictEqual(stats.conversations.stored, conversations)
    assert.strictEqual(stats.messages.stored, 3 * conversations)
    assert.strictEqual(stats.notes.stored, conversations)
    const bundleCustomers = [...(yield* simulator.externalIdCounts("customers")).keys()]
    assert.strictEqual(bundleCustomers.filter((key) => key.startsWith("user-")).length, customers)
  })

describe("Migration, exactly once for every resource", () => {
  it.scopedLive("a finished bundle run again without its journal stores nothing, at ≤ 3.5 requests a conversation", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const conversations = 60
      writeBundle(`${dir}/bundle.jsonl`, bundle(conversations, 12))
      yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, journal: `${dir}/first.journal`, pipeline: fastPipeline })
      const simulator = yield* Simulator.Simulator
      const before = (yield* simulator.stats).requests.total
      const again = yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, pipeline: fastPipeline })
      const requests = (yield* simulator.stats).requests.total - before
      yield* storedOnce(conversations, 12)
      assert.deepStrictEqual(again.phases.map((phase) => [phase.phase, phase.summary.created]), [
        ["customers", 0],
        ["conversations", 0],
        ["messages", 0],
        ["notes", 0]
      ])
      assert.deepStrictEqual(
        again.phases.map((phase) => phase.summary.alreadyExisting),
        [12, conversations, 3 * conversations, conversations]
      )
      assert.isAtMost(requests / conversations, 3.5, `${requests} requests for ${conversations} conversations`)
    }).pipe(Effect.provide(simulated())))

  for (const phases of ["overlapped", "sequential"] as const) {
    it.scopedLive(`conversations whose jobs could not be read hold their children; the resume sends them once (${phases} phases)`, () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const conversations = 30
        writeBundle(`${dir}/bundle.jsonl`, bundle(conversations, 6))
        const outage = yield* Ref.make(true)
        const options: Migration.Options = {
          bundle: `${dir}/bundle.jsonl`,
          journal: `${dir}/migration.journal`,
          rejects: `${dir}/rejects.jsonl`,
          pipeline: { ...fastPipeline, retrySchedule: Schedule.recurs(2) },
          phases
        }
        // No conversation's job can be read: the conversations end in doubt.
        const first = yield* Migration.run(options).pipe(Effect.provide(conversationJobReadsFailWhile(outage)))
        const byPhase = Object.fromEntries(first.phases.map((phase) => [phase.phase, phase]))
        assert.strictEqual(byPhase["conversations"]?.summary.unknown, conversations)
        assert.strictEqual(byPhase["messages"]?.held, 3 * conversations, "every message held")
        assert.strictEqual(byPhase["notes"]?.held, conversations, "every note held")
        assert.strictEqual(byPhase["messages"]?.summary.rejected, 0, "none rejected for a parent in doubt")
        assert.strictEqual(byPhase["notes"]?.summary.rejected, 0)
        const rejected = NodeFs.readFileSync(`${dir}/rejects.jsonl`, "utf8").split("\n").filter((line) => line !== "")
        assert.isFalse(rejected.some((line) => /"resource":"(messages|notes)"/.test(line)), "no child in the rejects")

        // The API is back: the same command reads the jobs again, links the conversations and sends their children.
        yield* Ref.set(outage, false)
        const second = yield* Migration.run(options).pipe(Effect.provide(conversationJobReadsFailWhile(outage)))
        assert.deepStrictEqual(second.phases.map((phase) => phase.held), [0, 0, 0, 0])
        assert.deepStrictEqual(second.phases.map((phase) => phase.summary.created), [
          0,
          0,
          3 * conversations,
          conversations
        ])
        assert.isAbove(second.phases[2]?.parentReads ?? 0, 0, "the parents were read again")
        yield* storedOnce(conversations, 6)
      }).pipe(Effect.provide(simulated())))
  }
})

/** The client in context, except that the jobs of conversations cannot be read (the connection drops) while `outage` is set. */
const conversationJobReadsFailWhile = (outage: Ref.Ref<boolean>) =>
  Layer.effect(
    KustomerClient.KustomerClient,
    Effect.map(KustomerClient.KustomerClient, (client): KustomerClient.KustomerClient["Type"] => {
      const conversationJobs = new Set<string>()
      const dropped = (method: string) =>
        new KustomerError.KustomerError({
          module: "KustomerClient",
          method,
          reason: new KustomerError.Transport({ delivery: "maybe-sent", detail: "socket hang up" })
        })
      const unlessDown = <A>(id: string, method: string, read: Effect.Effect<A, KustomerError.KustomerError>) =>
        Effect.flatMap(
          Ref.get(outage),
          (down) => down && conversationJobs.has(id) ? Effect.fail(dropped(method)) : read
        )
      return {
        ...client,
        bulkCreatePrepared: (resource, body) =>
          Effect.tap(client.bulkCreatePrepared(resource, body), (job) =>
            Effect.sync(() => {
              if (resource.name === "conversations") conversationJobs.add(job.data.id)
            })),
        getBulkJob: (id) => unlessDown(id, "getBulkJob", client.getBulkJob(id)),
        getBulkJobBatches: (id) => unlessDown(id, "getBulkJobBatches", client.getBulkJobBatches(id))
      }
    })
  )
