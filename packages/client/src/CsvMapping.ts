/**
 * How CSV rows become records: a mapping from record fields (dotted paths such as `custom.orderNumberStr` or
 * `queue.id`) to CSV columns, defined once as a Schema so that a mapping file (the CLI's `--mapping file.json`)
 * is decoded by the same definition the library applies.
 *
 * Date-times without an offset (`2024-03-31 01:30`, as helpdesk exports such as Zendesk's write them in the
 * account's time zone) are read in the {@link ApplyOptions.timeZone} given — an IANA zone such as `Europe/Paris`,
 * daylight saving time included — and written as ISO 8601 in UTC; times with `Z` or an offset keep their own.
 * Without a time zone they are read as UTC, and {@link applyRow} names their columns so that a caller can say so
 * (the CLI's summary counts them) instead of shifting a whole history by hours without a word.
 *
 * @since 0.1.0
 */
import { IsoDateTime } from "@effect-kustomer/domain"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { textExceeds, tooDeep } from "./internal/sources/depth.js"

/**
 * How a cell's text is converted:
 *
 * - `string` (default): the text as is;
 * - `number`: a number (`"3"` → `3`);
 * - `boolean`: `true/false/yes/no/y/n/1/0`;
 * - `list`: split on `separator` (default `,`), trimmed, empty parts dropped;
 * - `datetime`: ISO 8601 or `YYYY-MM-DD hh:mm[:ss]`, written as ISO 8601 in UTC; a time without an offset is in
 *   the {@link ApplyOptions.timeZone} given, else UTC; impossible calendar dates are refused;
 * - `json`: the cell is JSON text.
 *
 * @since 0.1.0
 */
export const Conversion = Schema.Literal("string", "number", "boolean", "list", "datetime", "json")
/** @since 0.1.0 */
export type Conversion = typeof Conversion.Type

/**
 * One column and how to convert its cells.
 *
 * @since 0.1.0
 */
export const Column = Schema.Struct({
  column: Schema.String,
  as: Schema.optionalWith(Conversion, { exact: true }),
  separator: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "CsvColumn" })
/** @since 0.1.0 */
export type Column = typeof Column.Type

/**
 * A constant: every record gets `value` in this field.
 *
 * @since 0.1.0
 */
export const Constant = Schema.Struct({ value: Schema.Unknown }).annotations({ identifier: "CsvConstant" })
/** @since 0.1.0 */
export type Constant = typeof Constant.Type

/**
 * Field path → a column name (converted by the field's usual type, see {@link conversionFor}), a {@link Column},
 * or a {@link Constant}.
 *
 * @since 0.1.0
 */
export const Mapping = Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Column, Constant) })
  .annotations({ identifier: "CsvMapping" })
/** @since 0.1.0 */
export type Mapping = typeof Mapping.Type

/**
 * Decodes the JSON text of a mapping file. Excess properties are errors, so that a misspelt `as` or `separator`
 * is reported instead of being read as something else.
 *
 * @since 0.1.0
 */
export const decodeJson = Schema.decodeUnknownEither(Schema.parseJson(Mapping), { onExcessProperty: "error" })

/**
 * The conversion a field gets when the mapping names only its column: `priority` is a number; `tags`,
 * `assignedUsers`, `assignedTeams` are lists; `createdAt`, `importedAt` and custom `…At` are date-times; custom
 * `…Num` numbers; custom `…Bool` booleans; everything else text.
 *
 * @since 0.1.0
 */
export const conversionFor = (field: string): Conversion => {
  if (field === "priority" || (field.startsWith("custom.") && field.endsWith("Num"))) return "number"
  if (field === "tags" || field === "assignedUsers" || field === "assignedTeams") return "list"
  if (field === "createdAt" || field === "importedAt" || (field.startsWith("custom.") && field.endsWith("At"))) {
    return "datetime"
  }
  if (field.startsWith("custom.") && field.endsWith("Bool")) return "boolean"
  return "string"
}

/**
 * The columns a mapping reads, in the order it names them (without repeats).
 *
 * @since 0.1.0
 */
export const columnsOf = (mapping: Mapping): ReadonlyArray<string> => {
  const columns = new Set<string>()
  for (const spec of Object.values(mapping)) {
    if (typeof spec === "string") columns.add(spec)
    else if ("column" in spec) columns.add(spec.column)
  }
  return Array.from(columns)
}

/**
 * The context of the conversions of a row: see {@link ApplyOptions}.
 *
 * @since 0.1.0
 */
export interface ApplyOptions {
  /**
   * The zone of date-times written without an offset (see {@link timeZoneOf}); without one they are read as UTC.
   * A time that the change to daylight saving time skips (02:30 on the night clocks go forward) is read as the
   * time after the gap, and one that the change back repeats as its first occurrence, as JavaScript's `Date` does.
   */
  readonly timeZone?: DateTime.TimeZone | undefined
}

/**
 * The time zone an IANA name stands for (`Europe/Paris`, `America/New_York`, `UTC`), or why it stands for none.
 *
 * @since 0.1.0
 */
export const timeZoneOf = (name: string): Either.Either<DateTime.TimeZone, string> =>
  Option.match(DateTime.zoneMakeNamed(name.trim()), {
    onNone: () =>
      Either.left(
        `${JSON.stringify(name)} is not a time zone: name an IANA time zone such as Europe/Paris or America/New_York`
      ),
    onSome: (zone): Either.Either<DateTime.TimeZone, string> => Either.right(zone)
  })

/** What the conversions of one row need, and what they note: the columns of times read as UTC. */
interface RowContext {
  readonly timeZone: DateTime.TimeZone | undefined
  readonly readAsUtc: Array<string>
}

const offsetPattern = /(Z|[+-]\d{2}:?\d{2})$/i

const toDateTime = (text: string, column: string, context: RowContext): string => {
  const trimmed = text.trim()
  const hasOffset = offsetPattern.test(trimmed)
  // A time without an offset is parsed as a UTC wall-clock reading, then moved into the time zone if there is one.
  const zoned = hasOffset ? trimmed : `${trimmed.replace(" ", "T")}Z`
  // `Date.parse` rolls impossible dates over (2024-02-30 → March 1st): the calendar is checked first.
  const impossible = IsoDateTime.calendarIssue(zoned)
  const millis = impossible === undefined ? Date.parse(zoned) : Number.NaN
  const notADateTime = () =>
    new Error(`column "${column}": "${text}" is not a date-time${impossible === undefined ? "" : ` (${impossible})`}`)
  if (Number.isNaN(millis)) throw notADateTime()
  if (hasOffset) return DateTime.formatIso(DateTime.unsafeMake(millis))
  if (context.timeZone === undefined) {
    context.readAsUtc.push(column)
    return DateTime.formatIso(DateTime.unsafeMake(millis))
  }
  return Option.match(DateTime.makeZoned(millis, { timeZone: context.timeZone, adjustForTimeZone: true }), {
    onNone: () => {
      throw notADateTime()
    },
    onSome: (local) => DateTime.formatIso(local)
  })
}

const convert = (text: string, column: Column, context: RowContext): unknown => {
  switch (column.as ?? "string") {
    case "string":
      return text
    case "number": {
      const value = Number(text.trim())
      if (text.trim() === "" || Number.isNaN(value)) {
        throw new Error(`column "${column.column}": "${text}" is not a number`)
      }
      return value
    }
    case "boolean": {
      const lower = text.trim().toLowerCase()
      if (["true", "yes", "1", "y"].includes(lower)) return true
      if (["false", "no", "0", "n"].includes(lower)) return false
      throw new Error(`column "${column.column}": "${text}" is not a boolean`)
    }
    case "list":
      return text.split(column.separator ?? ",").map((part) => part.trim()).filter((part) => part.length > 0)
    case "datetime":
      return toDateTime(text, column.column, context)
    case "json":
      if (textExceeds(text)) throw new Error(`column "${column.column}": ${tooDeep()}`)
      try {
        return JSON.parse(text)
      } catch (error) {
        throw new Error(`column "${column.column}": not valid JSON (${error instanceof Error ? error.message : ""})`)
      }
  }
}

const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const keys = path.split(".")
  let node = target
  for (const key of keys.slice(0, -1)) {
    const next = node[key]
    if (Predicate.isRecord(next)) {
      node = next
    } else {
      const created: Record<string, unknown> = {}
      node[key] = created
      node = created
    }
  }
  node[keys[keys.length - 1] ?? path] = value
}

/**
 * A row as a record, and the columns of its date-times that had no offset and were read as UTC for want of a
 * time zone (one entry per cell).
 *
 * @since 0.1.0
 */
export interface Applied {
  readonly record: Record<string, unknown>
  readonly timesReadAsUtc: ReadonlyArray<string>
}

/**
 * Builds a record from one CSV row (column name → cell text). Without a mapping, column names are field paths.
 * Empty cells leave their field out. Throws an `Error` naming the column when a cell cannot be converted; the
 * reader turns it into a reject of that row.
 *
 * @since 0.1.0
 */
export const apply = (
  row: Readonly<Record<string, string>>,
  mapping: Mapping | undefined,
  options: ApplyOptions = {}
): Record<string, unknown> => applyRow(row, mapping, options).record

/**
 * {@link apply}, also naming the columns of the date-times read as UTC because they had no offset and no time
 * zone was given: what a reader counts to warn that a whole export may be shifted by hours.
 *
 * @since 0.1.0
 */
export const applyRow = (
  row: Readonly<Record<string, string>>,
  mapping: Mapping | undefined,
  options: ApplyOptions = {}
): Applied => {
  const context: RowContext = { timeZone: options.timeZone, readAsUtc: [] }
  const record: Record<string, unknown> = {}
  const entries: ReadonlyArray<readonly [string, Mapping[string]]> = mapping === undefined
    ? Object.keys(row).map((column) => [column, column])
    : Object.entries(mapping)
  for (const [field, spec] of entries) {
    if (typeof spec === "object" && "value" in spec) {
      setPath(record, field, spec.value)
      continue
    }
    const column: Column = typeof spec === "string" ? { column: spec, as: conversionFor(field) } : spec
    const cell = row[column.column]
    if (cell === undefined || cell.trim() === "") continue
    setPath(record, field, convert(cell, column, context))
  }
  return { record, timesReadAsUtc: context.readAsUtc }
}
