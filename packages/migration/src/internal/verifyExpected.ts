/**
 * What verify reads back and what it expects of each object: the objects the journal set says the migration
 * created (not those it found existing), and for each its bundle fields and the ids of the objects it links to —
 * companies and customers from the id map's records, conversations, messages and notes from the bundle, read once.
 */
import type { KustomerError } from "@effect-kustomer/client"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Bundle from "./bundle.js"
import { type MigrationError, toMigrationError } from "./failure.js"
import type * as IdMap from "./idMap.js"
import * as Input from "./input.js"
import type * as MigrationRecord from "./migrationRecord.js"
import * as Phases from "./phases.js"
import type * as VerifyCompare from "./verifyCompare.js"

/** An object the migration created: its resource, its key (ordinal, record or child index), id and bundle line. */
export interface CreatedObject {
  readonly resource: VerifyCompare.Checked
  readonly key: number
  readonly id: string
  readonly line: number | null
}

/** What one object should be, with its `externalId` for the report. */
export interface ExpectedObject extends VerifyCompare.Expected {
  readonly externalId: string | undefined
  /** Its bundle line, when the id map does not record it (a conversation's). */
  readonly line?: number | undefined
}

/** The key of an object among the expectations. */
export const keyOf = (object: { readonly resource: string; readonly key: number }): string =>
  `${object.resource}:${object.key}`

/** Every object the migration surely created (a job's results said so), parents first, each resource by key. */
export const createdObjects = (record: MigrationRecord.MigrationRecord): ReadonlyArray<CreatedObject> => {
  const parents = (
    resource: "companies" | "customers" | "conversations",
    rows: ReadonlyArray<MigrationRecord.ParentRow>
  ) =>
    rows.filter((row) => row.certain).map((row): CreatedObject => ({
      resource,
      key: row.key,
      id: row.id,
      line: row.line
    }))
  const children = (resource: "messages" | "notes") =>
    record.children[resource].filter((child) => !child.existed).map((child): CreatedObject => ({
      resource,
      key: child.index,
      id: child.id,
      line: child.line
    }))
  return [
    ...parents("companies", record.companies),
    ...parents("customers", record.customers),
    ...parents("conversations", record.conversations),
    ...children("messages"),
    ...children("notes")
  ]
}

/**
 * The companies, customers and conversations the migration did not surely create (found existing, or found after
 * a lost answer): each is checked when it carries the migration's own `importedAt` (see `provenance.ts`).
 */
export const foundObjects = (record: MigrationRecord.MigrationRecord): ReadonlyArray<CreatedObject> =>
  (["companies", "customers", "conversations"] as const).flatMap((resource) =>
    record[resource].filter((row) => !row.certain).map((row): CreatedObject => ({
      resource,
      key: row.key,
      id: row.id,
      line: row.line
    }))
  )

const resourceOrder: ReadonlyArray<VerifyCompare.Checked> = [
  "companies",
  "customers",
  "conversations",
  "messages",
  "notes"
]

/** Objects in the order verify draws and reports them: by resource, parents first, then by key. */
export const ordered = (objects: ReadonlyArray<CreatedObject>): ReadonlyArray<CreatedObject> =>
  [...objects].sort((a, b) => resourceOrder.indexOf(a.resource) - resourceOrder.indexOf(b.resource) || a.key - b.key)

const fieldsOf = (value: unknown): Readonly<Record<string, unknown>> => Predicate.isRecord(value) ? value : {}

const externalIdOf = (fields: Readonly<Record<string, unknown>>) =>
  typeof fields["externalId"] === "string" ? fields["externalId"] : undefined

/**
 * A customer's company as the migration linked it: a company id given as such, else the id the companies phase gave
 * the company it names (none when that company was not created: the customer went without it).
 */
const companyLink = (
  fields: Readonly<Record<string, unknown>>,
  companies: IdMap.IdMap["companyLinks"]
): Effect.Effect<Readonly<Record<string, string>>, IdMap.IdMapError> => {
  const company = fields["company"]
  if (typeof company === "string") return Effect.succeed({ company })
  return Option.match(Bundle.companyOf(fields), {
    onNone: () => Effect.succeed({}),
    onSome: (named) => {
      const key = Bundle.companyKey(named)
      return Effect.map(companies([key]), (links) => {
        const parent = links.get(key)
        return parent?._tag === "Linked" ? { company: parent.id } : {}
      })
    }
  })
}

/** The expectations of the selected companies or customers, from the id map's records. */
const partyExpectations = (
  resource: "companies" | "customers",
  rows: Stream.Stream<IdMap.CustomerRow, IdMap.IdMapError>,
  wanted: ReadonlySet<number>,
  companies: IdMap.IdMap["companyLinks"],
  into: Map<string, ExpectedObject>
) =>
  wanted.size === 0 ? Effect.void : Stream.runForEach(
    Stream.filter(rows, (row) => wanted.has(row.ordinal)),
    (row) =>
      Effect.gen(function*() {
        const fields = fieldsOf(JSON.parse(row.record))
        into.set(keyOf({ resource, key: row.ordinal }), {
          resource,
          fields,
          links: resource === "customers" ? yield* companyLink(fields, companies) : {},
          externalId: externalIdOf(fields)
        })
      })
  )

/** A line's conversation and children as expected, before the customer's id is known. */
interface Pending {
  readonly key: string
  readonly expected: ExpectedObject
  readonly customerKey: string | undefined
}

/** The expectations of the selected conversations, messages and notes, from one read of the bundle. */
const lineExpectations = (
  record: MigrationRecord.MigrationRecord,
  wanted: { readonly [R in "conversations" | "messages" | "notes"]: ReadonlySet<number> }
) =>
  Effect.gen(function*() {
    const conversationIds = new Map(record.conversations.map((row) => [row.key, row.id] as const))
    const pending: Array<Pending> = []
    yield* Stream.runForEach(Phases.numberedRecords(Input.bundleRecords(record.input)), ({ record: line, usable }) =>
      Effect.sync(() => {
        if (Option.isNone(usable)) {
          return
        }
        const { customer, first, parts } = usable.value
        const index = line.position.index
        if (wanted.conversations.has(index)) {
          pending.push({
            key: keyOf({ resource: "conversations", key: index }),
            expected: {
              resource: "conversations",
              fields: parts.conversation,
              links: {},
              externalId: externalIdOf(parts.conversation),
              line: line.position.line ?? index + 1
            },
            customerKey: customer.key
          })
        }
        const conversation = conversationIds.get(index)
        for (const phase of ["messages", "notes"] as const) {
          parts[phase].forEach((child, offset) => {
            const key = first[phase] + offset
            if (!wanted[phase].has(key)) {
              return
            }
            const fields = fieldsOf(child)
            pending.push({
              key: keyOf({ resource: phase, key }),
              expected: {
                resource: phase,
                fields,
                links: conversation === undefined ? {} : { conversation },
                externalId: externalIdOf(fields)
              },
              customerKey: phase === "messages" ? customer.key : undefined
            })
          })
        }
      }))
    const customerKeys = [
      ...new Set(pending.flatMap((item) =>
        item.customerKey === undefined ? [] : [item.customerKey]
      ))
    ]
    const customers = yield* record.idMap.customerLinks(customerKeys)
    return pending.map((item) => {
      const parent = item.customerKey === undefined ? undefined : customers.get(item.customerKey)
      const links = parent?._tag === "Linked" ? { ...item.expected.links, customer: parent.id } : item.expected.links
      return [item.key, { ...item.expected, links }] as const
    })
  })

/** What each selected object should be, by {@link keyOf}. */
export const expectations = (
  record: MigrationRecord.MigrationRecord,
  selected: ReadonlyArray<CreatedObject>
): Effect.Effect<ReadonlyMap<string, ExpectedObject>, MigrationError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const keys = (resource: VerifyCompare.Checked) =>
      new Set(selected.filter((object) => object.resource === resource).map((object) => object.key))
    const into = new Map<string, ExpectedObject>()
    const companies = record.idMap.companyLinks
    yield* partyExpectations("companies", record.idMap.companies, keys("companies"), companies, into)
    yield* partyExpectations("customers", record.idMap.customers, keys("customers"), companies, into)
    const lines = yield* lineExpectations(record, {
      conversations: keys("conversations"),
      messages: keys("messages"),
      notes: keys("notes")
    })
    for (const [key, expected] of lines) into.set(key, expected)
    return into
  }).pipe(Effect.mapError(toMigrationError))

/** A read that failed for good (after its retries), as the run's error. */
export const readFailure = (error: KustomerError.KustomerError): MigrationError => toMigrationError(error)
