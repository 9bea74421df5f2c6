/**
 * The error a bulk job reports for one item, in `results[].error` or `errors[]`. Kustomer's one example is a
 * string (`"duplicate detected"`); an object `{ code, message }` or a JSON:API error `{ status, code, title, detail }`
 * is just as plausible, so all decode.
 *
 * Whether an item error means "an object with this externalId exists already" is decided here, once, for the
 * client and the simulator alike.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { LooseId, optional } from "./internal/schema.js"

/**
 * An item error given as an object. Only `code` and a text are expected; the JSON:API members are accepted too
 * (`status` and other members are ignored). A numeric `code` reads as a string.
 *
 * @since 0.1.0
 */
export const ItemErrorObject = Schema.Struct({
  code: optional(LooseId),
  message: optional(Schema.String),
  title: optional(Schema.String),
  detail: optional(Schema.String),
  meta: optional(Schema.Unknown)
}).annotations({ identifier: "ItemErrorObject" })
/** @since 0.1.0 */
export type ItemErrorObject = typeof ItemErrorObject.Type

/**
 * An item error: a plain string or an {@link ItemErrorObject}.
 *
 * @since 0.1.0
 */
export const ItemError = Schema.Union(Schema.String, ItemErrorObject).annotations({ identifier: "ItemError" })
/** @since 0.1.0 */
export type ItemError = typeof ItemError.Type

/**
 * The text used when an error carries none.
 *
 * @since 0.1.0
 */
export const noMessage = "the API reported an error without a message"

/**
 * The error's `code`, when it is an object that has one.
 *
 * @since 0.1.0
 */
export const code = (error: ItemError): string | undefined => typeof error === "string" ? undefined : error.code

/**
 * A one-line text for the error: the string itself, or the object's message, title or detail — its code only when
 * it has no text.
 *
 * @since 0.1.0
 */
export const text = (error: ItemError): string => {
  if (typeof error === "string") return error.length > 0 ? error : noMessage
  const words = [error.message, error.title, error.detail]
    .filter((part): part is string => part !== undefined && part.length > 0)
    .filter((part, index, parts) => parts.indexOf(part) === index)
    .join(": ")
  if (words.length > 0) return words
  return error.code === undefined || error.code.length === 0 ? noMessage : error.code
}

/**
 * Codes that mean "exists already". Kustomer documents no item error codes (INFERRED): these are the spellings a
 * JSON API plausibly uses for the case, matched case-insensitively. A bare `conflict` (HTTP 409) is not one: Kustomer
 * also uses it for optimistic-locking failures.
 */
const duplicateCode = /duplicate|already[_-]?exists?/i

/** The text of Kustomer's one documented example is "duplicate detected" (NEWDOCS-BCU). */
const duplicateText = /\bduplicate|\balready exists\b/i

/**
 * Whether an item error says the object exists already: by its `code`, or by any of its texts (`message`, `title`,
 * `detail`, or the string itself). Either may carry it — `{ code: "invalid", message: "duplicate detected" }` is a
 * duplicate — because taking an existing object for a failure would reject everything that belongs under it.
 *
 * @since 0.1.0
 */
export const isDuplicate = (error: ItemError): boolean => {
  if (typeof error === "string") return duplicateText.test(error)
  const errorCode = error.code
  if (errorCode !== undefined && duplicateCode.test(errorCode)) return true
  return [error.message, error.title, error.detail].some((part) => part !== undefined && duplicateText.test(part))
}

/**
 * An error from its parts as a batch's `errors[]` entry spreads them: the entry's own `code` and `message` and
 * its `error` (a string or an object). Parts that are missing are left out.
 *
 * @since 0.1.0
 */
export const fromParts = (parts: {
  readonly code?: string | undefined
  readonly message?: string | undefined
  readonly error?: ItemError | undefined
}): ItemError => {
  const inner = parts.error
  if (inner !== undefined && typeof inner !== "string") {
    const merged: { -readonly [K in keyof ItemErrorObject]: ItemErrorObject[K] } = { ...inner }
    if (merged.code === undefined && parts.code !== undefined) merged.code = parts.code
    if (merged.message === undefined && parts.message !== undefined) merged.message = parts.message
    return merged
  }
  const message = inner ?? parts.message
  if (parts.code === undefined) return message ?? ""
  return message === undefined ? { code: parts.code } : { code: parts.code, message }
}
