/** A migration against a simulator that answers in the odd-but-plausible ways and enforces the per-customer limit. */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

/** `conversations` tickets of one customer, two messages and a note each. */
const oneBusyCustomer = (conversations: number) =>
  Array.from({ length: conversations }, (_, index) => ({
    externalId: `busy-${index}`,
    name: `Ticket ${index}`,
    customer: { externalId: "busy-customer", emails: [{ type: "work", email: "busy@example.com" }] },
    messages: [
      { externalId: `busy-m-${index}-0`, direction: "in", channel: "email", app: "postmark", preview: "Hello" },
      { externalId: `busy-m-${index}-1`, direction: "out", channel: "email", app: "postmark", preview: "Hi" }
    ],
    notes: [{ externalId: `busy-n-${index}`, body: `Note ${index}` }]
  }))

describe("Migration against odd answers", () => {
  it.scopedLive("150 tickets of one customer: importedAt waives the 120 per minute, every object linked once", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      NodeFs.writeFileSync(
        `${dir}/bundle.jsonl`,
        oneBusyCustomer(150).map((line) => JSON.stringify(line)).join("\n") + "\n"
      )
      const result = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        pipeline: fastPipeline
      })
      const created = Object.fromEntries(result.phases.map((phase) => [phase.phase, phase.summary.created]))
      assert.deepStrictEqual(created, { customers: 1, conversations: 150, messages: 300, notes: 150 })
      const simulator = yield* Simulator.Simulator
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, 150)
      assert.strictEqual(stats.messages.stored, 300)
      assert.strictEqual(stats.notes.stored, 150)
      assert.strictEqual(stats.conversations.itemsFailed + stats.messages.itemsFailed, 0)
      const [customer] = yield* simulator.findByExternalId("customers", "busy-customer")
      for (const index of [0, 75, 149]) {
        const [conversation] = yield* simulator.findByExternalId("conversations", `busy-${index}`)
        const [message] = yield* simulator.findByExternalId("messages", `busy-m-${index}-1`)
        assert.strictEqual(conversation?.attributes["customer"], customer?.id)
        assert.strictEqual(message?.attributes["conversation"], conversation?.id)
      }
    }).pipe(Effect.provide(simulated({
      perCustomerCreateLimit: true,
      batchSize: 10,
      answers: {
        batchesPerPage: 3,
        nullLists: true,
        itemErrors: "object",
        completedAt: "epochMillis",
        errorBody: "plain"
      }
    }))))
})
