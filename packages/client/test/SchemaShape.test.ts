import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { BulkResource } from "../src/index.js"
import { encodesAsItself, fieldNames } from "../src/internal/schemaShape.js"

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

  it("lists a struct's fields, and nothing for an open record", () => {
    const fields = fieldNames(BulkResource.Conversations.item.ast)
    assert.isTrue(fields?.has("customer") && fields.has("_clientRef") && fields.has("custom"))
    assert.isFalse(fields?.has("colour"))
    assert.isUndefined(fieldNames(Schema.Record({ key: Schema.String, value: Schema.Unknown }).ast))
  })
})
