import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BulkResource, ClientRef } from "../src/index.js"

describe("BulkResource", () => {
  it("describes conversations and customers from one constructor", () => {
    assert.strictEqual(BulkResource.Conversations.bulkPath, "/v1/conversations/bulk")
    assert.deepStrictEqual(BulkResource.Conversations.createRoles, [
      "org.permission.conversation.create",
      "org.user.conversation.write"
    ])
    assert.strictEqual(BulkResource.Customers.bulkPath, "/v1/customers/bulk")
    assert.strictEqual(
      BulkResource.Conversations.externalIdPath?.("ticket 7/8"),
      "/v1/conversations/externalId=ticket%207%2F8"
    )
    const customer = Schema.decodeUnknownEither(BulkResource.Customers.item)({
      name: "Ada",
      emails: [{ email: "ada@example.com" }]
    })
    assert.isTrue(Either.isRight(customer))
  })
})

describe("what Kustomer deduplicates, looks up and lists", () => {
  it("refuses repeated externalIds of customers and conversations only", () => {
    assert.isTrue(BulkResource.Customers.deduplicatesExternalId)
    assert.isTrue(BulkResource.Conversations.deduplicatesExternalId)
    assert.isFalse(BulkResource.Messages.deduplicatesExternalId)
    assert.isFalse(BulkResource.Notes.deduplicatesExternalId)
  })

  it("spells the message look-up in lower case and has none for notes", () => {
    assert.strictEqual(BulkResource.Messages.externalIdPath?.("m 1"), "/v1/messages/externalid=m%201")
    assert.isUndefined(BulkResource.Notes.externalIdPath)
  })

  it("looks companies up with a query parameter, the external id encoded", () => {
    assert.strictEqual(
      BulkResource.Companies.externalIdPath?.("zd-org/7 & co"),
      "/v1/companies?externalId=zd-org%2F7%20%26%20co"
    )
    assert.deepStrictEqual(BulkResource.Companies.externalIdLookUp, BulkResource.queryParameter("externalId"))
    assert.deepStrictEqual(BulkResource.Customers.externalIdLookUp, BulkResource.pathSegment("externalId"))
    assert.isFalse(BulkResource.Companies.deduplicatesExternalId)
  })

  it("lists messages and notes under their conversation", () => {
    assert.strictEqual(BulkResource.Messages.listing?.path("c1"), "/v1/conversations/c1/messages")
    assert.strictEqual(BulkResource.Notes.listing?.path("c 2"), "/v1/conversations/c%202/notes")
    assert.strictEqual(BulkResource.Notes.listing?.parentField, "conversation")
    assert.isUndefined(BulkResource.Conversations.listing)
  })
})

describe("clientRefProblem", () => {
  it("accepts none or all, unique and within length", () => {
    assert.isUndefined(ClientRef.clientRefProblem([undefined, undefined]))
    assert.isUndefined(ClientRef.clientRefProblem(["a", "b"]))
  })

  it.each([
    [["a", undefined], "on every item or on none"],
    [["a", "a"], "more than once"],
    [["a", ""], "must not be empty"],
    [["a", "x".repeat(256)], "at most 255"]
  ])("explains %j", (refs, expected) => {
    assert.include(ClientRef.clientRefProblem(refs), expected)
  })
})
