/**
 * Error bodies. Kustomer answers most errors with `{ errors: [{ code, message, meta }] }`; some endpoints use
 * JSON:API error objects `{ errors: [{ status, code, title, detail, source, meta }] }`; a plain `{ code, message,
 * meta }` without the list, and bodies that are not JSON at all (a proxy's HTML, plain text), come too. Every shape
 * decodes to one {@link ApiErrorBody}.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"

/**
 * Where in the request an error points.
 *
 * @since 0.1.0
 */
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

/**
 * `{ errors: [...] }`.
 *
 * @since 0.1.0
 */
export const ApiErrorBody = Schema.Struct({
  errors: Schema.Array(ApiErrorObject)
}).annotations({ identifier: "ApiErrorBody" })
/** @since 0.1.0 */
export type ApiErrorBody = typeof ApiErrorBody.Type

const ErrorEntry = Schema.Union(
  ApiErrorObject,
  Schema.transform(Schema.String, Schema.typeSchema(ApiErrorObject), {
    strict: true,
    decode: (message) => ({ message }),
    encode: (error) => error.message ?? error.detail ?? error.title ?? error.code ?? ""
  })
)

const PlainError = Schema.Struct({
  code: optional(Schema.String),
  message: optional(Schema.String),
  meta: optional(Schema.Unknown)
}).pipe(Schema.filter((error) => error.code !== undefined || error.message !== undefined, {
  message: () => "Expected an error code or message"
}))

/**
 * Any error body Kustomer plausibly sends, as JSON: `{ errors: [...] }` (whose entries may also be bare strings),
 * or one plain `{ code, message, meta }` object. Decodes to {@link ApiErrorBody}.
 *
 * @since 0.1.0
 */
export const AnyErrorBody = Schema.Union(
  Schema.Struct({ errors: Schema.Array(ErrorEntry) }),
  Schema.transform(PlainError, Schema.typeSchema(ApiErrorBody), {
    strict: true,
    decode: (error) => ({ errors: [error] }),
    encode: (body) => {
      const first = body.errors[0] ?? {}
      const plain: { code?: string; message?: string; meta?: unknown } = {}
      if (first.code !== undefined) plain.code = first.code
      if (first.message !== undefined) plain.message = first.message
      if (first.meta !== undefined) plain.meta = first.meta
      return plain
    }
  })
).annotations({ identifier: "AnyErrorBody" })

const decodeJsonBody = Schema.decodeUnknownEither(Schema.parseJson(AnyErrorBody))

/**
 * How much of a body that is not an error envelope {@link fromText} keeps.
 *
 * @since 0.1.0
 */
export const excerptLength = 200

/**
 * The start of a body on one line, at most {@link excerptLength} characters: what an error may quote of it.
 *
 * @since 0.1.0
 */
export const excerpt = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > excerptLength ? `${line.slice(0, excerptLength)}…` : line
}

/**
 * Reads an error response's body text, whatever it holds: a JSON error envelope of either shape, or anything
 * else — kept as one error whose `detail` is the body's first {@link excerptLength} characters on one line. `false`
 * in `recognized` says the body was not an error envelope.
 *
 * @since 0.1.0
 */
export const fromText = (text: string): { readonly body: ApiErrorBody; readonly recognized: boolean } =>
  Either.match(decodeJsonBody(text), {
    onLeft: () => {
      const detail = excerpt(text)
      return { body: { errors: detail.length === 0 ? [] : [{ detail }] }, recognized: false }
    },
    onRight: (body) => ({ body, recognized: true })
  })

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
