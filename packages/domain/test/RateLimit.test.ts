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

  it("reads x-ratelimit-reset as epoch seconds, epoch milliseconds or seconds from now", () => {
    const resetOf = (value: string) =>
      Option.flatMap(RateLimit.fromHeaders({ "x-ratelimit-reset": value }, now), (info) => info.resetAtMillis)
    assert.deepStrictEqual(resetOf(String(now / 1000 + 42)), Option.some(now + 42_000))
    assert.deepStrictEqual(resetOf(String(now + 42_000)), Option.some(now + 42_000))
    assert.deepStrictEqual(resetOf("42"), Option.some(now + 42_000))
    assert.deepStrictEqual(resetOf("1.5"), Option.some(now + 1_500))
  })

  it("reads a reset already past, or more than two windows ahead, as no reset time", () => {
    for (const value of [String(now / 1000 - 5), String(now / 1000), String(now - 1), "0", String(now / 1000 + 121)]) {
      const info = Option.getOrThrow(
        RateLimit.fromHeaders({ "x-ratelimit-reset": value, "x-ratelimit-remaining": "0" }, now)
      )
      assert.isTrue(Option.isNone(info.resetAtMillis), value)
      assert.deepStrictEqual(info.remaining, Option.some(0))
      assert.isTrue(Option.isNone(RateLimit.waitAfterRejection(info, now)), value)
    }
    // Two windows of the caller's own, when it knows a longer one than Kustomer's documented 60 s.
    assert.deepStrictEqual(RateLimit.resetAtMillisOf(now / 1000 + 600, now, 300_000), Option.some(now + 600_000))
    // A header that places no time still tells that the response spoke of its rate limit.
    assert.isTrue(Option.isSome(RateLimit.fromHeaders({ "x-ratelimit-reset": "0" }, now)))
  })

  it("prefers epoch seconds, so that a clock near the epoch (a test clock) reads them right", () => {
    assert.deepStrictEqual(RateLimit.resetAtMillisOf(60, 30_000), Option.some(60_000))
    assert.deepStrictEqual(RateLimit.resetAtMillisOf(60, 0), Option.some(60_000))
    // Just past as epoch seconds: a reset that has happened, not 60 s from now.
    assert.isTrue(Option.isNone(RateLimit.resetAtMillisOf(60, 61_000)))
  })
})
