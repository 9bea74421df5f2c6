/**
 * `migrate --delta`, end to end against the simulator: a bundle migrated, then a newer export of it migrated as a
 * delta over the same journal — the summary's delta table and the report say what was created, updated, unchanged
 * and gone; the flag is refused without a journal.
 */
import { BulkResource } from "@effect-kustomer/domain"
import { SimulatorConfig, SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const key = "eyJhbGciOiJIUzI1NiJ9.migrate-delta-secret.c2lnbmF0dXJl"

/** A key with every role but the conversations' update. */
const noUpdateKey = "eyJ.no-update-key.sig"

const simulator = SimulatorServer.layer({
  apiKeys: [
    { key },
    {
      key: noUpdateKey,
      roles: SimulatorConfig.resourceRoles.filter((role) =>
        !(BulkResource.Conversations.update?.roles ?? []).includes(role)
      )
    }
  ],
  customers: 0,
  jobLatency: "10 millis"
})

const line = (index: number, status: string) =>
  JSON.stringify({
    externalId: `t-${index}`,
    name: `Ticket ${index}`,
    status,
    customer: { externalId: `c-${index}`, name: `Customer ${index}` },
    messages: [{ externalId: `m-${index}`, direction: "in", channel: "email", app: "postmark", preview: "Hello" }]
  })

describe("kustomer-bulk migrate --delta", () => {
  it.scopedLive("a newer export: one ticket new, one changed, one gone — printed and reported", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-migrate-delta-" })
      const env = { KUSTOMER_API_KEY: key, KUSTOMER_BASE_URL: server.baseUrl, ...quickFirstPoll }
      yield* fs.writeFileString(`${dir}/first.jsonl`, [0, 1, 2].map((index) => line(index, "open")).join("\n"))
      const first = yield* runCli(["migrate", `${dir}/first.jsonl`, "--journal", `${dir}/m.journal`], env)
      assert.strictEqual(first.code, 0, first.text)
      yield* fs.writeFileString(
        `${dir}/second.jsonl`,
        [line(3, "open"), line(2, "done"), line(1, "open")].join("\n")
      )
      const delta = yield* runCli([
        "migrate",
        `${dir}/second.jsonl`,
        "--journal",
        `${dir}/m.journal`,
        "--delta",
        "--report",
        `${dir}/report.json`,
        "--html",
        `${dir}/report.html`
      ], env)
      assert.strictEqual(delta.code, 0, delta.text)
      assert.include(delta.text, "Delta 1:")
      assert.match(delta.text, /conversations\s+1\s+1\s+1\s+1\b/)
      assert.include(delta.text, "gone from this export: reported, not deleted")
      const report = JSON.parse(yield* fs.readFileString(`${dir}/report.json`))
      assert.deepStrictEqual(
        report.delta.resources.find((row: { resource: string }) => row.resource === "conversations"),
        { resource: "conversations", created: 1, updated: 1, unchanged: 1, gone: 1 }
      )
      // The report reads back (the HTML page is written from it), the delta's updates phase among its phases, and
      // the page has the delta's table; so has the page `report` makes from the saved report.
      const page = yield* fs.readFileString(`${dir}/report.html`)
      assert.include(page, "updates")
      const deltaRow =
        `<tr data-delta="conversations"><td>conversations</td><td>1</td><td>1</td><td>1</td><td>1</td></tr>`
      assert.include(page, "Delta 1: what changed since the last run")
      assert.include(page, deltaRow)
      assert.match(
        page,
        /id="gone">\d+ objects? migrated before (is|are) gone from this export: reported, never deleted/
      )
      const rendered = yield* runCli(["report", `${dir}/report.json`, "--html", `${dir}/again.html`], {})
      assert.strictEqual(rendered.code, 0, rendered.text)
      assert.include(yield* fs.readFileString(`${dir}/again.html`), deltaRow)
      const [changed] = yield* server.simulator.findByExternalId("conversations", "t-2")
      assert.strictEqual(changed?.attributes["status"], "done")

      const refused = yield* runCli(["migrate", `${dir}/second.jsonl`, "--delta"], env)
      assert.strictEqual(refused.code, 1, refused.text)
      assert.include(refused.text, "--delta needs --journal")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("a key that cannot update conversations: the delta is refused before anything is sent", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-migrate-delta-" })
      yield* fs.writeFileString(`${dir}/first.jsonl`, line(10, "open"))
      const first = yield* runCli(["migrate", `${dir}/first.jsonl`, "--journal", `${dir}/m.journal`], {
        KUSTOMER_API_KEY: key,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      })
      assert.strictEqual(first.code, 0, first.text)
      yield* fs.writeFileString(`${dir}/second.jsonl`, [line(10, "done"), line(11, "open")].join("\n"))
      const before = (yield* server.simulator.stats).conversations.stored
      const refused = yield* runCli(
        ["migrate", `${dir}/second.jsonl`, "--journal", `${dir}/m.journal`, "--delta"],
        { KUSTOMER_API_KEY: noUpdateKey, KUSTOMER_BASE_URL: server.baseUrl, ...quickFirstPoll }
      )
      assert.strictEqual(refused.code, 1, refused.text)
      assert.include(refused.text, "org.permission.conversation.update")
      assert.strictEqual((yield* server.simulator.stats).conversations.stored, before)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
})
