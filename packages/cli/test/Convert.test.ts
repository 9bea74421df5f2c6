import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Convert from "../src/Convert.js"
import * as ZendeskExport from "../src/ZendeskExport.js"

const sample = new URL("../../../examples/data/zendesk-export/", import.meta.url).pathname

const readLines = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.map((text) =>
      text.split("\n").filter((line) => line.length > 0).map((line): Record<string, unknown> => JSON.parse(line))
    )
  )

const ticket = (fields: Record<string, unknown>) => {
  const decoded = ZendeskExport.decodeTicket({ id: 1, requester_id: 5, ...fields })
  if (decoded._tag === "Left") throw new Error(decoded.left.message)
  return decoded.right
}

describe("ZendeskExport", () => {
  it("maps a ticket, its requester and its comments", () => {
    const converted = ZendeskExport.convertTicket(
      ticket({
        subject: "Broken",
        status: "pending",
        tags: ["a"],
        created_at: "2024-01-01T00:00:00Z",
        comments: [
          {
            id: 10,
            author_id: 5,
            public: true,
            body: "hi",
            created_at: "2024-01-01T00:00:00Z",
            via: { channel: "chat" }
          },
          { id: 11, author_id: 8, public: true, plain_body: "answer", body: "<p>answer</p>" },
          { id: 12, author_id: 8, public: false, body: "internal" }
        ]
      }),
      (id) => id === "5" ? Option.some({ id: 5, name: "Ada", email: "ada@example.com" }) : Option.none()
    )
    assert.deepStrictEqual(converted.problems, [])
    assert.deepStrictEqual(Option.getOrThrow(converted.line), {
      externalId: "zd-1",
      name: "Broken",
      status: "open",
      createdAt: "2024-01-01T00:00:00Z",
      tags: ["a"],
      customer: { externalId: "zd-user-5", name: "Ada", emails: [{ type: "other", email: "ada@example.com" }] },
      messages: [
        {
          externalId: "zd-comment-10",
          direction: "in",
          channel: "chat",
          app: "chat",
          preview: "hi",
          createdAt: "2024-01-01T00:00:00Z"
        },
        { externalId: "zd-comment-11", direction: "out", channel: "email", app: "postmark", preview: "answer" }
      ],
      notes: [{ externalId: "zd-comment-12", body: "internal" }]
    })
  })

  it("reports what cannot be carried over instead of dropping it", () => {
    const noRequester = ZendeskExport.convertTicket(ticket({ requester_id: null }), () => Option.none())
    assert.isTrue(Option.isNone(noRequester.line))
    assert.deepStrictEqual(noRequester.problems, [{
      ticket: "1",
      reason: "the ticket has no requester_id",
      ticketDropped: true
    }])
    const longNote = ZendeskExport.convertTicket(
      ticket({
        status: "closed",
        comments: [{ id: 3, public: false, body: "x".repeat(ZendeskExport.maxNoteLength + 1) }, {
          id: 4,
          public: false,
          body: "  "
        }]
      }),
      () => Option.none()
    )
    assert.deepStrictEqual(
      Option.map(longNote.line, (line) => [line["status"], line["notes"], line["customer"]]),
      Option.some([
        "done",
        [],
        { externalId: "zd-user-5" }
      ])
    )
    assert.deepStrictEqual(longNote.problems.map((problem) => [problem.comment, problem.ticketDropped]), [
      ["3", false],
      [
        "4",
        false
      ]
    ])
  })
})

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
