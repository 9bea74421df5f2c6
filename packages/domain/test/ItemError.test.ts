import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ItemError } from "../src/index.js"

const decode = Schema.decodeUnknownEither(ItemError.ItemError)

describe("ItemError", () => {
  it("decodes a string and an object", () => {
    assert.strictEqual(Either.getOrThrow(decode("duplicate detected")), "duplicate detected")
    assert.deepStrictEqual(Either.getOrThrow(decode({ code: "not_found", message: "customer not found" })), {
      code: "not_found",
      message: "customer not found"
    })
    assert.isTrue(Either.isLeft(decode(42)))
  })

  it("tells a duplicate by its code first", () => {
    assert.isTrue(ItemError.isDuplicate({ code: "duplicate", message: "exists" }))
    assert.isTrue(ItemError.isDuplicate({ code: "duplicate_external_id" }))
    assert.isTrue(ItemError.isDuplicate({ code: "already_exists" }))
    // A code that says something else wins over a text that mentions duplicates.
    assert.isFalse(ItemError.isDuplicate({ code: "validation", message: "duplicate tag in tags" }))
  })

  it("falls back to the text when there is no code", () => {
    assert.isTrue(ItemError.isDuplicate("duplicate detected"))
    assert.isTrue(ItemError.isDuplicate({ message: "Duplicate externalId" }))
    assert.isTrue(ItemError.isDuplicate("a customer with this externalId already exists"))
    assert.isFalse(ItemError.isDuplicate("customer not found"))
    assert.isFalse(ItemError.isDuplicate(""))
  })

  it("describes an error on one line", () => {
    assert.strictEqual(ItemError.text("customer not found"), "customer not found")
    assert.strictEqual(
      ItemError.text({ code: "not_found", message: "customer not found" }),
      "customer not found"
    )
    assert.strictEqual(ItemError.text({ code: "not_found" }), "not_found")
    assert.strictEqual(ItemError.text({}), ItemError.noMessage)
    assert.strictEqual(ItemError.text(""), ItemError.noMessage)
  })

  it("merges the parts of a batch's errors entry", () => {
    assert.deepStrictEqual(ItemError.fromParts({ code: "duplicate", error: "duplicate detected" }), {
      code: "duplicate",
      message: "duplicate detected"
    })
    assert.deepStrictEqual(ItemError.fromParts({ code: "x", error: { message: "m" } }), { code: "x", message: "m" })
    assert.strictEqual(ItemError.fromParts({ message: "only text" }), "only text")
  })
})
