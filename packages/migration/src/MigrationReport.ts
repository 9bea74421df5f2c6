/**
 * The JSON report of a migration (`kustomer-bulk migrate --report`): the bundle and the files, how the run ended,
 * and per resource what became of its objects and what it cost, with the run's time series. One definition: the
 * CLI encodes the report with it, and `kustomer-bulk report` (the HTML page) decodes it.
 *
 * Counts a report leaves out are read as 0, so that a hand-made or trimmed report still reads.
 *
 * @since 0.1.0
 */
import { Preflight, RunTimeline } from "@effect-kustomer/journal"
import * as Schema from "effect/Schema"
import { resources } from "./internal/ledger.js"
import { phases } from "./internal/pipeline.js"

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
  /** Per phase, in the order they ran (a finished run only). */
  phases: Schema.optional(Schema.Array(PhaseReport)),
  /** A delta (`migrate --delta`, a finished run only): its number among the journal's deltas, and per resource. */
  delta: Schema.optional(Schema.Struct({ generation: Schema.Number, resources: Schema.Array(DeltaResource) })),
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
