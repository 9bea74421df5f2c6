import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Message, Note } from "../src/index.js"

const conversation = "5cb3a1b7c9e77c0013e5f2d1"
const user = "5cb3a1b7c9e77c0013e5f2d3"

describe("MessageInput: every field of Kustomer's bulk message schema", () => {
  const decode = Schema.decodeUnknownEither(Message.MessageInput, { onExcessProperty: "error" })
  const message = { channel: "voice", app: "aircall", conversation }

  it("accepts a delivery error, shortcuts, location, queue and attachments by id", () => {
    const decoded = decode({
      ...message,
      status: "error",
      error: { status: 550, code: "bounced", title: "Mailbox unavailable" },
      errorAt: "2024-02-01T09:00:00Z",
      related: "5cb3a1b7c9e77c0013e5f2d4",
      shortcuts: ["5cb3a1b7c9e77c0013e5f2d5"],
      kbArticles: [],
      attachments: ["5cb3a1b7c9e77c0013e5f2d6"],
      location: { cityName: "London", latitude: 51.5 },
      queue: { id: "q1", external: "amazon-connect" }
    })
    assert.isTrue(Either.isRight(decoded))
  })

  it("refuses an unknown queue kind and a mixed attachments list", () => {
    assert.isTrue(Either.isLeft(decode({ ...message, queue: { external: "genesys" } })))
    assert.isTrue(
      Either.isLeft(decode({
        ...message,
        attachments: ["a", { _id: "b", name: "x", contentType: "text/plain", contentLength: 1 }]
      }))
    )
  })
})

describe("NoteInput: mentions and modification fields", () => {
  const decode = Schema.decodeUnknownEither(Note.NoteInput, { onExcessProperty: "error" })

  it("mentions users or teams as objects", () => {
    const note = { conversation, body: "ping" }
    assert.isTrue(Either.isRight(decode({ ...note, userMentions: [{ user }, { team: "billing" }] })))
    assert.isTrue(Either.isLeft(decode({ ...note, userMentions: [user] })))
    assert.isTrue(Either.isRight(decode({ ...note, modifiedAt: "2024-02-01T09:00:00Z", modifiedBy: user })))
  })
})
