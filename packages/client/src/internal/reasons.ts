/**
 * The reasons a Kustomer operation can fail with, one class each: what went wrong, whether retrying can help and
 * whether the failed request may have taken effect. Re-exported, with their documentation, by `KustomerError`.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * Shared behaviour of every reason.
 */
export interface ReasonProperties {
  /** Whether sending the same request again can succeed. */
  readonly retryable: boolean
  /** Whether the server may have carried out the request although the client saw a failure. */
  readonly mayHaveTakenEffect: boolean
  /** A human description of what went wrong and, where it helps, what to do. */
  readonly message: string
}

const withDetail = (summary: string, detail: string) => (detail.length > 0 ? `${summary}: ${detail}` : summary)

/**
 * 400: the request itself is wrong; sending it again cannot help.
 */
export class InvalidRequest extends Data.TaggedClass("InvalidRequest")<{
  readonly status: number
  readonly detail: string
}> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    return withDetail(`the API refused the request as invalid (HTTP ${this.status})`, this.detail)
  }
}

/**
 * 401: the API key is missing, unknown, expired or from another region.
 */
export class Unauthorized extends Data.TaggedClass("Unauthorized")<{ readonly detail: string }>
  implements ReasonProperties
{
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    return withDetail(
      "the API key was not accepted (HTTP 401); check KUSTOMER_API_KEY, its expiry, and that the base URL is the key's region",
      this.detail
    )
  }
}

/**
 * 403: the key is valid but lacks a role this operation needs.
 */
export class Forbidden extends Data.TaggedClass("Forbidden")<{
  readonly detail: string
  /** Any one of these roles grants the operation. */
  readonly requiredRoles: ReadonlyArray<string>
}> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    const roles = this.requiredRoles.length > 0
      ? `; give the API key the role ${this.requiredRoles.join(" or ")}`
      : ""
    return withDetail(`the API key lacks a required role (HTTP 403)${roles}`, this.detail)
  }
}

/**
 * 404: no such object (or it is out of the key's scope).
 */
export class NotFound extends Data.TaggedClass("NotFound")<{ readonly detail: string }> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    return withDetail("not found (HTTP 404)", this.detail)
  }
}

/**
 * 409: a conflict with the object's current state.
 */
export class Conflict extends Data.TaggedClass("Conflict")<{ readonly detail: string }> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    return withDetail("conflict (HTTP 409)", this.detail)
  }
}

/**
 * 413, or a body the client knows is too large before sending it.
 */
export class PayloadTooLarge extends Data.TaggedClass("PayloadTooLarge")<{
  readonly detail: string
  readonly bytes: Option.Option<number>
}> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    const size = Option.match(this.bytes, { onNone: () => "", onSome: (bytes) => ` (${bytes} bytes)` })
    return withDetail(`the request body is too large${size}; the API accepts at most 100 kB`, this.detail)
  }
}

/**
 * 429: the org's rate limit is spent; `retryAfter` says how long to wait, when the response said.
 */
export class RateLimited extends Data.TaggedClass("RateLimited")<{
  readonly retryAfter: Option.Option<Duration.Duration>
}> implements ReasonProperties {
  get retryable() {
    return true
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    return Option.match(this.retryAfter, {
      onNone: () => "the org's API rate limit is exhausted (HTTP 429)",
      onSome: (wait) =>
        `the org's API rate limit is exhausted (HTTP 429); the window resets in ${Duration.format(wait)}`
    })
  }
}

/**
 * 5xx: the server failed; a write may or may not have been carried out.
 */
export class ServerError extends Data.TaggedClass("ServerError")<{
  readonly status: number
  readonly detail: string
}> implements ReasonProperties {
  get retryable() {
    return true
  }
  get mayHaveTakenEffect() {
    return true
  }
  get message() {
    return withDetail(`the server failed (HTTP ${this.status})`, this.detail)
  }
}

/**
 * Any other status the client does not expect.
 */
export class UnexpectedStatus extends Data.TaggedClass("UnexpectedStatus")<{
  readonly status: number
  readonly detail: string
}> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return this.status >= 200 && this.status < 300
  }
  get message() {
    return withDetail(`unexpected response (HTTP ${this.status})`, this.detail)
  }
}

/**
 * The request did not complete at the network level. `delivery` tells whether it certainly never reached the
 * server (`not-sent`: refused connection, unknown host) or may have (`maybe-sent`: reset, timeout).
 */
export class Transport extends Data.TaggedClass("Transport")<{
  readonly delivery: "not-sent" | "maybe-sent"
  readonly detail: string
}> implements ReasonProperties {
  get retryable() {
    return true
  }
  get mayHaveTakenEffect() {
    return this.delivery === "maybe-sent"
  }
  get message() {
    const what = this.delivery === "not-sent" ? "the request could not be sent" : "the connection failed mid-request"
    return withDetail(what, this.detail)
  }
}

/**
 * A response the client could not read: a success body without the expected shape, or an unreadable body.
 * `bodyExcerpt` holds the start of the body (never request data or credentials).
 */
export class Decode extends Data.TaggedClass("Decode")<{
  readonly status: number
  readonly detail: string
  readonly bodyExcerpt: string
}> implements ReasonProperties {
  get retryable() {
    return this.status >= 500
  }
  get mayHaveTakenEffect() {
    return this.status < 400 || this.status >= 500
  }
  get message() {
    const excerpt = this.bodyExcerpt.length > 0 ? ` — body starts ${JSON.stringify(this.bodyExcerpt)}` : ""
    return `could not read the response (HTTP ${this.status}): ${this.detail}${excerpt}`
  }
}

/**
 * The API key could not be obtained (the key provider failed).
 */
export class CredentialsUnavailable extends Data.TaggedClass("CredentialsUnavailable")<{ readonly detail: string }>
  implements ReasonProperties
{
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return false
  }
  get message() {
    return withDetail("could not obtain the Kustomer API key", this.detail)
  }
}

/**
 * A bulk job did not complete within the allowed time. The job id is kept, so the job can be resumed later.
 */
export class JobTimedOut extends Data.TaggedClass("JobTimedOut")<{
  readonly jobId: string
  readonly waited: Duration.Duration
  readonly lastStatus: string
}> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return true
  }
  get message() {
    return `bulk job ${this.jobId} was still ${this.lastStatus} after ${Duration.format(this.waited)}; ` +
      "it may still complete — resume it by id later"
  }
}

/**
 * The API answered nothing for too long: every request in that time failed at the transport (connections refused,
 * reset or left without an answer). A run stops rather than retry without end; what it sent is in doubt until it
 * is resumed.
 */
export class Unresponsive extends Data.TaggedClass("Unresponsive")<{
  readonly silentFor: Duration.Duration
  readonly lastError: string
}> implements ReasonProperties {
  get retryable() {
    return false
  }
  get mayHaveTakenEffect() {
    return true
  }
  get message() {
    return `the API has answered no request for ${Duration.format(this.silentFor)} (last: ${this.lastError}); ` +
      "stopped rather than retry without end"
  }
}

/**
 * A streamed transfer stopped moving: no byte came or went for `idle` (a source or storage host that keeps the
 * connection open and sends or takes nothing). Retryable, as a dropped connection is; what was sent may have
 * arrived.
 */
export class Stalled extends Data.TaggedClass("Stalled")<{
  readonly idle: Duration.Duration
  readonly detail: string
}> implements ReasonProperties {
  get retryable() {
    return true
  }
  get mayHaveTakenEffect() {
    return true
  }
  get message() {
    return withDetail(`no byte came or went for ${Duration.format(this.idle)} (idle timeout)`, this.detail)
  }
}
