/**
 * What verify reads back and what it expects of each object: the objects the migration's runs created (see
 * `ownership.ts`; not those found existing), and for each its fields and the ids of the objects it links to as the
 * newest export gives them — companies, customers and conversations from the newest run (the last delta's, else the
 * first run's), messages and notes (never updated) from the run that created them; companies and customers from
 * the id map's records, conversations, messages and notes from the bundle, read once per run.
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
import * as MigrationRecord from "./migrationRecord.js"
import type * as Ownership from "./ownership.js"
import * as Phases from "./phases.js"
import type * as VerifyCompare from "./verifyCompare.js"

/**
 * An object the migration created: its resource, the run whose bundle it is checked against (`generation`), its key
 * there (ordinal, record or child index), id and bundle line.
 */
export interface CreatedObject {
  readonly resource: VerifyCompare.Checked
  readonly generation: number
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
export const keyOf = (
  object: { readonly generation: number; readonly resource: string; readonly key: number }
): string => `${object.generation}:${object.resource}:${object.key}`

/**
 * What verify checks: the companies, customers and conversations the migration created that the newest export
 * holds (their keys in the newest run), and the messages and notes any run created; and how many of each resource
 * the migration created in all (those the newest export no longer holds included).
 */
export const createdObjects = (
  history: MigrationRecord.MigrationHistory,
  ownership: Ownership.Ownership
): { readonly checkable: ReadonlyArray<CreatedObject>; readonly created: ReadonlyArray<VerifyCompare.Checked> } => {
  const newest = MigrationRecord.newestRun(history)
  const parents = (["companies", "customers", "conversations"] as const).flatMap((resource) =>
    newest[resource].filter((row) => ownership.created(resource, row.id)).map((row): CreatedObject => ({
      resource,
      generation: newest.generation,
      key: row.key,
      id: row.id,
      line: row.line
    }))
  )
  const seen = new Set<string>()
  const children = history.runs.flatMap((run) =>
    (["messages", "notes"] as const).flatMap((resource) =>
      run.children[resource].flatMap((child): ReadonlyArray<CreatedObject> => {
        if (child.existed || seen.has(`${resource}:${child.id}`)) return []
        seen.add(`${resource}:${child.id}`)
        return [{ resource, generation: run.generation, key: child.index, id: child.id, line: child.line }]
      })
    )
  )
  const created = [
    ...ownership.parents.filter((parent) => parent.verdict === "created").map((parent) => parent.resource),
    ...children.map((child) => child.resource)
  ]
  return { checkable: [...parents, ...children], created }
}

const resourceOrder: ReadonlyArray<VerifyCompare.Checked> = [
  "companies",
  "customers",
  "conversations",
  "messages",
  "notes"
]

/** Objects in the order verify draws and reports them: by resource, parents first, then by key. */
export const ordered = (objects: ReadonlyArray<CreatedObject>): ReadonlyArray<CreatedObject> =>
  [...objects].sort((a, b) =>
    resourceOrder.indexOf(a.resource) - resourceOrder.indexOf(b.resource) || a.generation - b.generation ||
    a.key - b.key
  )

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
  generation: number,
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
        into.set(keyOf({ generation, resource, key: row.ordinal }), {
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
            key: keyOf({ generation: record.generation, resource: "conversations", key: index }),
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
              key: keyOf({ generation: record.generation, resource: phase, key }),
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

/** What each selected object should be, by {@link keyOf}: each checked against the bundle of its run. */
export const expectations = (
  history: MigrationRecord.MigrationHistory,
  selected: ReadonlyArray<CreatedObject>
): Effect.Effect<ReadonlyMap<string, ExpectedObject>, MigrationError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const into = new Map<string, ExpectedObject>()
    for (const record of history.runs) {
      const ofRun = selected.filter((object) => object.generation === record.generation)
      if (ofRun.length === 0) continue
      const keys = (resource: VerifyCompare.Checked) =>
        new Set(ofRun.filter((object) => object.resource === resource).map((object) => object.key))
      const companies = record.idMap.companyLinks
      const generation = record.generation
      yield* partyExpectations(generation, "companies", record.idMap.companies, keys("companies"), companies, into)
      yield* partyExpectations(generation, "customers", record.idMap.customers, keys("customers"), companies, into)
      const lines = yield* lineExpectations(record, {
        conversations: keys("conversations"),
        messages: keys("messages"),
        notes: keys("notes")
      })
      for (const [key, expected] of lines) into.set(key, expected)
    }
    return into
  }).pipe(Effect.mapError(toMigrationError))

/** A read that failed for good (after its retries), as the run's error. */
export const readFailure = (error: KustomerError.KustomerError): MigrationError => toMigrationError(error)
