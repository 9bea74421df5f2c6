/**
 * Custom attributes (`custom`) of a Kustomer record.
 *
 * The suffix of each key declares the value's type: `Num` number, `At` date-time, `Str` and `Txt` string of at
 * most 1024 characters, `Bool` boolean, `Url` URL. Every value may also be `null`. A key without one of these
 * suffixes is refused, as the API refuses it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { isIsoDateTime } from "./IsoDateTime.js"

/**
 * The longest `Str`/`Txt` custom value the API stores.
 *
 * @since 0.1.0
 */
export const maxCustomTextLength = 1024

/**
 * The key suffixes and the check each value must pass.
 *
 * @since 0.1.0
 */
export const customAttributeSuffixes = ["Num", "At", "Str", "Txt", "Bool", "Url"] as const

/** @since 0.1.0 */
export type CustomAttributeSuffix = (typeof customAttributeSuffixes)[number]

const isUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return url.protocol.length > 0
  } catch {
    return false
  }
}

const checkValue = (suffix: CustomAttributeSuffix, value: unknown): string | undefined => {
  if (value === null) return undefined
  switch (suffix) {
    case "Num":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "expected a finite number or null"
    case "At":
      return typeof value === "string" && isIsoDateTime(value)
        ? undefined
        : "expected an ISO 8601 date-time string or null"
    case "Str":
    case "Txt":
      if (typeof value !== "string") return "expected a string or null"
      return value.length <= maxCustomTextLength
        ? undefined
        : `expected at most ${maxCustomTextLength} characters, got ${value.length}`
    case "Bool":
      return typeof value === "boolean" ? undefined : "expected a boolean or null"
    case "Url":
      return typeof value === "string" && isUrl(value) ? undefined : "expected an absolute URL string or null"
  }
}

/**
 * Which suffix a custom attribute key carries, if any.
 *
 * @since 0.1.0
 */
export const suffixOf = (key: string): CustomAttributeSuffix | undefined => {
  // No suffix ends another, so at most one matches; the last character tells which ones to try (this runs for every
  // key of every record).
  switch (key.charCodeAt(key.length - 1)) {
    case 0x6d: // m
      return key.length > 3 && key.endsWith("Num") ? "Num" : undefined
    case 0x74: // t
      return key.length > 2 && key.endsWith("At") ? "At" : key.length > 3 && key.endsWith("Txt") ? "Txt" : undefined
    case 0x72: // r
      return key.length > 3 && key.endsWith("Str") ? "Str" : undefined
    case 0x6c: // l
      return key.length > 4 && key.endsWith("Bool") ? "Bool" : key.length > 3 && key.endsWith("Url") ? "Url" : undefined
    default:
      return undefined
  }
}

/** Whether every attribute passes (the common case, checked without building a list of issues). */
const allValid = (attributes: Readonly<Record<string, unknown>>): boolean => {
  for (const key in attributes) {
    const suffix = suffixOf(key)
    if (suffix === undefined || checkValue(suffix, attributes[key]) !== undefined) return false
  }
  return true
}

/**
 * The `custom` object: keys with a type suffix, values of that type or `null`. Errors name the offending key.
 *
 * @since 0.1.0
 */
export const CustomAttributes = Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(
  Schema.filter((attributes) =>
    allValid(attributes) ? undefined : Object.entries(attributes).flatMap(([key, value]) => {
      const suffix = suffixOf(key)
      if (suffix === undefined) {
        return [{
          path: [key],
          message: `custom attribute keys must end in one of ${customAttributeSuffixes.join(", ")}`
        }]
      }
      const problem = checkValue(suffix, value)
      return problem === undefined ? [] : [{ path: [key], message: `${suffix} attribute: ${problem}` }]
    })
  ),
  Schema.annotations({
    identifier: "CustomAttributes",
    arbitrary: () => (fc) =>
      fc.dictionary(
        fc.string({ minLength: 1, maxLength: 8 }).filter((name) => /^[a-z]\w*$/i.test(name)),
        fc.oneof(
          fc.record({
            suffix: fc.constant("Num"),
            // JSON has no -0: a generated -0 would come back as 0 and fail a round trip for no real reason.
            value: fc.oneof(
              fc.double({ noNaN: true, noDefaultInfinity: true }).map((number) => Object.is(number, -0) ? 0 : number),
              fc.constant(null)
            )
          }),
          fc.record({
            suffix: fc.constant("Str"),
            value: fc.oneof(fc.string({ maxLength: maxCustomTextLength }), fc.constant(null))
          }),
          fc.record({ suffix: fc.constant("Bool"), value: fc.boolean() }),
          fc.record({ suffix: fc.constant("Url"), value: fc.webUrl() })
        ),
        { maxKeys: 4 }
      ).map((entries) =>
        Object.fromEntries(
          Object.entries(entries).map(([name, { suffix, value }]) => [`${name}${suffix}`, value])
        )
      )
  })
)
/** @since 0.1.0 */
export type CustomAttributes = typeof CustomAttributes.Type
