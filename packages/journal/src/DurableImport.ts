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
 * that is a file of records in doubt is refused (unless `allowUnknown`), and the key's token is read and checked
 * against every role the import needs — the resource's create role, `bulk.read`, the resource's read role when
 * its objects can be looked up, and `org.admin` when messages or notes carry `createdAt` or `createdBy` (unless
 * `acceptImportDates`) — so that a key lacking one is refused, with all it lacks, before anything is created
 * (`Preflight.checkRoles`). The report is written however the run ends: finished, failed or interrupted.
 *
 * @since 0.1.0
 */
import type { ImportSource } from "@effect-kustomer/client"
import { BulkImport, ImportCheckpoint, ImportEvent, KustomerClient } from "@effect-kustomer/client"
import type { BulkResource } from "@effect-kustomer/domain"
import { type ImportCounts } from "@effect-kustomer/domain"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ImportInput from "./ImportInput.js"
import { DurableImportError, type Failure, failureOf, toDurableError } from "./internal/durableError.js"
import { checkFiles, formatFor, openInput, unknownPathOf } from "./internal/durableInput.js"
import * as OutcomeFiles from "./internal/outcomeFiles.js"
import * as ResourcePipeline from "./internal/resourcePipeline.js"
import * as ResourceRecords from "./internal/resourceRecords.js"
import * as RunSettings from "./internal/runSettings.js"
import * as RunState from "./internal/runState.js"
import * as Preflight from "./Preflight.js"
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
  /** What the records are: any resource of `BulkResource.all`. Default `BulkResource.Conversations`. */
  readonly resource?: BulkResource.Any | undefined
  /** The input's format; else guessed from the file's extension (standard input needs it). */
  readonly format?: ImportSource.Format | undefined
  readonly csv?: ImportSource.CsvOptions | undefined
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

/** Settings that shape the records (format, CSV mapping, field checks): a journal of other settings is refused. */
const recordSettingsOf = (options: Options, format: ImportSource.Format) =>
  new RunSettings.RecordSettings({
    format,
    csv: { mapping: options.csv?.mapping ?? null, delimiter: options.csv?.delimiter ?? "," },
    // Only a non-default encoding joins the settings, so that journals of UTF-8 runs stay resumable.
    ...(options.encoding === undefined || options.encoding === "utf-8" ? {} : { encoding: options.encoding }),
    unknownFields: options.pipeline?.unknownFields ?? "reject",
    customClientRef: options.pipeline?.clientRef !== undefined
  })

/**
 * The journal as the pipeline's checkpoint: the record settings join those that shape chunks, `started` runs once
 * the journal is read (its failure is kept for the run to report), and outcomes keep their line's text.
 */
const runCheckpoint = (
  inner: ImportCheckpoint.ImportCheckpoint,
  recordSettings: RunSettings.RecordSettings,
  started: Effect.Effect<void, Failure>,
  startFailure: Ref.Ref<Option.Option<Failure>>,
  withText: (outcome: ImportEvent.Outcome) => ImportEvent.Outcome
): ImportCheckpoint.ImportCheckpoint => ({
  ...inner,
  begin: (run) =>
    Effect.gen(function*() {
      const resume = yield* inner.begin({ ...run, settings: yield* RunSettings.text(run.settings, recordSettings) })
      // The pipeline sees a checkpoint failure; the run reports the failure itself.
      yield* started.pipe(
        Effect.tapError((error) => Ref.set(startFailure, Option.some(error))),
        Effect.mapError((error) => new ImportCheckpoint.CheckpointError({ reason: error.message }))
      )
      return resume
    }),
  settled: (outcomes, chunk) => inner.settled(outcomes.map(withText), chunk)
})

/** The pipeline's events, with the journal behind its checkpoint and the outcome files written as it goes. */
const importEvents = (
  options: Options,
  state: RunState.RunState,
  scope: Scope.Scope,
  startFailure: Ref.Ref<Option.Option<Failure>>
) =>
  Effect.gen(function*() {
    const format = yield* formatFor(options)
    const resource = ResourceRecords.resourceOf(options)
    // Standard input is kept in a file when the check of the key's roles reads it first.
    const readTwice = options.checkAccess !== false && Preflight.keepsDatesOnlyForOrgAdmin(resource)
    const input = yield* openInput({ ...options, readTwice }, format, scope)
    yield* Ref.set(state.identity, input.identity)
    yield* checkFiles(options, format, input)
    const client = yield* KustomerClient.KustomerClient
    const pipeline = options.pipeline ?? {}
    const journal = options.journal === undefined
      ? undefined
      : yield* SqliteJournal.make(options.journal, { durability: options.durability }).pipe(Scope.extend(scope))
    yield* Ref.set(state.journal, journal)
    const fs = yield* FileSystem.FileSystem
    const source = records(input.bytes, format, {
      csv: options.csv,
      encoding: options.encoding,
      sourceName: input.name,
      resource: options.resource
    })
    const recordSettings = recordSettingsOf(options, format)
    const inner = journal ?? ImportCheckpoint.disabled

    /** Keeps the text of lines that were not JSON with their outcome, so that a resume can write it out. */
    const withText = (outcome: ImportEvent.Outcome): ImportEvent.Outcome => {
      if (outcome._tag !== "Rejected" || outcome.record !== undefined) return outcome
      const text = source.rawText(outcome.position.index)
      return text === undefined
        ? outcome
        : new ImportEvent.Rejected({ position: outcome.position, issues: outcome.issues, record: text })
    }

    /**
     * Once the journal is read (a journal of another run is refused before any request): the outcome files, the
     * key's roles, and the caller's `onStart`.
     */
    const started = Effect.gen(function*() {
      const files = yield* OutcomeFiles.open(
        { rejects: options.rejects, unknown: unknownPathOf(options) },
        journal,
        scope
      )
      yield* Ref.set(state.files, files)
      if (options.checkAccess !== false) {
        const dated = yield* ResourceRecords.datedRecordsOf(input.bytes, format, options)
        const roles = yield* Preflight.checkRoles(client, { needs: Preflight.importNeeds(resource), dated }, {
          run: `import of ${resource.name}`,
          acceptImportDates: options.acceptImportDates,
          retrySchedule: pipeline.retrySchedule,
          maxRateLimitRetries: pipeline.maxRateLimitRetries
        })
        yield* Ref.set(state.roles, roles)
      }
      const status = journal === undefined ? undefined : yield* journal.status
      const start: Start = {
        resumed: status?.resumed ?? false,
        attempt: status?.attempt ?? 1,
        alreadySettled: status?.settledBefore ?? 0,
        totalRecords: input.known?.records,
        input: input.known,
        roles: yield* Ref.get(state.roles)
      }
      yield* Ref.set(state.started, start)
      if (options.onStart !== undefined) yield* options.onStart(start)
    }).pipe(Effect.provideService(FileSystem.FileSystem, fs))

    const checkpoint = runCheckpoint(inner, recordSettings, started, startFailure, withText)

    const handle = (event: ImportEvent.ImportEvent) =>
      Effect.gen(function*() {
        yield* state.tracker.observe(event)
        const files = yield* Ref.get(state.files)
        if (ImportEvent.isOutcome(event)) {
          const index = event.position.index
          if (files !== undefined) yield* files.write(event, source.rawText(index))
          source.forget(index)
        } else if (files !== undefined) {
          yield* files.flush
        }
      })

    const identity = input.known
    const skipped = options.skip === undefined ? source.records : Stream.drop(source.records, options.skip)
    const taken = options.limit === undefined ? skipped : Stream.take(skipped, options.limit)
    return ResourcePipeline.events(resource, taken, {
      ...pipeline,
      checkpoint,
      source: { name: input.name, fingerprint: identity === undefined ? undefined : ImportInput.fingerprint(identity) },
      assignExternalId: options.assignExternalIds === true && identity !== undefined
        ? ImportInput.assignedExternalId(identity)
        : undefined
    }).pipe(Stream.tap((event) => handle(event)))
  })

/**
 * Why a durable import stopped: `Input` (missing file, unknown format, unreadable records, a file of records in
 * doubt), `Journal` (refused, damaged or locked journal), `Api` (credentials, roles), `Output` (a file not
 * writable).
 *
 * @since 0.1.0
 */
export { DurableImportError }

/**
 * Runs a durable import to its end. Fails only when the import cannot go on (input, journal, credentials, output
 * files); records that cannot be created are outcomes, written to the rejects or unknown file. The report is
 * written however the run ends; the resources (journal, files, a copy of standard input) are released then.
 *
 * @since 0.1.0
 */
export const run = (
  options: Options
): Effect.Effect<Result, DurableImportError, KustomerClient.KustomerClient | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const state = yield* RunState.make((yield* KustomerClient.KustomerClient).rateLimit)
    const startFailure = yield* Ref.make(Option.none<Failure>())
    const endingRef = yield* Ref.make<Option.Option<RunState.Ending>>(Option.none())
    const closing = yield* Ref.make<Exit.Exit<void, DurableImportError>>(Exit.void)
    const paths = {
      resource: ResourceRecords.resourceOf(options).name,
      journal: options.journal,
      rejects: options.rejects,
      unknown: unknownPathOf(options)
    }

    /** Whatever the exit: the files flushed, the report made and written. */
    const finish = (exit: Exit.Exit<ImportEvent.Summary, DurableImportError>) =>
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
          Exit.zipRight(Exit.mapError(flushed, toDurableError), Exit.mapError(written, toDurableError))
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
