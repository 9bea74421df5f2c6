import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import { Bundle, ZendeskFiles } from "../src/index.js"

const sample = new URL("../../../examples/data/zendesk-export/", import.meta.url).pathname

/** The events of a conversion, sorted by kind. */
const run = (files: ZendeskFiles.ExportFiles) =>
  Effect.map(Stream.runCollect(ZendeskFiles.convert(files)), (collected) => {
    const events = Chunk.toReadonlyArray(collected)
    return {
      events,
      lines: events.flatMap((event) => event._tag === "BundleLine" ? [event] : []),
      problems: events.flatMap((event) => event._tag === "Problem" ? [event] : []),
      finished: events.flatMap((event) => event._tag === "Finished" ? [event.summary] : [])
    }
  })

const counts = (carried: number, reasons: Record<string, number> = {}) => ({
  carried,
  notCarried: Object.values(reasons).reduce((sum, count) => sum + count, 0),
  reasons
})

describe("ZendeskFiles", () => {
  it.scoped("with an attachments folder: downloaded files by their path (relative to the bundle), the rest by URL", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "zendesk-attachments-" })
      yield* fs.makeDirectory(`${dir}/files/80003`, { recursive: true })
      yield* fs.writeFileString(`${dir}/files/80001-parcel-label.jpg`, "jpg")
      yield* fs.writeFileString(`${dir}/files/80003/receipt.pdf`, "pdf")
      const options = yield* ZendeskFiles.readOptions({
        attachmentsDir: `${dir}/files`,
        bundle: `${dir}/out/bundle.jsonl`
      })
      const { lines } = yield* run({ tickets: `${sample}tickets.json`, users: `${sample}users.json`, options })
      const attachments = lines.flatMap((event) =>
        [...(event.line.messages ?? []), ...(event.line.notes ?? [])].flatMap((child) => child.attachments ?? [])
      )
      const field = (attachment: unknown, key: string): unknown =>
        Predicate.isRecord(attachment) ? attachment[key] : undefined
      const byId = new Map(attachments.map((attachment) => [field(attachment, "externalId"), attachment]))
      assert.deepStrictEqual(
        [field(byId.get("zd-att-80001"), "path"), field(byId.get("zd-att-80003"), "path")],
        ["../files/80001-parcel-label.jpg", "../files/80003/receipt.pdf"]
      )
      assert.match(String(field(byId.get("zd-att-80002"), "url")), /^https:\/\//)
      assert.isUndefined(field(byId.get("zd-att-80002"), "path"))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("converts the sample export's files into bundle lines, its problems and the fidelity summary", () =>
    Effect.gen(function*() {
      const options = yield* ZendeskFiles.readOptions({ fieldsMap: `${sample}fields-map.json` })
      const { events, finished, lines, problems } = yield* run({
        tickets: `${sample}tickets.json`,
        users: `${sample}users.json`,
        organizations: `${sample}organizations.json`,
        options
      })
      // One line per ticket but the deleted one, in the file's order; the summary comes last, once.
      assert.deepStrictEqual(
        lines.map((line) => line.ticket),
        ["1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010", "1011", "1012"]
      )
      assert.strictEqual(events.at(-1)?._tag, "Finished")
      assert.strictEqual(finished.length, 1)

      const first = lines[0]?.line
      assert.strictEqual(first?.externalId, "zd-1001")
      assert.deepStrictEqual(first?.customer, {
        externalId: "zd-user-9001",
        name: "Ada Lovelace",
        emails: [{ type: "other", email: "ada@example.com" }],
        phones: [{ type: "other", phone: "+44 20 7946 0001" }],
        createdAt: "2023-11-02T09:15:00Z",
        company: { externalId: "zd-org-501", name: "Analytical Engines Ltd" }
      })
      assert.deepStrictEqual(first?.messages?.map((message) => message["externalId"]), [
        "zd-comment-50001",
        "zd-comment-50002",
        "zd-comment-50004"
      ])
      assert.deepStrictEqual(first?.notes?.map((note) => note["externalId"]), ["zd-comment-50003"])
      assert.deepStrictEqual(first?.custom, {
        orderNumberStr: "A-4417",
        satisfactionScoreStr: "good",
        satisfactionCommentTxt: "Quick and kind, thank you"
      })
      // Each line is what the bundle's Schema writes and reads back.
      for (const { line } of lines) {
        assert.deepStrictEqual(Bundle.decodePart(Bundle.Line)(JSON.parse(Bundle.encodeLine(line))), Either.right(line))
      }

      assert.deepStrictEqual(problems.map(ZendeskFiles.encodeProblem).map((text) => JSON.parse(text)), [{
        file: `${sample}tickets.json`,
        line: 2,
        ticket: "1002",
        field: "360003",
        reason: "field 360003 → refundAmountNum: Num attribute: expected a finite number or null (value \"n/a\")",
        ticketDropped: false
      }])
      const summary = finished[0]
      assert.isFalse(summary?.complete)
      assert.deepStrictEqual(
        summary?.tickets,
        counts(12, { "deleted in Zendesk (--include-deleted converts them)": 1 })
      )
      assert.deepStrictEqual(summary?.bundle, {
        conversations: 12,
        customers: 4,
        messages: 32,
        notes: 4,
        attachments: 3
      })
      assert.deepStrictEqual(
        summary?.organizations,
        counts(2, {
          "no customer of a converted ticket belongs to it": 1,
          "a customer belongs to it, but its name is unknown (not in --organizations): a Kustomer company needs one": 1
        })
      )
      assert.strictEqual(summary?.problems, 1)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("reads API pages, on several lines or one, and says which records cannot be read", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const page = {
        tickets: [
          { id: 1, requester_id: 2, comments: [{ id: 3, public: true, body: "hi", author_id: 2 }] },
          { subject: "no id" },
          { id: 4, requester_id: 2, comments: [] }
        ],
        users: [{ id: 2, name: "Ada" }, { name: "no id" }],
        next_page: null,
        count: 3
      }
      const documents: ReadonlyArray<readonly [string, string]> = [
        ["pretty", JSON.stringify(page, null, 2)],
        ["flat", JSON.stringify(page)]
      ]
      for (const [name, text] of documents) {
        yield* fs.writeFileString(`${dir}/${name}.json`, text)
        const { finished, lines, problems } = yield* run({
          tickets: `${dir}/${name}.json`,
          users: `${dir}/${name}.json`
        })
        assert.deepStrictEqual(lines.map((line) => [line.ticket, line.line.customer]), [
          ["1", { externalId: "zd-user-2", name: "Ada" }],
          ["4", { externalId: "zd-user-2", name: "Ada" }]
        ])
        // The users' problems come first (the side files are read before the tickets); `line` is the record's number.
        assert.deepStrictEqual(problems.map((problem) => [problem.line, problem.reason.split(":")[0]]), [
          [2, "not a Zendesk user"],
          [2, "not a Zendesk ticket"]
        ])
        assert.deepStrictEqual(finished[0]?.tickets, counts(2, { "not a Zendesk ticket (see the problems file)": 1 }))
        assert.deepStrictEqual(finished[0]?.users, counts(1, { "not a Zendesk user (see the problems file)": 1 }))
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("keeps JSON Lines' line numbers, and fails on a file that is neither JSON Lines nor a document", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(
        `${dir}/tickets.jsonl`,
        "{\"id\":1,\"requester_id\":2}\n\n{not json\n{\"id\":3,\"requester_id\":2}\n"
      )
      const { lines, problems } = yield* run({ tickets: `${dir}/tickets.jsonl` })
      assert.deepStrictEqual(lines.map((line) => line.ticket), ["1", "3"])
      assert.deepStrictEqual(problems.map((problem) => [problem.line, problem.reason.slice(0, 22)]), [
        [3, "line 3: not valid JSON"]
      ])

      yield* fs.writeFileString(`${dir}/broken.json`, "{not json\n{\"id\":1}\n")
      const broken = yield* Effect.flip(run({ tickets: `${dir}/broken.json` }))
      assert.strictEqual(broken._tag, "SourceError")
      assert.include(broken.message, "neither JSON Lines nor a JSON document")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("refuses options it cannot use, with the file that holds them", () =>
    Effect.gen(function*() {
      const badPriority = yield* Effect.flip(ZendeskFiles.readOptions({ priorityMap: "normal=9" }))
      assert.strictEqual(badPriority._tag, "ZendeskOptionsError")
      const missing = yield* Effect.flip(ZendeskFiles.readOptions({ fieldsMap: `${sample}no-such-map.json` }))
      assert.strictEqual(missing._tag, "SourceError")
      assert.include(missing.message, "no-such-map.json")
    }).pipe(Effect.provide(NodeContext.layer)))
})
