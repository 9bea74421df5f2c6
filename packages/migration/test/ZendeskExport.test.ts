import { assert, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import { ZendeskExport } from "../src/index.js"

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
