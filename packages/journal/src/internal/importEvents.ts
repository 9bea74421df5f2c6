/**
 * The events of a durable import (`DurableImport.run`): the input opened and checked, the journal behind the
 * pipeline's checkpoint, the key's roles checked once the journal is read, and the outcome files written as the
 * pipeline goes.
 */
import { CsvMapping, ImportCheckpoint, ImportEvent, ImportSource, KustomerClient } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ImportInput from "../ImportInput.js"
import type * as OffsetlessTimes from "../OffsetlessTimes.js"
import * as Preflight from "../Preflight.js"
import * as RunReport from "../RunReport.js"
import * as SqliteJournal from "../SqliteJournal.js"
import type { Failure } from "./durableError.js"
import { checkFiles, formatFor, type InputOptions, openInput, unknownPathOf } from "./durableInput.js"
import * as Offsetless from "./offsetlessTimes.js"
import * as OutcomeFiles from "./outcomeFiles.js"
import * as ResourcePipeline from "./resourcePipeline.js"
import * as ResourceRecords from "./resourceRecords.js"
import * as RunSettings from "./runSettings.js"
import type * as RunState from "./runState.js"

/** The options of a durable import that shape its events (see `DurableImport.Options`). */
export interface EventsOptions extends InputOptions, ResourceRecords.DatedOptions {
  readonly csv?: ImportSource.CsvOptions | undefined
  readonly encoding?: ImportSource.Encoding | undefined
  readonly durability?: SqliteJournal.Options["durability"]
  readonly checkAccess?: boolean | undefined
  readonly acceptImportDates?: boolean | undefined
  readonly checkStructure?: boolean | undefined
  readonly offsetlessTimes?: OffsetlessTimes.Mode | undefined
  readonly pipeline?: Omit<ResourcePipeline.PipelineOptions, "checkpoint" | "source" | "assignExternalId"> | undefined
  readonly onStart?: ((start: RunState.Started) => Effect.Effect<void>) | undefined
}

/** Settings that shape the records (format, CSV mapping, field checks): a journal of other settings is refused. */
const recordSettingsOf = (
  options: EventsOptions,
  format: ImportSource.Format,
  timeZone: DateTime.TimeZone | undefined
) =>
  new RunSettings.RecordSettings({
    format,
    csv: {
      mapping: options.csv?.mapping ?? null,
      delimiter: options.csv?.delimiter ?? ",",
      // Only a time zone given joins the settings, so that journals of runs without one stay resumable; UTC reads
      // the records as a run without one did, so that such a journal is resumed with it.
      ...(timeZone === undefined || Offsetless.isUtc(timeZone) ? {} : { timeZone: DateTime.zoneToString(timeZone) })
    },
    // Only a non-default encoding joins the settings, so that journals of UTF-8 runs stay resumable.
    ...(options.encoding === undefined || options.encoding === "utf-8" ? {} : { encoding: options.encoding }),
    unknownFields: options.pipeline?.unknownFields ?? "reject",
    customClientRef: options.pipeline?.clientRef !== undefined
  })

/** The CSV options' time zone, as a zone: an IANA name that names none fails before the journal is opened. */
const timeZoneOf = (options: EventsOptions): Effect.Effect<DateTime.TimeZone | undefined, ImportSource.SourceError> => {
  const zone = options.csv?.timeZone
  if (typeof zone !== "string") return Effect.succeed(zone)
  return Either.match(CsvMapping.timeZoneOf(zone), {
    onLeft: (reason) => Effect.fail(new ImportSource.SourceError({ source: options.input, reason })),
    onRight: (named) => Effect.succeed(named)
  })
}

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
export const importEvents = (
  options: EventsOptions,
  state: RunState.RunState,
  scope: Scope.Scope,
  startFailure: Ref.Ref<Option.Option<Failure>>
) =>
  Effect.gen(function*() {
    const format = yield* formatFor(options)
    const timeZone = format === "csv" ? yield* timeZoneOf(options) : undefined
    const resource = ResourceRecords.resourceOf(options)
    // Standard input is kept in a file when the check of the structure, of the times or of the key's roles reads
    // it first.
    const checksStructure = options.checkStructure !== false && format !== "csv"
    const checksTimes = format === "csv" && Offsetless.mustCheck(options.csv, options.offsetlessTimes)
    const readTwice = checksStructure || checksTimes ||
      (options.checkAccess !== false && Preflight.keepsDatesOnlyForOrgAdmin(resource))
    const input = yield* openInput({ ...options, readTwice }, format, scope)
    yield* Ref.set(state.identity, input.identity)
    yield* checkFiles(options, format, input)
    if (checksStructure && input.file !== undefined) {
      yield* Preflight.checkFileStructure(input.file, format, {
        encoding: options.encoding,
        sourceName: input.name === "-" ? "standard input" : input.name
      })
    }
    if (checksTimes) {
      yield* Offsetless.check(input.bytes, {
        csv: options.csv,
        encoding: options.encoding,
        sourceName: input.name === "-" ? "standard input" : input.name,
        resource: options.resource,
        skip: options.skip,
        limit: options.limit
      })
    }
    const client = yield* KustomerClient.KustomerClient
    const pipeline = options.pipeline ?? {}
    const journal = options.journal === undefined
      ? undefined
      : yield* SqliteJournal.make(options.journal, { durability: options.durability }).pipe(Scope.extend(scope))
    yield* Ref.set(state.journal, journal)
    const fs = yield* FileSystem.FileSystem
    const source = ResourceRecords.records(input.bytes, format, {
      csv: options.csv === undefined ? undefined : { ...options.csv, timeZone },
      encoding: options.encoding,
      sourceName: input.name,
      resource: options.resource
    })
    const recordSettings = recordSettingsOf(options, format, timeZone)
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
      const start: RunState.Started = {
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
    const limited = options.limit === undefined ? skipped : Stream.take(skipped, options.limit)
    // Date-times read as UTC for want of an offset and a time zone (`offsetlessTimes: "utc"`) are counted for the
    // report.
    const taken = Stream.tap(
      limited,
      (record) => Ref.update(state.timesReadAsUtc, (tally) => RunReport.addTimesReadAsUtc(tally, record))
    )
    return ResourcePipeline.events(resource, taken, {
      ...pipeline,
      checkpoint,
      source: { name: input.name, fingerprint: identity === undefined ? undefined : ImportInput.fingerprint(identity) },
      assignExternalId: options.assignExternalIds === true && identity !== undefined
        ? ImportInput.assignedExternalId(identity)
        : undefined
    }).pipe(Stream.tap((event) => handle(event)))
  })
