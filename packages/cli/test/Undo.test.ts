/**
 * `kustomer-bulk verify` and `kustomer-bulk rollback` end to end against the simulator: a migration verified
 * (all, and a seeded sample; its HTML page, a path that cannot be written refused), a rollback refused without a terminal and without --yes, its dry run, the rollback,
 * and a verification after it that finds every conversation marked deleted (exit 2).
 */
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Terminal from "@effect/platform/Terminal"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import { Output } from "../src/Output.js"
import * as UndoRunner from "../src/UndoRunner.js"
import { capturingOutput, nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.undo-end-to-end-secret.c2lnbmF0dXJl"

/** A key that may read everything, and change nothing. */
const readOnlyKey = "eyJ.read-only-key.sig"

const simulator = SimulatorServer.layer({
  apiKeys: [
    { key: secretKey },
    {
      key: readOnlyKey,
      roles: [
        ...["company", "customer", "conversation", "message", "note"].map((name) => `org.permission.${name}.read`),
        "org.permission.bulk.read"
      ]
    }
  ],
  customers: 0,
  jobLatency: "10 millis"
})

const lines = Array.from({ length: 4 }, (_, index) => ({
  externalId: `ticket-${index}`,
  name: `Ticket ${index}`,
  status: "open",
  createdAt: "2024-03-01T10:00:00Z",
  customer: { externalId: `user-${index % 2}`, name: `Person ${index % 2}` },
  messages: [{ externalId: `m-${index}`, channel: "email", app: "postmark", preview: `Hello ${index}` }],
  notes: [{ externalId: `n-${index}`, body: `Note ${index}` }]
}))

describe("kustomer-bulk verify and rollback, end to end against the simulator", () => {
  it.scopedLive("verify finds nothing after a migration; rollback undoes it; verify then finds it gone", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-undo-test-" })
      yield* fs.writeFileString(`${dir}/bundle.jsonl`, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const journal = `${dir}/m.journal`
      const migrated = yield* runCli(["migrate", `${dir}/bundle.jsonl`, "--journal", journal], env)
      assert.strictEqual(migrated.code, 0, migrated.text)

      // An --html path that cannot be written is refused before the first request: nothing read, nothing written.
      const unwritable = yield* runCli([
        "verify",
        "--journal",
        journal,
        "--report",
        `${dir}/early.json`,
        "--html",
        `${dir}/none/verify.html`
      ], env)
      assert.strictEqual(unwritable.code, 1, unwritable.text)
      assert.include(unwritable.text, `--html ${dir}/none/verify.html: the directory ${dir}/none does not exist`)
      assert.isFalse(yield* fs.exists(`${dir}/early.json`))

      const verified = yield* runCli([
        "verify",
        "--journal",
        journal,
        "--report",
        `${dir}/verify.json`,
        "--html",
        `${dir}/verify.html`
      ], env)
      assert.strictEqual(verified.code, 0, verified.text)
      assert.include(verified.text, "14 of 14 objects checked, 0 differences")
      const cleanPage = yield* fs.readFileString(`${dir}/verify.html`)
      assert.include(cleanPage, `<span class="status-finished" id="status">no differences</span>`)
      assert.include(cleanPage, `data-total="checked">14<`)
      const verifyReport = JSON.parse(yield* fs.readFileString(`${dir}/verify.json`))
      assert.deepStrictEqual(verifyReport.differences, [])
      const sampled = yield* runCli(["verify", "--journal", journal, "--sample", "3", "--seed", "5"], env)
      assert.strictEqual(sampled.code, 0, sampled.text)
      assert.include(sampled.text, "3 of 14 objects checked (a sample, seed 5)")

      // A key that can only read verifies, and is refused a rollback before anything is sent.
      const readOnly = { ...env, KUSTOMER_API_KEY: readOnlyKey }
      assert.strictEqual((yield* runCli(["verify", "--journal", journal], readOnly)).code, 0)
      const forbidden = yield* runCli(["rollback", "--journal", journal, "--yes"], readOnly)
      assert.strictEqual(forbidden.code, 1)
      assert.include(forbidden.text, "org.permission.conversation.update")
      assert.include(forbidden.text, "org.permission.customer.delete")
      assert.isFalse(yield* fs.exists(`${journal}.rollback`))

      // No terminal to ask on (the test's standard input is none): refused without --yes, nothing sent.
      const refused = yield* runCli(["rollback", "--journal", journal], env)
      assert.strictEqual(refused.code, 1)
      assert.include(refused.text, "--yes")
      const dry = yield* runCli(["rollback", "--journal", journal, "--dry-run", "--html", `${dir}/plan.html`], {})
      assert.strictEqual(dry.code, 0, dry.text)
      const planPage = yield* fs.readFileString(`${dir}/plan.html`)
      assert.include(planPage, "dry run: nothing sent")
      assert.match(planPage, /<tr data-resource="conversations"><td>conversations<\/td><td>4<\/td>/)
      assert.include(dry.text, "conversations: 4 toUndo")
      assert.include(dry.text, "customers: 2 toUndo")

      const rolledBack = yield* runCli(["rollback", "--journal", journal, "--yes", "--report", `${dir}/rb.json`], env)
      assert.strictEqual(rolledBack.code, 0, rolledBack.text)
      assert.include(rolledBack.text, "conversations: 4 undone")
      assert.include(rolledBack.text, "customers: 2 undone")
      assert.notInclude(rolledBack.text, secretKey)
      const report = JSON.parse(yield* fs.readFileString(`${dir}/rb.json`))
      assert.isTrue(report.complete)
      assert.deepStrictEqual(report.withConversations, { messages: 4, notes: 4 })

      const after = yield* runCli(["verify", "--journal", journal, "--json", "--html", `${dir}/after.html`], env)
      assert.strictEqual(after.code, 2, after.text)
      // The page lists every difference: 4 conversations marked deleted, 2 customers gone.
      const afterPage = yield* fs.readFileString(`${dir}/after.html`)
      assert.include(afterPage, `data-total="missing">6<`)
      assert.strictEqual(afterPage.split(`<tr data-difference="deleted">`).length - 1, 4)
      assert.strictEqual(afterPage.split(`<tr data-difference="exists">`).length - 1, 2)
      assert.include(afterPage, `<td class="text">ticket-0</td>`)
      const differences: ReadonlyArray<{ resource: string; field: string }> = JSON.parse(after.stdout.join("\n"))
        .differences
      assert.deepStrictEqual(
        [...new Set(differences.map((difference) => `${difference.resource}:${difference.field}`))].sort(),
        ["conversations:deleted", "customers:exists"]
      )

      const noJournal = yield* runCli(["verify", "--journal", `${dir}/none.journal`], env)
      assert.strictEqual(noJournal.code, 1)
      assert.include(noJournal.text, "there is no migration journal at this path")
      yield* fs.writeFileString(`${dir}/bundle.jsonl`, "\n", { flag: "a" })
      const changed = yield* runCli(["rollback", "--journal", journal, "--dry-run"], env)
      assert.strictEqual(changed.code, 1)
      assert.include(changed.text, "is not the bundle the migration")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("on a terminal, rollback asks first: 'n' changes nothing, 'y' undoes the migration", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-undo-test-" })
      yield* fs.writeFileString(`${dir}/bundle.jsonl`, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const journal = `${dir}/m.journal`
      assert.strictEqual((yield* runCli(["migrate", `${dir}/bundle.jsonl`, "--journal", journal], env)).code, 0)

      /** A terminal on which the person types `answer`. */
      const typing = (answer: string): Terminal.Terminal => ({
        columns: Effect.succeed(100),
        rows: Effect.succeed(40),
        isTTY: Effect.succeed(true),
        readInput: Effect.gen(function*() {
          const input = yield* Mailbox.make<Terminal.UserInput>()
          yield* input.offer({
            input: Option.some(answer),
            key: { name: answer, ctrl: false, meta: false, shift: false }
          })
          return input
        }),
        readLine: Effect.succeed(answer),
        display: () => Effect.void
      })
      const rollback = (answer: string) =>
        Effect.gen(function*() {
          const { captured, output } = yield* capturingOutput()
          const code = yield* UndoRunner.rollback({
            journal,
            bundle: undefined,
            report: undefined,
            html: undefined,
            json: false,
            concurrency: undefined,
            connection: { baseUrl: server.baseUrl, org: undefined, region: undefined, rateLimit: undefined },
            dryRun: false,
            yes: false,
            interactive: true,
            maxItems: undefined
          }).pipe(
            Effect.provideService(Output, output),
            Effect.provideService(Terminal.Terminal, typing(answer)),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
          )
          return { code, text: [...(yield* captured).stdout, ...(yield* captured).stderr].join("\n") }
        })
      const declined = yield* rollback("n")
      assert.strictEqual(declined.code, 1)
      assert.include(declined.text, "conversations: 4 toUndo")
      assert.include(declined.text, "not confirmed; nothing was changed")
      assert.isFalse(yield* fs.exists(`${journal}.rollback`))
      const accepted = yield* rollback("y")
      assert.strictEqual(accepted.code, 0, accepted.text)
      assert.include(accepted.text, "conversations: 4 undone")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
})
