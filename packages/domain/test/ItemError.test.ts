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

  it("tells a duplicate by its code or by any of its texts, whatever its code says", () => {
    assert.isTrue(ItemError.isDuplicate({ code: "duplicate", message: "exists" }))
    assert.isTrue(ItemError.isDuplicate({ code: "duplicate" }))
    assert.isTrue(ItemError.isDuplicate({ code: "duplicate_detected" }))
    assert.isTrue(ItemError.isDuplicate({ code: "already_exists" }))
    // The code alone used to decide: an existing object was then taken for a failure.
    assert.isTrue(ItemError.isDuplicate({ code: "invalid", message: "duplicate detected" }))
    assert.isTrue(ItemError.isDuplicate({ code: "validation", title: "Duplicate externalId" }))
    assert.isTrue(ItemError.isDuplicate({ code: "bad_request", message: "Invalid item", detail: "duplicate detected" }))
    const jsonApi = Either.getOrThrow(decode({ status: 409, title: "Conflict", detail: "duplicate detected" }))
    assert.isTrue(ItemError.isDuplicate(jsonApi))
    // An error that says nothing of duplicates stays a failure, a bare conflict included: 409 is also Kustomer's
    // optimistic-locking answer.
    assert.isFalse(ItemError.isDuplicate({ code: "invalid", message: "customer not found" }))
    assert.isFalse(ItemError.isDuplicate({ code: "not_found", title: "Not Found", detail: "no such customer" }))
    assert.isFalse(
      ItemError.isDuplicate(Either.getOrThrow(decode({ status: 409, code: "conflict", title: "Conflict" })))
    )
    assert.isFalse(ItemError.isDuplicate({}))
  })

  it("reads a numeric code as a string, and JSON:API members beside it", () => {
    const error = Either.getOrThrow(decode({ status: 400, code: 11000, title: "E11000 duplicate key error" }))
    assert.deepStrictEqual(error, { code: "11000", title: "E11000 duplicate key error" })
    assert.isTrue(ItemError.isDuplicate(error))
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
