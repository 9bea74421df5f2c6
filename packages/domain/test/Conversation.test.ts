import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Conversation, CustomAttributes, Ids } from "../src/index.js"
import { fullConversation } from "./fixtures.js"

const decode = Schema.decodeUnknownEither(Conversation.ConversationInput)
const encode = Schema.encodeEither(Conversation.ConversationInput)

/** The `{ path, message }` issues of a failed decode, with paths joined by dots. */
const issuesOf = (input: unknown) =>
  Either.match(decode(input), {
    onLeft: (error) =>
      ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
        path: issue.path.join("."),
        message: issue.message
      })),
    onRight: () => []
  })

const validWith = (patch: Record<string, unknown>) => ({ customer: fullConversation.customer, ...patch })

describe("ConversationInput", () => {
  it("decodes every field and re-encodes identical wire JSON", () => {
    const decoded = Either.getOrThrow(decode(fullConversation))
    assert.deepStrictEqual(Either.getOrThrow(encode(decoded)), fullConversation)
    assert.strictEqual(decoded.custom?.["refundAmountNum"], 19.99)
  })

  it("needs only the customer", () => {
    const minimal = { customer: fullConversation.customer }
    assert.deepStrictEqual(Either.getOrThrow(encode(Either.getOrThrow(decode(minimal)))), minimal)
  })

  it("ignores fields it does not know", () => {
    const decoded = Either.getOrThrow(decode({ ...fullConversation, surprise: 1 }))
    assert.isFalse("surprise" in decoded)
  })

  it.each([
    ["customer", { customer: undefined }, "customer"],
    ["customer id format", { customer: "not-an-id" }, "customer"],
    ["status snoozed on create", { status: "snoozed" }, "status"],
    ["priority out of range", { priority: 6 }, "priority"],
    ["priority not an integer", { priority: 2.5 }, "priority"],
    ["direction", { direction: "sideways" }, "direction"],
    ["createdAt without zone", { createdAt: "2026-10-21 14:02" }, "createdAt"],
    ["importedAt impossible date", { importedAt: "2026-13-41T00:00:00Z" }, "importedAt"],
    [
      "too many users",
      { assignedUsers: Array.from({ length: 11 }, () => "507f1f77bcf86cd799439031") },
      "assignedUsers"
    ],
    ["team id", { assignedTeams: ["507f1f77bcf86cd799439032", "team-b"] }, "assignedTeams.1"],
    ["custom suffix", { custom: { colour: "red" } }, "custom.colour"],
    ["custom Num type", { custom: { totalNum: "12" } }, "custom.totalNum"],
    ["custom Str length", { custom: { bodyStr: "x".repeat(1025) } }, "custom.bodyStr"],
    ["custom Url", { custom: { pageUrl: "not a url" } }, "custom.pageUrl"],
    ["queue external", { queue: { external: "genesys" } }, "queue.external"],
    ["empty _clientRef", { _clientRef: "" }, "_clientRef"],
    ["long _clientRef", { _clientRef: "r".repeat(256) }, "_clientRef"],
    ["empty externalId", { externalId: "" }, "externalId"]
  ])("rejects a bad %s and names the field", (_name, patch, path) => {
    const issues = issuesOf({ ...validWith({}), ...patch })
    assert.isAbove(issues.length, 0)
    assert.include(issues.map((issue) => issue.path), path)
  })

  it("accepts the boundary values", () => {
    const boundary = validWith({
      priority: 5,
      assignedUsers: Array.from({ length: 10 }, () => "507f1f77bcf86cd799439031"),
      custom: { bodyStr: "x".repeat(1024), emptyAt: null },
      _clientRef: "r".repeat(255)
    })
    assert.isTrue(Either.isRight(decode(boundary)))
  })

  it("round-trips arbitrary valid conversations (property)", () => {
    const arbitrary = Schema.encodedSchema(Conversation.ConversationInput)
    FastCheck.assert(
      FastCheck.property(Arbitrary.make(Conversation.ConversationInput), (conversation) => {
        const wire = Either.getOrThrow(encode(conversation))
        const again = Either.getOrThrow(decode(JSON.parse(JSON.stringify(wire))))
        assert.deepStrictEqual(again, conversation)
        assert.isTrue(Schema.is(arbitrary)(wire))
      }),
      { numRuns: 200 }
    )
  })
})

describe("Ids", () => {
  it("accepts exactly 24 lowercase hex characters (property)", () => {
    const isCustomerId = Schema.is(Ids.CustomerId)
    FastCheck.assert(
      FastCheck.property(FastCheck.hexaString({ minLength: 0, maxLength: 30 }), (candidate) => {
        assert.strictEqual(isCustomerId(candidate), candidate.length === 24)
      })
    )
    assert.isFalse(isCustomerId("5CB3A1B7C9E77C0013E5F2D1"))
  })

  it("refuses a bulk job id that would escape its path", () => {
    assert.isFalse(Schema.is(Ids.BulkJobId)("../secrets"))
    assert.isFalse(Schema.is(Ids.BulkJobId)(""))
    assert.isTrue(Schema.is(Ids.BulkJobId)("6543a1b7c9e77c0013e5f2aa"))
  })
})

describe("CustomAttributes", () => {
  it("knows each suffix", () => {
    assert.strictEqual(CustomAttributes.suffixOf("orderNumberStr"), "Str")
    assert.strictEqual(CustomAttributes.suffixOf("shippedAt"), "At")
    assert.strictEqual(CustomAttributes.suffixOf("Num"), undefined)
    assert.strictEqual(CustomAttributes.suffixOf("colour"), undefined)
  })
})
