import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { RateLimit } from "../src/index.js"

const now = Date.UTC(2026, 10, 27, 12, 0, 0)

describe("RateLimit", () => {
  it("reads the three x-ratelimit headers; reset is epoch seconds", () => {
    const info = Option.getOrThrow(RateLimit.fromHeaders({
      "x-ratelimit-limit": "1000",
      "x-ratelimit-remaining": "998",
      "x-ratelimit-reset": String(now / 1000 + 42)
    }, now))
    assert.deepStrictEqual(info.limit, Option.some(1000))
    assert.deepStrictEqual(info.remaining, Option.some(998))
    assert.deepStrictEqual(info.resetAtMillis, Option.some(now + 42_000))
    assert.isTrue(Option.isNone(info.retryAfter))
    assert.deepStrictEqual(RateLimit.waitAfterRejection(info, now), Option.some(Duration.millis(42_000)))
  })

  it("reads Retry-After as delay-seconds and prefers it over the reset", () => {
    const info = Option.getOrThrow(RateLimit.fromHeaders({
      "x-ratelimit-reset": String(now / 1000 + 42),
      "retry-after": "7"
    }, now))
    assert.deepStrictEqual(RateLimit.waitAfterRejection(info, now), Option.some(Duration.seconds(7)))
  })

  it("reads Retry-After as an HTTP-date", () => {
    const at = new Date(now + 90_000).toUTCString()
    assert.deepStrictEqual(RateLimit.parseRetryAfter(at, now), Option.some(Duration.millis(90_000)))
    const past = new Date(now - 5_000).toUTCString()
    assert.deepStrictEqual(RateLimit.parseRetryAfter(past, now), Option.some(Duration.zero))
    assert.isTrue(Option.isNone(RateLimit.parseRetryAfter("soon", now)))
    assert.isTrue(Option.isNone(RateLimit.parseRetryAfter("-3", now)))
  })

  it("is None without any header, and skips malformed ones", () => {
    assert.isTrue(Option.isNone(RateLimit.fromHeaders({}, now)))
    assert.isTrue(Option.isNone(RateLimit.fromHeaders({ "content-type": "application/json" }, now)))
    const info = Option.getOrThrow(
      RateLimit.fromHeaders({ "x-ratelimit-limit": "lots", "x-ratelimit-remaining": "3" }, now)
    )
    assert.isTrue(Option.isNone(info.limit))
    assert.deepStrictEqual(info.remaining, Option.some(3))
    assert.isTrue(Option.isNone(RateLimit.waitAfterRejection(info, now)))
  })

  it("renders headers that parse back to the same values", () => {
    const headers = RateLimit.toHeaders({ limit: 100, remaining: -2, resetAtMillis: now + 1500 })
    const info = Option.getOrThrow(RateLimit.fromHeaders(headers, now))
    assert.deepStrictEqual(info.remaining, Option.some(0))
    assert.deepStrictEqual(info.resetAtMillis, Option.some(now + 2000))
  })
})
