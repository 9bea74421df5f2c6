import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

import { Attachment, Message, Note } from "../src/index.js"
const conversationId = "5f1e3c8a00c0000000000001"

const decodeDocument = Schema.decodeUnknownEither(Attachment.AttachmentDocument)

describe("Attachment", () => {
  it("decodes the 201 document with its presigned upload, ignoring extra fields", () => {
    const decoded = decodeDocument({
      data: {
        type: "attachment",
        id: "att-1",
        attributes: { name: "a.pdf", contentType: "application/pdf", contentLength: 3, createdAt: "x" },
        links: { self: "/v1/attachments/att-1" }
      },
      meta: { upload: { url: "https://storage.example/bucket", fields: { key: "k", policy: "p" } }, other: 1 }
    })
    assert.isTrue(Either.isRight(decoded))
    if (Either.isRight(decoded)) {
      assert.strictEqual(decoded.right.data.id, "att-1")
      assert.deepStrictEqual(decoded.right.meta.upload.fields, { key: "k", policy: "p" })
    }
  })

  it("refuses a document without meta.upload", () => {
    const decoded = decodeDocument({
      data: { type: "attachment", id: "a", attributes: { name: "a", contentType: "t", contentLength: 1 } }
    })
    assert.isTrue(Either.isLeft(decoded))
  })

  it("checks the create body", () => {
    const decode = Schema.decodeUnknownEither(Attachment.AttachmentCreate)
    assert.isTrue(Either.isRight(decode({ name: "a.txt", contentType: "text/plain", contentLength: 0 })))
    assert.isTrue(Either.isLeft(decode({ name: "", contentType: "text/plain", contentLength: 1 })))
    assert.isTrue(Either.isLeft(decode({ name: "a", contentType: "text/plain", contentLength: 1.5 })))
  })

  it("makes the reference messages and notes carry, which their schemas accept", () => {
    const reference = Attachment.referenceOf("att-1", { name: "a.txt", contentType: "text/plain", contentLength: 2 })
    assert.deepStrictEqual(reference, { _id: "att-1", name: "a.txt", contentType: "text/plain", contentLength: 2 })
    const message = Schema.decodeUnknownEither(Message.MessageInput)({
      channel: "email",
      app: "postmark",
      conversation: conversationId,
      attachments: [reference]
    })
    assert.isTrue(Either.isRight(message))
    const note = Schema.decodeUnknownEither(Note.NoteInput)({
      conversation: conversationId,
      body: "b",
      attachments: [reference]
    })
    assert.isTrue(Either.isRight(note))
  })

  it("keeps a source's attachment (no _id) apart from the wire reference", () => {
    const source = { externalId: "zd-att-1", name: "a.txt", contentType: "text/plain", size: 2, url: "https://x" }
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Attachment.Attachment)(source)))
  })
})
