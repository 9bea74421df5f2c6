import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Convert from "../src/Convert.js"

const sample = new URL("../../../examples/data/zendesk-export/", import.meta.url).pathname

const readLines = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.map((text) =>
      text.split("\n").filter((line) => line.length > 0).map((line): Record<string, unknown> => JSON.parse(line))
    )
  )

describe("convert zendesk", () => {
  it.scoped("converts the sample export: every ticket, requester and comment", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/bundle.jsonl`
      const summary = yield* Convert.convert({
        tickets: `${sample}tickets.json`,
        users: `${sample}users.json`,
        out,
        problems: undefined
      })
      const tickets = yield* readLines(`${sample}tickets.json`)
      const comments = tickets.flatMap((t) => Array.isArray(t["comments"]) ? t["comments"] : [])
      const lines = yield* readLines(out)
      assert.strictEqual(summary.problems, 0)
      assert.isUndefined(summary.problemsFile)
      assert.strictEqual(lines.length, tickets.length)
      assert.strictEqual(summary.messages + summary.notes, comments.length)
      assert.deepStrictEqual(lines.map((line) => line["externalId"]), tickets.map((t) => `zd-${String(t["id"])}`))
      const requesters = new Set(tickets.map((t) => String(t["requester_id"])))
      const customers = new Set(lines.map((line) => JSON.stringify(line["customer"])))
      assert.strictEqual(customers.size, requesters.size)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("reads an API page with side-loaded users and lists undecodable tickets by line", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const page = {
        tickets: [{ id: 1, requester_id: 2, comments: [{ id: 3, public: true, body: "hi", author_id: 2 }] }, {
          subject: "no id"
        }],
        users: [{ id: 2, name: "Ada" }]
      }
      yield* fs.writeFileString(`${dir}/page.json`, JSON.stringify(page, null, 2))
      const summary = yield* Convert.convert({
        tickets: `${dir}/page.json`,
        users: `${dir}/page.json`,
        out: `${dir}/bundle.jsonl`,
        problems: undefined
      })
      assert.strictEqual(summary.conversations, 1)
      const [line] = yield* readLines(`${dir}/bundle.jsonl`)
      assert.deepStrictEqual(line?.["customer"], { externalId: "zd-user-2", name: "Ada" })
      const problems = yield* readLines(`${dir}/bundle.jsonl.problems.jsonl`)
      assert.strictEqual(problems.length, 1)
      assert.strictEqual(problems[0]?.["line"], 2)
      assert.match(String(problems[0]?.["reason"]), /not a Zendesk ticket/)
    }).pipe(Effect.provide(NodeContext.layer)))
})
