/**
 * A rollback's own journal, a SQLite file beside the migration's (`<journal>.rollback`): the plan — every object
 * the rollback undoes, keeps or cannot undo, written once, in one transaction — and where each target stands
 * (`pending` → `sending` → `submitted` with its job → `undone`, `gone` or `failed`). A resumed rollback reads it
 * instead of planning again: it polls the jobs it had submitted, sends again what was caught being sent (an update
 * to `deleted: true` and a delete are safe to send twice), and never touches what was settled.
 */
import { JournalFile } from "@effect-kustomer/journal"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { IdMapError } from "./idMap.js"

/** Where the rollback journal of the migration journal `journal` lives. */
export const rollbackJournalPath = (journal: string): string => `${journal}.rollback`

/** The resources a rollback names. */
export const TargetResource = Schema.Literal("companies", "customers", "conversations", "messages", "notes")
export type TargetResource = typeof TargetResource.Type

/**
 * Where one object stands: to undo (`pending`, `sending`, `submitted`), settled (`undone`; `gone`: it was not
 * there any more; `failed`: the API refused), or left as it is (`existed`: it was there before the migration;
 * `notUndoable`: Kustomer has no bulk operation that undoes it).
 */
export const TargetState = Schema.Literal(
  "pending",
  "sending",
  "submitted",
  "undone",
  "gone",
  "failed",
  "existed",
  "notUndoable"
)
export type TargetState = typeof TargetState.Type

/** One object of the plan. */
export const Target = Schema.Struct({
  resource: TargetResource,
  id: Schema.String,
  line: Schema.NullOr(Schema.Number),
  state: TargetState,
  job: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String)
})
export type Target = typeof Target.Type

const MetaRow = Schema.Struct({ value: Schema.String })

/** The rollback journal. */
export interface RollbackJournal {
  readonly path: string
  /** A value of the plan's metadata: `journal_set` (the migration journal set it belongs to), once planned. */
  readonly meta: (key: string) => Effect.Effect<Option.Option<string>, IdMapError>
  /** Writes the plan, once: every target with its state, and its metadata (`journal_set` among them). */
  readonly plan: (
    meta: Readonly<Record<string, string>>,
    targets: ReadonlyArray<Target>
  ) => Effect.Effect<void, IdMapError>
  /** Every target, in plan order (or only those of one resource). */
  readonly targets: (resource?: TargetResource) => Effect.Effect<ReadonlyArray<Target>, IdMapError>
  /** Records where these targets of one resource stand now (before the step it describes is taken further). */
  readonly update: (
    resource: TargetResource,
    ids: ReadonlyArray<string>,
    change: { readonly state: TargetState; readonly job?: string | null; readonly reason?: string | null }
  ) => Effect.Effect<void, IdMapError>
}

const failure = (path: string) => (error: { readonly message: string }): IdMapError =>
  new IdMapError({
    path,
    reason: /locked|busy/i.test(error.message)
      ? "it is in use by another rollback of this migration; wait for it to end"
      : error.message
  })

/** Opens (or creates) the rollback journal at `path` for the scope's life. */
export const open = (path: string): Effect.Effect<RollbackJournal, IdMapError, Scope.Scope> =>
  Effect.gen(function*() {
    const fail = failure(path)
    const context = yield* Layer.build(SqliteClient.layer({ filename: path })).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(fail({ message: String(defect) }))),
      Effect.mapError(fail)
    )
    const sql = Context.get(context, SqliteClient.SqliteClient)
    const run = <A, E extends { readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.mapError(effect, fail)
    // Held by one rollback at a time: a second one is refused at its first write, not interleaved with the first.
    yield* run(sql.unsafe("PRAGMA locking_mode = EXCLUSIVE"))
    yield* run(sql`CREATE TABLE IF NOT EXISTS rollback_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
    yield* run(sql`CREATE TABLE IF NOT EXISTS rollback_targets (
      ordinal INTEGER PRIMARY KEY, resource TEXT NOT NULL, id TEXT NOT NULL, line INTEGER, state TEXT NOT NULL,
      job TEXT, reason TEXT, UNIQUE (resource, id))`)

    const journal: RollbackJournal = {
      path,
      meta: (key) =>
        sql`SELECT value FROM rollback_meta WHERE key = ${key}`.pipe(
          run,
          Effect.flatMap((rows) => Effect.mapError(Schema.decodeUnknown(Schema.Array(MetaRow))(rows), fail)),
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.value))
        ),
      plan: (meta, targets) =>
        run(
          JournalFile.transaction(sql)(Effect.gen(function*() {
            for (let from = 0; from < targets.length; from += 200) {
              yield* sql`INSERT OR IGNORE INTO rollback_targets ${
                sql.insert(targets.slice(from, from + 200).map((target) => ({ ...target })))
              }`
            }
            for (const [key, value] of Object.entries(meta)) {
              yield* sql`INSERT OR REPLACE INTO rollback_meta ${sql.insert({ key, value })}`
            }
          }))
        ),
      targets: (resource) =>
        (resource === undefined
          ? sql`SELECT resource, id, line, state, job, reason FROM rollback_targets ORDER BY ordinal`
          : sql`SELECT resource, id, line, state, job, reason FROM rollback_targets WHERE resource = ${resource}
              ORDER BY ordinal`).pipe(
            run,
            Effect.flatMap((rows) => Effect.mapError(Schema.decodeUnknown(Schema.Array(Target))(rows), fail))
          ),
      update: (resource, ids, change) =>
        ids.length === 0 ? Effect.void : run(
          sql`UPDATE rollback_targets SET state = ${change.state}, job = ${change.job ?? null},
            reason = ${change.reason ?? null} WHERE resource = ${resource} AND id IN ${sql.in(ids)}`
        )
    }
    return journal
  })
