/**
 * Undoes a migration (`kustomer-bulk rollback`): what its journal sets record that its runs created — the first
 * run's and every delta's (`<journal>.delta-<n>`) —, and nothing that existed before it, children's parents last —
 * the conversations it created marked `deleted: true` through their bulk update (Kustomer has no bulk delete of
 * conversations), then the customers it created deleted through `DELETE /v1/customers/bulk?ids=…`. What Kustomer
 * cannot undo in bulk is listed, not touched: the companies it created (no delete of companies is documented), the
 * messages and notes it added to conversations that existed before (no bulk delete of either), and the conversations
 * that existed before and that a delta updated (with the fields each delta changed: no earlier values are kept to
 * restore). Messages and notes of a conversation it marks deleted go with it.
 *
 * Same guarantees as the migration: chunks of at most 100, the client's rate limiter, the one retry policy, jobs
 * awaited and read item by item, and a journal of its own beside the migration's (`<journal>.rollback`), so that a
 * rollback killed at any moment resumes where it was and does nothing twice (see `internal/rollbackRun.ts`).
 *
 * @since 0.1.0
 */
import { KustomerClient } from "@effect-kustomer/client"
import { RunError } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { MigrationError } from "./internal/failure.js"
import { toMigrationError } from "./internal/failure.js"
import type * as Input from "./internal/input.js"
import { rolledBackKey } from "./internal/links.js"
import * as MigrationRecord from "./internal/migrationRecord.js"
import type { PipelineOptions } from "./internal/pipeline.js"
import { retriedRead } from "./internal/reads.js"
import * as RollbackJournal from "./internal/rollbackJournal.js"
import * as RollbackPlan from "./internal/rollbackPlan.js"
import * as RollbackRun from "./internal/rollbackRun.js"
import * as UndoRoles from "./internal/undoRoles.js"

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The migration's journal (its id map); the rollback's own journal lives beside it, `<journal>.rollback`. */
  readonly journal: string
  /**
   * The bundle as the migration read it: its path (read as the migration read it), or the whole input. Default: the
   * path its journals recorded. It tells which conversation each message and note belongs to; one that changed
   * since is refused.
   */
  readonly bundle?: string | Input.BundleInput | undefined
  /** List what would be undone, send nothing, write nothing (existing objects are not read back). */
  readonly dryRun?: boolean | undefined
  /** Chunk size (at most 100), concurrency, retry and poll schedules, job timeout: as for the migration. */
  readonly pipeline?: PipelineOptions | undefined
}

/**
 * Where an object stands in the report: `toUndo` (a dry run, or not reached), `inDoubt` (its request or job could
 * not be read to its end: run the rollback again), `undone`, `gone` (it was not there any more), `failed` (the API
 * refused, with its reason), `existed` (it was there before the migration: kept), `notUndoable` (kept, with why).
 *
 * @since 0.1.0
 */
export const ObjectState = Schema.Literal(
  "toUndo",
  "inDoubt",
  "undone",
  "gone",
  "failed",
  "existed",
  "notUndoable"
)

/** @since 0.1.0 */
export type ObjectState = typeof ObjectState.Type

/**
 * One object of the rollback: its resource, Kustomer id, the bundle line it came from (companies and customers:
 * their first line; messages and notes: their conversation's), where it stands and why.
 *
 * @since 0.1.0
 */
export const ReportObject = Schema.Struct({
  resource: RollbackJournal.TargetResource,
  id: Schema.String,
  line: Schema.NullOr(Schema.Number),
  state: ObjectState,
  reason: Schema.optional(Schema.String)
})

/** @since 0.1.0 */
export type ReportObject = typeof ReportObject.Type

/**
 * The rollback's report (`kustomer-bulk rollback --report`): every object it undid, kept, could not undo or failed
 * on, with counts per resource and state; `complete` when nothing is left to undo or in doubt.
 *
 * @since 0.1.0
 */
export const Report = Schema.Struct({
  journal: Schema.String,
  rollbackJournal: Schema.String,
  dryRun: Schema.Boolean,
  /** Whether an earlier rollback of this journal had planned (and perhaps begun) it. */
  resumed: Schema.Boolean,
  complete: Schema.Boolean,
  counts: Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Schema.Number }) }),
  /** Messages and notes of the conversations marked deleted: they go with their conversation. */
  withConversations: Schema.Struct({ messages: Schema.Number, notes: Schema.Number }),
  /**
   * Customers and conversations the migration left in doubt (their job's verdict never read): neither undone nor
   * listed, having no id yet. Run the migration again with its journal to settle them, then the rollback again.
   */
  migrationInDoubt: Schema.Struct({ customers: Schema.Number, conversations: Schema.Number }),
  requests: Schema.Number,
  objects: Schema.Array(ReportObject)
})

/** @since 0.1.0 */
export type Report = typeof Report.Type

/** The rollback journal's metadata: the migration journal set it belongs to, and the plan's child counts. */
const setKey = "journal_set"
const withConversationsKey = "with_conversations"
const decodeWithConversations = Schema.decodeUnknownOption(
  Schema.parseJson(Schema.Struct({ messages: Schema.Number, notes: Schema.Number }))
)

const stateOf = (target: RollbackJournal.Target): ObjectState => {
  switch (target.state) {
    case "pending":
      return "toUndo"
    case "sending":
    case "submitted":
      return target.reason === null ? "toUndo" : "inDoubt"
    default:
      return target.state
  }
}

const reportOf = (
  base: {
    readonly journal: string
    readonly dryRun: boolean
    readonly resumed: boolean
    readonly requests: number
    readonly migrationInDoubt: Report["migrationInDoubt"]
  },
  targets: ReadonlyArray<RollbackJournal.Target>,
  withConversations: Report["withConversations"]
): Report => {
  const objects = targets.map((target): ReportObject => ({
    resource: target.resource,
    id: target.id,
    line: target.line,
    state: stateOf(target),
    ...(target.reason === null ? {} : { reason: target.reason })
  }))
  const counts: Record<string, Record<string, number>> = {}
  for (const object of objects) {
    const row = counts[object.resource] ?? {}
    row[object.state] = (row[object.state] ?? 0) + 1
    counts[object.resource] = row
  }
  return {
    ...base,
    rollbackJournal: RollbackJournal.rollbackJournalPath(base.journal),
    complete: !base.dryRun && objects.every((object) => object.state !== "toUndo" && object.state !== "inDoubt"),
    counts,
    withConversations,
    objects
  }
}

/** The customers and conversations the migration's runs left in doubt. */
const inDoubtOf = (history: MigrationRecord.MigrationHistory) =>
  Effect.forEach(
    history.runs,
    (record) =>
      Effect.all({ customers: record.idMap.customersInDoubt, conversations: record.idMap.conversationsInDoubt })
  ).pipe(
    Effect.mapError(toMigrationError),
    Effect.map((runs) => ({
      customers: runs.reduce((sum, run) => sum + run.customers.length, 0),
      conversations: runs.reduce((sum, run) => sum + run.conversations.length, 0)
    }))
  )

/**
 * What a rollback of `options.journal` would undo, keep and list as not undoable, as a dry run's report: read from
 * the journal set and the bundle, without a request or a write. Objects the migration found existing are listed as
 * `existed`; the rollback itself reads them back and undoes those that carry the migration's own `importedAt`.
 *
 * @since 0.1.0
 */
export const plan = (
  options: Pick<Options, "journal" | "bundle">
): Effect.Effect<Report, MigrationError, FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const history = yield* MigrationRecord.readAll(options.journal, options.bundle)
    const planned = yield* RollbackPlan.make(history, undefined)
    return reportOf(
      {
        journal: options.journal,
        dryRun: true,
        resumed: false,
        requests: 0,
        migrationInDoubt: yield* inDoubtOf(history)
      },
      planned.targets,
      planned.withConversations
    )
  }))

/**
 * The plan, written once to the rollback journal: a resume undoes the plan it wrote, whatever the objects look like
 * now (a customer it deleted is not read back as "gone"). Returns the children that go with the conversations.
 */
const plannedOnce = (
  journal: RollbackJournal.RollbackJournal,
  history: MigrationRecord.MigrationHistory,
  readBack: RollbackPlan.ReadBack,
  planned: boolean
): Effect.Effect<Report["withConversations"], MigrationError, FileSystem.FileSystem> =>
  planned
    ? Effect.map(
      Effect.mapError(journal.meta(withConversationsKey), toMigrationError),
      (stored) => Option.getOrElse(Option.flatMap(stored, decodeWithConversations), () => ({ messages: 0, notes: 0 }))
    )
    : Effect.gen(function*() {
      const plan = yield* RollbackPlan.make(history, readBack)
      const meta = {
        [setKey]: MigrationRecord.firstRun(history).idMap.setId,
        [withConversationsKey]: JSON.stringify(plan.withConversations)
      }
      yield* Effect.mapError(journal.plan(meta, plan.targets), toMigrationError)
      // From now on the migration's journals describe objects being undone: resuming one, or continuing it with a
      // delta, would skip them.
      yield* Effect.forEach(history.runs, (run) => run.idMap.setMeta(rolledBackKey, "1"), { discard: true }).pipe(
        Effect.mapError(toMigrationError)
      )
      return plan.withConversations
    })

/**
 * Rolls back the migration of `options.journal` (see the module's description), or lists what it would undo
 * (`dryRun`: {@link plan}). Resumes a rollback of the same journal that was interrupted. Fails with the migration's
 * `RunError` when it cannot run (no journal, another bundle, a key without a role it needs); objects it could not
 * undo are in the report, not failures.
 *
 * @since 0.1.0
 */
export const run = (
  options: Options
): Effect.Effect<Report, MigrationError, KustomerClient.KustomerClient | FileSystem.FileSystem> =>
  options.dryRun === true ? plan(options) : Effect.scoped(Effect.gen(function*() {
    const history = yield* MigrationRecord.readAll(options.journal, options.bundle)
    const client = yield* KustomerClient.KustomerClient
    // A key that lacks a role is refused before the rollback journal is made or anything is sent.
    yield* UndoRoles.check(client, UndoRoles.rollbackNeeds, "rollback", options.pipeline)
    const journal = yield* Effect.mapError(
      RollbackJournal.open(RollbackJournal.rollbackJournalPath(options.journal)),
      toMigrationError
    )
    const pipeline = options.pipeline ?? {}
    let requests = 0
    const onRequest = Effect.sync(() => {
      requests += 1
    })
    const planned = yield* Effect.mapError(journal.meta(setKey), toMigrationError)
    if (Option.isSome(planned) && planned.value !== MigrationRecord.firstRun(history).idMap.setId) {
      return yield* new RunError.RunError({
        reason: "Journal",
        detail: `${journal.path} is the rollback of another migration than ${options.journal}: move it away`
      })
    }
    const readBack = RollbackPlan.readBackWith(
      client,
      (read) => retriedRead({ pipeline }, Effect.zipRight(onRequest, read))
    )
    const withConversations = yield* plannedOnce(journal, history, readBack, Option.isSome(planned))
    const sender: RollbackRun.Sender = { client, journal, pipeline, onRequest }
    yield* Effect.forEach(RollbackRun.undoOrder, (resource) => RollbackRun.undo(sender, resource), {
      discard: true
    }).pipe(Effect.mapError(toMigrationError))
    const targets = yield* Effect.mapError(journal.targets(), toMigrationError)
    return reportOf(
      {
        journal: options.journal,
        dryRun: false,
        resumed: Option.isSome(planned),
        requests,
        migrationInDoubt: yield* inDoubtOf(history)
      },
      targets,
      withConversations
    )
  })).pipe(Effect.withSpan("Rollback.run", { attributes: { "migration.journal": options.journal } }))
