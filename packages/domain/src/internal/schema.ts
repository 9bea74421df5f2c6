import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** An optional property that, when present, must not be `undefined` (matches `exactOptionalPropertyTypes`). */
export const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** An optional property of a response that may also come as `null`; `null` decodes as if it were absent. */
export const nullable = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optionalWith(schema, { exact: true, nullable: true })

/**
 * A part of a response that the caller can live without. It decodes to `Right(value)` when it matches `schema`
 * and to `Left(raw)` when it does not, so an odd optional part never fails the whole response. Both sides
 * encode back to the original JSON.
 */
export const lenient = <A, I>(schema: Schema.Schema<A, I, never>) =>
  Schema.transformOrFail(
    Schema.Unknown,
    Schema.EitherFromSelf({ left: Schema.Unknown, right: Schema.typeSchema(schema) }),
    {
      strict: true,
      decode: (raw) =>
        ParseResult.succeed(
          Either.mapLeft(ParseResult.decodeUnknownEither(schema)(raw), () => raw)
        ),
      encode: (part) =>
        Either.match(part, {
          onLeft: (raw) => ParseResult.succeed(raw),
          onRight: (value) => ParseResult.encode(schema)(value)
        })
    }
  )

/**
 * A string enumeration that the server may extend: known values decode to their literal, any other string to
 * `{ _tag: "Unknown", value }`, so a new server-side status is visible instead of fatal.
 */
export const openLiterals = <const L extends ReadonlyArray<string>>(...literals: L) => {
  const known = Schema.Literal(...literals)
  const unknown = Schema.transform(
    Schema.String,
    Schema.TaggedStruct("Unknown", { value: Schema.String }),
    {
      strict: true,
      decode: (value) => ({ _tag: "Unknown" as const, value }),
      encode: (status) => status.value
    }
  )
  return Schema.Union(known, unknown)
}

/** A JSON:API link: a URL string, or a link object `{ href }` (read as its `href`). */
export const Link = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Struct({ href: Schema.String }), Schema.String, {
    strict: true,
    decode: ({ href }) => href,
    encode: (href) => ({ href })
  })
)

/** An identifier that may come as a string or a number; read as a string. */
export const LooseId = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Number, Schema.String, {
    strict: true,
    decode: (id) => String(id),
    encode: (id) => Number(id)
  })
)

/**
 * An optional part that only informs: absent when it is `null` or does not match `schema`, so that an odd one never
 * hides the fields beside it.
 */
export const absentIfOdd = <A, I>(schema: Schema.Schema<A, I, never>) =>
  Schema.optionalToOptional(Schema.Unknown, Schema.typeSchema(schema), {
    decode: (raw) => Option.flatMap(raw, (value) => Schema.decodeUnknownOption(schema)(value)),
    encode: (value) => Option.flatMap(value, (typed) => Schema.encodeOption(schema)(typed))
  })
