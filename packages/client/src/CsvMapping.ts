/**
 * How CSV rows become records: a mapping from record fields (dotted paths such as `custom.orderNumberStr` or
 * `queue.id`) to CSV columns, defined once as a Schema so that a mapping file (the CLI's `--mapping file.json`)
 * is decoded by the same definition the library applies.
 *
 * @since 0.1.0
 */
import { IsoDateTime } from "@effect-kustomer/domain"
import * as DateTime from "effect/DateTime"
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
 * - `datetime`: ISO 8601 or `YYYY-MM-DD hh:mm[:ss]`, written as ISO 8601 in UTC (a time without a zone is UTC);
 *   impossible calendar dates are refused;
 * - `json`: the cell is JSON text.
 *
 * @since 0.1.0
 */
export const Conversion = Schema.Literal("string", "number", "boolean", "list", "datetime", "json")
/** @since 0.1.0 */
export type Conversion = typeof Conversion.Type

/** One column and how to convert its cells. @since 0.1.0 */
export const Column = Schema.Struct({
  column: Schema.String,
  as: Schema.optionalWith(Conversion, { exact: true }),
  separator: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "CsvColumn" })
/** @since 0.1.0 */
export type Column = typeof Column.Type

/** A constant: every record gets `value` in this field. @since 0.1.0 */
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

const toDateTime = (text: string, column: string): string => {
  const trimmed = text.trim()
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) ? trimmed : `${trimmed.replace(" ", "T")}Z`
  // `Date.parse` rolls impossible dates over (2024-02-30 → March 1st): the calendar is checked first.
  const impossible = IsoDateTime.calendarIssue(zoned)
  const millis = impossible === undefined ? Date.parse(zoned) : Number.NaN
  if (Number.isNaN(millis)) {
    throw new Error(
      `column "${column}": "${text}" is not a date-time${impossible === undefined ? "" : ` (${impossible})`}`
    )
  }
  return DateTime.formatIso(DateTime.unsafeMake(millis))
}

const convert = (text: string, column: Column): unknown => {
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
      return toDateTime(text, column.column)
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
 * Builds a record from one CSV row (column name → cell text). Without a mapping, column names are field paths.
 * Empty cells leave their field out. Throws an `Error` naming the column when a cell cannot be converted; the
 * reader turns it into a reject of that row.
 *
 * @since 0.1.0
 */
export const apply = (row: Readonly<Record<string, string>>, mapping: Mapping | undefined): Record<string, unknown> => {
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
    setPath(record, field, convert(cell, column))
  }
  return record
}
