import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ZendeskExport, ZendeskFidelity } from "../src/index.js"

const ticket = (fields: Record<string, unknown>): ZendeskExport.Ticket =>
  Either.getOrThrow(ZendeskExport.decodeTicket({ id: 1, requester_id: 5, ...fields }))

const users: ReadonlyArray<ZendeskExport.User> = [
  { id: 5, name: "Ada", role: "end-user", organization_id: 70 },
  { id: 6, name: "Unused", role: "end-user" },
  { id: 8, name: "Sam", role: "agent" }
]

const organizations: ReadonlyArray<ZendeskExport.Organization> = [
  { id: 70, name: "Analytical Engines" },
  { id: 71, name: "Nobody's" }
]

const lookups: ZendeskExport.Lookups = {
  user: (id) => Option.fromNullable(users.find((user) => String(user.id) === id)),
  organization: (id) => Option.fromNullable(organizations.find((organization) => String(organization.id) === id))
}

const files = {
  users: users.map((user) => ZendeskExport.userKey(user)),
  organizations: organizations.map((organization) => ZendeskExport.organizationKey(organization))
}

describe("ZendeskFidelity.FidelityTally", () => {
  it("is complete when every ticket, comment, user and organization was carried", () => {
    const tally = new ZendeskFidelity.FidelityTally()
    tally.record(
      ZendeskExport.convertTicket(
        ticket({ priority: "high", assignee_id: 8, comments: [{ id: 1, author_id: 5, body: "hi" }] }),
        lookups
      ).fidelity
    )
    const summary = tally.summary({ users: ["5", "8"], organizations: ["70"] })
    assert.isTrue(summary.complete)
    assert.deepStrictEqual(summary.bundle, { conversations: 1, customers: 1, messages: 1, notes: 0, attachments: 0 })
    assert.deepStrictEqual(summary.users, { carried: 2, notCarried: 0, reasons: {} })
    assert.deepStrictEqual(summary.organizations, { carried: 1, notCarried: 0, reasons: {} })
    assert.deepStrictEqual(summary.notes, [])
  })

  it("counts the users and organizations no converted ticket used, and the unreadable records", () => {
    const tally = new ZendeskFidelity.FidelityTally()
    tally.record(
      ZendeskExport.convertTicket(ticket({ comments: [{ id: 1, author_id: 99, body: "?" }] }), lookups).fidelity
    )
    tally.record(ZendeskExport.convertTicket(ticket({ id: 2, status: "deleted", requester_id: 6 }), lookups).fidelity)
    tally.unreadable("users", ZendeskFidelity.userReasons.unreadable)
    const summary = tally.summary(files)
    assert.isFalse(summary.complete)
    assert.strictEqual(summary.problems, 1)
    assert.deepStrictEqual(summary.users, {
      carried: 1,
      notCarried: 3,
      reasons: { [ZendeskFidelity.userReasons.unreadable]: 1, [ZendeskFidelity.userReasons.unused]: 2 }
    })
    assert.deepStrictEqual(summary.organizations, {
      carried: 1,
      notCarried: 1,
      reasons: { [ZendeskFidelity.organizationReasons.unused]: 1 }
    })
    assert.deepStrictEqual(summary.tickets, {
      carried: 1,
      notCarried: 1,
      reasons: { [ZendeskExport.deletedReason]: 1 }
    })
    assert.deepStrictEqual(summary.notes, [
      "users: 1 named by tickets are not in the users file: written with their externalId only",
      "messages: 1 by authors of unknown role (not in the users file): written \"in\" when the requester wrote " +
      "them, else \"out\""
    ])
    // The summary can be asked for again: the users and organizations are not counted twice.
    assert.deepStrictEqual(tally.summary(files), summary)
  })

  it("counts an organization customers belong to but the organizations file does not name", () => {
    const tally = new ZendeskFidelity.FidelityTally()
    const noOrganizations: ZendeskExport.Lookups = { ...lookups, organization: () => Option.none() }
    tally.record(ZendeskExport.convertTicket(ticket({}), noOrganizations).fidelity)
    tally.record(ZendeskExport.convertTicket(ticket({ id: 2 }), noOrganizations).fidelity)
    const summary = tally.summary({ users: ["5"], organizations: [] })
    assert.deepStrictEqual(summary.organizations, {
      carried: 0,
      notCarried: 1,
      reasons: { [ZendeskFidelity.organizationReasons.unnamed]: 1 }
    })
    assert.deepStrictEqual(summary.bundle.customers, 1)
    assert.deepStrictEqual(summary.bundle.conversations, 2)
  })

  it("says how the listed attachments are fetched, and encodes to JSON and back", () => {
    const tally = new ZendeskFidelity.FidelityTally()
    tally.record(
      ZendeskExport.convertTicket(
        ticket({ comments: [{ id: 1, author_id: 5, body: "x", attachments: [{ id: 2 }, { id: 3 }] }] }),
        lookups
      ).fidelity
    )
    const summary = tally.summary({ users: ["5"], organizations: ["70"] })
    assert.deepStrictEqual(summary.notes, [
      "attachments: 2 listed in the bundle by their URL: the migration downloads and uploads them (set " +
      "ZENDESK_EMAIL and ZENDESK_API_TOKEN for Zendesk's content_url)"
    ])
    assert.isTrue(summary.complete)
    const json: unknown = JSON.parse(JSON.stringify(Schema.encodeSync(ZendeskFidelity.FidelitySummary)(summary)))
    assert.deepStrictEqual(Schema.decodeUnknownSync(ZendeskFidelity.FidelitySummary)(json), summary)
  })
})
