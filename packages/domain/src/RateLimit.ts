/**
 * Rate-limit information carried by every Kustomer response: `x-ratelimit-limit`, `x-ratelimit-remaining`,
 * `x-ratelimit-reset` and, when present, `Retry-After` (delay-seconds or an HTTP-date). Parsing is pure: the caller
 * supplies the current time.
 *
 * `x-ratelimit-reset` is documented only by a third-party comment, as the UTC epoch seconds at which the window
 * resets; other APIs send seconds until the reset or epoch milliseconds. All three are read, and a value that none
 * of them places a plausible time ahead (after now, within two windows) is no reset time at all.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"

const NonNegativeIntFromString = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())
const NonNegativeFromString = Schema.NumberFromString.pipe(Schema.finite(), Schema.nonNegative())

/**
 * Kustomer's documented rate-limit window: 60 seconds.
 *
 * @since 0.1.0
 */
export const documentedWindowMillis = 60_000

/**
 * The rate-limit headers of a response, by their lowercase names.
 *
 * @since 0.1.0
 */
export const RateLimitHeaders = Schema.Struct({
  "x-ratelimit-limit": optional(NonNegativeIntFromString),
  "x-ratelimit-remaining": optional(NonNegativeIntFromString),
  "x-ratelimit-reset": optional(NonNegativeFromString),
  "retry-after": optional(Schema.String)
}).annotations({ identifier: "RateLimitHeaders" })
/** @since 0.1.0 */
export type RateLimitHeaders = typeof RateLimitHeaders.Type

/**
 * What a response said about the org's rate limit, resolved against the time it was received.
 *
 * @since 0.1.0
 */
export interface RateLimitInfo {
  /** Requests allowed per window. */
  readonly limit: Option.Option<number>
  /** Requests left in the current window. */
  readonly remaining: Option.Option<number>
  /**
   * When the current window resets, in epoch milliseconds: after the response, within two windows of it (see
   * {@link resetAtMillisOf}); `None` when the header was absent or placed no plausible time.
   */
  readonly resetAtMillis: Option.Option<number>
  /** How long the server asked the client to wait (`Retry-After`), if it did. */
  readonly retryAfter: Option.Option<Duration.Duration>
  /** When the response was received, in epoch milliseconds. */
  readonly observedAtMillis: number
}

/**
 * Parses a `Retry-After` value — delay-seconds (`"120"`) or an HTTP-date (`"Wed, 21 Oct 2026 07:28:00 GMT"`) —
 * into a non-negative delay from `nowMillis`.
 *
 * @since 0.1.0
 */
export const parseRetryAfter = (value: string, nowMillis: number): Option.Option<Duration.Duration> => {
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Duration.seconds(Number(trimmed)))
  if (!/[a-z]/i.test(trimmed)) return Option.none()
  const dateMillis = Date.parse(trimmed)
  return Number.isNaN(dateMillis) ? Option.none() : Option.some(Duration.millis(Math.max(0, dateMillis - nowMillis)))
}

/**
 * When the window resets, from an `x-ratelimit-reset` value, in epoch milliseconds. Read in turn as epoch seconds
 * (documented), epoch milliseconds, and seconds from `nowMillis`; the first reading that lies after `nowMillis` and
 * at most two windows ahead counts. `None` when none does: a reset already past (it would mean a wait of zero while
 * the budget is spent) or far ahead (a wait without end) is no reset time, and the caller falls back to a window.
 * Epoch seconds come first so that a clock near the epoch (a test clock) still reads them as such.
 *
 * @since 0.1.0
 */
export const resetAtMillisOf = (
  value: number,
  nowMillis: number,
  windowMillis: number = documentedWindowMillis
): Option.Option<number> => {
  const latest = nowMillis + 2 * windowMillis
  const earliest = nowMillis - 2 * windowMillis
  for (const at of [value * 1000, value, nowMillis + value * 1000]) {
    if (at > nowMillis && at <= latest) return Option.some(at)
    // A reading just past is a reset that has happened (a late response), not a value in the next unit.
    if (at >= earliest && at <= nowMillis) return Option.none()
  }
  return Option.none()
}

const decodeHeaders = Schema.decodeUnknownOption(RateLimitHeaders)

const headerField = (headers: Readonly<Record<string, string | undefined>>, name: keyof RateLimitHeaders) => {
  const value = headers[name]
  if (value === undefined) return {}
  return Option.match(decodeHeaders({ [name]: value }), {
    onNone: () => ({}),
    onSome: (parsed) => parsed
  })
}

/**
 * Reads the rate-limit information of a response's headers (lowercase names, as `@effect/platform` gives them).
 * A header that is missing or malformed is `None`; the others still count. `x-ratelimit-reset` is placed in time
 * by {@link resetAtMillisOf}, against `windowMillis` (default Kustomer's documented 60 s). Returns `None` when no
 * rate-limit header is present at all.
 *
 * @since 0.1.0
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number,
  windowMillis: number = documentedWindowMillis
): Option.Option<RateLimitInfo> => {
  const parsed: RateLimitHeaders = {
    ...headerField(headers, "x-ratelimit-limit"),
    ...headerField(headers, "x-ratelimit-remaining"),
    ...headerField(headers, "x-ratelimit-reset"),
    ...headerField(headers, "retry-after")
  }
  const retryAfter = Option.fromNullable(parsed["retry-after"]).pipe(
    Option.flatMap((value) => parseRetryAfter(value, nowMillis))
  )
  const info: RateLimitInfo = {
    limit: Option.fromNullable(parsed["x-ratelimit-limit"]),
    remaining: Option.fromNullable(parsed["x-ratelimit-remaining"]),
    resetAtMillis: Option.flatMap(
      Option.fromNullable(parsed["x-ratelimit-reset"]),
      (value) => resetAtMillisOf(value, nowMillis, windowMillis)
    ),
    retryAfter,
    observedAtMillis: nowMillis
  }
  // A reset that placed no plausible time still says the response spoke of its rate limit.
  const anything = Option.isSome(info.limit) || Option.isSome(info.remaining) ||
    parsed["x-ratelimit-reset"] !== undefined || Option.isSome(info.retryAfter)
  return anything ? Option.some(info) : Option.none()
}

/**
 * How long to wait, from `nowMillis`, before the server will accept requests again after a 429: `Retry-After`
 * when present, else until `x-ratelimit-reset`, else `None` (the caller falls back to its own backoff).
 *
 * @since 0.1.0
 */
export const waitAfterRejection = (info: RateLimitInfo, nowMillis: number): Option.Option<Duration.Duration> =>
  Option.orElse(
    info.retryAfter,
    () => Option.map(info.resetAtMillis, (resetAt) => Duration.millis(Math.max(0, resetAt - nowMillis)))
  )

/**
 * Renders rate-limit headers for a response (used by the simulator and by test fakes).
 *
 * @since 0.1.0
 */
export const toHeaders = (options: {
  readonly limit: number
  readonly remaining: number
  readonly resetAtMillis: number
}): Record<string, string> => ({
  "x-ratelimit-limit": String(options.limit),
  "x-ratelimit-remaining": String(Math.max(0, options.remaining)),
  "x-ratelimit-reset": String(Math.ceil(options.resetAtMillis / 1000))
})
