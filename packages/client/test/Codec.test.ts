import { BulkResource } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { codecOf } from "../src/internal/import/codec.js"
import { settingsOf } from "../src/internal/import/settings.js"
import { PreparedItem } from "../src/internal/import/stageValues.js"
import { conversationRecord } from "./records.js"

const customer = "6b097023c500000000000001"
const utf8 = new TextEncoder()

describe("the item codec", () => {
  it("appends any _clientRef to the record's JSON and measures the item in UTF-8 bytes (property)", () =>
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(FastCheck.string({ minLength: 1, maxLength: 40, unit: "binary" }), FastCheck.constant("r7")),
        FastCheck.string({ maxLength: 30, unit: "binary" }),
        (clientRef, name) => {
          const codec = codecOf(BulkResource.Conversations, settingsOf({ clientRef: () => clientRef }), undefined)
          const value = { ...conversationRecord(7, customer), name }
          const item = codec.prepare({ _tag: "Parsed", position: { index: 7, line: 8 }, value })
          assert.instanceOf(item, PreparedItem)
          if (!(item instanceof PreparedItem)) return
          assert.strictEqual(item.json, JSON.stringify({ ...value, _clientRef: clientRef }))
          assert.strictEqual(item.bytes, utf8.encode(item.json).length)
        }
      )
    ))

  it("rejects a record with the decode's issues, keeping the record as read", () => {
    const codec = codecOf(BulkResource.Conversations, settingsOf({}), undefined)
    const value = { ...conversationRecord(3, customer), priority: 9 }
    const outcome = codec.prepare({ _tag: "Parsed", position: { index: 3, line: 4 }, value })
    assert.strictEqual(outcome._tag, "Rejected")
    if (outcome._tag !== "Rejected") return
    assert.deepStrictEqual(outcome.position, { index: 3, line: 4 })
    assert.deepStrictEqual(outcome.issues.map((issue) => issue.path), ["priority"])
    assert.strictEqual(outcome.record, value)
  })
})
