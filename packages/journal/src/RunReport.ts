/**
 * The JSON report of an import run, for audit: what was read (path, size, SHA-256), what became of the records
 * (this attempt and, with a journal, every attempt), the jobs, the timing and the rate-limit waits.
 *
 * @since 0.1.0
 */
import type { ImportSource } from "@effect-kustomer/client"
import { ImportEvent } from "@effect-kustomer/client"
import { BulkResource, ImportCounts } from "@effect-kustomer/domain"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { RoleReport } from "./internal/roles.js"
import * as RunTimeline from "./RunTimeline.js"

/**
 * Records by final outcome: `ImportCounts.OutcomeCounts`.
 *
 * @since 0.1.0
 */
export const OutcomeCounts = ImportCounts.OutcomeCounts

/**
 * The identity of the input.
 *
 * @since 0.1.0
 */
export const Input = Schema.Struct({
  path: Schema.String,
  format: Schema.Literal("jsonl", "json", "csv"),
  bytes: Schema.Number,
  sha256: Schema.String,
  records: Schema.optional(Schema.Number)
})

/**
 * The date-times of a CSV input that had no offset and were read as UTC, no time zone being given and the run
 * told to read them so (`DurableImport.Options.offsetlessTimes: "utc"`; by default it refuses them): how many
 * cells, and their columns. An export that wrote them in its account's zone is then shifted by hours, which is
 * why the report says so.
 *
 * @since 0.1.0
 */
export const TimesReadAsUtc = Schema.Struct({ count: Schema.Number, columns: Schema.Array(Schema.String) })

/** @since 0.1.0 */
export type TimesReadAsUtc = typeof TimesReadAsUtc.Type

/**
 * No date-time read as UTC yet.
 *
 * @since 0.1.0
 */
export const noTimesReadAsUtc: TimesReadAsUtc = { count: 0, columns: [] }

/**
 * The tally after one more record (see `ImportSource.Parsed`'s `timesReadAsUtc`).
 *
 * @since 0.1.0
 */
export const addTimesReadAsUtc = (tally: TimesReadAsUtc, record: ImportSource.SourceRecord): TimesReadAsUtc => {
  const columns = record._tag === "Parsed" ? record.timesReadAsUtc ?? [] : []
  if (columns.length === 0) return tally
  const unseen = [...new Set(columns)].filter((column) => !tally.columns.includes(column))
  return {
    count: tally.count + columns.length,
    columns: unseen.length === 0 ? tally.columns : [...tally.columns, ...unseen]
  }
}

/**
 * The totals of this attempt (the pipeline's summary, without its duration).
 *
 * @since 0.1.0
 */
export const Summary = ImportCounts.Totals

/**
 * The report.
 *
 * @since 0.1.0
 */
export const RunReport = Schema.Struct({
  /**
   * `finished`: every record has an outcome; `failed`: the run stopped, see `error`; `interrupted`: it was
   * stopped from outside. A failed or interrupted run with a journal is resumed by running it again.
   */
  status: Schema.Literal("finished", "failed", "interrupted"),
  error: Schema.optional(Schema.String),
  /** What the records were (a report without it is of conversations, as every import was before). */
  resource: Schema.optional(BulkResource.ResourceName),
  input: Schema.optional(Input),
  journal: Schema.optional(Schema.String),
  rejects: Schema.optional(Schema.String),
  /** The file of records in doubt (they may exist in Kustomer), when there are any. */
  unknownFile: Schema.optional(Schema.String),
  /** Whether this attempt continued an earlier one from the journal. */
  resumed: Schema.Boolean,
  /** 1 for the first attempt of a journal's run. */
  attempt: Schema.Number,
  startedAt: Schema.String,
  finishedAt: Schema.String,
  elapsedMillis: Schema.Number,
  /** This attempt. */
  summary: Summary,
  /** Records skipped because an earlier attempt settled them. */
  skipped: Schema.Number,
  /** Records whose request failed in an earlier attempt, sent again by this one. */
  retriedFromEarlierAttempts: Schema.optional(Schema.Number),
  /** Every attempt, from the journal. */
  cumulative: Schema.optional(OutcomeCounts),
  /** Pauses for the rate limit: how many, and the time during which requests waited. */
  rateLimitWaits: Schema.Struct({ count: Schema.Number, totalMillis: Schema.Number, longestMillis: Schema.Number }),
  /** Jobs accepted in this attempt. */
  jobIds: Schema.Array(Schema.String),
  /** Jobs accepted in every attempt, from the journal. */
  jobIdsAllAttempts: Schema.optional(Schema.Array(Schema.String)),
  /** Lines this attempt wrote to the rejects file. */
  rejectsWritten: Schema.Number,
  /** Lines this attempt wrote to the unknown file. */
  unknownWritten: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  /** This attempt's time series: outcomes, requests, 429s, rate-limit waits and job turnaround per interval. */
  timeline: Schema.optional(RunTimeline.RunTimeline),
  /**
   * The check of the key's roles before the first request: whether it could be done, every role needed, and
   * whether the `createdAt`/`createdBy` of messages and notes were kept (`false`: the key lacked `org.admin` and
   * the run went on with `acceptImportDates`).
   */
  roles: Schema.optional(RoleReport),
  /**
   * CSV date-times this attempt read as UTC because they had no offset and no time zone was given, with
   * `offsetlessTimes: "utc"` (when any).
   */
  timesReadAsUtc: Schema.optional(TimesReadAsUtc)
})

/** @since 0.1.0 */
export type RunReport = typeof RunReport.Type

/**
 * The identity of an input, as the report shows it.
 *
 * @since 0.1.0
 */
export const inputOf = (identity: {
  readonly path: string
  readonly format: ImportSource.Format
  readonly bytes: number
  readonly sha256: string
  readonly records: number | undefined
}): typeof Input.Type => ({
  path: identity.path,
  format: identity.format,
  bytes: identity.bytes,
  sha256: identity.sha256,
  ...(identity.records === undefined ? {} : { records: identity.records })
})

/**
 * What a {@link Tracker} saw of a run's events.
 *
 * @since 0.1.0
 */
export interface Observed {
  readonly counts: typeof ImportEvent.emptyCounts
  readonly jobIds: ReadonlyArray<string>
  readonly retries: number
  readonly rateLimitWaits: { readonly count: number; readonly totalMillis: number; readonly longestMillis: number }
}

/**
 * Follows a run's events for its report; it works when the run fails half-way too.
 *
 * @since 0.1.0
 */
export interface Tracker {
  readonly observe: (event: ImportEvent.ImportEvent) => Effect.Effect<void>
  readonly observed: Effect.Effect<Observed>
  /** The run's time series so far (see `RunTimeline`). */
  readonly timeline: RunTimeline.Recorder
}

interface TrackerState extends Observed {
  readonly jobIds: Array<string>
  /** The end of the latest rate-limit pause, so that overlapping pauses count once. */
  readonly pausedUntil: number
}

/**
 * A fresh tracker; `sources` are where its time series reads the requests sent and the rate-limit headers.
 *
 * @since 0.1.0
 */
export const makeTracker = (sources: RunTimeline.Sources = {}): Effect.Effect<Tracker> =>
  Effect.map(
    Effect.all([
      Ref.make<TrackerState>({
        counts: ImportEvent.emptyCounts,
        jobIds: [],
        retries: 0,
        rateLimitWaits: { count: 0, totalMillis: 0, longestMillis: 0 },
        pausedUntil: 0
      }),
      RunTimeline.recorder(sources)
    ]),
    ([state, timeline]): Tracker => ({
      timeline,
      observe: (event) => Effect.zipRight(timeline.observe(event), observeTotals(state, event)),
      observed: Effect.map(Ref.get(state), (current) => ({
        counts: current.counts,
        jobIds: [...current.jobIds],
        retries: current.retries,
        rateLimitWaits: current.rateLimitWaits
      }))
    })
  )

/**
 * A fresh tracker whose time series reads the process's request counter and no rate-limit headers.
 *
 * @since 0.1.0
 */
export const tracker: Effect.Effect<Tracker> = makeTracker()

const observeTotals = (state: Ref.Ref<TrackerState>, event: ImportEvent.ImportEvent): Effect.Effect<void> => {
  if (ImportEvent.isOutcome(event)) {
    return Ref.update(state, (current) => ({ ...current, counts: ImportEvent.count(current.counts, event) }))
  }
  switch (event._tag) {
    case "ChunkSubmitted":
      return Ref.update(state, (current) => {
        current.jobIds.push(event.jobId)
        return current
      })
    case "Retrying":
      return Ref.update(state, (current) => ({ ...current, retries: current.retries + 1 }))
    case "RateLimitedUntil":
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.update(state, (current) => {
          const waits = current.rateLimitWaits
          const added = Math.max(0, event.untilMillis - Math.max(now, current.pausedUntil))
          return {
            ...current,
            pausedUntil: Math.max(current.pausedUntil, event.untilMillis),
            rateLimitWaits: {
              count: waits.count + 1,
              totalMillis: waits.totalMillis + added,
              longestMillis: Math.max(waits.longestMillis, event.untilMillis - now)
            }
          }
        }))
    default:
      return Effect.void
  }
}

/**
 * The report file cannot be written.
 *
 * @since 0.1.0
 */
export class RunReportError extends Data.TaggedError("RunReportError")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `report file ${this.path}: ${this.reason}`
  }
}

/**
 * Writes the report as indented JSON, replacing the file in one step (a temporary file renamed over it).
 *
 * @since 0.1.0
 */
export const write = (
  path: string,
  report: RunReport
): Effect.Effect<void, RunReportError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const encoded = yield* Schema.encode(RunReport)(report)
    const text = `${JSON.stringify(encoded, null, 2)}\n`
    const temporary = `${path}.partial`
    yield* fs.writeFileString(temporary, text)
    yield* fs.rename(temporary, path)
  }).pipe(
    Effect.mapError((error) => new RunReportError({ path, reason: error.message })),
    Effect.withSpan("RunReport.write")
  )

/**
 * Reads a report back.
 *
 * @since 0.1.0
 */
export const read = (path: string): Effect.Effect<RunReport, RunReportError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(RunReport))),
    Effect.mapError((error) => new RunReportError({ path, reason: error.message }))
  )
