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
