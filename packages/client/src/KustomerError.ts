/**
 * One error type for everything the Kustomer API can answer with, carrying a tagged `reason`.
 *
 * Each reason knows whether retrying can help (`retryable`) and whether the failed request may nevertheless
 * have taken effect on the server (`mayHaveTakenEffect`) — the question that decides whether resending a bulk
 * create could duplicate data. Retry decisions read these properties, never raw status codes.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Reasons from "./internal/reasons.js"

/**
 * Shared behaviour of every reason.
 *
 * @since 0.1.0
 */
export type ReasonProperties = Reasons.ReasonProperties

/**
 * 400: the request itself is wrong; sending it again cannot help.
 *
 * @since 0.1.0
 */
export const InvalidRequest = Reasons.InvalidRequest
/** @since 0.1.0 */
export type InvalidRequest = Reasons.InvalidRequest

/**
 * 401: the API key is missing, unknown, expired or from another region.
 *
 * @since 0.1.0
 */
export const Unauthorized = Reasons.Unauthorized
/** @since 0.1.0 */
export type Unauthorized = Reasons.Unauthorized

/**
 * 403: the key is valid but lacks a role this operation needs.
 *
 * @since 0.1.0
 */
export const Forbidden = Reasons.Forbidden
/** @since 0.1.0 */
export type Forbidden = Reasons.Forbidden

/**
 * 404: no such object (or it is out of the key's scope).
 *
 * @since 0.1.0
 */
export const NotFound = Reasons.NotFound
/** @since 0.1.0 */
export type NotFound = Reasons.NotFound

/**
 * 409: a conflict with the object's current state.
 *
 * @since 0.1.0
 */
export const Conflict = Reasons.Conflict
/** @since 0.1.0 */
export type Conflict = Reasons.Conflict

/**
 * 413, or a body the client knows is too large before sending it.
 *
 * @since 0.1.0
 */
export const PayloadTooLarge = Reasons.PayloadTooLarge
/** @since 0.1.0 */
export type PayloadTooLarge = Reasons.PayloadTooLarge

/**
 * 429: the org's rate limit is spent; `retryAfter` says how long to wait, when the response said.
 *
 * @since 0.1.0
 */
export const RateLimited = Reasons.RateLimited
/** @since 0.1.0 */
export type RateLimited = Reasons.RateLimited

/**
 * 5xx: the server failed; a write may or may not have been carried out.
 *
 * @since 0.1.0
 */
export const ServerError = Reasons.ServerError
/** @since 0.1.0 */
export type ServerError = Reasons.ServerError

/**
 * Any other status the client does not expect.
 *
 * @since 0.1.0
 */
export const UnexpectedStatus = Reasons.UnexpectedStatus
/** @since 0.1.0 */
export type UnexpectedStatus = Reasons.UnexpectedStatus

/**
 * The request did not complete at the network level. `delivery` tells whether it certainly never reached the
 * server (`not-sent`: refused connection, unknown host) or may have (`maybe-sent`: reset, timeout).
 *
 * @since 0.1.0
 */
export const Transport = Reasons.Transport
/** @since 0.1.0 */
export type Transport = Reasons.Transport

/**
 * A response the client could not read: a success body without the expected shape, or an unreadable body.
 * `bodyExcerpt` holds the start of the body (never request data or credentials).
 *
 * @since 0.1.0
 */
export const Decode = Reasons.Decode
/** @since 0.1.0 */
export type Decode = Reasons.Decode

/**
 * The API key could not be obtained (the key provider failed).
 *
 * @since 0.1.0
 */
export const CredentialsUnavailable = Reasons.CredentialsUnavailable
/** @since 0.1.0 */
export type CredentialsUnavailable = Reasons.CredentialsUnavailable

/**
 * A bulk job did not complete within the allowed time. The job id is kept, so the job can be resumed later.
 *
 * @since 0.1.0
 */
export const JobTimedOut = Reasons.JobTimedOut
/** @since 0.1.0 */
export type JobTimedOut = Reasons.JobTimedOut

/**
 * The API answered nothing for too long: every request in that time failed at the transport (connections refused,
 * reset or left without an answer). A run stops rather than retry without end; what it sent is in doubt until it
 * is resumed.
 *
 * @since 0.1.0
 */
export const Unresponsive = Reasons.Unresponsive
/** @since 0.1.0 */
export type Unresponsive = Reasons.Unresponsive

/**
 * A streamed transfer (an attachment's download or upload) stopped moving: no byte for its idle timeout.
 * Retryable, as a dropped connection is.
 *
 * @since 0.1.0
 */
export const Stalled = Reasons.Stalled
/** @since 0.1.0 */
export type Stalled = Reasons.Stalled

/**
 * Every reason a Kustomer operation can fail with.
 *
 * @since 0.1.0
 */
export type Reason =
  | InvalidRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | PayloadTooLarge
  | RateLimited
  | ServerError
  | UnexpectedStatus
  | Transport
  | Decode
  | CredentialsUnavailable
  | JobTimedOut
  | Unresponsive
  | Stalled

/**
 * The error of every Kustomer operation: which module and method failed, and why.
 *
 * @since 0.1.0
 */
export class KustomerError extends Data.TaggedError("KustomerError")<{
  readonly module: string
  readonly method: string
  readonly reason: Reason
}> {
  /** Whether sending the same request again can succeed. */
  get retryable(): boolean {
    return this.reason.retryable
  }

  override get message(): string {
    return `${this.module}.${this.method}: ${this.reason.message}`
  }
}

/**
 * Whether an error is fatal for a whole run: no later request can succeed either (bad or missing credentials,
 * missing roles), or the API has stopped answering.
 *
 * @since 0.1.0
 */
export const isFatal = (error: KustomerError): boolean =>
  error.reason._tag === "Unauthorized" || error.reason._tag === "Forbidden" ||
  error.reason._tag === "CredentialsUnavailable" || error.reason._tag === "Unresponsive"
