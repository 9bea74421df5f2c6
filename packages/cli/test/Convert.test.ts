import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Convert from "../src/Convert.js"
import { runCli } from "./harness.js"

const sample = new URL("../../../examples/data/zendesk-export/", import.meta.url).pathname

const readLines = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.map((text) =>
      text.split("\n").filter((line) => line.length > 0).map((line): Record<string, unknown> => JSON.parse(line))
    )
  )

const request = (fields: Partial<Convert.ConvertRequest> & Pick<Convert.ConvertRequest, "out">) => ({
  tickets: `${sample}tickets.json`,
  users: `${sample}users.json`,
  organizations: undefined,
  ticketFields: undefined,
  fieldsMap: undefined,
  priorityMap: undefined,
  includeDeleted: false,
  problems: undefined,
  summary: undefined,
  ...fields
})

const counts = (carried: number, reasons: Record<string, number> = {}) => ({
  carried,
  notCarried: Object.values(reasons).reduce((sum, count) => sum + count, 0),
  reasons
})

const deleted = "deleted in Zendesk (--include-deleted converts them)"
const unnamed =
  "a customer belongs to it, but its name is unknown (not in --organizations): a Kustomer company needs one"

const listOf = (value: unknown): ReadonlyArray<Record<string, unknown>> => Array.isArray(value) ? value : []

const recordOf = (value: unknown): Readonly<Record<string, unknown>> => Predicate.isRecord(value) ? value : {}

describe("convert zendesk", () => {
  it.scoped("converts the sample as the README does, and counts everything it leaves out", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/bundle.jsonl`
      const summary = yield* Convert.convert(request({ out }))
      const { out: _out, ...fidelity } = Schema.encodeSync(Convert.ConvertSummary)(summary)
      assert.deepStrictEqual(fidelity, {
        problemsFile: null,
        complete: false,
        tickets: counts(12, { [deleted]: 1 }),
        deletedTickets: counts(0, { "skipped (--include-deleted converts them)": 1 }),
        comments: counts(36, { [`in a ticket not converted: ${deleted}`]: 2 }),
        attachments: counts(3, { [`in a ticket not converted: ${deleted}`]: 1 }),
        users: counts(8, { "no converted ticket names them": 1 }),
        organizations: counts(0, { [unnamed]: 3 }),
        fields: {
          priority: counts(11),
          type: counts(11),
          tags: counts(18),
          customFields: counts(0, {
            "field 360001: not in --fields-map": 2,
            "field 360002: not in --fields-map": 1,
            "field 360003: not in --fields-map": 2
          }),
          satisfaction: counts(0, {
            "score: no attribute for satisfaction in --fields-map": 2,
            "comment: no attribute for satisfaction.comment in --fields-map": 1
          }),
          assignee: counts(12)
        },
        bundle: { conversations: 12, customers: 4, messages: 32, notes: 4, attachments: 3 },
        problems: 0,
        notes: [
          "attachments: 3 listed in the bundle by their URL: the migration downloads and uploads them (set " +
          "ZENDESK_EMAIL and ZENDESK_API_TOKEN for Zendesk's content_url)"
        ]
      })
      const tickets = (yield* readLines(`${sample}tickets.json`)).filter((ticket) => ticket["status"] !== "deleted")
      const lines = yield* readLines(out)
      assert.deepStrictEqual(lines.map((line) => line["externalId"]), tickets.map((t) => `zd-${String(t["id"])}`))
      const comments = tickets.flatMap((ticket) => listOf(ticket["comments"]))
      assert.strictEqual(summary.bundle.messages + summary.bundle.notes, comments.length)
      assert.deepStrictEqual(lines.map((line) => line["priority"]), [4, 5, 1, undefined, 2, 2, 2, 2, 2, 2, 2, 2])
      assert.isFalse(yield* fs.exists(`${out}.problems.jsonl`))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("carries organizations, mapped fields, satisfaction and deleted tickets when told to", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const out = `${dir}/bundle.jsonl`
      const summary = yield* Convert.convert(request({
        out,
        organizations: `${sample}organizations.json`,
        fieldsMap: `${sample}fields-map.json`,
        includeDeleted: true,
        priorityMap: "normal=3",
        summary: `${dir}/summary.json`
      }))
      assert.isFalse(summary.complete)
      assert.deepStrictEqual(summary.tickets, counts(13))
      assert.deepStrictEqual(summary.deletedTickets, counts(1))
      assert.deepStrictEqual(summary.comments, counts(38))
      assert.deepStrictEqual(summary.attachments, counts(4))
      assert.deepStrictEqual(summary.users, counts(9))
      assert.deepStrictEqual(
        summary.organizations,
        counts(2, { "no customer of a converted ticket belongs to it": 1, [unnamed]: 1 })
      )
      assert.deepStrictEqual(
        summary.fields.customFields,
        counts(3, {
          "field 360002: not in --fields-map": 1,
          "field 360003 → refundAmountNum: the value does not fit the attribute's type": 1
        })
      )
      assert.deepStrictEqual(summary.fields.satisfaction, counts(3))
      assert.deepStrictEqual(summary.bundle, {
        conversations: 13,
        customers: 5,
        messages: 33,
        notes: 5,
        attachments: 4
      })
      assert.strictEqual(summary.problems, 1)

      const written = Schema.decodeUnknownSync(Schema.parseJson(Convert.ConvertSummary))(
        yield* fs.readFileString(`${dir}/summary.json`)
      )
      assert.deepStrictEqual(written, summary)
      const problems = yield* readLines(`${out}.problems.jsonl`)
      assert.deepStrictEqual(problems, [{
        file: `${sample}tickets.json`,
        line: 2,
        ticket: "1002",
        field: "360003",
        reason: "field 360003 → refundAmountNum: Num attribute: expected a finite number or null (value \"n/a\")",
        ticketDropped: false
      }])

      const lines = yield* readLines(out)
      const byId = new Map(lines.map((line) => [line["externalId"], line]))
      const first = byId.get("zd-1001") ?? {}
      assert.deepStrictEqual(first["custom"], {
        orderNumberStr: "A-4417",
        satisfactionScoreStr: "good",
        satisfactionCommentTxt: "Quick and kind, thank you"
      })
      assert.deepStrictEqual(recordOf(first["customer"])["company"], {
        externalId: "zd-org-501",
        name: "Analytical Engines Ltd"
      })
      assert.strictEqual(
        listOf(first["messages"])[1]?.["preview"],
        "Thanks for reaching out & sorry for the wait.\n\nTrack it here: parcel A-4417 " +
          "(https://track.example.com/parcels/A-4417?lang=en&ref=zd)\nSam"
      )
      assert.deepStrictEqual(byId.get("zd-1006")?.["custom"], { refundAmountNum: 12.5 })
      assert.strictEqual(byId.get("zd-1005")?.["priority"], 3)
      const spam = byId.get("zd-1013") ?? {}
      assert.strictEqual(spam["status"], "done")
      assert.deepStrictEqual(spam["tags"], ["spam", "zendesk-type-question", "zendesk-deleted"])
      // The CC (an end-user who is not the requester) writes in; the admin writes out.
      const cc = listOf(byId.get("zd-1003")?.["messages"]).find((message) =>
        message["externalId"] === "zd-comment-50036"
      )
      assert.deepStrictEqual([cc?.["direction"], cc?.["author"]], [
        "in",
        { externalId: "zd-user-9005", email: "charles@example.com", name: "Charles Babbage" }
      ])
      const admin = listOf(byId.get("zd-1002")?.["messages"]).find((message) =>
        message["externalId"] === "zd-comment-50035"
      )
      assert.strictEqual(admin?.["direction"], "out")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("prints the summary and exits 2 when something was not carried, 0 when everything was", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const incomplete = yield* runCli([
        "convert",
        "zendesk",
        `${sample}tickets.json`,
        "--users",
        `${sample}users.json`,
        "--out",
        `${dir}/bundle.jsonl`
      ])
      assert.strictEqual(incomplete.code, 2, incomplete.text)
      assert.match(incomplete.text, /converted 13 tickets into 12 conversations \(4 customers\) with 32 messages/)
      assert.match(incomplete.text, /tickets\s+12\s+1\n\s+1 deleted in Zendesk/)
      assert.match(incomplete.text, /custom fields\s+0\s+5\n\s+2 field 360001: not in --fields-map/)
      assert.include(incomplete.text, "attachments: 3 listed in the bundle by their URL")
      assert.include(incomplete.text, "not everything was carried into the bundle")

      yield* fs.writeFileString(
        `${dir}/clean.json`,
        JSON.stringify({
          tickets: [{
            id: 1,
            requester_id: 2,
            priority: "urgent",
            type: "task",
            custom_fields: [{ id: 7, value: "A-1" }],
            comments: [{ id: 3, author_id: 2, body: "hi" }, { id: 4, author_id: 8, public: false, body: "note" }]
          }],
          users: [{ id: 2, name: "Ada", role: "end-user" }, { id: 8, name: "Sam", role: "agent" }]
        })
      )
      yield* fs.writeFileString(`${dir}/map.csv`, "zendesk,kustomer\n7,orderStr\n")
      const complete = yield* runCli([
        "convert",
        "zendesk",
        `${dir}/clean.json`,
        "--users",
        `${dir}/clean.json`,
        "--fields-map",
        `${dir}/map.csv`,
        "--out",
        `${dir}/clean.jsonl`,
        "--summary",
        `${dir}/clean.summary.json`
      ])
      assert.strictEqual(complete.code, 0, complete.text)
      assert.include(complete.text, "everything in the export was carried into the bundle")
      const [line] = yield* readLines(`${dir}/clean.jsonl`)
      assert.deepStrictEqual([line?.["priority"], line?.["tags"], line?.["custom"]], [5, ["zendesk-type-task"], {
        orderStr: "A-1"
      }])
      const written = Schema.decodeUnknownSync(Schema.parseJson(Convert.ConvertSummary))(
        yield* fs.readFileString(`${dir}/clean.summary.json`)
      )
      assert.isTrue(written.complete)
      assert.deepStrictEqual(written.bundle, { conversations: 1, customers: 1, messages: 1, notes: 1, attachments: 0 })
    }).pipe(Effect.provide(NodeContext.layer), Effect.scoped))

  it.effect("refuses a priority map or a fields map it cannot read, before writing anything", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const base = ["convert", "zendesk", `${sample}tickets.json`, "--out", `${dir}/bundle.jsonl`]
      const badPriority = yield* runCli([...base, "--priority-map", "normal=9"])
      assert.strictEqual(badPriority.code, 1)
      assert.include(badPriority.text, "Kustomer's priority is an integer from 1 to 5")
      yield* fs.writeFileString(`${dir}/map.json`, JSON.stringify({ "Order number": "orderNumberStr" }))
      const byTitle = yield* runCli([...base, "--fields-map", `${dir}/map.json`])
      assert.strictEqual(byTitle.code, 1)
      assert.include(byTitle.text, "--ticket-fields")
      assert.isFalse(yield* fs.exists(`${dir}/bundle.jsonl`))
      yield* fs.writeFileString(
        `${dir}/ticket_fields.json`,
        JSON.stringify({ ticket_fields: [{ id: 360001, title: "Order number", type: "text" }] })
      )
      const resolved = yield* runCli([
        ...base,
        "--fields-map",
        `${dir}/map.json`,
        "--ticket-fields",
        `${dir}/ticket_fields.json`
      ])
      assert.strictEqual(resolved.code, 2, resolved.text)
      const [first] = yield* readLines(`${dir}/bundle.jsonl`)
      assert.deepStrictEqual(first?.["custom"], { orderNumberStr: "A-4417" })
    }).pipe(Effect.provide(NodeContext.layer), Effect.scoped))

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
      const summary = yield* Convert.convert(request({
        tickets: `${dir}/page.json`,
        users: `${dir}/page.json`,
        out: `${dir}/bundle.jsonl`
      }))
      assert.strictEqual(summary.bundle.conversations, 1)
      assert.deepStrictEqual(summary.tickets, counts(1, { "not a Zendesk ticket (see the problems file)": 1 }))
      const [line] = yield* readLines(`${dir}/bundle.jsonl`)
      assert.deepStrictEqual(line?.["customer"], { externalId: "zd-user-2", name: "Ada" })
      const problems = yield* readLines(`${dir}/bundle.jsonl.problems.jsonl`)
      assert.strictEqual(problems.length, 1)
      assert.strictEqual(problems[0]?.["line"], 2)
      assert.match(String(problems[0]?.["reason"]), /not a Zendesk ticket/)
    }).pipe(Effect.provide(NodeContext.layer)))
})
