/**
 * CSV cells converted as the resource's schema types them. The library's defaults (`CsvMapping.conversionFor`)
 * are made for conversations — `priority` a number, `tags` a list, `createdAt` a date-time — and leave any other
 * field as text; a customer's `signedUpAt`, a message's `sentAt` or `meta`, a company's `domains` would then be
 * rejected. Here a field the mapping names by its column alone (or, without a mapping, a column named by the
 * field's path) that the library left as text is converted by its type in the schema: a date-time, a number, a
 * boolean, a list of strings, or JSON for objects and lists of objects. A field given with `as` is never touched.
 */
import { CsvMapping, ImportSource } from "@effect-kustomer/client"
import type { BulkResource } from "@effect-kustomer/domain"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as SchemaAST from "effect/SchemaAST"
import * as Stream from "effect/Stream"

const isNullish = (ast: SchemaAST.AST) =>
  ast._tag === "UndefinedKeyword" || ast._tag === "VoidKeyword" || (ast._tag === "Literal" && ast.literal === null)

const isDateTime = (ast: SchemaAST.AST) =>
  Option.getOrUndefined(SchemaAST.getIdentifierAnnotation(ast)) === "IsoDateTime"

/** The node under refinements, transformations, suspensions and nullable unions. */
const bare = (ast: SchemaAST.AST): SchemaAST.AST => {
  switch (ast._tag) {
    case "Refinement":
      return isDateTime(ast) ? ast : bare(ast.from)
    case "Transformation":
      return bare(ast.to)
    case "Suspend":
      return bare(ast.f())
    case "Union": {
      const members = ast.types.filter((member) => !isNullish(member))
      const only = members[0]
      return members.length === 1 && only !== undefined ? bare(only) : ast
    }
    default:
      return ast
  }
}

/** How a cell becomes a value of this type; `undefined` when the type does not say (a union of kinds). */
const conversionOfType = (ast: SchemaAST.AST): CsvMapping.Conversion | undefined => {
  const node = bare(ast)
  switch (node._tag) {
    case "Refinement":
      return "datetime"
    case "StringKeyword":
    case "TemplateLiteral":
      return "string"
    case "NumberKeyword":
      return "number"
    case "BooleanKeyword":
      return "boolean"
    case "Literal":
      return typeof node.literal === "number"
        ? "number"
        : typeof node.literal === "boolean"
        ? "boolean"
        : typeof node.literal === "string"
        ? "string"
        : undefined
    case "Union": {
      const kinds = new Set(node.types.filter((member) => !isNullish(member)).map(conversionOfType))
      const [only] = kinds
      return kinds.size === 1 ? only : undefined
    }
    case "TupleType": {
      const element = node.rest[0]?.type
      return node.elements.length === 0 && element !== undefined && conversionOfType(element) === "string"
        ? "list"
        : "json"
    }
    case "TypeLiteral":
      return "json"
    default:
      return undefined
  }
}

/** The type of the field at `path` of a struct, if the schema has one. */
const fieldType = (ast: SchemaAST.AST, path: ReadonlyArray<string>): SchemaAST.AST | undefined => {
  const [head, ...rest] = path
  if (head === undefined) return ast
  const node = bare(ast)
  if (node._tag !== "TypeLiteral") return undefined
  const property = node.propertySignatures.find((signature) => signature.name === head)
  const type = property?.type ?? node.indexSignatures[0]?.type
  return type === undefined ? undefined : fieldType(type, rest)
}

/**
 * How a cell of `field` is converted for `resource`: by its type in the schema; custom attributes and fields the
 * schema does not have by the library's defaults (custom attributes go by their suffix, `…At`, `…Num`, `…Bool`).
 */
export const conversionOf = (resource: BulkResource.Any) => (field: string): CsvMapping.Conversion => {
  const fallback = CsvMapping.conversionFor(field)
  if (field.startsWith("custom.")) return fallback
  const type = fieldType(resource.item.ast, field.split("."))
  return (type === undefined ? undefined : conversionOfType(type)) ?? fallback
}

/** A copy of `record` with `value` at `path`. */
const withValue = (
  record: Readonly<Record<string, unknown>>,
  path: ReadonlyArray<string>,
  value: unknown
): Record<string, unknown> => {
  const [head, ...rest] = path
  if (head === undefined) return { ...record }
  if (rest.length === 0) return { ...record, [head]: value }
  const inner = record[head]
  return { ...record, [head]: withValue(Predicate.isRecord(inner) ? inner : {}, rest, value) }
}

const valueAt = (record: unknown, path: ReadonlyArray<string>): unknown => {
  let node = record
  for (const key of path) {
    if (!Predicate.isRecord(node)) return undefined
    node = node[key]
  }
  return node
}

/** The dotted paths of the text leaves of a record (without a mapping, a column's name is its field's path). */
const textLeaves = (record: Readonly<Record<string, unknown>>, prefix = ""): ReadonlyArray<string> =>
  Object.entries(record).flatMap(([key, value]) => {
    const path = `${prefix}${key}`
    if (typeof value === "string") return [path]
    return Predicate.isRecord(value) ? textLeaves(value, `${path}.`) : []
  })

/** The fields (with their columns) whose text the library left as it is but the schema types otherwise. */
const candidates = (
  record: Readonly<Record<string, unknown>>,
  mapping: CsvMapping.Mapping | undefined
): ReadonlyArray<readonly [field: string, column: string]> =>
  mapping === undefined
    ? textLeaves(record).map((path) => [path, path] as const)
    : Object.entries(mapping).flatMap(([field, spec]) => typeof spec === "string" ? [[field, spec] as const] : [])

const errorText = (error: unknown) => error instanceof Error ? error.message : String(error)

/**
 * The records of a CSV input of `resource`, each text cell converted as the resource's schema types its field
 * where the library's defaults left it as text; a cell that cannot be converted makes its row unparsable, naming
 * the column, as the library's own conversions do. Date-times are read in the input's time zone, and those read
 * as UTC for want of one join the record's `timesReadAsUtc`, as the library's own conversions note them.
 */
export const typedRecords = <E, R>(
  records: Stream.Stream<ImportSource.SourceRecord, E, R>,
  resource: BulkResource.Any,
  csv: ImportSource.CsvOptions | undefined
): Stream.Stream<ImportSource.SourceRecord, E, R> => {
  const mapping = csv?.mapping
  // The reader has refused a zone that does not exist before the first record: a bad name cannot get here.
  const zone = csv?.timeZone
  const applyOptions: CsvMapping.ApplyOptions = {
    timeZone: typeof zone === "string" ? Either.getOrUndefined(CsvMapping.timeZoneOf(zone)) : zone
  }
  const conversion = conversionOf(resource)
  const known = new Map<string, CsvMapping.Conversion | undefined>()
  /** The conversion a field needs beyond the library's defaults, if any. */
  const needed = (field: string): CsvMapping.Conversion | undefined => {
    if (!known.has(field)) {
      const typed = conversion(field)
      known.set(field, typed !== "string" && CsvMapping.conversionFor(field) === "string" ? typed : undefined)
    }
    return known.get(field)
  }
  return Stream.map(records, (record): ImportSource.SourceRecord => {
    if (record._tag !== "Parsed" || !Predicate.isRecord(record.value)) return record
    let value: Readonly<Record<string, unknown>> = record.value
    let timesReadAsUtc = record.timesReadAsUtc ?? []
    for (const [field, column] of candidates(record.value, mapping)) {
      const as = needed(field)
      const path = field.split(".")
      const text = valueAt(value, path)
      if (as === undefined || typeof text !== "string") continue
      try {
        const applied = CsvMapping.applyRow({ [column]: text }, { value: { column, as } }, applyOptions)
        value = withValue(value, path, applied.record["value"])
        if (applied.timesReadAsUtc.length > 0) timesReadAsUtc = [...timesReadAsUtc, ...applied.timesReadAsUtc]
      } catch (error) {
        return ImportSource.unparsable(record.position, errorText(error))
      }
    }
    return value === record.value ? record : ImportSource.parsed(record.position, value, timesReadAsUtc)
  })
}
