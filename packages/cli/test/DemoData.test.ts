import { BulkResource } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as DemoData from "../src/DemoData.js"

const customerIds = ["5cb3a1b7c9e77c0013e5f2d1", "507f1f77bcf86cd799439031"]
const validConversation = Schema.decodeUnknownEither(BulkResource.Conversations.item, { onExcessProperty: "error" })
const validCustomer = Schema.decodeUnknownEither(BulkResource.Customers.item, { onExcessProperty: "error" })

describe("demo data", () => {
  it("generates valid, varied conversations with external ids, deterministically", () => {
    const records = [...DemoData.conversations(500, { customerIds, nowMillis: 1_790_000_000_000 })]
    assert.lengthOf(records, 500)
    for (const record of records) assert.isTrue(Either.isRight(validConversation(record)), JSON.stringify(record))
    assert.strictEqual(new Set(records.map((record) => record["externalId"])).size, 500)
    assert.isAbove(new Set(records.map((record) => record["name"])).size, 15)
    assert.deepStrictEqual(new Set(records.map((record) => record["status"])), new Set(["open", "done"]))
    assert.deepStrictEqual([...DemoData.conversations(500, { customerIds, nowMillis: 1_790_000_000_000 })], records)
  })

  it("makes every n-th conversation invalid when asked", () => {
    const records = [...DemoData.conversations(300, { customerIds, nowMillis: 1_790_000_000_000, invalidEvery: 100 })]
    const invalid = records.flatMap((record, index) => Either.isLeft(validConversation(record)) ? [index] : [])
    assert.deepStrictEqual(invalid, [99, 199, 299])
  })

  it("generates valid customers", () => {
    for (const customer of DemoData.customers(50)) assert.isTrue(Either.isRight(validCustomer(customer)))
  })
})
