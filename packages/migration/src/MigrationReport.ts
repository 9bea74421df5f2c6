/**
 * The JSON report of a migration (`kustomer-bulk migrate --report`): the bundle and the files, how the run ended,
 * and per resource what became of its objects and what it cost, with the run's time series. One definition: the
 * CLI encodes the report with it, and `kustomer-bulk report` (the HTML page) decodes it.
 *
 * Counts a report leaves out are read as 0, so that a hand-made or trimmed report still reads.
 *
 * @since 0.1.0
 */
import { Preflight, RunTimeline, type SqliteJournal } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { resources } from "./internal/ledger.js"
import { type Phase, phases } from "./internal/pipeline.js"
import * as History from "./internal/reportHistory.js"

const Count = Schema.optionalWith(Schema.Number, { default: () => 0 })

/**
 * What one phase did in the attempt the report is about: its resource, its outcome counts and what it cost.
 *
 * @since 0.1.0
 */
export const PhaseReport = Schema.Struct({
  resource: Schema.Literal(...phases),
  /** Objects an earlier attempt settled: skipped by this one. */
  settledBefore: Count,
  /** Customers known only by e-mail that Kustomer already had: linked, not created. */
  foundByEmail: Count,
  /** Objects held back because their parent is in doubt: the next attempt with the journal sends them. */
  held: Count,
  /** Requests made to read parents in doubt again. */
  parentReads: Count,
  read: Count,
  created: Count,
  alreadyExisting: Count,
  rejected: Count,
  failed: Count,
  unknown: Count,
  jobs: Count,
  requests: Count,
  rateLimited: Count,
  retries: Count,
  elapsedMillis: Count
})

/** @since 0.1.0 */
export type PhaseReport = typeof PhaseReport.Type

/**
 * What a delta did to one resource: objects created (new in the export), updated (conversations whose status,
 * tags, priority, assignee or custom attributes changed), unchanged (already there), and gone from the export
 * (reported, never deleted).
 *
 * @since 0.1.0
 */
export const DeltaResource = Schema.Struct({
  resource: Schema.Literal(...resources),
  created: Count,
  updated: Count,
  unchanged: Count,
  gone: Count
})

/** @since 0.1.0 */
export type DeltaResource = typeof DeltaResource.Type

/**
 * What became of one phase's objects over every attempt of a journal's migration, from its phase journal: each
 * object once, with its latest outcome (`failed` are sent again by the next attempt).
 *
 * @since 0.1.0
 */
export const CumulativePhase = Schema.Struct({
  resource: Schema.Literal(...phases),
  read: Count,
  created: Count,
  alreadyExisting: Count,
  rejected: Count,
  failed: Count,
  unknown: Count,
  /** The jobs accepted for this phase, over every attempt. */
  jobIds: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
})

/** @since 0.1.0 */
export type CumulativePhase = typeof CumulativePhase.Type

/**
 * One attempt of a journal's migration, as its report summed it up (kept in the journal, so that every later
 * report lists the attempts before it).
 *
 * @since 0.1.0
 */
export const Attempt = Schema.Struct({
  /** 1 for the first attempt with the journal. */
  attempt: Schema.Number,
  status: Schema.Literal("finished", "failed", "interrupted"),
  startedAt: Schema.String,
  elapsedMillis: Count,
  read: Count,
  created: Count,
  alreadyExisting: Count,
  rejected: Count,
  failed: Count,
  unknown: Count,
  requests: Count
})

/** @since 0.1.0 */
export type Attempt = typeof Attempt.Type

/**
 * How the run was made, for whoever reads the report later: where the objects went, with which version and
 * flags, the bundle's SHA-256, and the `--rate-limit` cap when one was set.
 *
 * @since 0.1.0
 */
export const RunDetails = Schema.Struct({
  /** The API's host (never the key). */
  host: Schema.optional(Schema.String),
  version: Schema.optional(Schema.String),
  /** The command's arguments after `kustomer-bulk`. */
  command: Schema.optional(Schema.Array(Schema.String)),
  bundleSha256: Schema.optional(Schema.String),
  bundleBytes: Schema.optional(Schema.Number),
  /** The `--rate-limit` cap: at most `limit` requests per `windowMillis`. */
  rateLimitCap: Schema.optional(Schema.Struct({ limit: Schema.Number, windowMillis: Schema.Number }))
})

/** @since 0.1.0 */
export type RunDetails = typeof RunDetails.Type

/**
 * When a phase of the attempt ran, in milliseconds since the attempt started (the last one may have no end: the
 * attempt stopped in it).
 *
 * @since 0.1.0
 */
export const PhaseSpan = Schema.Struct({
  resource: Schema.Literal(...phases),
  startMillis: Schema.Number,
  endMillis: Schema.optional(Schema.Number)
})

/** @since 0.1.0 */
export type PhaseSpan = typeof PhaseSpan.Type

/**
 * The report.
 *
 * @since 0.1.0
 */
export const MigrationReport = Schema.Struct({
  /**
   * `finished`: every phase ran to its end; `failed`: the migration stopped, see `error`; `interrupted`: it was
   * stopped from outside. A failed or interrupted migration with a journal is resumed by running it again.
   */
  status: Schema.Literal("finished", "failed", "interrupted"),
  bundle: Schema.String,
  journal: Schema.optional(Schema.String),
  rejects: Schema.optional(Schema.String),
  startedAt: Schema.String,
  finishedAt: Schema.optional(Schema.String),
  elapsedMillis: Schema.Number,
  /** Whether this attempt continued an earlier one from the journal (a finished run only). */
  resumed: Schema.optional(Schema.Boolean),
  /** The `importedAt` given to every object that had none (a finished run only). */
  importedAt: Schema.optional(Schema.String),
  /**
   * Per phase, in the order they ran: this attempt's outcomes (of a failed or interrupted run, those that came
   * before it stopped).
   */
  phases: Schema.optional(Schema.Array(PhaseReport)),
  /** A delta (`migrate --delta`, a finished run only): its number among the journal's deltas, and per resource. */
  delta: Schema.optional(Schema.Struct({ generation: Schema.Number, resources: Schema.Array(DeltaResource) })),
  /** Which attempt with the journal this was (1 for the first). */
  attempt: Schema.optional(Schema.Number),
  /** Every attempt with the journal so far, this one last. */
  attempts: Schema.optional(Schema.Array(Attempt)),
  /** Per phase, what became of its objects over every attempt (with a journal). */
  cumulative: Schema.optional(Schema.Array(CumulativePhase)),
  /** The phases of this attempt on its time axis. */
  phaseSpans: Schema.optional(Schema.Array(PhaseSpan)),
  /** How the run was made. */
  run: Schema.optional(RunDetails),
  /** Why the migration stopped (a failed or interrupted run). */
  error: Schema.optional(Schema.String),
  /** This attempt's time series: outcomes, requests, 429s, rate-limit waits and job turnaround per interval. */
  timeline: Schema.optional(RunTimeline.RunTimeline),
  /**
   * The check of the key's roles before anything was created (a finished run only): whether it could be done,
   * every role needed, and whether the `createdAt`/`createdBy` of messages and notes were kept (`false`: the key
   * lacked `org.admin` and the migration went on with `--accept-import-dates`).
   */
  roles: Schema.optional(Preflight.RoleReport),
  /**
   * The attachments of messages and notes (a finished run only): carried (uploaded and referenced, with their
   * bytes), not carried (rejects, each with its reason), held (their message or note waits for a later attempt).
   */
  attachments: Schema.optional(Schema.Struct({
    carried: Schema.Number,
    bytes: Schema.Number,
    notCarried: Schema.Number,
    held: Schema.Number,
    /** Left out on purpose (`migrate --skip-attachments`); absent in reports written before it existed. */
    skipped: Schema.optional(Schema.Number)
  }))
})

/** @since 0.1.0 */
export type MigrationReport = typeof MigrationReport.Type

/**
 * The report as JSON, as it is written.
 *
 * @since 0.1.0
 */
export const encode: (report: MigrationReport) => typeof MigrationReport.Encoded = Schema.encodeSync(MigrationReport)

/**
 * A report read back from a document (parsed JSON).
 *
 * @since 0.1.0
 */
export const decode = Schema.decodeUnknownEither(MigrationReport)

/**
 * Records one more attempt in the journal at `journal` (the id map's metadata) and returns every attempt so far,
 * this one last; `attempt` is given its number. Nothing is recorded (and none returned) when the journal does not
 * exist yet. Call it once the migration has closed its journal.
 *
 * @since 0.1.0
 */
export const recordAttempt = (
  journal: string,
  attempt: (number: number) => Attempt
): Effect.Effect<ReadonlyArray<Attempt>, History.HistoryError, FileSystem.FileSystem> =>
  History.recordAttempt(journal, Attempt, attempt)

/**
 * Per phase, what became of its objects over every attempt, from the phase journals beside `journal` (phases
 * without a journal yet are left out). Call it once the migration has closed its journal.
 *
 * @since 0.1.0
 */
export const cumulativeOf = (
  journal: string
): Effect.Effect<ReadonlyArray<CumulativePhase>, History.HistoryError, FileSystem.FileSystem> =>
  Effect.map(
    History.phaseTotals(journal),
    (totals) => totals.map(({ counts, jobIds, phase }) => ({ resource: phase, ...counts, jobIds }))
  )

/**
 * Every object the journal set at `journal` settled, over every attempt, each once with its latest outcome, phase
 * by phase: what a results file holds, written again from it after a crash.
 *
 * @since 0.1.0
 */
export const settledObjects = (
  journal: string
): Stream.Stream<
  { readonly phase: Phase; readonly settled: SqliteJournal.Settled },
  History.HistoryError,
  FileSystem.FileSystem
> => History.settled(journal)

/**
 * The file of the journal set at `journal` that another migration holds open, if one does: a run that would be
 * refused for it should not touch the running one's reports, rejects or results.
 *
 * @since 0.1.0
 */
export const journalInUse = (journal: string): Effect.Effect<Option.Option<string>, never, FileSystem.FileSystem> =>
  History.inUse(journal)
