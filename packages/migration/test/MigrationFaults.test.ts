/**
 * A whole migration under injected faults — server errors and dropped connections, half of them after the API
 * accepted the request, and slow answers — against the truthful simulator (messages and notes stored again when
 * repeated): every object is stored exactly once and counted created. On the test clock, so the in-doubt waits
 * (30 s each) cost no real time.
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import { simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"
import { onTestClock } from "./fixtures/testClock.js"

const conversations = 150
const customers = 30
const companies = 5

const bundleText = () =>
  Array.from({ length: conversations }, (_, index) =>
    JSON.stringify({
      externalId: `fault-${index}`,
      name: `Ticket ${index}`,
      customer: {
        externalId: `fault-user-${index % customers}`,
        name: `Person ${index % customers}`,
        company: { externalId: `fault-org-${index % companies}`, name: `Company ${index % companies}` }
      },
      messages: [0, 1, 2].map((turn) => ({
        externalId: `fault-${index}-m${turn}`,
        direction: turn === 1 ? "out" : "in",
        channel: "email",
        app: "postmark",
        preview: `message ${turn}`,
        // Every fifth conversation's first message carries a file.
        ...(turn === 0 && index % 5 === 0
          ? { attachments: [{ name: `file-${index}.txt`, path: `file-${index}.txt` }] }
          : {})
      })),
      notes: [{ externalId: `fault-${index}-n`, body: `note on ${index}` }]
    })).join("\n") + "\n"

describe("Migration under faults (test clock)", () => {
  for (const seed of [3, 23]) {
    it.scoped(`seed ${seed}: 5 % server errors, 6 % dropped connections, slow answers — each object stored once`, () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        NodeFs.writeFileSync(`${dir}/bundle.jsonl`, bundleText())
        for (let index = 0; index < conversations; index += 5) {
          NodeFs.writeFileSync(`${dir}/file-${index}.txt`, `the file of ticket ${index}\n`.repeat(index + 1))
        }
        const result = yield* onTestClock(Migration.run({
          bundle: `${dir}/bundle.jsonl`,
          journal: `${dir}/migration.journal`,
          pipeline: { maxItems: 20, linger: "100 millis" }
        }))
        const simulator = yield* Simulator.Simulator
        const stats = yield* simulator.stats
        assert.isAbove(stats.faults.connection_reset_after_acceptance + stats.faults.server_error_after_acceptance, 0)
        for (const resource of ["companies", "customers", "conversations", "messages", "notes"] as const) {
          assert.strictEqual(stats[resource].storedTwice, 0, `${resource} stored twice`)
        }
        assert.strictEqual(stats.conversations.stored, conversations)
        assert.strictEqual(stats.messages.stored, 3 * conversations)
        assert.strictEqual(stats.notes.stored, conversations)
        // Companies are read back by externalId (GET /v1/companies?externalId=) before they are sent and when an
        // answer is lost: each stored once, every customer linked.
        const [companiesPhase, ...others] = result.phases
        assert.deepStrictEqual(
          [companiesPhase?.phase, companiesPhase?.summary.created, companiesPhase?.summary.unknown],
          ["companies", companies, 0]
        )
        assert.strictEqual(stats.companies.stored, companies)
        assert.strictEqual(result.leftOut.companies, 0)
        // Each file uploaded into one document, referenced by exactly its message; a document created twice (its
        // answer lost) got no bytes and no reference.
        assert.deepStrictEqual(result.attachments, {
          carried: conversations / 5,
          bytes: result.attachments.bytes,
          notCarried: 0,
          held: 0,
          skipped: 0
        })
        const uploaded = (yield* simulator.attachments).filter((document) => document.uploaded)
        assert.strictEqual(uploaded.length, conversations / 5)
        for (const document of uploaded) {
          assert.strictEqual(document.size, NodeFs.statSync(`${dir}/${document.name}`).size, document.name)
          assert.strictEqual(document.referencedBy.length, 1, `${document.name} referenced once`)
        }
        for (const document of yield* simulator.attachments) {
          if (!document.uploaded) assert.strictEqual(document.referencedBy.length, 0, "no reference without bytes")
        }
        assert.deepStrictEqual(
          others.map((phase) => [phase.phase, phase.summary.created, phase.summary.alreadyExisting]),
          [
            ["customers", customers, 0],
            ["conversations", conversations, 0],
            ["messages", 3 * conversations, 0],
            ["notes", conversations, 0]
          ]
        )
      }).pipe(Effect.provide(simulated({
        customers: 0,
        jobLatency: "2 seconds",
        faults: {
          seed,
          serverErrorRate: 0.05,
          // Enough faults after acceptance that every run loses some answers, whatever order the overlapped
          // phases send their requests in.
          connectionResetRate: 0.06,
          afterAcceptanceShare: 0.75,
          slowRate: 0.05,
          slowDelay: "3 seconds"
        }
      }))))
  }
})
