import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Conversation, IsoDateTime } from "../src/index.js"

const isDateTime = Schema.is(IsoDateTime.IsoDateTime)

describe("IsoDateTime", () => {
  it("accepts real instants, with any offset and fraction", () => {
    for (
      const value of [
        "2024-02-29T00:00:00Z",
        "2023-12-31T23:59:59.999999Z",
        "2026-10-21T14:02:11.925+05:30",
        "2026-10-21T14:02-0800"
      ]
    ) {
      assert.isTrue(isDateTime(value), value)
    }
  })

  it("refuses impossible calendar dates that Date.parse would roll over", () => {
    for (
      const value of [
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-04-31T10:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-01-00T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T10:60:00Z",
        "2024-01-01T10:00:60Z",
        "2024-01-01T10:00:00+25:00"
      ]
    ) {
      assert.isFalse(isDateTime(value), value)
      assert.isDefined(IsoDateTime.calendarIssue(value), value)
    }
    assert.strictEqual(IsoDateTime.calendarIssue("2024-02-30T00:00:00Z"), "2024-02 has no day 30")
  })

  it("rejects a conversation with an impossible date, naming the field", () => {
    const decoded = Schema.decodeUnknownEither(Conversation.ConversationInput)({
      customer: "5cb3a1b7c9e77c0013e5f2d1",
      createdAt: "2024-02-30T00:00:00Z"
    })
    assert.isTrue(Either.isLeft(decoded))
    if (Either.isLeft(decoded)) assert.include(decoded.left.message, "2024-02 has no day 30")
  })
})
