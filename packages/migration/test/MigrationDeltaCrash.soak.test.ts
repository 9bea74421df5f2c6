/**
 * SIGKILL during a delta migration, then the same command again: a bundle migrated, then a re-export of it — in
 * another order, with 10 % new tickets, 10 % new comments on old tickets, 10 % changed statuses and tags, and some
 * tickets gone — migrated as a delta by a child process killed at seeded points under injected faults (server
 * errors, dropped connections and lost answers). The last run leaves exactly the new export in the simulator
 * (nothing twice, every change applied, what is gone left in place), and the finished delta run again sends
 * nothing. The simulator holds customers and a conversation before the first run (the bundle adds to both, the
 * re-export changes the conversation's status and tags). Then, in this process: `verify` finds no difference
 * against the new export, and exactly the one made behind its back; `rollback` (run again until complete, the
 * faults still on) leaves the simulator as before the first run, but for what its report lists as not undoable.
 */
import { BulkJob, KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "@effect-kustomer/client"
import { BulkResource, Conversation } from "@effect-kustomer/domain"
import { Prng, Simulator, SimulatorServer } from "@effect-kustomer/simulator"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import { fixtureCommand } from "../../journal/test/fixtures/crashHarness.js"
import { Rollback, Verify } from "../src/index.js"
import { runKilledAfter } from "./fixtures/killedRun.js"
import {
  createOldConversation,
  expectedAfterRollback,
  oldTicket,
  snapshot,
  visibleAfterRollback
} from "./fixtures/undoHarness.js"

const packageDir = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "..")

const tickets = 200
const customers = 40

interface Line {
  readonly externalId: string
  readonly name: string
  readonly status: string
  readonly tags: ReadonlyArray<string>
  readonly customer: Record<string, string>
  readonly messages: ReadonlyArray<Record<string, string>>
  readonly notes: ReadonlyArray<Record<string, string>>
}

const message = (ticket: number, turn: number) => ({
  externalId: `delta-${ticket}-m${turn}`,
  direction: turn % 2 === 0 ? "in" : "out",
  channel: "email",
  app: "postmark",
  preview: `message ${turn}`
})

/**
 * A ticket of a customer (every fourth known by e-mail only; the first one existed before the migration), 2
 * messages and a note.
 */
const ticket = (index: number): Line => {
  const who = index % customers
  return {
    externalId: `delta-${index}`,
    name: `Ticket ${index}`,
    status: "open",
    tags: ["support"],
    customer: who === 0
      ? { externalId: "sim-customer-2" }
      : who % 4 === 3
      ? { email: `delta-${who}@example.com` }
      : { externalId: `delta-user-${who}` },
    messages: [message(index, 0), message(index, 1)],
    notes: [{ externalId: `delta-${index}-n`, body: `note on ${index}` }]
  }
}

/** A line on the conversation that existed before the migration: a message and a note added to it. */
const old: Line = {
  externalId: oldTicket,
  name: "Existing ticket",
  status: "open",
  tags: ["support"],
  customer: { externalId: "sim-customer-1" },
  messages: [{ ...message(-1, 0), externalId: "old-m-1" }],
  notes: [{ externalId: "old-n-1", body: "note on the old ticket" }]
}

const first = [old, ...Array.from({ length: tickets }, (_, index) => ticket(index))]

/**
 * The re-export: tickets 0–9 gone, 20 new (200–219), 20 with a new comment, 20 changed (and the old ticket's
 * status and tags with a new comment); in a seeded order.
 */
const reexport = (): ReadonlyArray<Line> => {
  const changedOld: Line = {
    ...old,
    status: "done",
    tags: ["support", "escalated"],
    messages: [...old.messages, { ...message(-1, 1), externalId: "old-m-2" }]
  }
  const kept = first.slice(11).map((line, offset) => {
    const index = offset + 10
    if (index < 30) return { ...line, messages: [...line.messages, message(index, 2)] }
    if (index < 50) return { ...line, status: "done", tags: ["support", "escalated"] }
    return line
  })
  const lines = [changedOld, ...kept, ...Array.from({ length: 20 }, (_, offset) => ticket(tickets + offset))]
  const next = Prng.make(2_026_1207)
  const order = lines.map((line) => ({ line, key: next() })).sort((a, b) => a.key - b.key)
  return order.map((entry) => entry.line)
}

/** A client of the simulator on its port, as the migrator's. */
const clientOf = (server: { readonly baseUrl: string; readonly apiKey: string }) =>
  KustomerClient.layer().pipe(
    Layer.provideMerge(RateLimiter.layer({ limit: 100_000, window: "1 minute", margin: "50 millis" })),
    Layer.provide(Layer.merge(
      KustomerConfig.layer({ baseUrl: server.baseUrl, requestTimeout: "10 seconds" }),
      KustomerAuth.layer(Redacted.make(server.apiKey))
    )),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )

const pipeline = {
  maxItems: 20,
  firstPollDelay: "50 millis",
  pollSchedule: Schedule.spaced("50 millis")
} as const

/**
 * After the delta: verify finds no difference against the new export, then the one made behind its back; rollback
 * (again until complete) leaves the simulator as before the first run, but for what it lists as not undoable.
 */
const verifiedAndRolledBack = (
  journal: string,
  after: ReadonlyArray<Line>,
  before: Effect.Effect.Success<typeof snapshot>,
  oldConversation: string
) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.Simulator
    const clean = yield* Verify.run({ journal, pipeline })
    assert.deepStrictEqual(clean.differences, [])
    assert.strictEqual(clean.checked["conversations"], after.length - 1)
    const changed = (yield* simulator.findByExternalId("conversations", "delta-40"))[0]?.id ?? ""
    const client = yield* KustomerClient.KustomerClient
    const job = yield* client.bulkUpdate(BulkResource.Conversations, [
      Schema.decodeSync(Conversation.ConversationUpdate)({ id: changed, tags: ["support"] })
    ]).pipe(Effect.retry({ times: 10 }))
    yield* BulkJob.awaitResults(job.data.id, { firstRead: "20 millis" }).pipe(Effect.retry({ times: 10 }))
    const dirty = yield* Verify.run({ journal, pipeline })
    assert.deepStrictEqual(
      dirty.differences.map((difference) => [difference.externalId, difference.field]),
      [["delta-40", "tags"]]
    )

    let report = yield* Rollback.run({ journal, pipeline })
    for (let attempt = 0; attempt < 8 && !report.complete; attempt++) {
      report = yield* Rollback.run({ journal, pipeline })
    }
    assert.isTrue(report.complete)
    const oldOne = report.objects.find((object) => object.id === oldConversation)
    assert.strictEqual(oldOne?.state, "notUndoable")
    assert.match(oldOne?.reason ?? "", /delta 1 changed its status, tags/)
    const notUndoable = report.objects.filter((object) => object.state === "notUndoable")
    const rolledBack = yield* snapshot
    assert.deepStrictEqual(rolledBack.customers, before.customers)
    assert.deepStrictEqual(rolledBack.conversations, before.conversations)
    assert.deepStrictEqual(yield* visibleAfterRollback, expectedAfterRollback(before, notUndoable))
  })

const text = (lines: ReadonlyArray<Line>) => lines.map((line) => JSON.stringify(line)).join("\n") + "\n"

describe("delta migration crash and resume", () => {
  it.scopedLive(
    "SIGKILLs during a delta under faults, then a last run: exactly the new export; run again, nothing sent",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "migration-delta-crash-" })
        const server = yield* SimulatorServer.make({
          rateLimit: { limit: 100_000, window: "60 seconds" },
          jobLatency: "20 millis",
          itemLatency: "0 millis",
          customers: 3,
          faults: { seed: 11, serverErrorRate: 0.05, connectionResetRate: 0.05, afterAcceptanceShare: 0.5 }
        })
        const client = clientOf(server)
        const withServer = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          effect.pipe(
            Effect.provideService(Simulator.Simulator, server.simulator),
            Effect.provide(client)
          )
        const oldConversation = yield* withServer(createOldConversation)
        const before = yield* withServer(snapshot)
        yield* fs.writeFileString(`${dir}/first.jsonl`, text(first))
        const after = reexport()
        yield* fs.writeFileString(`${dir}/second.jsonl`, text(after))
        const commandOf = (bundle: string, delta: boolean) =>
          fixtureCommand(
            NodePath.join(packageDir, "test/fixtures/migrator.ts"),
            JSON.stringify({
              baseUrl: server.baseUrl,
              apiKey: server.apiKey,
              bundle,
              journal: `${dir}/migration.journal`,
              rejects: `${dir}/rejects.jsonl`,
              delta,
              settledEvery: 5
            })
          )

        assert.isFalse(yield* runKilledAfter(commandOf(`${dir}/first.jsonl`, false), undefined))
        // Milestones of the delta: 5 phase lines, ~15 submissions, ~30 "settled" lines; kills spread over it.
        const delta = commandOf(`${dir}/second.jsonl`, true)
        const next = Prng.make(20_261_207)
        let kills = 0
        for (let round = 0; round < 8; round++) {
          if (yield* runKilledAfter(delta, 2 + Math.floor(next() * 12))) kills += 1
        }
        assert.isFalse(yield* runKilledAfter(delta, undefined))
        assert.isAtLeast(kills, 3)

        const stats = yield* server.simulator.stats
        for (const resource of ["customers", "conversations", "messages", "notes"] as const) {
          assert.deepStrictEqual(stats[resource].externalIdsStoredMoreThanOnce, [], resource)
        }
        // The new export, and the 10 tickets gone from it left in place with their 20 messages and 10 notes.
        assert.strictEqual(stats.conversations.stored, after.length + 10)
        assert.strictEqual(stats.messages.stored, after.flatMap((line) => line.messages).length + 20)
        assert.strictEqual(stats.notes.stored, after.length + 10)
        // The 3 customers there before, and the bundle's but its first (one of those 3).
        assert.strictEqual((yield* server.simulator.objects("customers")).length, 3 + customers - 1)
        for (const line of after) {
          const [stored] = yield* server.simulator.findByExternalId("conversations", line.externalId)
          assert.strictEqual(stored?.attributes["status"], line.status, line.externalId)
          assert.deepStrictEqual(stored?.attributes["tags"], line.tags, line.externalId)
        }
        const byId = new Map((yield* server.simulator.objects("conversations")).map((c) => [c.id, c]))
        for (const stored of yield* server.simulator.objects("messages")) {
          const parent = byId.get(String(stored.attributes["conversation"]))
          assert.isDefined(parent, "a message on a conversation that exists")
          assert.strictEqual(stored.attributes["customer"], parent?.attributes["customer"])
        }

        // The finished delta run again: no bulk create or update.
        const writes = (routes: Readonly<Record<string, number>>) =>
          Object.entries(routes).filter(([route]) =>
            (route.startsWith("POST ") || route.startsWith("PUT ")) && route.endsWith("/bulk")
          ).reduce((total, [, count]) => total + count, 0)
        const beforeAgain = writes(stats.requests.byRoute)
        assert.isFalse(yield* runKilledAfter(delta, undefined))
        assert.strictEqual(writes((yield* server.simulator.stats).requests.byRoute) - beforeAgain, 0)

        yield* withServer(verifiedAndRolledBack(`${dir}/migration.journal`, after, before, oldConversation))
      }).pipe(Effect.provide(NodeContext.layer)),
    Duration.toMillis("240 seconds")
  )
})
