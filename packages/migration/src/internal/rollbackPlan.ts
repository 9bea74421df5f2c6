/**
 * What a rollback undoes, from what the migration's journal set records: the conversations and customers the
 * migration created (never one that existed before), the companies it created (Kustomer documents no delete of
 * companies: listed as not undoable), and the messages and notes it added to conversations that existed before
 * (no bulk delete of either: listed as not undoable). Children of a conversation the rollback undoes go with it.
 *
 * Only what a bulk job's results reported created is the migration's for sure. An object found existing may still
 * be one it created (its creation's answer was lost, and the resend or the read-back of its job found it), and one
 * the pipeline took for created after a lost answer may have existed before (a duplicate in the same chunk). Each of
 * those is read back (`GET` by id) and undone only when it carries the migration's own `importedAt` (see
 * `provenance.ts`).
 */
import { type KustomerClient, type KustomerError } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type MigrationError, toMigrationError } from "./failure.js"
import * as Input from "./input.js"
import type * as MigrationRecord from "./migrationRecord.js"
import * as Phases from "./phases.js"
import { createdByMigration } from "./provenance.js"
import type { Target } from "./rollbackJournal.js"

/** How the plan reads back objects recorded as existing; `undefined` in a dry run (nothing is read). */
export type ReadBack =
  | ((
    resource: "customers" | "conversations",
    id: string
  ) => Effect.Effect<Option.Option<Readonly<Record<string, unknown>>>, KustomerError.KustomerError>)
  | undefined

/** The plan, and how many children go with the conversations it undoes. */
export interface Plan {
  readonly targets: ReadonlyArray<Target>
  readonly withConversations: { readonly messages: number; readonly notes: number }
}

const target = (
  resource: Target["resource"],
  row: { readonly id: string; readonly line: number | null },
  state: Target["state"],
  reason: string | null = null
): Target => ({ resource, id: row.id, line: row.line, state, job: null, reason })

/**
 * The plan's targets of one parent resource: what a job's results said the migration created is undone; anything
 * else it links (found as a duplicate or by a look-up after a lost answer, or found existing) is read back and
 * undone only when it carries the migration's `importedAt` — in a dry run, listed as it is recorded, with why.
 */
const parentTargets = (
  resource: "customers" | "conversations",
  rows: ReadonlyArray<MigrationRecord.ParentRow>,
  importedAt: string,
  readBack: ReadBack
): Effect.Effect<ReadonlyArray<Target>, KustomerError.KustomerError> =>
  Effect.forEach(rows, (row) => {
    if (row.certain) return Effect.succeed(target(resource, row, "pending"))
    if (readBack === undefined) {
      return Effect.succeed(target(
        resource,
        row,
        row.existed ? "existed" : "pending",
        `${row.existed ? "found existing" : "found after a lost answer"}: read back first, undone only if it ` +
          "carries this migration's importedAt"
      ))
    }
    return Effect.map(readBack(resource, row.id), (found) =>
      Option.match(found, {
        onNone: () => target(resource, row, "gone", "not there any more"),
        onSome: (attributes) =>
          createdByMigration(attributes, importedAt)
            ? target(resource, row, "pending", "found after a lost answer; it carries this migration's importedAt")
            : target(resource, row, "existed", "it existed before the migration")
      }))
  }, { concurrency: 4 })

/** The record index of the conversation each child belongs to, by child index, per child phase; every line's number. */
const conversationOfChildren = (input: Input.BundleInput) =>
  Phases.numberedRecords(Input.bundleRecords(input)).pipe(
    Stream.runFold(
      { messages: new Map<number, number>(), notes: new Map<number, number>(), lines: new Map<number, number>() },
      (owners, { record, usable }) => {
        owners.lines.set(record.position.index, record.position.line ?? record.position.index + 1)
        if (Option.isSome(usable)) {
          for (const phase of ["messages", "notes"] as const) {
            const count = usable.value.parts[phase].length
            for (let offset = 0; offset < count; offset++) {
              owners[phase].set(usable.value.first[phase] + offset, record.position.index)
            }
          }
        }
        return owners
      }
    )
  )

/** The plan of a rollback of `record`, reading back existing parents with `readBack` (none in a dry run). */
export const make = (
  record: MigrationRecord.MigrationRecord,
  readBack: ReadBack
): Effect.Effect<Plan, MigrationError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const owners = yield* Effect.mapError(conversationOfChildren(record.input), toMigrationError)
    const conversations = yield* parentTargets(
      "conversations",
      record.conversations.map((row) => ({ ...row, line: owners.lines.get(row.key) ?? null })),
      record.importedAt,
      readBack
    )
    const customers = yield* parentTargets("customers", record.customers, record.importedAt, readBack)
    const companies = record.companies.map((row) =>
      row.existed
        ? target("companies", row, "existed", "it existed before the migration")
        : target("companies", row, "notUndoable", "Kustomer documents no delete of companies")
    )
    const undoneConversations = new Set(
      conversations.filter((item) => item.state === "pending").map((item) => item.id)
    )
    const conversationIds = new Map(record.conversations.map((row) => [row.key, row.id] as const))
    const withConversations = { messages: 0, notes: 0 }
    const children: Array<Target> = []
    for (const phase of ["messages", "notes"] as const) {
      for (const child of record.children[phase]) {
        const owner = owners[phase].get(child.index)
        const conversation = owner === undefined ? undefined : conversationIds.get(owner)
        if (conversation !== undefined && undoneConversations.has(conversation)) {
          withConversations[phase] += 1
        } else if (!child.existed) {
          children.push(target(
            phase,
            child,
            "notUndoable",
            `added to the conversation ${conversation ?? "(unknown)"}, which existed before the migration: ` +
              `Kustomer has no bulk delete of ${phase}`
          ))
        }
      }
    }
    return { targets: [...conversations, ...customers, ...companies, ...children], withConversations }
  }).pipe(Effect.mapError((error) => error._tag === "RunError" ? error : toMigrationError(error)))

/** Reads an object back by id, for {@link make}. */
export const readBackWith = (
  client: KustomerClient.KustomerClient["Type"],
  retried: <A>(read: Effect.Effect<A, KustomerError.KustomerError>) => Effect.Effect<A, KustomerError.KustomerError>
): NonNullable<ReadBack> =>
(resource, id) =>
  Effect.map(
    retried(client.getById(resource === "customers" ? BulkResource.Customers : BulkResource.Conversations, id)),
    (found) => Option.map(found, (object) => object.attributes ?? {})
  )
