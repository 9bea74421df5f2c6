/**
 * The import journal in a SQLite file: the durable implementation of the pipeline's `ImportCheckpoint` hook.
 *
 * It records the run (resource, input identity, settings), every chunk with its items' wire JSON, each chunk's
 * state (prepared → sending → submitted with its job id → settled) and every record's final outcome. Opened again
 * with the same run, it hands back what is left: records with an outcome are skipped (a bitmap, one bit per
 * record), submitted jobs are polled again, chunks caught while being sent are *in doubt*, and prepared chunks are
 * sent. Records whose request failed (a transport error, a refused request) are not settled by it: a resumed run
 * sends them again; only the API's verdict on an item (it refused the item) stays final.
 *
 * Durability: WAL mode with `synchronous = NORMAL` (the default, `durability: "process"`): every commit is in the
 * operating system's hands before the call returns, so killing the process at any moment loses nothing that was
 * committed; a power cut or kernel crash may lose the last commits (never corrupt the file). With
 * `durability: "system"` (`synchronous = FULL`) every commit is also flushed to the disk. The file is locked while
 * open: a second import with the same journal is refused.
 *
 * @since 0.1.0
 */
import { ImportCheckpoint, type ImportEvent } from "@effect-kustomer/client"
import type { Ids, ImportCounts } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { checkJournalFile } from "./internal/fileChecks.js"
import * as Database from "./internal/journalDatabase.js"
import * as Resume from "./internal/journalResume.js"
import * as Rows from "./internal/journalRows.js"
import * as Tables from "./internal/journalSchema.js"
import type { JournalError } from "./JournalError.js"

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * `process` (default): commits survive the process being killed (WAL, `synchronous = NORMAL`). `system`: they
   * also survive a power cut or an operating-system crash (`synchronous = FULL`), at the cost of a disk flush
   * per commit.
   */
  readonly durability?: "process" | "system" | undefined
}

/**
 * What `begin` found: the attempt, whether it resumed, what earlier attempts settled.
 *
 * @since 0.1.0
 */
export type Status = Resume.Status

/**
 * The SQLite journal: the `ImportCheckpoint` hook plus what a run report needs from it.
 *
 * @since 0.1.0
 */
export interface Journal extends ImportCheckpoint.ImportCheckpoint {
  /** The journal file. */
  readonly path: string
  /** What `begin` found. */
  readonly status: Effect.Effect<Status>
  /** The first error the hook failed with (the pipeline sees it as a `CheckpointError`). */
  readonly failure: Effect.Effect<Option.Option<JournalError>>
  /** Final outcomes recorded so far, over every attempt. */
  readonly counts: Effect.Effect<ImportCounts.OutcomeCounts, JournalError>
  /** Every job the API accepted, over every attempt, in submission order. */
  readonly jobIds: Effect.Effect<ReadonlyArray<Ids.BulkJobId>, JournalError>
  /** The rejected, failed and unknown records recorded so far, by record index. */
  readonly rejects: Stream.Stream<Rows.NotCreated, JournalError>
}

const initialStatus: Status = {
  attempt: 0,
  resumed: false,
  settledBefore: 0,
  chunksResumed: 0,
  finishedBefore: false,
  released: 0
}

/** Rows per multi-row insert: far below SQLite's limit on bound parameters. */
const rowsPerInsert = 100

/** Records per page when reading the rejects back. */
const pageSize = 50_000

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size))
  return out
}

/**
 * Opens (or creates) the journal at `path` for as long as the scope lasts. Refuses a file that is not an import
 * journal, a damaged one, one of another version, or one that another import holds open.
 *
 * @since 0.1.0
 */
export const make = (
  path: string,
  options: Options = {}
): Effect.Effect<Journal, JournalError, Scope.Scope | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    yield* checkJournalFile(path)
    const database = yield* Database.open(path, options.durability ?? "process")
    const { sql } = database
    const toJournalError = Database.journalFailure(path)
    const status = yield* Ref.make(initialStatus)
    const failure = yield* Ref.make(Option.none<JournalError>())
    const attemptNow = Effect.map(Ref.get(status), (current) => Math.max(1, current.attempt))

    /** The hook's side of an operation: its error is kept, and the pipeline sees a `CheckpointError`. */
    const hook = <A, E extends JournalError | Parameters<typeof toJournalError>[0]>(
      name: string,
      effect: Effect.Effect<A, E>
    ): Effect.Effect<A, ImportCheckpoint.CheckpointError> =>
      effect.pipe(
        Effect.mapError(toJournalError),
        Effect.tapError((error) => Ref.update(failure, (first) => Option.orElse(first, () => Option.some(error)))),
        Effect.mapError((error) => new ImportCheckpoint.CheckpointError({ reason: error.detail })),
        Effect.withSpan(`SqliteJournal.${name}`)
      )

    const begin = (run: ImportCheckpoint.RunIdentity) =>
      hook(
        "begin",
        Effect.gen(function*() {
          const found = yield* sql.withTransaction(Resume.begin(path, database, run))
          const { resume, ...found_ } = found
          yield* Ref.set(status, found_)
          return resume
        })
      )

    const prepared = (chunk: ImportCheckpoint.PlannedChunk) =>
      hook(
        "prepared",
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const attempt = yield* attemptNow
          const items = JSON.stringify(chunk.items.map((item) => [
            item.position.index,
            item.position.line ?? null,
            item.clientRef,
            item.externalId ?? null,
            item.json
          ]))
          yield* sql.unsafe(
            `INSERT OR REPLACE INTO journal_chunks (chunk, state, job_id, item_count, items, attempt, updated_at)
              VALUES (?, 'prepared', NULL, ?, ?, ?, ?)`,
            [chunk.chunk, chunk.items.length, items, attempt, now]
          )
        })
      )

    const sending = (chunk: number) =>
      hook(
        "sending",
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => sql`UPDATE journal_chunks SET state = 'sending', updated_at = ${now} WHERE chunk = ${chunk}`
        )
      )

    const submitted = (chunk: number, jobId: Ids.BulkJobId) =>
      hook(
        "submitted",
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const attempt = yield* attemptNow
          yield* sql.withTransaction(Effect.gen(function*() {
            yield* sql`UPDATE journal_chunks SET state = 'submitted', job_id = ${jobId}, updated_at = ${now}
              WHERE chunk = ${chunk}`
            yield* sql`INSERT OR IGNORE INTO journal_jobs ${
              sql.insert({ job_id: jobId, chunk, attempt, submitted_at: now })
            }`
          }))
        })
      )

    const settled = (outcomes: ReadonlyArray<ImportEvent.Outcome>, chunk?: number) =>
      hook(
        "settled",
        Effect.gen(function*() {
          if (outcomes.length === 0 && chunk === undefined) return
          const now = yield* Clock.currentTimeMillis
          const attempt = yield* attemptNow
          const rows = outcomes.map((outcome) => Rows.outcomeRow(outcome, chunk, attempt))
          yield* sql.withTransaction(Effect.gen(function*() {
            for (const batch of chunksOf(rows, rowsPerInsert)) {
              yield* sql.unsafe(Rows.insertOutcomes(batch.length), batch.flat())
            }
            if (chunk !== undefined) {
              yield* sql`UPDATE journal_chunks SET state = 'settled', items = NULL, updated_at = ${now}
                WHERE chunk = ${chunk}`
            }
          }))
        })
      )

    const finished = hook(
      "finished",
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const attempt = yield* attemptNow
        yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql`UPDATE journal_attempts SET finished_at = ${now} WHERE attempt = ${attempt}`
          yield* database.setMeta("finished_at", String(now))
        }))
      })
    )

    const counts = sql`SELECT outcome, count(*) AS count FROM journal_outcomes GROUP BY outcome`.pipe(
      Effect.mapError(toJournalError),
      Effect.flatMap(Database.decodeRows(Tables.CountRow, path)),
      Effect.map((rows): ImportCounts.OutcomeCounts => {
        const of = (kind: typeof Tables.OutcomeKind.Type) => rows.find((row) => row.outcome === kind)?.count ?? 0
        const settled = {
          created: of("Created"),
          alreadyExisting: of("AlreadyExisting"),
          failed: of("Failed"),
          rejected: of("Rejected"),
          unknown: of("Unknown")
        }
        return { read: Object.values(settled).reduce((sum, count) => sum + count, 0), ...settled }
      })
    )

    const jobIds = sql`SELECT job_id FROM journal_jobs ORDER BY submitted_at, job_id`.pipe(
      Effect.mapError(toJournalError),
      Effect.flatMap(Database.decodeRows(Tables.JobRow, path)),
      Effect.map((rows) => rows.map((row) => row.job_id))
    )

    const rejects = Stream.paginateChunkEffect(-1, (after: number) =>
      sql`SELECT record, line, outcome, client_ref, job_id, external_id, reason, payload FROM journal_outcomes
        WHERE outcome IN ('Rejected', 'Failed', 'Unknown') AND record > ${after}
        ORDER BY record LIMIT ${pageSize}`.pipe(
        Effect.mapError(toJournalError),
        Effect.flatMap(Database.decodeRows(Tables.RejectRow, path)),
        Effect.map((rows): [Chunk.Chunk<Rows.NotCreated>, Option.Option<number>] => {
          const last = rows[rows.length - 1]
          return [
            Chunk.unsafeFromArray(rows.map((row) =>
              Rows.notCreatedOf(row)
            )),
            rows.length < pageSize || last === undefined ? Option.none() : Option.some(last.record)
          ]
        })
      ))

    const journal: Journal = {
      path,
      status: Ref.get(status),
      failure: Ref.get(failure),
      counts,
      jobIds,
      rejects,
      begin,
      prepared,
      sending,
      submitted,
      settled,
      finished
    }
    return journal
  }).pipe(Effect.withSpan("SqliteJournal.make", { attributes: { "journal.path": path } }))
