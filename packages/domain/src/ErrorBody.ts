/**
 * Error bodies. Kustomer answers most errors with `{ errors: [{ code, message, meta }] }`; some endpoints use
 * JSON:API error objects `{ errors: [{ status, code, title, detail, source, meta }] }`. One schema accepts both.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"

/** Where in the request an error points. @since 0.1.0 */
export const ErrorSource = Schema.Struct({
  pointer: optional(Schema.String),
  parameter: optional(Schema.String)
})

/**
 * One error object, in either shape: the plain `{ code, message, meta }` or JSON:API's
 * `{ status, code, title, detail, source, meta }`.
 *
 * @since 0.1.0
 */
export const ApiErrorObject = Schema.Struct({
  status: optional(Schema.Union(Schema.Number, Schema.String)),
  code: optional(Schema.String),
  title: optional(Schema.String),
  message: optional(Schema.String),
  detail: optional(Schema.String),
  source: optional(ErrorSource),
  meta: optional(Schema.Unknown)
}).annotations({ identifier: "ApiErrorObject" })
/** @since 0.1.0 */
export type ApiErrorObject = typeof ApiErrorObject.Type

/** `{ errors: [...] }`. @since 0.1.0 */
export const ApiErrorBody = Schema.Struct({
  errors: Schema.Array(ApiErrorObject)
}).annotations({ identifier: "ApiErrorBody" })
/** @since 0.1.0 */
export type ApiErrorBody = typeof ApiErrorBody.Type

/**
 * A one-line human description of an error body: each error's code with its title, message or detail.
 *
 * @since 0.1.0
 */
export const describe = (body: ApiErrorBody): string =>
  body.errors
    .map((error) => {
      const text = [error.title, error.message, error.detail]
        .filter((part): part is string => part !== undefined && part.length > 0)
        .filter((part, index, parts) => parts.indexOf(part) === index)
        .join(": ")
      const pointer = error.source?.pointer ?? error.source?.parameter
      const located = pointer === undefined ? text : `${text} (at ${pointer})`
      return error.code === undefined ? located : `${error.code}: ${located}`
    })
    .join("; ")

/**
 * The first error's `code`, if any.
 *
 * @since 0.1.0
 */
export const firstCode = (body: ApiErrorBody): string | undefined => body.errors[0]?.code
