import { BulkResource } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { encodesAsItself, unknownFields } from "../src/internal/schemaShape.js"

describe("schemaShape", () => {
  it("knows that conversations and customers encode as themselves", () => {
    assert.isTrue(encodesAsItself(BulkResource.Conversations.item.ast))
    assert.isTrue(encodesAsItself(BulkResource.Customers.item.ast))
  })

  it("sees a transformation anywhere in the schema", () => {
    assert.isFalse(encodesAsItself(Schema.Struct({ at: Schema.DateFromString }).ast))
    assert.isFalse(encodesAsItself(Schema.Struct({ nested: Schema.Array(Schema.NumberFromString) }).ast))
    assert.isFalse(encodesAsItself(Schema.Union(Schema.String, Schema.NumberFromString).ast))
  })

  it("knows a struct's fields, and nothing for an open record", () => {
    const check = unknownFields(BulkResource.Conversations.item.ast, "conversations")
    assert.deepStrictEqual(check?.({ customer: "c", _clientRef: "r", custom: { anyStr: "x" } }), [])
    assert.deepStrictEqual(check?.({ customer: "c", colour: "red" }).map((issue) => issue.path), ["colour"])
    assert.isUndefined(unknownFields(Schema.Record({ key: Schema.String, value: Schema.Unknown }).ast, "things"))
  })

  it("finds unknown fields at every depth, through arrays, unions and optional fields", () => {
    const customers = unknownFields(BulkResource.Customers.item.ast, "customers")
    const issues = customers?.({
      name: "A",
      emails: [{ email: "a@b.c" }, { email: "d@e.f", verifiedd: true }],
      phones: [{ phone: "1", extension: "2" }]
    })
    assert.deepStrictEqual(issues?.map((issue) => issue.path).sort(), ["emails.1.verifiedd", "phones.0.extension"])
    const conversations = unknownFields(BulkResource.Conversations.item.ast, "conversations")
    const queue = conversations?.({ customer: "c", queue: { id: null, bogus: 1 } })
    assert.deepStrictEqual(queue, [{
      path: "queue.bogus",
      message: "is not a field of queue (misspelt? it would be lost)"
    }])
  })
})
