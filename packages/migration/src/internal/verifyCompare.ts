/**
 * One object read back compared with its bundle line: whether it exists (and is not marked deleted), its links (a
 * customer's company, a conversation's customer, a message's or note's conversation) and the fields a person checks — name, status,
 * priority, createdAt, a message's text (`preview`), a note's `body`, the attachments' sizes. Only fields the bundle
 * sets are compared, and in the form Kustomer stores them: date-times as instants (`…T09:00:00Z` is
 * `…T09:00:00.000Z`), tags as a set (Kustomer keeps each once, in its own order), texts as given.
 */
import type { ObjectDocument } from "@effect-kustomer/domain"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"

/** The resources verify reads back. */
export type Checked = "companies" | "customers" | "conversations" | "messages" | "notes"

/** One difference: the field (or `exists`, or a link), what the bundle (and the id map) expects, what Kustomer has. */
export interface FieldDifference {
  readonly field: string
  readonly expected: unknown
  readonly actual: unknown
}

/** What one object should be: the bundle's fields, and the ids of the objects it links to. */
export interface Expected {
  readonly resource: Checked
  readonly fields: Readonly<Record<string, unknown>>
  readonly links: Readonly<Record<string, string>>
}

/** The fields compared per resource (a field the bundle does not set is not compared). */
const comparedFields: { readonly [R in Checked]: ReadonlyArray<string> } = {
  companies: ["name"],
  customers: ["name"],
  conversations: ["name", "status", "priority", "createdAt", "tags"],
  messages: ["preview", "createdAt", "attachments"],
  notes: ["body", "createdAt", "attachments"]
}

const instant = (value: unknown): Option.Option<number> =>
  typeof value === "string" || value instanceof Date
    ? Option.map(DateTime.make(value), (time) => DateTime.toEpochMillis(time))
    : Option.none()

const tagSet = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? [...new Set(value.filter((tag): tag is string => typeof tag === "string"))].sort() : []

/** The sizes of attachments, sorted: the bundle's `size`, Kustomer's `contentLength`. */
const sizes = (value: unknown, field: "size" | "contentLength"): ReadonlyArray<number> =>
  Array.isArray(value)
    ? value.flatMap((attachment) =>
      Predicate.isRecord(attachment) && typeof attachment[field] === "number" ? [attachment[field]] : []
    ).sort((a, b) => a - b)
    : []

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** A field's difference, in the form Kustomer normalises it to; `undefined` when they agree. */
const fieldDifference = (field: string, expected: unknown, actual: unknown): FieldDifference | undefined => {
  switch (field) {
    case "createdAt": {
      const [left, right] = [instant(expected), instant(actual)]
      return Option.isSome(left) && Option.isSome(right) && left.value === right.value
        ? undefined
        : { field, expected, actual: actual ?? null }
    }
    case "tags": {
      const [left, right] = [tagSet(expected), tagSet(actual)]
      return sameJson(left, right) ? undefined : { field, expected: left, actual: right }
    }
    case "attachments": {
      const left = sizes(expected, "size")
      const right = sizes(actual, "contentLength")
      // Only the sizes the bundle knows are compared: an attachment listed without one is counted, not sized.
      const counted = Array.isArray(expected) ? expected.length : 0
      const actualCount = Array.isArray(actual) ? actual.length : 0
      return counted === actualCount && left.every((size) => right.includes(size))
        ? undefined
        : { field: "attachments.size", expected: left, actual: right }
    }
    default:
      return sameJson(expected, actual) ? undefined : { field, expected, actual: actual ?? null }
  }
}

/** The id an object names in a relationship (JSON:API `relationships.x.data.id`), else its attribute `x`. */
export const linkOf = (object: ObjectDocument.ObjectResource, name: string): string | undefined => {
  const relationship = object.relationships?.[name]
  if (Predicate.isRecord(relationship) && Predicate.isRecord(relationship["data"])) {
    const id = relationship["data"]["id"]
    if (typeof id === "string") return id
  }
  const attribute = object.attributes?.[name]
  return typeof attribute === "string" ? attribute : undefined
}

/** Every difference between an object read back (`None`: not found) and what it should be. */
export const compare = (
  expected: Expected,
  found: Option.Option<ObjectDocument.ObjectResource>
): ReadonlyArray<FieldDifference> => {
  if (Option.isNone(found)) return [{ field: "exists", expected: true, actual: false }]
  const object = found.value
  const attributes = object.attributes ?? {}
  if (attributes["deleted"] === true) return [{ field: "deleted", expected: false, actual: true }]
  const differences: Array<FieldDifference> = []
  for (const [name, id] of Object.entries(expected.links)) {
    const actual = linkOf(object, name)
    if (actual !== id) differences.push({ field: name, expected: id, actual: actual ?? null })
  }
  for (const field of comparedFields[expected.resource]) {
    if (!(field in expected.fields) || expected.fields[field] === undefined) continue
    const difference = fieldDifference(field, expected.fields[field], attributes[field])
    if (difference !== undefined) differences.push(difference)
  }
  return differences
}
