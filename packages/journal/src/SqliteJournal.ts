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
 * A failed write stops the run, and every write after it is refused: a full disk is said by name (kind
 * `NoSpace`), and since each write is one transaction the journal stays as it was after its last commit — a chunk
 * is never settled without its outcomes — so a resume once there is room continues from there. While the run
 * goes on, the journal checks (at most every {@link fileCheckMillis} ms, and at the end) that its path still
 * names the file it opened: SQLite keeps writing to a deleted file, and all it records would be lost with it.
 *
 * @since 0.1.0
 */
import { ImportCheckpoint } from "@effect-kustomer/client"
import type { Ids, ImportCounts } from "@effect-kustomer/domain"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import { checkJournalFile, checkSameFile, identify } from "./internal/fileChecks.js"
import * as Database from "./internal/journalDatabase.js"
import * as Reads from "./internal/journalReads.js"
import * as Resume from "./internal/journalResume.js"
import type * as Rows from "./internal/journalRows.js"
import * as Writes from "./internal/journalWrites.js"
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
  /**
   * The set of journals this one belongs to (a migration's id map and phase journals), as a key and a value of its
   * metadata: written when the journal is created, and a journal that holds another value is refused (kind
   * `Incomplete`: it was put in the place of the set's own).
   */
  readonly belongsTo?: { readonly key: string; readonly value: string } | undefined
  /**
   * Checked with the journal's own file, before its writes (at most every {@link fileCheckMillis} ms) and when
   * the run finishes: e.g. that the other files of its set are still there.
   */
  readonly checkAlso?: Effect.Effect<void, JournalError> | undefined
}

/**
 * How often, at most, a journal checks during a run that its file is still there (and `checkAlso`): once per
 * second is nothing next to a bulk request, and stops a run that lost its journal within a chunk or two.
 *
 * @since 0.1.0
 */
export const fileCheckMillis = 1_000

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
  /** Every record's final outcome recorded so far, over every attempt, by record index (once each). */
  readonly outcomes: Stream.Stream<Settled, JournalError>
}

/**
 * A record's final outcome as the journal holds it (see {@link Journal.outcomes}): its position, the outcome, and
 * what the API said of it — enough to write a results file again after a crash.
 *
 * @since 0.1.0
 */
export interface Settled extends Rows.Settled {}

const initialStatus: Status = {
  attempt: 0,
  resumed: false,
  settledBefore: 0,
  chunksResumed: 0,
  finishedBefore: false,
  released: 0
}

/**
 * Opens (or creates) the journal at `path` for as long as the scope lasts. Refuses a file that is not an import
 * journal, a damaged one, one of another version, one of another set (`belongsTo`), or one that another import
 * holds open.
 *
 * @since 0.1.0
 */
export const make = (
  path: string,
  options: Options = {}
): Effect.Effect<Journal, JournalError, Scope.Scope | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    yield* checkJournalFile(path)
    const database = yield* Database.open(
      path,
      options.durability ?? "process",
      Option.fromNullable(options.belongsTo)
    )
    const fs = yield* FileSystem.FileSystem
    const opened = yield* identify(path)
    const toJournalError = Database.journalFailure(path)
    const status = yield* Ref.make(initialStatus)
    const failure = yield* Ref.make(Option.none<JournalError>())
    const attemptNow = Effect.map(Ref.get(status), (current) => Math.max(1, current.attempt))

    const checkFiles = Effect.zipRight(
      options.checkAlso ?? Effect.void,
      Effect.provideService(checkSameFile(opened, "import"), FileSystem.FileSystem, fs)
    )
    const lastCheck = yield* Ref.make(yield* Clock.currentTimeMillis)
    /** The files checked now (`always`), or when the last check is old enough. */
    const filesChecked = (always: boolean) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (!always && now - (yield* Ref.get(lastCheck)) < fileCheckMillis) return
        yield* checkFiles
        yield* Ref.set(lastCheck, now)
      })

    /**
     * The hook's side of an operation: its error is kept, and the pipeline sees a `CheckpointError`. After an
     * error every operation fails with it: a write that follows a failed one could record a state the failed one
     * should have come before.
     */
    const hook = <A, E extends JournalError | Parameters<typeof toJournalError>[0]>(
      name: string,
      effect: Effect.Effect<A, E>
    ): Effect.Effect<A, ImportCheckpoint.CheckpointError> =>
      Effect.flatMap(Ref.get(failure), (first): Effect.Effect<A, E | JournalError> =>
        Option.match(first, {
          onNone: () => effect,
          onSome: (error) => Effect.fail(error)
        })).pipe(
          Effect.mapError(toJournalError),
          Effect.tapError((error) => Ref.update(failure, (first) => Option.orElse(first, () => Option.some(error)))),
          Effect.mapError((error) => new ImportCheckpoint.CheckpointError({ reason: error.detail })),
          Effect.withSpan(`SqliteJournal.${name}`)
        )

    const begin = (run: ImportCheckpoint.RunIdentity) =>
      hook(
        "begin",
        Effect.gen(function*() {
          const found = yield* database.transaction(Resume.begin(path, database, run))
          const { resume, ...found_ } = found
          yield* Ref.set(status, found_)
          return resume
        })
      )

    /** A write, stamped with the time and the attempt, after the files are checked (`always`, or now and then). */
    const write = <A>(name: string, statement: Writes.Write<A>, always = false) =>
      hook(
        name,
        Effect.gen(function*() {
          yield* filesChecked(always)
          return yield* statement(yield* Clock.currentTimeMillis, yield* attemptNow)
        })
      )

    const reads = Reads.make(database, path)

    const journal: Journal = {
      path,
      status: Ref.get(status),
      failure: Ref.get(failure),
      counts: reads.counts,
      jobIds: reads.jobIds,
      rejects: reads.rejects,
      outcomes: reads.outcomes,
      begin,
      prepared: (chunk) => write("prepared", Writes.prepared(database, chunk)),
      sending: (chunk) => write("sending", Writes.sending(database, chunk)),
      submitted: (chunk, jobId, resent) =>
        write("submitted", Writes.submitted(database, chunk, jobId, resent ?? false)),
      settled: (outcomes, chunk) => write("settled", Writes.settled(database, outcomes, chunk)),
      finished: write("finished", Writes.finished(database), true)
    }
    return journal
  }).pipe(Effect.withSpan("SqliteJournal.make", { attributes: { "journal.path": path } }))
