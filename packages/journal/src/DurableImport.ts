/**
 * A durable import of a file (or standard input): the pipeline with a SQLite journal, a rejects file and a run
 * report. Killed at any moment and run again with the same journal, it continues where it stopped and creates
 * every valid record exactly once (see the package README for what "exactly once" means with and without
 * `externalId`s).
 *
 * ```ts
 * const result = yield* DurableImport.run({
 *   input: "tickets.jsonl",
 *   journal: "tickets.journal",     // resumes when the file exists
 *   rejects: "tickets.rejects.jsonl",
 *   report: "tickets.report.json",
 *   assignExternalIds: true
 * })
 * ```
 *
 * Reconciliation of chunks caught in flight: a chunk the journal shows as being sent when the process died may or
 * may not have become a job. On resume its items with an `externalId` are sent again, and the API's "duplicate
 * detected" for them is reported `AlreadyExisting` — nothing is created twice; its items without an `externalId`
 * are reported `Unknown` (and written to the rejects file), never resent blindly.
 *
 * @since 0.1.0
 */
import {
  BulkImport,
  type Conversation,
  ImportCheckpoint,
  ImportEvent,
  ImportSource,
  type KustomerClient,
  type KustomerError
} from "@effect-kustomer/client"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ImportInput from "./ImportInput.js"
import * as RejectsFile from "./RejectsFile.js"
import * as RunReport from "./RunReport.js"
import * as SqliteJournal from "./SqliteJournal.js"

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** A file path, or `-` for standard input. */
  readonly input: string
  /** The input's format; else guessed from the file's extension (standard input needs it). */
  readonly format?: ImportSource.Format | undefined
  readonly csv?: ImportSource.CsvOptions | undefined
  /** The input's text encoding. Default `utf-8`. */
  readonly encoding?: ImportSource.Encoding | undefined
  /** The SQLite journal; when the file exists, the run resumes (or is refused if it belongs to another run). */
  readonly journal?: string | undefined
  /** How long commits of the journal last; see `SqliteJournal.Options`. Default `process`. */
  readonly durability?: SqliteJournal.Options["durability"]
  /** The JSON Lines rejects file: emptied by a fresh run, appended to by a resumed one. */
  readonly rejects?: string | undefined
  /** The JSON report, written at the end (also when the run fails). */
  readonly report?: string | undefined
  /** Gives records without an `externalId` one derived from the input's hash and their index. */
  readonly assignExternalIds?: boolean | undefined
  /** Everything else of the pipeline. */
  readonly pipeline?:
    | Omit<
      BulkImport.Options<Conversation.ConversationInput, Conversation.ConversationInputEncoded>,
      "checkpoint" | "source" | "assignExternalId"
    >
    | undefined
  /** Sees every event of the pipeline. */
  readonly onEvent?: ((event: ImportEvent.ImportEvent) => Effect.Effect<void>) | undefined
  /** Called once the journal has been read, before the first record is sent. */
  readonly onStart?: ((start: Start) => Effect.Effect<void>) | undefined
  /** The bytes read for `-` (standard input, which the application reads; the CLI uses `NodeStream.stdin`). */
  readonly stdin?: Stream.Stream<Uint8Array, ImportSource.SourceError> | undefined
}

/**
 * What the run found when it started.
 *
 * @since 0.1.0
 */
export interface Start {
  readonly resumed: boolean
  /** 1 for a fresh run, n for the n-th attempt recorded in the journal. */
  readonly attempt: number
  /** Records an earlier attempt settled: they are skipped. */
  readonly alreadySettled: number
  /** The input's records, when counted while identifying it. */
  readonly totalRecords: number | undefined
  readonly input: ImportInput.Identity | undefined
}

/**
 * The result of a run that went to its end.
 *
 * @since 0.1.0
 */
export interface Result {
  /** This attempt's totals. */
  readonly summary: ImportEvent.Summary
  readonly resumed: boolean
  /** The input's records, when cheaply known (JSON Lines: counted while fingerprinting). */
  readonly totalRecords: number | undefined
  /** Records settled by earlier attempts, skipped by this one. */
  readonly skipped: number
  /** Outcomes over every attempt (with a journal). */
  readonly cumulative: SqliteJournal.OutcomeCounts | undefined
  /** Lines this attempt wrote to the rejects file. */
  readonly rejectsWritten: number
  /** The report, also written to `options.report` when given. */
  readonly report: RunReport.RunReport
}

/**
 * Why a durable import stopped: `Input` (missing file, unknown format, unreadable records), `Journal` (refused,
 * damaged or locked journal), `Api` (credentials, roles), `Output` (rejects or report file not writable).
 *
 * @since 0.1.0
 */
export class DurableImportError extends Data.TaggedError("DurableImportError")<{
  readonly reason: "Input" | "Journal" | "Api" | "Output"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return this.detail
  }
}

type Failure =
  | ImportSource.SourceError
  | ImportCheckpoint.CheckpointError
  | KustomerError.KustomerError
  | RejectsFile.RejectsFileError
  | RunReport.RunReportError
  | DurableImportError

const toDurableError = (error: Failure): DurableImportError => {
  switch (error._tag) {
    case "DurableImportError":
      return error
    case "SourceError":
      return new DurableImportError({ reason: "Input", detail: error.message, cause: error })
    case "CheckpointError":
      return new DurableImportError({ reason: "Journal", detail: error.message, cause: error })
    case "KustomerError":
      return new DurableImportError({ reason: "Api", detail: error.message, cause: error })
    case "RejectsFileError":
    case "RunReportError":
      return new DurableImportError({ reason: "Output", detail: error.message, cause: error })
  }
}

/** The format named, or guessed from the path. */
const formatFor = (options: Options): Effect.Effect<ImportSource.Format, DurableImportError> => {
  const format = options.format ??
    (options.input === "-" ? undefined : Option.getOrUndefined(ImportSource.formatOf(options.input)))
  return format === undefined
    ? Effect.fail(
      new DurableImportError({
        reason: "Input",
        detail: options.input === "-"
          ? "standard input has no file name to tell its format from: name the format (jsonl, json or csv)"
          : `cannot tell the format of ${options.input} from its name: name it (jsonl, json or csv)`
      })
    )
    : Effect.succeed(format)
}

/** The input's bytes, and its identity: known before the first record when a journal or assigned ids need it. */
interface OpenedInput {
  readonly name: string
  readonly bytes: Stream.Stream<Uint8Array, ImportSource.SourceError, FileSystem.FileSystem>
  readonly known: ImportInput.Identity | undefined
  readonly identity: Effect.Effect<ImportInput.Identity | undefined>
}

const openInput = (options: Options, format: ImportSource.Format, scope: Scope.Scope) =>
  Effect.gen(function*() {
    if (options.input !== "-") {
      const identity = yield* ImportInput.identify(options.input, format)
      const opened: OpenedInput = {
        name: options.input,
        bytes: ImportSource.fileBytes(options.input),
        known: identity,
        identity: Effect.succeed(identity)
      }
      return opened
    }
    const stdin = options.stdin ??
      Stream.fail(
        new ImportSource.SourceError({ source: "standard input", reason: "no stream of its bytes was given" })
      )
    if (options.journal !== undefined || options.assignExternalIds === true) {
      const spooled = yield* ImportInput.spool(stdin, format).pipe(Scope.extend(scope))
      const opened: OpenedInput = {
        name: "-",
        bytes: ImportSource.fileBytes(spooled.file),
        known: spooled.identity,
        identity: Effect.succeed(spooled.identity)
      }
      return opened
    }
    const reading = ImportInput.identifyWhileReading(stdin, format)
    const opened: OpenedInput = {
      name: "-",
      bytes: reading.bytes,
      known: undefined,
      identity: Effect.map(reading.identity, (identity): ImportInput.Identity | undefined => identity)
    }
    return opened
  })

/** The summary of a run that stopped half-way, from what the tracker saw. */
const partialSummary = (observed: RunReport.Observed, elapsed: number): ImportEvent.Summary => ({
  ...observed.counts,
  jobs: observed.jobIds.length,
  submits: 0,
  polls: 0,
  lookups: 0,
  requests: 0,
  rateLimited: 0,
  retries: observed.retries,
  elapsed: Duration.millis(elapsed)
})

const isoTime = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

/**
 * Runs a durable import to its end. Fails only when the import cannot go on (input, journal, credentials, output
 * files); records that cannot be created are outcomes, written to the rejects file.
 *
 * @since 0.1.0
 */
export const run = (
  options: Options
): Effect.Effect<Result, DurableImportError, KustomerClient.KustomerClient | FileSystem.FileSystem> =>
  Effect.scoped(Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const startedAt = yield* Clock.currentTimeMillis
      const tracker = yield* RunReport.tracker
      const journalRef = yield* Ref.make<SqliteJournal.Journal | undefined>(undefined)
      const inputRef = yield* Ref.make<OpenedInput | undefined>(undefined)
      const rejectsRef = yield* Ref.make<RejectsFile.Writer | undefined>(undefined)
      const startRef = yield* Ref.make<Start | undefined>(undefined)

      /** Opens the rejects file once the journal has said whether this is a resume; writes what the file missed. */
      const rejectsWriter = (path: string) =>
        Effect.gen(function*() {
          const current = yield* Ref.get(rejectsRef)
          if (current !== undefined) return current
          const journal = yield* Ref.get(journalRef)
          const resumed = journal === undefined ? false : (yield* journal.status).resumed
          const writer = yield* RejectsFile.open(path, resumed ? "append" : "fresh").pipe(Scope.extend(scope))
          yield* Ref.set(rejectsRef, writer)
          if (journal !== undefined && resumed) {
            yield* Stream.runForEachChunk(journal.rejects, (outcomes) =>
              writer.write(
                Array.from(outcomes).flatMap((outcome) => Option.toArray(RejectsFile.entryOf(outcome)))
              ))
          }
          return writer
        })

      const attempt = Effect.gen(function*() {
        const format = yield* formatFor(options)
        const input = yield* openInput(options, format, scope)
        yield* Ref.set(inputRef, input)
        const journal = options.journal === undefined
          ? undefined
          : yield* SqliteJournal.make(options.journal, { durability: options.durability }).pipe(Scope.extend(scope))
        yield* Ref.set(journalRef, journal)
        const source = ImportInput.records(input.bytes, format, {
          csv: options.csv,
          encoding: options.encoding,
          sourceName: input.name
        })
        const pipeline = options.pipeline ?? {}
        const recordSettings = JSON.stringify({
          format,
          csv: { mapping: options.csv?.mapping ?? null, delimiter: options.csv?.delimiter ?? "," },
          // Only a non-default encoding joins the settings, so that journals of UTF-8 runs stay resumable.
          ...(options.encoding === undefined || options.encoding === "utf-8" ? {} : { encoding: options.encoding }),
          unknownFields: pipeline.unknownFields ?? "reject",
          customClientRef: pipeline.clientRef !== undefined
        })
        const inner = journal ?? ImportCheckpoint.disabled

        /** Keeps the text of lines that were not JSON with their outcome, so that a resume can write it out. */
        const withText = (outcome: ImportEvent.Outcome): ImportEvent.Outcome => {
          if (outcome._tag !== "Rejected" || outcome.record !== undefined) return outcome
          const text = source.rawText(outcome.position.index)
          return text === undefined
            ? outcome
            : new ImportEvent.Rejected({ position: outcome.position, issues: outcome.issues, record: text })
        }

        const checkpoint: ImportCheckpoint.ImportCheckpoint = {
          ...inner,
          // Settings that shape the records (format, CSV mapping, field checks) join those that shape chunks.
          begin: (run) =>
            Effect.gen(function*() {
              const resume = yield* inner.begin({
                ...run,
                settings: `{"pipeline":${run.settings},"records":${recordSettings}}`
              })
              const status = journal === undefined ? undefined : yield* journal.status
              const start: Start = {
                resumed: status?.resumed ?? false,
                attempt: status?.attempt ?? 1,
                alreadySettled: status?.settledBefore ?? 0,
                totalRecords: input.known?.records,
                input: input.known
              }
              yield* Ref.set(startRef, start)
              if (options.onStart !== undefined) yield* options.onStart(start)
              return resume
            }),
          settled: (outcomes, chunk) => inner.settled(outcomes.map(withText), chunk)
        }

        const rejectsPath = options.rejects
        const handle = (event: ImportEvent.ImportEvent) =>
          Effect.gen(function*() {
            yield* tracker.observe(event)
            if (ImportEvent.isOutcome(event)) {
              const index = event.position.index
              if (rejectsPath !== undefined) {
                const entry = RejectsFile.entryOf(event, source.rawText(index))
                if (Option.isSome(entry)) {
                  const writer = yield* rejectsWriter(rejectsPath)
                  yield* writer.write([entry.value])
                }
              }
              source.forget(index)
            } else if (rejectsPath !== undefined) {
              const writer = yield* Ref.get(rejectsRef)
              if (writer !== undefined) yield* writer.flush
            }
          })

        const identity = input.known
        const events = BulkImport.stream(source.records, {
          ...pipeline,
          checkpoint,
          source: {
            name: input.name,
            fingerprint: identity === undefined ? undefined : ImportInput.fingerprint(identity)
          },
          assignExternalId: options.assignExternalIds === true && identity !== undefined
            ? ImportInput.assignedExternalId(identity)
            : undefined
        }).pipe(Stream.tap((event) => handle(event)))
        const summary = yield* BulkImport.summarize(events, options.onEvent)
        if (rejectsPath !== undefined) yield* Effect.flatMap(rejectsWriter(rejectsPath), (writer) => writer.flush)
        return summary
      })

      // Interrupting the run (Ctrl-C) stops the import, not its report.
      const exit = yield* Effect.exit(restore(Effect.mapError(attempt, toDurableError)))

      // The report, whether the run finished or not.
      const finishedAt = yield* Clock.currentTimeMillis
      const observed = yield* tracker.observed
      const journal = yield* Ref.get(journalRef)
      const status = journal === undefined ? undefined : yield* journal.status
      const counted = journal === undefined || status === undefined || status.attempt === 0
        ? undefined
        : Option.getOrUndefined(yield* Effect.option(journal.counts))
      const allJobIds = journal === undefined || status === undefined || status.attempt === 0
        ? undefined
        : Option.getOrUndefined(yield* Effect.option(journal.jobIds))
      const writer = yield* Ref.get(rejectsRef)
      const flushed = writer === undefined ? Exit.void : yield* Effect.exit(writer.flush)
      const rejectsWritten = writer === undefined ? 0 : yield* writer.written
      const opened = yield* Ref.get(inputRef)
      const identity = opened === undefined ? undefined : yield* opened.identity
      const summary = Exit.isSuccess(exit) ? exit.value : partialSummary(observed, finishedAt - startedAt)
      const error = Exit.isFailure(exit)
        ? Option.match(Cause.failureOption(exit.cause), {
          onNone: () => Cause.isInterruptedOnly(exit.cause) ? "interrupted" : Cause.pretty(exit.cause),
          onSome: (failure) => failure.message
        })
        : undefined
      const report: RunReport.RunReport = {
        status: Exit.isSuccess(exit) ? "finished" : Exit.isInterrupted(exit) ? "interrupted" : "failed",
        ...(error === undefined ? {} : { error }),
        ...(identity === undefined ? {} : { input: RunReport.inputOf(identity) }),
        ...(options.journal === undefined ? {} : { journal: options.journal }),
        ...(options.rejects === undefined ? {} : { rejects: options.rejects }),
        resumed: status?.resumed ?? false,
        attempt: status === undefined || status.attempt === 0 ? 1 : status.attempt,
        startedAt: isoTime(startedAt),
        finishedAt: isoTime(finishedAt),
        elapsedMillis: finishedAt - startedAt,
        summary: {
          read: summary.read,
          created: summary.created,
          alreadyExisting: summary.alreadyExisting,
          failed: summary.failed,
          rejected: summary.rejected,
          unknown: summary.unknown,
          jobs: summary.jobs,
          submits: summary.submits,
          polls: summary.polls,
          lookups: summary.lookups,
          requests: summary.requests,
          rateLimited: summary.rateLimited,
          retries: summary.retries
        },
        skipped: status?.settledBefore ?? 0,
        ...(counted === undefined ? {} : { cumulative: counted }),
        rateLimitWaits: observed.rateLimitWaits,
        jobIds: observed.jobIds,
        ...(allJobIds === undefined ? {} : { jobIdsAllAttempts: allJobIds }),
        rejectsWritten
      }
      const written = options.report === undefined
        ? Exit.void
        : yield* Effect.exit(Effect.mapError(RunReport.write(options.report, report), toDurableError))

      const result = yield* exit
      yield* Effect.mapError(flushed, toDurableError)
      yield* written
      const start = yield* Ref.get(startRef)
      return {
        summary: result,
        resumed: start?.resumed ?? false,
        totalRecords: identity?.records,
        skipped: start?.alreadySettled ?? 0,
        cumulative: counted,
        rejectsWritten,
        report
      }
    })
  )).pipe(Effect.withSpan("DurableImport.run", { attributes: { "import.input": options.input } }))
