/**
 * The one place where HTTP outcomes — statuses, bodies, platform errors — become {@link Reason}s.
 */
import { ErrorBody } from "@effect-kustomer/domain"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Reasons from "../KustomerError.js"

/** How much of a response body an error may quote. */
export const excerptLength = ErrorBody.excerptLength

/** The start of a body, on one line, for error messages. */
export const excerpt = ErrorBody.excerpt

/** A readable detail from an error response's body: the API's error objects, or an excerpt of whatever came. */
export const detailOf = (body: string): string => {
  const read = ErrorBody.fromText(body)
  return read.recognized ? ErrorBody.describe(read.body) : excerpt(body)
}

/** The reason for a non-success status. */
export const reasonForStatus = (options: {
  readonly status: number
  readonly body: string
  readonly requiredRoles: ReadonlyArray<string>
  readonly retryAfter: Option.Option<Duration.Duration>
}): Reasons.Reason => {
  const { status } = options
  const detail = detailOf(options.body)
  switch (status) {
    case 400:
    case 422:
      return new Reasons.InvalidRequest({ status, detail })
    case 401:
      return new Reasons.Unauthorized({ detail })
    case 402:
    case 403:
      return new Reasons.Forbidden({ detail, requiredRoles: options.requiredRoles })
    case 404:
      return new Reasons.NotFound({ detail })
    case 409:
      return new Reasons.Conflict({ detail })
    case 413:
      return new Reasons.PayloadTooLarge({ detail, bytes: Option.none() })
    case 429:
      return new Reasons.RateLimited({ retryAfter: options.retryAfter })
    default:
      return status >= 500
        ? new Reasons.ServerError({ status, detail })
        : new Reasons.UnexpectedStatus({ status, detail })
  }
}

/** Error codes of a failure that happened before any byte of the request could reach the server. */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ERR_INVALID_URL",
  "UND_ERR_CONNECT_TIMEOUT"
])

const codeOf = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    if ("code" in current && typeof current.code === "string") return current.code
    current = "cause" in current ? current.cause : undefined
  }
  return undefined
}

const messageOf = (error: unknown): string => {
  const code = codeOf(error)
  let current: unknown = error
  const parts: Array<string> = []
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current.message.length > 0 && !parts.includes(current.message)) parts.push(current.message)
    current = current.cause
  }
  const text = parts.join(": ")
  return code === undefined || text.includes(code) ? text : `${code}: ${text}`
}

/** The reason for a request that failed before a response arrived. */
export const reasonForRequestError = (error: HttpClientError.RequestError): Reasons.Reason => {
  switch (error.reason) {
    case "Transport": {
      const code = codeOf(error.cause)
      const delivery = code !== undefined && notSentCodes.has(code) ? "not-sent" : "maybe-sent"
      return new Reasons.Transport({ delivery, detail: messageOf(error.cause) })
    }
    case "Encode":
    case "InvalidUrl":
      return new Reasons.InvalidRequest({ status: 0, detail: `${error.reason}: ${messageOf(error.cause)}` })
  }
}
