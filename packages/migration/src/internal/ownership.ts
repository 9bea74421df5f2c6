/**
 * What a migration created, over all its runs — its first run and each delta —: the one account rollback and verify
 * both read. Every company, customer and conversation a run linked is listed once, by the earliest run that linked
 * it (a delta links again what it matched of an earlier run: that run decides), with its verdict:
 *
 * - `created`: a job's results said the run created it (`certain`), or — found as a duplicate or by a look-up after
 *   a request whose answer was lost, or found existing — it carries that run's own `importedAt` when read back (see
 *   `provenance.ts`): its creation's answer was lost;
 * - `existed`: it was there before the migration (read back without the run's `importedAt`);
 * - `gone`: read back, it is not there any more.
 *
 * Without a read-back (a dry run) what no job reported is taken as recorded — found existing, or created after a
 * lost answer — with why it is not sure.
 */
import type { KustomerError } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as MigrationRecord from "./migrationRecord.js"
import { createdByMigration } from "./provenance.js"

/** The parent resources a run links. */
export type ParentResource = "companies" | "customers" | "conversations"

/** How an object recorded without a job's word is read back (`None`: it is not there); `undefined`: not read. */
export type ReadBack =
  | ((
    resource: ParentResource,
    id: string
  ) => Effect.Effect<Option.Option<Readonly<Record<string, unknown>>>, KustomerError.KustomerError>)
  | undefined

/** Whether the migration created a parent. */
export type Verdict = "created" | "existed" | "gone"

/** A parent one of the runs linked, with the run that first linked it and the verdict. */
export interface Parent {
  readonly resource: ParentResource
  readonly run: MigrationRecord.MigrationRecord
  readonly row: MigrationRecord.ParentRow
  readonly verdict: Verdict
  /** Why, when the verdict is not a job's word. */
  readonly reason: string | null
}

/** What the migration created, over its runs. */
export interface Ownership {
  /** Every parent any run linked, once each, by resource then run then key. */
  readonly parents: ReadonlyArray<Parent>
  /** Whether the migration created the object with this id. */
  readonly created: (resource: ParentResource, id: string) => boolean
}

const resources: ReadonlyArray<ParentResource> = ["companies", "customers", "conversations"]

/** The verdict on one parent of `run` that no job reported created. */
const verdictOf = (
  resource: ParentResource,
  run: MigrationRecord.MigrationRecord,
  row: MigrationRecord.ParentRow,
  readBack: ReadBack
): Effect.Effect<Pick<Parent, "verdict" | "reason">, KustomerError.KustomerError> => {
  if (readBack === undefined) {
    return Effect.succeed({
      verdict: row.existed ? "existed" : "created",
      reason: `${row.existed ? "found existing" : "found after a lost answer"}: read back first, undone only if it ` +
        "carries this migration's importedAt"
    })
  }
  return Effect.map(readBack(resource, row.id), (found) =>
    Option.match(found, {
      onNone: () => ({ verdict: "gone" as const, reason: "not there any more" }),
      onSome: (attributes) =>
        createdByMigration(attributes, run.importedAt)
          ? { verdict: "created" as const, reason: "found after a lost answer; it carries this migration's importedAt" }
          : { verdict: "existed" as const, reason: "it existed before the migration" }
    }))
}

/**
 * What the runs of `history` created: each parent taken once, from the earliest run that linked it, and read back
 * with `readBack` (`concurrency` at a time) when no job reported it created — but for the resources in `unread`,
 * taken as recorded (a rollback never undoes a company: it need not read one).
 */
export const resolve = (
  history: MigrationRecord.MigrationHistory,
  readBack: ReadBack,
  options: { readonly concurrency?: number; readonly unread?: ReadonlyArray<ParentResource> } = {}
): Effect.Effect<Ownership, KustomerError.KustomerError> =>
  Effect.gen(function*() {
    const seen = new Set<string>()
    const listed: Array<
      {
        readonly resource: ParentResource
        readonly run: MigrationRecord.MigrationRecord
        readonly row: MigrationRecord.ParentRow
      }
    > = []
    for (const resource of resources) {
      for (const run of history.runs) {
        for (const row of run[resource]) {
          const key = `${resource}:${row.id}`
          if (seen.has(key)) continue
          seen.add(key)
          listed.push({ resource, run, row })
        }
      }
    }
    const parents = yield* Effect.forEach(listed, (item) =>
      item.row.certain
        ? Effect.succeed<Parent>({ ...item, verdict: "created", reason: null })
        : Effect.map(
          verdictOf(item.resource, item.run, item.row, options.unread?.includes(item.resource) ? undefined : readBack),
          (verdict): Parent => ({ ...item, ...verdict })
        ), { concurrency: options.concurrency ?? 4 })
    const created = new Set(
      parents.filter((parent) => parent.verdict === "created").map((parent) => `${parent.resource}:${parent.row.id}`)
    )
    return { parents, created: (resource, id) => created.has(`${resource}:${id}`) }
  })
