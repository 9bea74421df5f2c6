/**
 * Rate-limit information carried by every Kustomer response: `x-ratelimit-limit`, `x-ratelimit-remaining`,
 * `x-ratelimit-reset` (UTC epoch seconds at which the window resets) and, when present, `Retry-After`
 * (delay-seconds or an HTTP-date). Parsing is pure: the caller supplies the current time.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"

const NonNegativeIntFromString = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative())

/**
 * The rate-limit headers of a response, by their lowercase names.
 *
 * @since 0.1.0
 */
export const RateLimitHeaders = Schema.Struct({
  "x-ratelimit-limit": optional(NonNegativeIntFromString),
  "x-ratelimit-remaining": optional(NonNegativeIntFromString),
  "x-ratelimit-reset": optional(NonNegativeIntFromString),
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
  /** When the current window resets, in epoch milliseconds. */
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
 * A header that is missing or malformed is `None`; the others still count. Returns `None` when no rate-limit
 * header is present at all.
 *
 * @since 0.1.0
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | undefined>>,
  nowMillis: number
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
    resetAtMillis: Option.map(Option.fromNullable(parsed["x-ratelimit-reset"]), (seconds) => seconds * 1000),
    retryAfter,
    observedAtMillis: nowMillis
  }
  const anything = Option.isSome(info.limit) || Option.isSome(info.remaining) ||
    Option.isSome(info.resetAtMillis) || Option.isSome(info.retryAfter)
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
