import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { ZendeskExport } from "../src/index.js"

const ticket = (fields: Record<string, unknown>): ZendeskExport.Ticket => {
  const decoded = ZendeskExport.decodeTicket({ id: 1, requester_id: 5, ...fields })
  if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
  return decoded.right
}

const user = (fields: Record<string, unknown>): ZendeskExport.User => {
  const decoded = ZendeskExport.decodeUser(fields)
  if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
  return decoded.right
}

const agent = user({ id: 8, name: "Sam", email: "sam@support.example.com", role: "agent" })

/** The users of these tests: the requester 5, a CC 6 (an end-user), an agent 8, an admin 9. */
const people: ReadonlyArray<ZendeskExport.User> = [
  user({ id: 5, name: "Ada", email: "ada@example.com", role: "end-user", organization_id: 70 }),
  user({ id: 6, name: "Charles", email: "charles@example.com", role: "end-user" }),
  agent,
  user({ id: 9, name: "Morgan", role: "admin" })
]

const lookups = (
  users: ReadonlyArray<ZendeskExport.User> = people,
  organizations: ReadonlyArray<ZendeskExport.Organization> = [{ id: 70, name: "Analytical Engines" }]
): ZendeskExport.Lookups => ({
  user: (id) => Option.fromNullable(users.find((found) => String(found.id) === id)),
  organization: (id) => Option.fromNullable(organizations.find((found) => String(found.id) === id))
})

const nobody: ZendeskExport.Lookups = { user: () => Option.none(), organization: () => Option.none() }

const lineOf = (converted: ZendeskExport.Converted): Record<string, unknown> => Option.getOrThrow(converted.line)

const listOf = (line: Record<string, unknown>, key: string): ReadonlyArray<Record<string, unknown>> => {
  const value = line[key]
  return Array.isArray(value) ? value : []
}

/** The fidelity counts of one ticket, as `kind: reason` (or `kind` when carried) → count. */
const countsOf = (converted: ZendeskExport.Converted): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const count of converted.fidelity.counts) {
    const key = count.reason === undefined ? count.kind : `${count.kind}: ${count.reason}`
    counts[key] = (counts[key] ?? 0) + count.count
  }
  return counts
}

const withOptions = (options: Partial<ZendeskExport.ConvertOptions>): ZendeskExport.ConvertOptions => ({
  ...ZendeskExport.defaultOptions,
  ...options
})

const fieldsMap = (entries: Record<string, string>): ZendeskExport.FieldsMap =>
  Either.getOrThrowWith(
    Either.flatMap(
      ZendeskExport.parseFieldsMap(JSON.stringify(entries), "map.json"),
      (parsed) => ZendeskExport.resolveFieldsMap(parsed, undefined)
    ),
    (message) => new Error(message)
  )

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
      lookups([user({ id: 5, name: "Ada", email: "ada@example.com" }), agent])
    )
    assert.deepStrictEqual(converted.problems, [])
    const sam = { externalId: "zd-user-8", email: "sam@support.example.com", name: "Sam" }
    assert.deepStrictEqual(lineOf(converted), {
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
          createdAt: "2024-01-01T00:00:00Z",
          author: { externalId: "zd-user-5", email: "ada@example.com", name: "Ada" }
        },
        {
          externalId: "zd-comment-11",
          direction: "out",
          channel: "email",
          app: "postmark",
          preview: "answer",
          author: sam
        }
      ],
      notes: [{ externalId: "zd-comment-12", body: "internal", author: sam }]
    })
    assert.deepStrictEqual(countsOf(converted), { tickets: 1, tags: 1, comments: 3 })
    assert.deepStrictEqual(converted.fidelity.users, ["5", "8"])
  })

  it("reports what cannot be carried over instead of dropping it", () => {
    const noRequester = ZendeskExport.convertTicket(
      ticket({ requester_id: null, comments: [{ id: 3, body: "hi", attachments: [{ id: 4 }] }] }),
      nobody
    )
    assert.isTrue(Option.isNone(noRequester.line))
    assert.deepStrictEqual(noRequester.problems, [{
      ticket: "1",
      reason: "the ticket has no requester_id",
      ticketDropped: true
    }])
    assert.deepStrictEqual(countsOf(noRequester), {
      "tickets: the ticket has no requester_id": 1,
      "comments: in a ticket not converted: the ticket has no requester_id": 1,
      "attachments: in a ticket not converted: the ticket has no requester_id": 1
    })
    const longNote = ZendeskExport.convertTicket(
      ticket({
        status: "closed",
        comments: [
          { id: 3, public: false, body: "x".repeat(ZendeskExport.maxNoteLength + 1) },
          { id: 4, public: false, body: "  ", attachments: [{ id: 40, file_name: "scan.pdf" }] }
        ]
      }),
      nobody
    )
    assert.deepStrictEqual(
      Option.map(longNote.line, (line) => [line["status"], line["notes"], line["customer"]]),
      Option.some(["done", [], { externalId: "zd-user-5" }])
    )
    assert.deepStrictEqual(longNote.problems.map((problem) => [problem.comment, problem.ticketDropped]), [
      ["3", false],
      ["4", false]
    ])
    assert.deepStrictEqual(countsOf(longNote), {
      tickets: 1,
      "comments: a private comment of 10241 characters exceeds a note's 10240": 1,
      "comments: a private comment without text cannot be a note": 1,
      "attachments: on a comment not carried: a private comment without text cannot be a note": 1
    })
  })

  describe("deleted tickets", () => {
    const deleted = ticket({
      status: "deleted",
      tags: ["spam"],
      comments: [{ id: 3, author_id: 5, body: "win", attachments: [{ id: 30 }] }]
    })

    it("are skipped and counted, with their comments and attachments", () => {
      const converted = ZendeskExport.convertTicket(deleted, lookups())
      assert.isTrue(Option.isNone(converted.line))
      assert.deepStrictEqual(converted.problems, [])
      assert.deepStrictEqual(countsOf(converted), {
        [`tickets: ${ZendeskExport.deletedReason}`]: 1,
        "deletedTickets: skipped (--include-deleted converts them)": 1,
        [`comments: in a ticket not converted: ${ZendeskExport.deletedReason}`]: 1,
        [`attachments: in a ticket not converted: ${ZendeskExport.deletedReason}`]: 1
      })
      assert.deepStrictEqual(converted.fidelity.users, [])
    })

    it("are converted as done, tagged zendesk-deleted, with includeDeleted", () => {
      const converted = ZendeskExport.convertTicket(deleted, lookups(), withOptions({ includeDeleted: true }))
      const line = lineOf(converted)
      assert.strictEqual(line["status"], "done")
      assert.deepStrictEqual(line["tags"], ["spam", "zendesk-deleted"])
      assert.deepStrictEqual(countsOf(converted), {
        tickets: 1,
        deletedTickets: 1,
        tags: 1,
        comments: 1,
        attachments: 1
      })
    })
  })

  describe("priority", () => {
    it("maps Zendesk's four levels by the default map: low 1, normal 2, high 4, urgent 5", () => {
      const priorities = ["low", "normal", "high", "urgent"].map((priority) =>
        lineOf(ZendeskExport.convertTicket(ticket({ priority }), nobody))["priority"]
      )
      assert.deepStrictEqual(priorities, [1, 2, 4, 5])
    })

    it("follows an overriding map, and leaves the field out without a priority", () => {
      const map = Either.getOrThrow(ZendeskExport.parsePriorityMap("normal=3, low=2"))
      assert.deepStrictEqual(map, { low: 2, normal: 3, high: 4, urgent: 5 })
      const options = withOptions({ priorityMap: map })
      assert.strictEqual(
        lineOf(ZendeskExport.convertTicket(ticket({ priority: "normal" }), nobody, options))["priority"],
        3
      )
      const none = ZendeskExport.convertTicket(ticket({ priority: null }), nobody, options)
      assert.isFalse("priority" in lineOf(none))
      assert.deepStrictEqual(countsOf(none), { tickets: 1 })
    })

    it("counts a priority the map does not know as not carried", () => {
      const converted = ZendeskExport.convertTicket(ticket({ priority: "critical" }), nobody)
      assert.isFalse("priority" in lineOf(converted))
      assert.deepStrictEqual(countsOf(converted), {
        tickets: 1,
        "priority: \"critical\" is not in the priority map": 1
      })
    })

    it("refuses a map it cannot read", () => {
      assert.deepStrictEqual(
        ["normal=6", "medium=3", "normal", "normal=2.5", "normal=1=2"].map((text) =>
          Either.isLeft(ZendeskExport.parsePriorityMap(text))
        ),
        [true, true, true, true, true]
      )
      assert.match(Either.getLeft(ZendeskExport.parsePriorityMap("medium=3")).pipe(Option.getOrThrow), /low, normal/)
    })
  })

  it("carries the ticket type as a tag, next to Zendesk's tags (each once)", () => {
    const converted = ZendeskExport.convertTicket(
      ticket({ type: "incident", tags: ["vip", "vip", "zendesk-type-incident"] }),
      nobody
    )
    assert.deepStrictEqual(lineOf(converted)["tags"], ["vip", "zendesk-type-incident"])
    assert.deepStrictEqual(countsOf(converted), { tickets: 1, type: 1, tags: 2 })
    const untyped = ZendeskExport.convertTicket(ticket({ type: null, tags: [] }), nobody)
    assert.deepStrictEqual(lineOf(untyped)["tags"], [])
  })

  describe("custom fields", () => {
    const options = withOptions({
      fieldsMap: fieldsMap({ "100": "orderNumberStr", "101": "refundAmountNum", "102": "giftBool" })
    })

    it("carries mapped fields into custom, counts unmapped ones, and never coerces a value that does not fit", () => {
      const converted = ZendeskExport.convertTicket(
        ticket({
          custom_fields: [
            { id: 100, value: "A-4417" },
            { id: 101, value: "n/a" },
            { id: 102, value: false },
            { id: 103, value: "unmapped" },
            { id: 104, value: null },
            { id: 105, value: "" }
          ],
          // The API repeats custom_fields as fields: each field counts once.
          fields: [{ id: 100, value: "A-4417" }, { id: 103, value: "unmapped" }]
        }),
        nobody,
        options
      )
      assert.deepStrictEqual(lineOf(converted)["custom"], { orderNumberStr: "A-4417", giftBool: false })
      assert.deepStrictEqual(converted.problems, [{
        ticket: "1",
        field: "101",
        reason: "field 101 → refundAmountNum: Num attribute: expected a finite number or null (value \"n/a\")",
        ticketDropped: false
      }])
      assert.deepStrictEqual(countsOf(converted), {
        tickets: 1,
        customFields: 2,
        "customFields: field 101 → refundAmountNum: the value does not fit the attribute's type": 1,
        "customFields: field 103: not in --fields-map": 1
      })
      assert.strictEqual(converted.fidelity.problems, 1)
    })

    it("takes a number written as text for a Num attribute (Zendesk gives numbers so), and nothing else", () => {
      assert.deepStrictEqual(ZendeskExport.attributeValue("amountNum", "12.50"), Either.right(12.5))
      assert.deepStrictEqual(ZendeskExport.attributeValue("amountNum", 7), Either.right(7))
      assert.isTrue(Either.isLeft(ZendeskExport.attributeValue("amountNum", "1e3")))
      assert.isTrue(Either.isLeft(ZendeskExport.attributeValue("codeStr", 7)))
      assert.isTrue(Either.isLeft(ZendeskExport.attributeValue("codeStr", ["a", "b"])))
      assert.isTrue(Either.isLeft(ZendeskExport.attributeValue("codeStr", "x".repeat(1025))))
      assert.isTrue(Either.isLeft(ZendeskExport.attributeValue("giftBool", "yes")))
      assert.isTrue(Either.isLeft(ZendeskExport.attributeValue("dueAt", "2024-01-31")))
      assert.deepStrictEqual(
        ZendeskExport.attributeValue("dueAt", "2024-01-31T10:00:00Z"),
        Either.right("2024-01-31T10:00:00Z")
      )
      assert.isTrue(Either.isLeft(ZendeskExport.attributeValue("siteUrl", "not a url")))
      assert.deepStrictEqual(
        ZendeskExport.attributeValue("siteUrl", "https://example.com/a"),
        Either.right("https://example.com/a")
      )
    })
  })

  describe("satisfaction", () => {
    const rated = ticket({ satisfaction_rating: { score: "good", comment: "Quick and kind" } })

    it("is counted as not carried without an attribute in the fields map", () => {
      const converted = ZendeskExport.convertTicket(rated, nobody)
      assert.isFalse("custom" in lineOf(converted))
      assert.deepStrictEqual(countsOf(converted), {
        tickets: 1,
        "satisfaction: score: no attribute for satisfaction in --fields-map": 1,
        "satisfaction: comment: no attribute for satisfaction.comment in --fields-map": 1
      })
    })

    it("is carried into the mapped attributes", () => {
      const options = withOptions({
        fieldsMap: fieldsMap({ satisfaction: "csatStr", "satisfaction.comment": "csatCommentTxt" })
      })
      const converted = ZendeskExport.convertTicket(rated, nobody, options)
      assert.deepStrictEqual(lineOf(converted)["custom"], { csatStr: "good", csatCommentTxt: "Quick and kind" })
      assert.deepStrictEqual(countsOf(converted), { tickets: 1, satisfaction: 2 })
    })

    it("is not counted when the customer gave none (offered, unoffered)", () => {
      const offered = ZendeskExport.convertTicket(ticket({ satisfaction_rating: { score: "offered" } }), nobody)
      assert.deepStrictEqual(countsOf(offered), { tickets: 1 })
    })

    it("that does not fit its attribute is a problem of the ticket's field", () => {
      const options = withOptions({ fieldsMap: fieldsMap({ satisfaction: "csatNum" }) })
      const converted = ZendeskExport.convertTicket(ticket({ satisfaction_rating: { score: "bad" } }), nobody, options)
      assert.deepStrictEqual(converted.problems.map((problem) => problem.field), ["satisfaction"])
      assert.isFalse("custom" in lineOf(converted))
    })
  })

  describe("authors and direction", () => {
    const converted = ZendeskExport.convertTicket(
      ticket({
        comments: [
          { id: 1, author_id: 5, body: "requester" },
          { id: 2, author_id: 6, body: "a CC" },
          { id: 3, author_id: 8, body: "agent" },
          { id: 4, author_id: 9, body: "admin" },
          { id: 5, author_id: 42, body: "someone unknown" },
          { id: 6, body: "nobody" }
        ]
      }),
      lookups()
    )
    const messages = listOf(lineOf(converted), "messages")

    it("end-users (the requester, a CC) write in, agents and admins out", () => {
      assert.deepStrictEqual(messages.map((message) => message["direction"]), ["in", "in", "out", "out", "out", "out"])
    })

    it("names each author by externalId, with the e-mail and name the users file gives", () => {
      assert.deepStrictEqual(messages.map((message) => message["author"]), [
        { externalId: "zd-user-5", email: "ada@example.com", name: "Ada" },
        { externalId: "zd-user-6", email: "charles@example.com", name: "Charles" },
        { externalId: "zd-user-8", email: "sam@support.example.com", name: "Sam" },
        { externalId: "zd-user-9", name: "Morgan" },
        { externalId: "zd-user-42" },
        undefined
      ])
      assert.deepStrictEqual(converted.fidelity.users, ["5", "6", "8", "9", "42"])
    })

    it("counts the directions guessed for authors of unknown role", () => {
      assert.strictEqual(converted.fidelity.guessedDirections, 2)
    })
  })

  it("names the assignee by externalId, e-mail and name", () => {
    const converted = ZendeskExport.convertTicket(ticket({ assignee_id: 8 }), lookups())
    assert.deepStrictEqual(lineOf(converted)["assignee"], {
      externalId: "zd-user-8",
      email: "sam@support.example.com",
      name: "Sam"
    })
    assert.deepStrictEqual(countsOf(converted), { tickets: 1, assignee: 1 })
    const unknown = ZendeskExport.convertTicket(ticket({ assignee_id: 77 }), nobody)
    assert.deepStrictEqual(lineOf(unknown)["assignee"], { externalId: "zd-user-77" })
  })

  describe("organizations", () => {
    it("give the customer its company: the requester's, else the ticket's", () => {
      const converted = ZendeskExport.convertTicket(ticket({ organization_id: 71 }), lookups())
      const customer = lineOf(converted)["customer"]
      assert.deepStrictEqual(
        customer,
        {
          externalId: "zd-user-5",
          name: "Ada",
          emails: [{ type: "other", email: "ada@example.com" }],
          company: { externalId: "zd-org-70", name: "Analytical Engines" }
        }
      )
      assert.deepStrictEqual(converted.fidelity.organizations, [{ id: "70", named: true }])
      const fromTicket = ZendeskExport.convertTicket(
        ticket({ requester_id: 6, organization_id: 71 }),
        lookups(people, [{ id: 71, name: "Difference Engines" }])
      )
      assert.deepStrictEqual(
        lineOf(fromTicket)["customer"],
        {
          externalId: "zd-user-6",
          name: "Charles",
          emails: [{ type: "other", email: "charles@example.com" }],
          company: { externalId: "zd-org-71", name: "Difference Engines" }
        }
      )
    })

    it("without a name (not in the organizations file) are not written, and reported as unnamed", () => {
      const converted = ZendeskExport.convertTicket(ticket({}), lookups(people, []))
      assert.isFalse(JSON.stringify(lineOf(converted)).includes("zd-org-"))
      assert.deepStrictEqual(converted.fidelity.organizations, [{ id: "70", named: false }])
    })
  })

  it("lists a comment's attachments on its message or note", () => {
    const converted = ZendeskExport.convertTicket(
      ticket({
        comments: [
          {
            id: 1,
            author_id: 5,
            body: "photo",
            attachments: [{
              id: 80,
              file_name: "parcel.jpg",
              content_type: "image/jpeg",
              size: 48213,
              content_url: "https://example.zendesk.com/attachments/token/t/?name=parcel.jpg",
              inline: false,
              thumbnails: []
            }]
          },
          { id: 2, author_id: 8, public: false, body: "report", attachments: [{ id: 81, file_name: "r.pdf" }] }
        ]
      }),
      lookups()
    )
    const line = lineOf(converted)
    assert.deepStrictEqual(listOf(line, "messages")[0]?.["attachments"], [{
      externalId: "zd-att-80",
      name: "parcel.jpg",
      contentType: "image/jpeg",
      size: 48213,
      url: "https://example.zendesk.com/attachments/token/t/?name=parcel.jpg"
    }])
    assert.deepStrictEqual(listOf(line, "notes")[0]?.["attachments"], [{ externalId: "zd-att-81", name: "r.pdf" }])
    assert.strictEqual(countsOf(converted)["attachments"], 2)
  })

  it("uses the HTML rendering of a comment when it keeps more than the plain text (a link's target)", () => {
    const converted = ZendeskExport.convertTicket(
      ticket({
        comments: [{
          id: 1,
          author_id: 8,
          plain_body: "Track it here: parcel",
          html_body: "<p>Track it here: <a href=\"https://track.example.com/1\">parcel</a></p>"
        }, { id: 2, author_id: 8, plain_body: "Same\ntext", html_body: "<p>Same <b>text</b></p>" }]
      }),
      lookups()
    )
    assert.deepStrictEqual(listOf(lineOf(converted), "messages").map((message) => message["preview"]), [
      "Track it here: parcel (https://track.example.com/1)",
      "Same\ntext"
    ])
  })
})
