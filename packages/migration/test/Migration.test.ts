import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as NodeFs from "node:fs"
import { fastPipeline, readJsonLines, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

/** A bundle of `conversations` lines over `customers` customers (every fifth one known by e-mail only). */
const bundle = (conversations: number, customers: number) =>
  Array.from({ length: conversations }, (_, index) => {
    const who = index % customers
    const customer = who % 5 === 4
      ? { email: `person-${who}@example.com`, name: `Person ${who}` }
      : { externalId: `user-${who}`, name: `Person ${who}`, emails: [{ type: "home", email: `p${who}@example.com` }] }
    return {
      externalId: `ticket-${index}`,
      name: `Ticket ${index}`,
      status: index % 2 === 0 ? "done" : "open",
      createdAt: "2024-02-01T09:00:00Z",
      customer,
      messages: [
        { externalId: `m-${index}-0`, direction: "in", channel: "email", app: "postmark", preview: "Where is it?" },
        { externalId: `m-${index}-1`, direction: "out", channel: "email", app: "postmark", preview: "On its way." }
      ],
      notes: [{ externalId: `n-${index}`, body: `Checked ticket ${index}` }]
    }
  })

const writeBundle = (path: string, lines: ReadonlyArray<unknown>) =>
  NodeFs.writeFileSync(
    path,
    lines.map((line) => typeof line === "string" ? line : JSON.stringify(line)).join("\n") + "\n"
  )

const countsOf = (result: Migration.Result) =>
  Object.fromEntries(result.phases.map((phase) => [phase.phase, {
    created: phase.summary.created,
    existing: phase.summary.alreadyExisting,
    rejected: phase.summary.rejected,
    failed: phase.summary.failed,
    unknown: phase.summary.unknown
  }]))

/** Every message is on its conversation, whose customer is the message's customer. */
const checkLinks = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const conversations = yield* simulator.externalIdCounts("conversations")
  for (const externalId of conversations.keys()) {
    const [conversation] = yield* simulator.findByExternalId("conversations", externalId)
    const index = externalId.slice("ticket-".length)
    const [message] = yield* simulator.findByExternalId("messages", `m-${index}-0`)
    if (message === undefined || conversation === undefined) continue
    assert.strictEqual(message.attributes["conversation"], conversation.id, `message of ${externalId}`)
    assert.strictEqual(message.attributes["customer"], conversation.attributes["customer"], `customer of ${externalId}`)
  }
})

describe("Migration", () => {
  it.scopedLive("migrates customers once each, then conversations, messages and notes with their ids", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const lines: Array<unknown> = [...bundle(40, 10)]
      lines.push({
        externalId: "bad-status",
        status: "snoozed",
        customer: { externalId: "user-0" },
        messages: [{ externalId: "m-orphan", channel: "email", app: "postmark" }],
        notes: [{ body: "orphan" }]
      })
      lines.push({ externalId: "id-customer", customer: "5cb3a1b7c9e77c0013e5f2d1" })
      lines.push("{ not json")
      lines.push({
        externalId: "odd-children",
        customer: { externalId: "user-1" },
        messages: [{ externalId: "m-bad", channel: "pigeon", app: "x" }, {
          externalId: "m-linked",
          channel: "email",
          app: "a",
          conversation: "5cb3a1b7c9e77c0013e5f2d1"
        }],
        notes: [{ body: "" }]
      })
      writeBundle(`${dir}/bundle.jsonl`, lines)
      // Known only by e-mail in the bundle, and already in Kustomer: found, not created again.
      const simulator = yield* Simulator.Simulator
      const [existing] = yield* simulator.seedCustomers([{
        name: "Person 4",
        emails: [{ email: "person-4@example.com" }]
      }])
      const result = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: fastPipeline
      })
      assert.deepStrictEqual(countsOf(result), {
        customers: { created: 9, existing: 0, rejected: 0, failed: 0, unknown: 0 },
        conversations: { created: 41, existing: 0, rejected: 3, failed: 0, unknown: 0 },
        messages: { created: 80, existing: 0, rejected: 3, failed: 0, unknown: 0 },
        notes: { created: 40, existing: 0, rejected: 2, failed: 0, unknown: 0 }
      })
      assert.strictEqual(result.phases[0]?.foundByEmail, 1)
      const [ticket4] = yield* simulator.findByExternalId("conversations", "ticket-4")
      assert.strictEqual(ticket4?.attributes["customer"], existing)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.messages.stored, 80)
      assert.strictEqual(stats.notes.stored, 40)
      assert.strictEqual(stats.conversations.stored, 41)
      yield* checkLinks
      const [ticket] = yield* simulator.findByExternalId("conversations", "ticket-3")
      assert.strictEqual(ticket?.attributes["importedAt"], result.importedAt)
      assert.strictEqual(ticket?.attributes["createdAt"], "2024-02-01T09:00:00Z")

      const rejects = readJsonLines(`${dir}/rejects.jsonl`)
      const byResource = (resource: string) => rejects.filter((entry) => entry["resource"] === resource)
      assert.strictEqual(byResource("conversations").length, 3)
      // The children of the conversation not created are counted on its line, not listed: m-bad, m-linked, "".
      assert.strictEqual(byResource("messages").length, 2)
      assert.strictEqual(byResource("notes").length, 1)
      const badStatus = byResource("conversations").find((entry) => String(entry["reason"]).includes("status"))
      assert.deepStrictEqual((badStatus?.["position"] as { line?: number } | undefined)?.line, 41)
      assert.deepStrictEqual(badStatus?.["dependants"], { messages: 1, notes: 1 })
      assert.deepStrictEqual((badStatus?.["bundle"] as { messages?: unknown } | undefined)?.messages, [
        { externalId: "m-orphan", channel: "email", app: "postmark" }
      ])

      // The same command again: everything is settled, nothing is sent twice.
      const again = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        pipeline: fastPipeline
      })
      assert.isTrue(again.resumed)
      assert.deepStrictEqual(again.phases.map((phase) => phase.summary.created + phase.summary.alreadyExisting), [
        0,
        0,
        0,
        0
      ])
      const after = yield* simulator.stats
      assert.strictEqual(after.messages.stored, 80)
      assert.strictEqual(after.conversations.stored, 41)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("interrupted in any phase and run again: nothing lost, nothing doubled, each reject once", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // Every tenth conversation has a note that cannot be created (an empty body).
      const lines = bundle(120, 30).map((line, index) => index % 10 === 0 ? { ...line, notes: [{ body: "" }] } : line)
      writeBundle(`${dir}/bundle.jsonl`, lines)
      const options: Migration.Options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        // Messages and notes in flight when a run stops are read back by the next once their jobs had time to
        // finish: the simulator's finish at once, so the wait is short (the phases overlap: any run may stop some).
        pipeline: { ...fastPipeline, maxItems: 10, inDoubtCheckDelay: "50 millis" }
      }
      for (
        const [phase, after] of [["customers", 5], ["conversations", 30], ["messages", 100], ["notes", 100]] as const
      ) {
        const stop = yield* Deferred.make<void>()
        const seen = yield* Ref.make(0)
        yield* Effect.raceFirst(
          Effect.asVoid(Migration.run({
            ...options,
            rejects: `${dir}/rejects-${phase}.jsonl`,
            onEvent: (current, event) =>
              current === phase && event._tag === "Created"
                ? Effect.flatMap(
                  Ref.updateAndGet(seen, (n) => n + 1),
                  (n) => n >= after ? Deferred.succeed(stop, undefined) : Effect.void
                )
                : Effect.void
          })),
          Deferred.await(stop)
        )
      }
      // The last run writes its rejects file afresh, earlier attempts' rejects included, each once.
      yield* Migration.run({ ...options, rejects: `${dir}/rejects.jsonl` })
      const rejects = readJsonLines(`${dir}/rejects.jsonl`)
      assert.deepStrictEqual(rejects.map((entry) => entry["resource"]), Array.from({ length: 12 }, () => "notes"))
      assert.deepStrictEqual(
        rejects.map((entry) => (entry["position"] as { line?: number } | undefined)?.line).sort((a, b) =>
          (a ?? 0) - (b ?? 0)
        ),
        Array.from({ length: 12 }, (_, index) => index * 10 + 1)
      )
      const simulator = yield* Simulator.Simulator
      const stats = yield* simulator.stats
      for (const resource of ["conversations", "messages", "notes"] as const) {
        assert.deepStrictEqual(stats[resource].externalIdsStoredMoreThanOnce, [], resource)
      }
      assert.strictEqual(stats.conversations.distinctExternalIds, 120)
      assert.strictEqual(stats.messages.stored, 240)
      assert.strictEqual(stats.notes.stored, 108)
      const customers = yield* simulator.externalIdCounts("customers")
      assert.strictEqual([...customers.keys()].filter((key) => key.startsWith("user-")).length, 24)
      yield* checkLinks
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a dry run checks every object and counts the requests, sending nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const lines: Array<unknown> = [...bundle(30, 6)]
      lines.push({
        externalId: "odd",
        customer: { externalId: "user-0" },
        messages: [{ channel: "pigeon", app: "x" }],
        notes: [{ body: "" }]
      })
      writeBundle(`${dir}/bundle.jsonl`, lines)
      const planned = yield* Migration.dryRun({
        bundle: `${dir}/bundle.jsonl`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: { maxItems: 25 }
      })
      assert.deepStrictEqual(planned.map((phase) => [phase.phase, phase.valid, phase.rejected, phase.requests]), [
        ["customers", 6, 0, 1],
        ["conversations", 31, 0, 2],
        ["messages", 60, 1, 3],
        ["notes", 30, 1, 2]
      ])
      assert.deepStrictEqual(readJsonLines(`${dir}/rejects.jsonl`).map((entry) => entry["resource"]), [
        "messages",
        "notes"
      ])
      const simulator = yield* Simulator.Simulator
      const stats = yield* simulator.stats
      assert.strictEqual(stats.requests.total, 0)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a parent the API reports without its id is looked up, so its children are linked", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, bundle(60, 12))
      const result = yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, pipeline: fastPipeline })
      assert.deepStrictEqual(result.phases.map((phase) => phase.summary.rejected), [0, 0, 0, 0])
      const simulator = yield* Simulator.Simulator
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, 60)
      assert.strictEqual(stats.messages.stored, 120)
      assert.strictEqual(stats.notes.stored, 60)
      yield* checkLinks
    }).pipe(Effect.provide(simulated({ answers: { nullObjectIdRate: 0.3 } }))))
})
