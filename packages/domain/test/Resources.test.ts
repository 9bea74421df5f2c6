import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BulkResource, Note } from "../src/index.js"

const conversation = "5cb3a1b7c9e77c0013e5f2d1"
const customer = "5cb3a1b7c9e77c0013e5f2d2"

const decodeWith = <A, I>(
  resource: BulkResource.BulkResource<A & BulkResource.BulkItemBase, I & BulkResource.BulkItemBase>
) => Schema.decodeUnknownEither(resource.item, { onExcessProperty: "error" })

describe("customers", () => {
  const decode = decodeWith(BulkResource.Customers)

  it("accepts the fields Kustomer's customer schema has, history dates included", () => {
    const decoded = decode({
      name: "Ada",
      company: "Analytical Engines Ltd",
      externalId: "zd-user-1",
      emails: [{ type: "work", email: "ada@example.com", verified: true }],
      phones: [{ type: "mobile", phone: "+44 20 7946 0001" }],
      createdAt: "2023-11-02T09:15:00Z",
      importedAt: "2026-12-02T10:00:00Z",
      signedUpAt: "2023-11-02T09:15:00Z",
      locations: [{ cityName: "London", countryCode: "GB" }],
      socials: [{ type: "twitter", username: "ada" }]
    })
    assert.isTrue(Either.isRight(decoded))
  })

  it("refuses e-mail and phone kinds Kustomer does not know", () => {
    assert.isTrue(Either.isLeft(decode({ emails: [{ type: "personal", email: "ada@example.com" }] })))
    assert.isTrue(Either.isLeft(decode({ phones: [{ type: "pager", phone: "1" }] })))
  })
})

describe("messages", () => {
  const decode = decodeWith(BulkResource.Messages)

  it("needs a channel and an app; links by conversation and customer ids", () => {
    assert.strictEqual(BulkResource.Messages.bulkPath, "/v1/messages/bulk")
    assert.deepStrictEqual(BulkResource.Messages.createRoles, [
      "org.permission.message.create",
      "org.user.message.write"
    ])
    const message = {
      channel: "email",
      app: "postmark",
      conversation,
      customer,
      direction: "in",
      preview: "Where is my order?",
      createdAt: "2024-02-01T09:00:00Z"
    }
    assert.isTrue(Either.isRight(decode(message)))
    assert.isTrue(Either.isLeft(decode({ ...message, channel: "pigeon" })))
    assert.isTrue(Either.isLeft(decode({ ...message, app: undefined })))
    assert.isTrue(Either.isLeft(decode({ ...message, conversation: "not-an-id" })))
  })
})

describe("notes", () => {
  const decode = decodeWith(BulkResource.Notes)

  it("needs a conversation and a body of 1 to 10,240 characters", () => {
    assert.strictEqual(BulkResource.Notes.bulkPath, "/v1/notes/bulk")
    assert.isTrue(Either.isRight(decode({ conversation, body: "Refund approved" })))
    assert.isTrue(Either.isRight(decode({ conversation, body: "x".repeat(Note.maxBodyLength) })))
    assert.isTrue(Either.isLeft(decode({ conversation, body: "x".repeat(Note.maxBodyLength + 1) })))
    assert.isTrue(Either.isLeft(decode({ conversation, body: "" })))
    assert.isTrue(Either.isLeft(decode({ body: "no conversation" })))
  })
})
