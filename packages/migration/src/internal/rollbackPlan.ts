/**
 * What a rollback undoes, over every run of the migration (its first run and each delta), from what their journal
 * sets record (see `ownership.ts`, which rollback and verify share): the conversations and customers the migration
 * created (never one that existed before), the companies it created (Kustomer documents no delete of companies:
 * listed as not undoable), and the messages and notes it added to conversations that existed before (no bulk delete
 * of either: listed as not undoable). Children of a conversation the rollback undoes go with it. A conversation that
 * existed before the migration and that a delta updated is listed as not undoable, with the fields each delta
 * changed: Kustomer keeps no earlier values to restore.
 *
 * Only what a bulk job's results reported created is the migration's for sure. An object found existing may still
 * be one it created (its creation's answer was lost, and the resend or the read-back of its job found it), and one
 * the pipeline took for created after a lost answer may have existed before (a duplicate in the same chunk). Each of
 * those is read back (`GET` by id) and undone only when it carries its run's own `importedAt` (see
 * `provenance.ts`).
 */
import { type KustomerClient, type KustomerError } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Delta from "./delta.js"
import { type MigrationError, toMigrationError } from "./failure.js"
import * as Input from "./input.js"
import type * as Ledger from "./ledger.js"
import * as MigrationRecord from "./migrationRecord.js"
import * as Ownership from "./ownership.js"
import * as Phases from "./phases.js"
import type { Target } from "./rollbackJournal.js"

/** How the plan reads back objects recorded as existing; `undefined` in a dry run (nothing is read). */
export type ReadBack = Ownership.ReadBack

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

/** The target of a parent: undone when the migration created it (a company listed: no delete), else kept. */
const parentTarget = (parent: Ownership.Parent, line: number | null): Target => {
  const row = { id: parent.row.id, line }
  switch (parent.verdict) {
    case "created":
      return parent.resource === "companies"
        ? target("companies", row, "notUndoable", "Kustomer documents no delete of companies")
        : target(parent.resource, row, "pending", parent.reason)
    case "existed":
      return target(parent.resource, row, "existed", parent.reason ?? "it existed before the migration")
    case "gone":
      return target(parent.resource, row, "gone", parent.reason)
  }
}

/** The record index of the conversation each child belongs to, by child index, per child phase; every line's number. */
interface Owners {
  readonly messages: ReadonlyMap<number, number>
  readonly notes: ReadonlyMap<number, number>
  readonly lines: ReadonlyMap<number, number>
}

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

/** Which fields of a conversation an update changed: those whose value differs from the export before. */
const changedFields = (update: Ledger.AppliedUpdate): ReadonlyArray<string> => {
  const parse = (json: string | null): Readonly<Record<string, unknown>> => {
    const value: unknown = json === null ? {} : JSON.parse(json)
    return Predicate.isRecord(value) ? value : {}
  }
  const sent = parse(update.record)
  const before = parse(update.previous)
  return Delta.updatableFields.filter((field) =>
    Delta.digestOf({ [field]: sent[field] ?? null }) !== Delta.digestOf({ [field]: before[field] ?? null })
  )
}

/**
 * The conversations a delta updated that the migration did not create: their updates are not undone (Kustomer
 * keeps no earlier values to restore). By id: why, listing each delta and the fields it changed.
 */
const updatedNotCreated = (history: MigrationRecord.MigrationHistory, ownership: Ownership.Ownership) =>
  Effect.gen(function*() {
    const ledger = MigrationRecord.firstRun(history).idMap.ledger
    const reasons = new Map<string, Array<string>>()
    for (const run of history.runs.slice(1)) {
      for (const update of yield* ledger.appliedUpdates(run.generation)) {
        if (ownership.created("conversations", update.id)) continue
        const fields = changedFields(update)
        const list = reasons.get(update.id) ?? []
        list.push(`delta ${run.generation} changed its ${fields.length === 0 ? "fields" : fields.join(", ")}`)
        reasons.set(update.id, list)
      }
    }
    return new Map(
      Array.from(reasons, ([id, list]) =>
        [
          id,
          `it existed before the migration, and ${list.join("; ")}: an update is not undone (Kustomer keeps no ` +
          "earlier values to restore)"
        ] as const)
    )
  })

/** The children of every run: undone with their conversation, or listed as not undoable. */
const childTargets = (
  history: MigrationRecord.MigrationHistory,
  owners: ReadonlyMap<number, Owners>,
  undone: ReadonlySet<string>
) => {
  const withConversations = { messages: 0, notes: 0 }
  const children: Array<Target> = []
  const seen = new Set<string>()
  for (const run of history.runs) {
    const conversationIds = new Map(run.conversations.map((row) => [row.key, row.id] as const))
    for (const phase of ["messages", "notes"] as const) {
      for (const child of run.children[phase]) {
        if (seen.has(`${phase}:${child.id}`)) continue
        seen.add(`${phase}:${child.id}`)
        const owner = owners.get(run.generation)?.[phase].get(child.index)
        const conversation = owner === undefined ? undefined : conversationIds.get(owner)
        if (conversation !== undefined && undone.has(conversation)) {
          withConversations[phase] += 1
        } else if (!child.existed) {
          children.push(target(
            phase,
            child,
            "notUndoable",
            `${child.certain ? "added" : "added (or found there after a lost answer: undetermined)"} to the ` +
              `conversation ${conversation ?? "(unknown)"}, which existed before the migration: Kustomer has no ` +
              `bulk delete of ${phase}`
          ))
        }
      }
    }
  }
  return { children, withConversations }
}

/**
 * The plan of a rollback of every run of `history`, reading back with `readBack` what no job reported created
 * (nothing in a dry run).
 */
export const make = (
  history: MigrationRecord.MigrationHistory,
  readBack: ReadBack
): Effect.Effect<Plan, MigrationError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const owners = new Map<number, Owners>()
    // Each run's bundle, read once: which conversation each of its children belongs to, and each line's number.
    for (const run of history.runs) {
      owners.set(run.generation, yield* Effect.mapError(conversationOfChildren(run.input), toMigrationError))
    }
    const ownership = yield* Ownership.resolve(history, readBack, { unread: ["companies"] })
    const updated = yield* Effect.mapError(updatedNotCreated(history, ownership), toMigrationError)
    const parents = ownership.parents.map((parent) => {
      const line = parent.resource === "conversations"
        ? owners.get(parent.run.generation)?.lines.get(parent.row.key) ?? null
        : parent.row.line
      const planned = parentTarget(parent, line)
      const why = parent.resource === "conversations" ? updated.get(parent.row.id) : undefined
      return why === undefined || planned.state === "pending"
        ? planned
        : target("conversations", planned, "notUndoable", why)
    })
    const undone = new Set(
      parents.filter((item) => item.resource === "conversations" && item.state === "pending").map((item) => item.id)
    )
    const { children, withConversations } = childTargets(history, owners, undone)
    const order = ["conversations", "customers", "companies"]
    const sorted = [...parents].sort((a, b) => order.indexOf(a.resource) - order.indexOf(b.resource))
    return { targets: [...sorted, ...children], withConversations }
  }).pipe(Effect.mapError((error) => error._tag === "RunError" ? error : toMigrationError(error)))

const parentResources: { readonly [R in Ownership.ParentResource]: BulkResource.Any } = {
  companies: BulkResource.Companies,
  customers: BulkResource.Customers,
  conversations: BulkResource.Conversations
}

/** Reads an object back by id, for {@link make}. */
export const readBackWith = (
  client: KustomerClient.KustomerClient["Type"],
  retried: <A>(read: Effect.Effect<A, KustomerError.KustomerError>) => Effect.Effect<A, KustomerError.KustomerError>
): NonNullable<ReadBack> =>
(resource, id) =>
  Effect.map(
    retried(client.getById(parentResources[resource], id)),
    (found) => Option.map(found, (object) => object.attributes ?? {})
  )
