/**
 * Fix and re-run: the rejects file is itself a bundle — each object not created for a reason of its own with the
 * bundle line that sends it again, its dependants counted on its line — so that, fixed, it migrates with a journal of
 * its own and creates nothing twice; a line left as it was is rejected again, for the same reason.
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import { fastPipeline, readJsonLines, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

const message = (id: string, channel = "email") => ({
  externalId: id,
  direction: "in",
  channel,
  app: "postmark",
  preview: `Message ${id}`
})

const lines = [
  {
    externalId: "t-ok",
    status: "open",
    customer: { externalId: "c-1", name: "Ada" },
    messages: [message("m-ok-0"), message("m-ok-1")],
    notes: [{ externalId: "n-ok", body: "fine" }]
  },
  // A status Kustomer does not know: the conversation is rejected, and its 3 messages and note with it (its
  // customer and the customer's company are created).
  {
    externalId: "t-status",
    status: "snoozed",
    customer: { externalId: "c-2", name: "Grace", company: { externalId: "org-1", name: "Acme" } },
    messages: [
      {
        ...message("m-status-0"),
        attachments: [{ name: "receipt.txt", contentType: "text/plain", path: "receipt.txt" }]
      },
      message("m-status-1"),
      message("m-status-2")
    ],
    notes: [{ externalId: "n-status", body: "waiting" }]
  },
  // One message with a channel Kustomer does not know, in a conversation that is fine.
  {
    externalId: "t-channel",
    status: "open",
    customer: { externalId: "c-1" },
    messages: [message("m-channel-0"), message("m-channel-1", "pigeon")],
    notes: [{ externalId: "n-channel", body: "noted" }]
  },
  // A customer without a key.
  { externalId: "t-nokey", status: "open", customer: { name: "Nobody" }, messages: [message("m-nokey-0")] },
  // A customer Kustomer refuses (its e-mail), with two conversations.
  {
    externalId: "t-email-1",
    status: "open",
    customer: { externalId: "c-bad", name: "Bad Mail", emails: [{ email: "not an e-mail" }] },
    messages: [message("m-email-1-0"), message("m-email-1-1")]
  },
  {
    externalId: "t-email-2",
    status: "done",
    customer: { externalId: "c-bad" },
    notes: [{ externalId: "n-email-2", body: "closed" }]
  }
]

const writeLines = (path: string, values: ReadonlyArray<unknown>) =>
  NodeFs.writeFileSync(path, values.map((value) => JSON.stringify(value)).join("\n") + "\n")

const countsOf = (result: Migration.Result) =>
  Object.fromEntries(result.phases.map((phase) => [phase.phase, [
    phase.summary.created,
    phase.summary.alreadyExisting,
    phase.summary.rejected
  ]]))

type Line = Record<string, unknown>

const resources = ["customers", "conversations", "messages", "notes"] as const

/** The rejects file fixed as a person would: the status, the channel and the e-mail; the keyless customer not. */
const fixed = (reject: Line): Line => {
  const bundle = reject["bundle"] as Line | undefined
  if (bundle === undefined) return reject
  const fixes: Record<string, (line: Line) => Line> = {
    "t-status": (line) => ({ ...line, status: "open" }),
    "t-channel": (line) => ({
      ...line,
      messages: (line["messages"] as ReadonlyArray<Line>).map((child) => ({ ...child, channel: "email" }))
    }),
    "t-email-1": (line) => ({
      ...line,
      customer: { ...(line["customer"] as Line), emails: [{ email: "bad.mail@example.com" }] }
    })
  }
  const fix = fixes[String(bundle["externalId"])]
  return fix === undefined ? reject : { ...reject, bundle: fix(bundle) }
}

describe("Migration, fix and re-run", () => {
  it.scopedLive("the rejects file, fixed, migrates with a journal of its own: the fixed objects created, none twice", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeLines(`${dir}/bundle.jsonl`, lines)
      NodeFs.writeFileSync(`${dir}/receipt.txt`, "paid")
      // The rejects file in a folder of its own: the attachment's path is made absolute in it.
      NodeFs.mkdirSync(`${dir}/out`)
      const first = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/first.journal`,
        rejects: `${dir}/out/rejects.jsonl`,
        pipeline: fastPipeline
      })
      assert.deepStrictEqual(countsOf(first), {
        companies: [1, 0, 0],
        customers: [2, 0, 1],
        conversations: [2, 0, 4],
        messages: [3, 0, 6],
        notes: [2, 0, 2]
      })

      // One line per root cause, in the bundle's order; the dependants counted on it, not listed.
      const rejects = readJsonLines(`${dir}/out/rejects.jsonl`)
      assert.deepStrictEqual(
        rejects.map((reject) => [
          reject["resource"],
          (reject["position"] as { line: number }).line,
          reject["dependants"],
          (reject["cause"] as { resource: string } | undefined)?.resource
        ]),
        [
          ["conversations", 2, { messages: 3, notes: 1 }, undefined],
          ["messages", 3, undefined, undefined],
          ["conversations", 4, { messages: 1 }, undefined],
          ["customers", 5, { conversations: 2, messages: 2, notes: 1 }, undefined],
          ["conversations", 6, { notes: 1 }, "customers"]
        ]
      )
      assert.deepStrictEqual(first.rejectsFile, { rootCauses: 4, dependants: 3 + 1 + 1 + 5 })
      assert.match(String(rejects[0]?.["reason"]), /^status: /)
      assert.match(String(rejects[1]?.["reason"]), /^channel: /)
      assert.match(String(rejects[2]?.["reason"]), /needs an externalId or an e-mail/)
      assert.match(String(rejects[3]?.["reason"]), /email/)
      assert.match(String(rejects[4]?.["reason"]), /^its customer \(externalId:c-bad\) was not created: /)
      // Each in its bundle form: a conversation's whole line, a message with its conversation's line holding only it.
      // A company that was created is named by its id (it is not created again), a file by its absolute path.
      const simulator = yield* Simulator.Simulator
      const [acme] = yield* simulator.objects("companies")
      const status = lines[1] as Line & { customer: Line; messages: ReadonlyArray<Line> }
      assert.deepStrictEqual(rejects[0]?.["bundle"], {
        ...status,
        customer: { ...status.customer, company: acme?.id },
        messages: status.messages.map((child, index) =>
          index === 0
            ? {
              ...child,
              attachments: [{ name: "receipt.txt", contentType: "text/plain", path: `${dir}/receipt.txt` }]
            }
            : child
        )
      })
      const { notes: _notes, ...channelLine } = lines[2] ?? {}
      assert.deepStrictEqual(rejects[1]?.["bundle"], { ...channelLine, messages: [message("m-channel-1", "pigeon")] })
      assert.deepStrictEqual(rejects[3]?.["bundle"], lines[4])
      assert.deepStrictEqual(rejects[4]?.["bundle"], lines[5])
      assert.deepStrictEqual(rejects[4]?.["cause"], { resource: "customers", position: rejects[3]?.["position"] })
      for (const reject of rejects) assert.isUndefined(reject["record"], "the bundle line says it all")

      // Migrated as it is (here without a journal): every line rejected again for the same reason, with the same
      // bundle line; nothing created.
      const before = yield* simulator.stats
      const unfixed = yield* Migration.run({
        bundle: `${dir}/out/rejects.jsonl`,
        rejects: `${dir}/rejects-unfixed.jsonl`,
        pipeline: fastPipeline
      })
      assert.deepStrictEqual(unfixed.phases.map((phase) => phase.summary.created), [0, 0, 0, 0])
      const sameAgain = (reject: Line) => [reject["resource"], reject["reason"], reject["dependants"], reject["bundle"]]
      assert.deepStrictEqual(readJsonLines(`${dir}/rejects-unfixed.jsonl`).map(sameAgain), rejects.map(sameAgain))
      const stored = (stats: typeof before) => resources.map((resource) => stats[resource].stored)
      assert.deepStrictEqual(stored(yield* simulator.stats), stored(before))

      // Fixed, and migrated as a bundle with a journal of its own.
      writeLines(`${dir}/out/rejects-fixed.jsonl`, rejects.map(fixed))
      const again = yield* Migration.run({
        bundle: `${dir}/out/rejects-fixed.jsonl`,
        journal: `${dir}/again.journal`,
        rejects: `${dir}/rejects-again.jsonl`,
        pipeline: fastPipeline
      })
      assert.deepStrictEqual(countsOf(again), {
        customers: [1, 2, 0],
        conversations: [3, 1, 1],
        messages: [6, 0, 0],
        notes: [2, 0, 0]
      })
      const after = yield* simulator.stats
      for (const resource of ["companies", ...resources] as const) {
        assert.strictEqual(after[resource].storedTwice, 0, `${resource} stored twice`)
      }
      assert.strictEqual(after.companies.stored, 1)
      assert.deepInclude(again.attachments, { carried: 1, bytes: 4, notCarried: 0 })
      assert.strictEqual(after.customers.stored - before.customers.stored, 1)
      assert.strictEqual(after.conversations.stored - before.conversations.stored, 3)
      assert.strictEqual(after.messages.stored, 9, "every message but the keyless customer's")
      assert.strictEqual(after.notes.stored, 4)
      const [channel] = yield* simulator.findByExternalId("messages", "m-channel-1")
      const [conversation] = yield* simulator.findByExternalId("conversations", "t-channel")
      assert.strictEqual(channel?.attributes["conversation"], conversation?.id)

      // The line left as it was: rejected again, for the same reason.
      const left = readJsonLines(`${dir}/rejects-again.jsonl`)
      assert.deepStrictEqual(left.map((reject) => [reject["resource"], reject["reason"], reject["bundle"]]), [
        ["conversations", rejects[2]?.["reason"], lines[3]]
      ])
    }).pipe(Effect.provide(simulated())))
})
