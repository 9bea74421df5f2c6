/**
 * SIGKILL in every phase of a migration, then the same command again: nothing lost, nothing doubled, every child
 * linked to its parent. The migrator is a child process (`fixtures/migrator.ts`) in a process group of its own,
 * killed at seeded points by the milestone lines it prints.
 */
import { Prng, SimulatorServer } from "@effect-kustomer/simulator"
import { NodeContext } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import { fixtureCommand } from "../../journal/test/fixtures/crashHarness.js"
import { runKilledAfter } from "./fixtures/killedRun.js"

const packageDir = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "..")

const conversations = 300
const customers = 60

/** 300 conversations of 60 customers (every fourth known by e-mail only), 2 messages and a note each. */
const bundleText = () =>
  Array.from({ length: conversations }, (_, index) => {
    const who = index % customers
    return JSON.stringify({
      externalId: `crash-${index}`,
      name: `Ticket ${index}`,
      customer: who % 4 === 3 ? { email: `crash-${who}@example.com` } : { externalId: `crash-user-${who}` },
      messages: [0, 1].map((turn) => ({
        externalId: `crash-${index}-m${turn}`,
        direction: turn === 0 ? "in" : "out",
        channel: "email",
        app: "postmark",
        preview: `message ${turn}`
      })),
      notes: [{ externalId: `crash-${index}-n`, body: `note on ${index}` }]
    })
  }).join("\n") + "\n"

describe("migration crash and resume", () => {
  it.scopedLive(
    "SIGKILLs in every phase, then a last run: each object once, each child linked to its parent",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "migration-crash-" })
        const server = yield* SimulatorServer.make({
          rateLimit: { limit: 100_000, window: "60 seconds" },
          jobLatency: "20 millis",
          itemLatency: "0 millis",
          customers: 0,
          faults: { seed: 7, serverErrorRate: 0.05, connectionResetRate: 0.05, afterAcceptanceShare: 0.5 }
        })
        yield* fs.writeFileString(`${dir}/bundle.jsonl`, bundleText())
        const command = fixtureCommand(
          NodePath.join(packageDir, "test/fixtures/migrator.ts"),
          JSON.stringify({
            baseUrl: server.baseUrl,
            apiKey: server.apiKey,
            bundle: `${dir}/bundle.jsonl`,
            journal: `${dir}/migration.journal`,
            rejects: `${dir}/rejects.jsonl`
          })
        )

        /** One run; killed after `killAfter` milestone lines (or runs to its end). Returns whether it was killed. */
        const attempt = (killAfter: number | undefined) => runKilledAfter(command, killAfter)

        // Milestones: 4 phase lines, ~75 submissions and ~30 "settled" lines in all; kills spread over the run.
        const next = Prng.make(20_261_202)
        let kills = 0
        for (let round = 0; round < 6; round++) {
          if (yield* attempt(5 + Math.floor(next() * 25))) kills += 1
        }
        assert.isFalse(yield* attempt(undefined))
        assert.isAtLeast(kills, 3)

        const stats = yield* server.simulator.stats
        const rejects = yield* fs.readFileString(`${dir}/rejects.jsonl`).pipe(Effect.orElseSucceed(() => ""))
        assert.strictEqual(rejects, "", "no rejects")
        assert.strictEqual(stats.conversations.distinctExternalIds, conversations)
        for (const resource of ["customers", "conversations", "messages", "notes"] as const) {
          assert.deepStrictEqual(stats[resource].externalIdsStoredMoreThanOnce, [], resource)
        }
        assert.strictEqual(stats.conversations.stored, conversations)
        assert.strictEqual(stats.messages.stored, conversations * 2)
        assert.strictEqual(stats.notes.stored, conversations)
        const storedCustomers = yield* server.simulator.objects("customers")
        assert.strictEqual(storedCustomers.length, customers, "each customer once, e-mail-only ones included")
        const byId = new Map((yield* server.simulator.objects("conversations")).map((c) => [c.id, c]))
        for (const message of yield* server.simulator.objects("messages")) {
          const parent = byId.get(String(message.attributes["conversation"]))
          assert.isDefined(parent, "a message on a conversation that exists")
          assert.strictEqual(message.attributes["customer"], parent?.attributes["customer"])
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    Duration.toMillis("180 seconds")
  )
})
