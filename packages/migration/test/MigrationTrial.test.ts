/**
 * A trial migration: `lines` takes a window of the bundle's conversations with the companies, customers, messages
 * and notes they need — and a later run with the same journal continues it, sending the rest and nothing twice.
 */
import { type Inspection, Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

const conversations = 30
// Customer i % 10 on line i: lines 0–9 name each customer once, and each later line names one of them again.
const line = (index: number) => ({
  externalId: `trial-${index}`,
  customer: {
    externalId: `trial-user-${index % 10}`,
    company: { externalId: `trial-org-${index % 10 < 5 ? 0 : 1}`, name: `Org ${index % 10 < 5 ? 0 : 1}` }
  },
  messages: [{ externalId: `trial-${index}-m`, direction: "in", channel: "email", app: "postmark", preview: "hi" }],
  notes: [{ externalId: `trial-${index}-n`, body: "seen" }]
})

const externalIds = (objects: ReadonlyArray<Inspection.StoredObject>) =>
  objects.map((object) => String(object.attributes["externalId"])).sort()

describe("Migration, a trial run", () => {
  it.scopedLive("--limit 4 --skip 2 sends lines 2–5 and what they need; the full run then sends the rest once", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      NodeFs.writeFileSync(
        `${dir}/bundle.jsonl`,
        Array.from({ length: conversations }, (_, index) => JSON.stringify(line(index))).join("\n") + "\n"
      )
      const options = { bundle: `${dir}/bundle.jsonl`, journal: `${dir}/migration.journal`, pipeline: fastPipeline }
      const trial = yield* Migration.run({ ...options, lines: { skip: 2, limit: 4 } })
      assert.deepStrictEqual(trial.phases.map((phase) => [phase.phase, phase.summary.created]), [
        ["companies", 2],
        ["customers", 4],
        ["conversations", 4],
        ["messages", 4],
        ["notes", 4]
      ])
      const simulator = yield* Simulator.Simulator
      assert.deepStrictEqual(externalIds(yield* simulator.objects("conversations")), [
        "trial-2",
        "trial-3",
        "trial-4",
        "trial-5"
      ])
      assert.deepStrictEqual(
        externalIds(yield* simulator.objects("customers")).filter((id) => id.startsWith("trial")),
        [
          "trial-user-2",
          "trial-user-3",
          "trial-user-4",
          "trial-user-5"
        ]
      )
      assert.deepStrictEqual(externalIds(yield* simulator.objects("messages")), [
        "trial-2-m",
        "trial-3-m",
        "trial-4-m",
        "trial-5-m"
      ])

      const full = yield* Migration.run(options)
      assert.deepStrictEqual(full.phases.map((phase) => [phase.phase, phase.summary.created, phase.settledBefore]), [
        ["companies", 0, 2],
        ["customers", 6, 4],
        ["conversations", conversations - 4, 4],
        ["messages", conversations - 4, 4],
        ["notes", conversations - 4, 4]
      ])
      const stats = yield* simulator.stats
      for (const resource of ["companies", "customers", "conversations", "messages", "notes"] as const) {
        assert.strictEqual(stats[resource].storedTwice, 0, `${resource} stored twice`)
      }
      assert.strictEqual(stats.conversations.stored, conversations)
      assert.strictEqual(stats.messages.stored, conversations)
      assert.strictEqual(stats.notes.stored, conversations)
      assert.strictEqual(stats.companies.stored, 2)
    }).pipe(Effect.provide(simulated({ customers: 0 }))))
})
