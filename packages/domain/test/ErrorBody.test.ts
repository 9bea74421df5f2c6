import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ErrorBody } from "../src/index.js"

const decode = Schema.decodeUnknownEither(ErrorBody.ApiErrorBody)

describe("ApiErrorBody", () => {
  it("decodes the plain shape and describes it", () => {
    const wire = {
      errors: [{ code: "bad_request", message: "Invalid request body or parameters.", meta: { field: "x" } }]
    }
    const body = Either.getOrThrow(decode(wire))
    assert.strictEqual(ErrorBody.describe(body), "bad_request: Invalid request body or parameters.")
    assert.strictEqual(ErrorBody.firstCode(body), "bad_request")
    assert.deepStrictEqual(Either.getOrThrow(Schema.encodeEither(ErrorBody.ApiErrorBody)(body)), wire)
  })

  it("decodes the JSON:API shape and describes it with its source", () => {
    const wire = {
      errors: [{
        status: 400,
        code: "validation",
        title: "Invalid attribute",
        detail: "priority must be between 1 and 5",
        source: { pointer: "/3/priority" }
      }, { status: "401", title: "Expired token" }]
    }
    const body = Either.getOrThrow(decode(wire))
    assert.strictEqual(
      ErrorBody.describe(body),
      "validation: Invalid attribute: priority must be between 1 and 5 (at /3/priority); Expired token"
    )
    assert.deepStrictEqual(Either.getOrThrow(Schema.encodeEither(ErrorBody.ApiErrorBody)(body)), wire)
  })

  it("refuses bodies that are not error envelopes", () => {
    assert.isTrue(Either.isLeft(decode("<html>Bad gateway</html>")))
    assert.isTrue(Either.isLeft(decode({ message: "nope" })))
  })
})

describe("ErrorBody.fromText", () => {
  it("reads the list shape, the JSON:API shape and bare strings in the list", () => {
    const read = ErrorBody.fromText(JSON.stringify({ errors: ["first", { status: 400, title: "Bad", detail: "x" }] }))
    assert.isTrue(read.recognized)
    assert.strictEqual(ErrorBody.describe(read.body), "first; Bad: x")
  })

  it("reads the plain { code, message, meta } body without a list", () => {
    const read = ErrorBody.fromText(JSON.stringify({ code: "too_many", message: "Slow down", meta: { limit: 120 } }))
    assert.isTrue(read.recognized)
    assert.strictEqual(ErrorBody.firstCode(read.body), "too_many")
    assert.strictEqual(ErrorBody.describe(read.body), "too_many: Slow down")
  })

  it("keeps a body that is not JSON, or not an error envelope, as an excerpt", () => {
    const html = ErrorBody.fromText("<html>\n  <body>Bad gateway</body>\n</html>")
    assert.isFalse(html.recognized)
    assert.strictEqual(ErrorBody.describe(html.body), "<html> <body>Bad gateway</body> </html>")
    const other = ErrorBody.fromText(JSON.stringify({ status: "down" }))
    assert.isFalse(other.recognized)
    assert.strictEqual(ErrorBody.fromText("x".repeat(500)).body.errors[0]?.detail?.length, ErrorBody.excerptLength + 1)
    assert.deepStrictEqual(ErrorBody.fromText("").body.errors, [])
  })
})
