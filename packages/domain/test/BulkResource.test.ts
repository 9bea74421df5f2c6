import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BulkResource, ClientRef, LookUp, ObjectDocument } from "../src/index.js"

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
    assert.deepStrictEqual(BulkResource.Companies.externalIdLookUp, LookUp.queryParameter("externalId"))
    assert.deepStrictEqual(BulkResource.Customers.externalIdLookUp, LookUp.pathSegment("externalId"))
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

describe("bulk updates and deletes in the registry", () => {
  const conversationId = "58228e05d4e96711004eccb7"

  it("every resource has a bulk update at PUT /v1/{name}/bulk, with the update roles", () => {
    for (const resource of BulkResource.all) {
      assert.strictEqual(resource.update.path, `/v1/${resource.name}/bulk`)
    }
    assert.deepStrictEqual(BulkResource.Conversations.update.roles, [
      "org.permission.conversation.update",
      "org.user.conversation.write"
    ])
    assert.deepStrictEqual(BulkResource.Companies.update.roles, [
      "org.permission.company.update",
      "org.user.company.write"
    ])
  })

  it("only customers have a bulk delete: the ids in the query, encoded, at most 100", () => {
    assert.deepStrictEqual(
      BulkResource.all.filter((resource) => resource.delete !== undefined).map((resource) => resource.name),
      ["customers"]
    )
    const remove = BulkResource.Customers.delete
    assert.strictEqual(remove?.path, "/v1/customers/bulk")
    assert.strictEqual(remove?.pathWithIds(["a", "b c"]), "/v1/customers/bulk?ids=a,b%20c")
    assert.deepStrictEqual(remove?.roles, ["org.permission.customer.delete", "org.user.customer.delete"])
    assert.strictEqual(remove?.maxIdsPerRequest, 100)
    assert.isUndefined(BulkResource.Conversations.delete)
  })

  it("an update item is an id and optional fields; deleted marks a conversation, snoozed is allowed", () => {
    const decode = Schema.decodeUnknownEither(BulkResource.Conversations.update.item)
    const marked = decode({ id: conversationId, deleted: true, _clientRef: "r1" })
    const item = Either.getOrThrow(marked)
    assert.deepStrictEqual([item.id, item.deleted, item._clientRef], [conversationId, true, "r1"])
    assert.isTrue(Either.isRight(decode({ id: conversationId, status: "snoozed", snooze: { status: "scheduled" } })))
    assert.isTrue(Either.isLeft(decode({ deleted: true })))
    assert.isTrue(Either.isLeft(decode({ id: conversationId, priority: 9 })))
    assert.isTrue(Either.isLeft(decode({ id: "not-an-id", status: "done" })))
  })

  it("the other resources' update items make their create's required fields optional", () => {
    const id = "5cb3a1b7c9e77c0013e5f2d1"
    const valid = (resource: BulkResource.Any, item: unknown) =>
      Either.isRight(Schema.decodeUnknownEither(resource.update.item)(item))
    assert.isTrue(valid(BulkResource.Customers, { id, tags: ["vip"] }))
    assert.isTrue(valid(BulkResource.Companies, { id, domains: ["acme.example"] }))
    assert.isFalse(valid(BulkResource.Companies, { id, name: "" }))
    assert.isTrue(valid(BulkResource.Messages, { id, preview: "fixed typo" }))
    assert.isTrue(valid(BulkResource.Notes, { id, body: "amended" }))
    assert.isFalse(valid(BulkResource.Notes, { id, body: "" }))
  })

  it("names every role of the registry", () => {
    for (
      const role of [
        "org.permission.customer.delete",
        "org.user.customer.delete",
        "org.permission.note.update",
        "org.user.message.read"
      ]
    ) {
      assert.include(BulkResource.resourceRoles, role)
    }
  })
})

describe("ObjectDocument", () => {
  it("keeps every attribute of a read object, null attributes as absent, odd relationships left out", () => {
    const decode = Schema.decodeUnknownSync(ObjectDocument.ObjectDocument)
    const read = decode({
      data: {
        type: "conversation",
        id: "58228e05d4e96711004eccb7",
        attributes: { status: "done", deleted: true, tags: ["a"] },
        relationships: { customer: { data: { type: "customer", id: "5cb3a1b7c9e77c0013e5f2d1" } } },
        links: { self: "/v1/conversations/58228e05d4e96711004eccb7" }
      }
    })
    assert.strictEqual(read.data.attributes?.["deleted"], true)
    assert.isDefined(read.data.relationships?.["customer"])
    const bare = decode({ data: { type: "customer", id: "c1", attributes: null, relationships: [] } })
    assert.isUndefined(bare.data.attributes)
    assert.isUndefined(bare.data.relationships)
  })
})
