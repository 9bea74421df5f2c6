/**
 * Delta migrations: a bundle migrated, then a re-export of it — in another order, with new tickets, new comments
 * on old tickets, changed statuses and tags, and tickets gone — migrated as a delta over the first run's journal
 * under injected faults (server errors, dropped connections and lost answers, slow answers). The simulator then
 * holds exactly the new export (nothing twice, every change applied), what is gone is reported and left alone, and
 * the finished delta run again sends nothing. On the test clock, so the in-doubt waits cost no real time.
 */
import { KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "@effect-kustomer/client"
import { Simulator, SimulatorClient } from "@effect-kustomer/simulator"
import { NodeFileSystem } from "@effect/platform-node"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"
import { onTestClock } from "./fixtures/testClock.js"

interface Ticket {
  readonly externalId: string
  readonly name: string
  readonly status: string
  readonly tags: ReadonlyArray<string>
  readonly priority?: number
  readonly custom?: Readonly<Record<string, unknown>>
  readonly customer: { readonly externalId: string; readonly name: string }
  readonly messages: ReadonlyArray<Record<string, unknown>>
  readonly notes: ReadonlyArray<Record<string, string>>
}

const message = (ticket: number, index: number) => ({
  externalId: `m-${ticket}-${index}`,
  direction: index % 2 === 0 ? "in" : "out",
  channel: "email",
  app: "postmark",
  preview: `Message ${index} of ticket ${ticket}`
})

const ticket = (index: number, customers: number): Ticket => ({
  externalId: `ticket-${index}`,
  name: `Ticket ${index}`,
  status: "open",
  tags: ["billing"],
  customer: { externalId: `user-${index % customers}`, name: `Person ${index % customers}` },
  messages: [message(index, 0), message(index, 1)],
  notes: [{ externalId: `n-${index}`, body: `Checked ticket ${index}` }]
})

const tickets = 100
const customers = 20
const first = Array.from({ length: tickets }, (_, index) => ticket(index, customers))

/** A seeded shuffle, so that the re-export's order is another one, always the same. */
const shuffled = <A>(items: ReadonlyArray<A>): Array<A> => {
  const copy = [...items]
  let state = 7
  for (let index = copy.length - 1; index > 0; index--) {
    state = (state * 1103515245 + 12345) % 2147483648
    const other = state % (index + 1)
    const item = copy[index]
    const swapped = copy[other]
    if (item === undefined || swapped === undefined) continue
    copy[index] = swapped
    copy[other] = item
  }
  return copy
}

/**
 * The re-export: tickets 0–4 gone; 10 % new tickets (100–109, half of them by new customers); 10 % of the old ones
 * with a new comment (10–19; ticket 10's with an attachment); 10 % with their status, tags, priority and custom
 * attributes changed (20–29); in another order.
 */
const reexport = (): Array<Ticket> => {
  const kept = first.filter((_, index) => index >= 5).map((old, offset) => {
    const index = offset + 5
    if (index === 10) {
      const attached = { ...message(index, 2), attachments: [{ name: "receipt.txt", path: "receipt.txt" }] }
      return { ...old, messages: [...old.messages, attached] }
    }
    if (index > 10 && index < 20) return { ...old, messages: [...old.messages, message(index, 2)] }
    if (index >= 20 && index < 30) {
      return {
        ...old,
        status: "done",
        tags: ["refunded", "billing"],
        priority: 4,
        custom: { orderNumberStr: `A-${index}` }
      }
    }
    return old
  })
  const added = Array.from({ length: 10 }, (_, offset) => {
    const line = ticket(tickets + offset, customers)
    return offset % 2 === 0 ? line : { ...line, customer: { externalId: `user-new-${offset}`, name: `New ${offset}` } }
  })
  return shuffled([...kept, ...added])
}

const write = (path: string, lines: ReadonlyArray<unknown>) =>
  NodeFs.writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")

/** Requests that create or update in bulk, by route. */
const bulkWrites = Effect.map(
  Effect.flatMap(Simulator.Simulator, (simulator) => simulator.stats),
  (stats) =>
    Object.entries(stats.requests.byRoute).filter(([route]) =>
      (route.startsWith("POST ") || route.startsWith("PUT ")) && route.endsWith("/bulk")
    ).reduce((total, [, count]) => total + count, 0)
)

/** The simulator behind a client whose bulk updates are refused (400) while `gate.refuseUpdates` is set. */
const refusingUpdates = (gate: { refuseUpdates: boolean }) => {
  const simulator = Simulator.layer({ customers: 0, jobLatency: "5 millis", itemLatency: "0 millis" })
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      SimulatorClient.make,
      (inner) =>
        HttpClient.make((request) =>
          gate.refuseUpdates && request.method === "PUT"
            ? Effect.succeed(HttpClientResponse.fromWeb(
              request,
              new Response(JSON.stringify({ errors: [{ status: "400", title: "Bad Request" }] }), {
                status: 400,
                headers: { "content-type": "application/json" }
              })
            ))
            : inner.execute(request)
        )
    )
  )
  const client = KustomerClient.layer().pipe(
    Layer.provideMerge(RateLimiter.layer({ margin: 0 })),
    Layer.provide(Layer.mergeAll(
      KustomerConfig.layer({ baseUrl: "http://localhost:4010" }),
      Layer.unwrapEffect(Effect.map(Simulator.Simulator, (sim) => KustomerAuth.layer(Redacted.make(sim.apiKey))))
    ))
  )
  return Layer.mergeAll(Layer.provideMerge(client, Layer.provideMerge(http, simulator)), NodeFileSystem.layer)
}

describe("Migration, delta", () => {
  it.scoped(
    "a shuffled re-export under faults: new objects once, changes applied, gone reported; run again, nothing sent",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const journal = `${dir}/migration.journal`
        write(`${dir}/first.jsonl`, first)
        yield* onTestClock(Migration.run({ bundle: `${dir}/first.jsonl`, journal, pipeline: { maxItems: 20 } }))
        const after = reexport()
        write(`${dir}/second.jsonl`, after)
        NodeFs.writeFileSync(`${dir}/receipt.txt`, "the receipt\n")
        const result = yield* onTestClock(
          Migration.run({ bundle: `${dir}/second.jsonl`, journal, delta: true, pipeline: { maxItems: 20 } })
        )
        const simulator = yield* Simulator.Simulator
        const stats = yield* simulator.stats
        assert.isAbove(stats.faults.connection_reset_after_acceptance + stats.faults.server_error_after_acceptance, 0)
        for (const resource of ["customers", "conversations", "messages", "notes"] as const) {
          assert.strictEqual(stats[resource].storedTwice, 0, `${resource} stored twice`)
          const counts = yield* simulator.externalIdCounts(resource)
          assert.isTrue([...counts.values()].every((count) => count === 1), `${resource}: an externalId stored twice`)
        }
        // Exactly the new export, and what is gone from it left in place (5 tickets, their 10 messages and 5 notes).
        const expected = (part: "messages" | "notes") => after.flatMap((line) => line[part]).length
        assert.strictEqual(stats.conversations.stored, after.length + 5)
        assert.strictEqual(stats.messages.stored, expected("messages") + 10)
        assert.strictEqual(stats.notes.stored, expected("notes") + 5)
        for (const line of after) {
          const [stored] = yield* simulator.findByExternalId("conversations", line.externalId)
          assert.strictEqual(stored?.attributes["status"], line.status, line.externalId)
          assert.deepStrictEqual(stored?.attributes["tags"], line.tags, line.externalId)
          if (line.priority !== undefined) assert.strictEqual(stored?.attributes["priority"], line.priority)
          if (line.custom !== undefined) assert.deepStrictEqual(stored?.attributes["custom"], line.custom)
        }
        // The new comment's file: uploaded once, referenced by it.
        assert.strictEqual(result.attachments.carried, 1)
        assert.strictEqual((yield* simulator.attachments).filter((document) => document.uploaded).length, 1)
        assert.deepStrictEqual(result.delta?.resources, [
          { resource: "companies", created: 0, updated: 0, unchanged: 0, gone: 0 },
          { resource: "customers", created: 5, updated: 0, unchanged: customers, gone: 0 },
          { resource: "conversations", created: 10, updated: 10, unchanged: tickets - 5 - 10, gone: 5 },
          { resource: "messages", created: 30, updated: 0, unchanged: 2 * (tickets - 5), gone: 10 },
          { resource: "notes", created: 10, updated: 0, unchanged: tickets - 5, gone: 5 }
        ])
        assert.deepStrictEqual(result.phases.map((phase) => phase.phase), [
          "customers",
          "conversations",
          "updates",
          "messages",
          "notes"
        ])

        // The finished delta run again: nothing created or updated, the same report.
        const before = yield* bulkWrites
        const again = yield* onTestClock(
          Migration.run({ bundle: `${dir}/second.jsonl`, journal, delta: true, pipeline: { maxItems: 20 } })
        )
        assert.strictEqual((yield* bulkWrites) - before, 0)
        assert.deepStrictEqual(again.delta?.resources, result.delta?.resources)
        assert.isTrue(again.resumed)
      }).pipe(Effect.provide(simulated({
        customers: 0,
        jobLatency: "2 seconds",
        faults: {
          seed: 11,
          serverErrorRate: 0.05,
          connectionResetRate: 0.04,
          afterAcceptanceShare: 0.5,
          slowRate: 0.05,
          slowDelay: "3 seconds"
        }
      }))),
    120_000
  )

  it.scopedLive("a delta is refused over a journal whose first run has not run to its end, and without a journal", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      write(`${dir}/first.jsonl`, first.slice(0, 10))
      const trial = yield* Migration.run({
        bundle: `${dir}/first.jsonl`,
        journal: `${dir}/migration.journal`,
        lines: { limit: 3 },
        pipeline: fastPipeline
      })
      assert.strictEqual(trial.phases.find((phase) => phase.phase === "conversations")?.summary.created, 3)
      const refused = yield* Effect.either(
        Migration.run({ bundle: `${dir}/first.jsonl`, journal: `${dir}/migration.journal`, delta: true })
      )
      assert.isTrue(Either.isLeft(refused) && refused.left.message.includes("has not run to its end"))
      const withoutJournal = yield* Effect.either(Migration.run({ bundle: `${dir}/first.jsonl`, delta: true }))
      assert.isTrue(Either.isLeft(withoutJournal) && withoutJournal.left.message.includes("--delta needs --journal"))
    }).pipe(Effect.provide(simulated({ customers: 0 }))))

  it.scopedLive("a second delta matches what the first created; what cannot be matched is rejected, not doubled", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const journal = `${dir}/migration.journal`
      const { externalId: _messageKey, ...keyless } = message(0, 9)
      const plain = (line: Ticket) => ({ ...line, messages: [...line.messages, keyless] })
      const base = first.slice(0, 5).map((line, index) => index === 0 ? plain(line) : line)
      write(`${dir}/a.jsonl`, base)
      yield* Migration.run({ bundle: `${dir}/a.jsonl`, journal, pipeline: fastPipeline })
      const { externalId: _ticketKey, ...withoutKey } = ticket(50, customers)
      const second = [...base, ticket(40, customers), withoutKey]
      write(`${dir}/b.jsonl`, second)
      const delta1 = yield* Migration.run({ bundle: `${dir}/b.jsonl`, journal, delta: true, pipeline: fastPipeline })
      const conversations = delta1.phases.find((phase) => phase.phase === "conversations")?.summary
      const messages = delta1.phases.find((phase) => phase.phase === "messages")?.summary
      // The ticket without an externalId cannot be matched: rejected (its 2 messages with it); so is the old
      // message without one.
      assert.deepStrictEqual([conversations?.created, conversations?.rejected], [1, 1])
      assert.deepStrictEqual([messages?.created, messages?.rejected], [2, 3])
      write(`${dir}/c.jsonl`, [...second.slice(0, 6), ticket(41, customers)])
      const delta2 = yield* Migration.run({ bundle: `${dir}/c.jsonl`, journal, delta: true, pipeline: fastPipeline })
      assert.strictEqual(delta2.delta?.generation, 2)
      assert.deepStrictEqual(delta2.delta?.resources.find((row) => row.resource === "conversations"), {
        resource: "conversations",
        created: 1,
        updated: 0,
        unchanged: 6,
        gone: 0
      })
      const simulator = yield* Simulator.Simulator
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, 7)
      assert.deepStrictEqual(stats.messages.externalIdsStoredMoreThanOnce, [])
      assert.strictEqual(stats.messages.stored, 2 * 7 + 1)
    }).pipe(Effect.provide(simulated({ customers: 0 }))))

  const gate = { refuseUpdates: false }
  it.scopedLive("updates that failed are sent again by the next run of the delta, the applied ones not", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const journal = `${dir}/migration.journal`
      const base = first.slice(0, 10)
      write(`${dir}/a.jsonl`, base)
      yield* Migration.run({ bundle: `${dir}/a.jsonl`, journal, pipeline: fastPipeline })
      const changed = base.map((line, index) => index < 4 ? { ...line, status: "done" } : line)
      write(`${dir}/b.jsonl`, changed)
      gate.refuseUpdates = true
      const refused = yield* Migration.run({ bundle: `${dir}/b.jsonl`, journal, delta: true, pipeline: fastPipeline })
      const updates = (result: Migration.Result) => result.phases.find((phase) => phase.phase === "updates")?.summary
      assert.deepStrictEqual([updates(refused)?.created, updates(refused)?.failed], [0, 4])
      const simulator = yield* Simulator.Simulator
      const statuses = Effect.map(
        simulator.objects("conversations"),
        (stored) => stored.filter((conversation) => conversation.attributes["status"] === "done").length
      )
      assert.strictEqual(yield* statuses, 0)
      gate.refuseUpdates = false
      const again = yield* Migration.run({ bundle: `${dir}/b.jsonl`, journal, delta: true, pipeline: fastPipeline })
      assert.deepStrictEqual([updates(again)?.created, updates(again)?.failed], [4, 0])
      assert.strictEqual(yield* statuses, 4)
      assert.deepStrictEqual(again.delta?.resources.find((row) => row.resource === "conversations"), {
        resource: "conversations",
        created: 0,
        updated: 4,
        unchanged: 6,
        gone: 0
      })
      const last = yield* Migration.run({ bundle: `${dir}/b.jsonl`, journal, delta: true, pipeline: fastPipeline })
      assert.strictEqual(updates(last)?.read, 0)
    }).pipe(Effect.provide(refusingUpdates(gate))))
})
