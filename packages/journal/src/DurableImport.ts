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
 * detected" for them means the lost request created them (`Created`) — nothing is created twice; customers
 * without one are looked up by e-mail; other items without an `externalId` are reported `Unknown` (and written to
 * the unknown file, never to the rejects file), never resent blindly.
 *
 * Any resource of the registry can be imported (`resource`, default conversations): its schema checks the records,
 * and converts CSV cells (see {@link records}).
 *
 * Before the first request: the output files are checked (their directories exist and can be written), an input
 * that is a file of records in doubt is refused (unless `allowUnknown`), a JSON or JSON Lines input that the reader
 * would give up on part-way — a JSON array with a syntax error or cut short, JSON Lines whose last line is cut
 * mid-line — is refused with a `Preflight.BrokenInput` naming the byte offset and line (`Preflight.checkStructure`,
 * one streamed pass; unless `checkStructure: false`), a CSV input without a time zone whose date-times lack an
 * offset is refused with a `OffsetlessTimes.OffsetlessTimes` naming how many and the first (`OffsetlessTimes.check`,
 * one streamed pass; unless `offsetlessTimes: "utc"`), and the key's token is read and checked
 * against every role the import needs — the resource's create role, `bulk.read`, the resource's read role when
 * its objects can be looked up, and `org.admin` when messages or notes carry `createdAt` or `createdBy` (unless
 * `acceptImportDates`) — so that a key lacking one is refused, with all it lacks, before anything is created
 * (`Preflight.checkRoles`). The report is written however the run ends: finished, failed or interrupted.
 *
 * @since 0.1.0
 */
import type { ImportEvent, ImportSource } from "@effect-kustomer/client"
import { BulkImport, KustomerClient } from "@effect-kustomer/client"
import type { BulkResource } from "@effect-kustomer/domain"
import { type ImportCounts } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Stream from "effect/Stream"
import type * as ImportInput from "./ImportInput.js"
import { type Failure, failureOf, toRunError } from "./internal/durableError.js"
import { unknownPathOf } from "./internal/durableInput.js"
import { importEvents } from "./internal/importEvents.js"
import * as ResourcePipeline from "./internal/resourcePipeline.js"
import * as ResourceRecords from "./internal/resourceRecords.js"
import * as RunState from "./internal/runState.js"
import type * as OffsetlessTimes from "./OffsetlessTimes.js"
import type * as Preflight from "./Preflight.js"
import type * as RunError from "./RunError.js"
import * as RunReport from "./RunReport.js"
import type * as SqliteJournal from "./SqliteJournal.js"

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** A file path, or `-` for standard input. */
  readonly input: string
  /** What the records are: any resource of `BulkResource.all`. Default `BulkResource.Conversations`. */
  readonly resource?: BulkResource.Any | undefined
  /** The input's format; else guessed from the file's extension (standard input needs it). */
  readonly format?: ImportSource.Format | undefined
  /**
   * How CSV is read. A `timeZone` that does not exist is refused before the journal is opened; without one,
   * date-times without an offset are refused (see {@link Options.offsetlessTimes}).
   */
  readonly csv?: ImportSource.CsvOptions | undefined
  /**
   * CSV date-times without an offset when no `csv.timeZone` is given. `refuse` (default): the input is read once
   * before the journal is opened (standard input is then copied to a temporary file first) and, if it has any, the
   * run stops with a `OffsetlessTimes.OffsetlessTimes` naming how many and the first — nothing is sent, as an export
   * written in its account's zone would be created hours off. `utc`: they are read as UTC and counted in the
   * report's `timesReadAsUtc`. A `timeZone` of `UTC` reads them as UTC too, and resumes a journal of either.
   */
  readonly offsetlessTimes?: OffsetlessTimes.Mode | undefined
  /** The input's text encoding. Default `utf-8`. */
  readonly encoding?: ImportSource.Encoding | undefined
  /** The SQLite journal; when the file exists, the run resumes (or is refused if it belongs to another run). */
  readonly journal?: string | undefined
  /** How long commits of the journal last; see `SqliteJournal.Options`. Default `process`. */
  readonly durability?: SqliteJournal.Options["durability"]
  /**
   * The JSON Lines file of rejected and failed records, fit to be fixed and imported again. Written afresh by
   * every run (a resumed one writes the journal's earlier outcomes first).
   */
  readonly rejects?: string | undefined
  /**
   * The JSON Lines file of records in doubt (`Unknown`: they may or may not exist in Kustomer). Default: next to
   * the rejects file, `<rejects>.unknown.jsonl`. Created only when there are such records.
   */
  readonly unknown?: string | undefined
  /** Accept a file of records in doubt as input (refused by default: importing it may create duplicates). */
  readonly allowUnknown?: boolean | undefined
  /**
   * Check the key's roles before the first record is sent: its token is read and every role the import needs
   * must be granted (where the API does not serve the token, one read of a job checks that the key may read job
   * results, and the report says the roles were not checked). Default true.
   */
  readonly checkAccess?: boolean | undefined
  /**
   * Import messages or notes that carry `createdAt`/`createdBy` with a key that lacks `org.admin`, knowing that
   * Kustomer replaces them with the time of the import and the key's user: the result's and the report's `roles`
   * say they were not kept. Default false: such an import is refused before anything is sent.
   */
  readonly acceptImportDates?: boolean | undefined
  /**
   * Read a JSON or JSON Lines input once before the first request and refuse it when it is broken or cut short
   * (`Preflight.checkStructure`): else a JSON array is imported up to its break and the run fails there, and a
   * fixed file run again creates those records twice where Kustomer does not deduplicate. Standard input is then
   * copied to a temporary file first, so its records are sent only once it has ended. Default true.
   */
  readonly checkStructure?: boolean | undefined
  /** The JSON report, written at the end (also when the run fails). */
  readonly report?: string | undefined
  /**
   * Trial runs: records at the start of the input to pass over (they get no outcome), and the most records to
   * import after them.
   */
  readonly skip?: number | undefined
  readonly limit?: number | undefined
  /** Gives records without an `externalId` one derived from the input's hash and their index. */
  readonly assignExternalIds?: boolean | undefined
  /** Everything else of the pipeline. */
  readonly pipeline?: PipelineOptions | undefined
  /** Sees every event of the pipeline. */
  readonly onEvent?: ((event: ImportEvent.ImportEvent) => Effect.Effect<void>) | undefined
  /** Called once the journal has been read, before the first record is sent. */
  readonly onStart?: ((start: Start) => Effect.Effect<void>) | undefined
  /** The bytes read for `-` (standard input, which the application reads; the CLI uses `NodeStream.stdin`). */
  readonly stdin?: Stream.Stream<Uint8Array, ImportSource.SourceError> | undefined
}

/**
 * The pipeline's options a durable import takes (`BulkImport.Options` but its resource, journal, source and
 * assigned external ids, which the import sets).
 *
 * @since 0.1.0
 */
export type PipelineOptions = Omit<ResourcePipeline.PipelineOptions, "checkpoint" | "source" | "assignExternalId">

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
  /** What the check of the key's roles found (`undefined` with `checkAccess: false`). */
  readonly roles: Preflight.RoleReport | undefined
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
  readonly cumulative: ImportCounts.OutcomeCounts | undefined
  /** Lines this attempt wrote to the rejects file. */
  readonly rejectsWritten: number
  /** Lines this attempt wrote to the unknown file. */
  readonly unknownWritten: number
  /** The unknown file, when it holds records. */
  readonly unknownFile: string | undefined
  /** The report, also written to `options.report` when given. */
  readonly report: RunReport.RunReport
  /**
   * What the check of the key's roles found: whether they could be checked, what was needed, whether the
   * `createdAt`/`createdBy` of messages and notes were kept (`undefined` with `checkAccess: false`).
   */
  readonly roles: Preflight.RoleReport | undefined
}

/**
 * The records of an input as a durable import of `resource` reads them (`ImportInput.records`), CSV cells converted
 * as the resource's schema types their fields where the library's defaults (made for conversations) would leave
 * them as text: a customer's `signedUpAt` a date-time, a message's `meta` JSON, a company's `domains` a list.
 *
 * @since 0.1.0
 */
export const records: <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: ImportSource.Format,
  options?: ImportSource.ReadOptions & { readonly resource?: BulkResource.Any | undefined }
) => ImportInput.Records<E, R> = ResourceRecords.records

/**
 * The dry run of records as objects of `resource` (default conversations): `BulkImport.plan` with the resource's
 * schema; nothing is sent.
 *
 * @since 0.1.0
 */
export const plan = <E, R>(
  source: Stream.Stream<ImportSource.SourceRecord, E, R>,
  options: Omit<ResourcePipeline.PipelineOptions, "checkpoint" | "source"> & {
    readonly resource?: BulkResource.Any | undefined
  } = {}
): Stream.Stream<BulkImport.PlanEvent, E, R> => {
  const { resource, ...pipeline } = options
  return ResourcePipeline.plan(ResourceRecords.resourceOf({ resource }), source, pipeline)
}

/**
 * Runs a durable import to its end. Fails only when the import cannot go on (input, journal, credentials, output
 * files), with a `RunError` whose `cause` is the failure below it; records that cannot be created are outcomes,
 * written to the rejects or unknown file. The report is written however the run ends; the resources (journal,
 * files, a copy of standard input) are released then.
 *
 * @since 0.1.0
 */
export const run = (
  options: Options
): Effect.Effect<Result, RunError.RunError, KustomerClient.KustomerClient | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const state = yield* RunState.make((yield* KustomerClient.KustomerClient).rateLimit)
    const startFailure = yield* Ref.make(Option.none<Failure>())
    const endingRef = yield* Ref.make<Option.Option<RunState.Ending>>(Option.none())
    const closing = yield* Ref.make<Exit.Exit<void, RunError.RunError>>(Exit.void)
    const paths = {
      resource: ResourceRecords.resourceOf(options).name,
      journal: options.journal,
      rejects: options.rejects,
      unknown: unknownPathOf(options)
    }

    /** Whatever the exit: the files flushed, the report made and written. */
    const finish = (exit: Exit.Exit<ImportEvent.Summary, RunError.RunError>) =>
      Effect.gen(function*() {
        const files = yield* Ref.get(state.files)
        const flushed = files === undefined ? Exit.void : yield* Effect.exit(files.flush)
        const ending = yield* RunState.ending(state, paths, exit)
        yield* Ref.set(endingRef, Option.some(ending))
        const written = options.report === undefined
          ? Exit.void
          : yield* Effect.exit(RunReport.write(options.report, ending.report))
        yield* Ref.set(
          closing,
          Exit.zipRight(Exit.mapError(flushed, toRunError), Exit.mapError(written, toRunError))
        )
      })

    const summary = yield* Effect.flatMap(
      importEvents(options, state, scope, startFailure),
      (events) => BulkImport.summarize(events, options.onEvent)
    ).pipe(
      Effect.catchAll((error) => Effect.flatMap(failureOf(state, startFailure)(error), Effect.fail)),
      Effect.onExit(finish)
    )
    yield* Effect.flatten(Ref.get(closing))
    const ending = Option.getOrThrow(yield* Ref.get(endingRef))
    const start = yield* Ref.get(state.started)
    return {
      summary,
      resumed: start?.resumed ?? false,
      totalRecords: ending.identity?.records,
      skipped: start?.alreadySettled ?? 0,
      cumulative: ending.cumulative,
      rejectsWritten: ending.written.rejects,
      unknownWritten: ending.written.unknown,
      unknownFile: ending.report.unknownFile,
      report: ending.report,
      roles: yield* Ref.get(state.roles)
    }
  })).pipe(Effect.withSpan("DurableImport.run", { attributes: { "import.input": options.input } }))
