/**
 * What an import tells its caller, as data: one {@link Outcome} per input record, and progress events in between.
 * Outcomes are values, not failures, so that one bad record or chunk cannot abort a long import.
 *
 * @since 0.1.0
 */
import { Ids, ImportCounts } from "@effect-kustomer/domain"
import type * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { Position } from "./internal/sources/record.js"

const OptionalString = Schema.UndefinedOr(Schema.String)
const OptionalJobId = Schema.UndefinedOr(Ids.BulkJobId)

/** What `Failed` and `Unknown` know of an item that was sent. */
const sentItemFields = {
  position: Position,
  clientRef: Schema.String,
  externalId: OptionalString,
  reason: Schema.String,
  jobId: OptionalJobId,
  /** The item's wire JSON as it was sent, so that it can be written to a file and fixed. */
  item: Schema.String
}

/**
 * Created: the object now exists. `objectId` is its id when the API reported it (or a look-up found it). `jobId` is
 * the job that created it; it is absent when a request whose answer was lost is taken to have created it (a
 * look-up found it, or its chunk sent again met only duplicates). Without `jobId` the object is the import's or was
 * there before it, undetermined — a duplicate of an object that existed before can sit in such a chunk —: a reader
 * that must know (a rollback, a verification) reads it back and tells by a mark of the import's own (the migration's
 * `importedAt`). Exactly once holds either way: nothing is sent again.
 *
 * @since 0.1.0
 */
export class Created extends Schema.TaggedClass<Created>()("Created", {
  position: Position,
  clientRef: Schema.String,
  externalId: OptionalString,
  objectId: OptionalString,
  jobId: OptionalJobId
}) {}

/**
 * Already existing: the API reported the item's `externalId` as a duplicate — an earlier run, or an earlier
 * attempt whose response was lost, created it. `objectId` is the existing object, when it was looked up.
 *
 * @since 0.1.0
 */
export class AlreadyExisting extends Schema.TaggedClass<AlreadyExisting>()("AlreadyExisting", {
  position: Position,
  clientRef: Schema.String,
  externalId: Schema.String,
  objectId: OptionalString
}) {}

/**
 * Failed: the API refused the item; `reason` is its explanation.
 *
 * @since 0.1.0
 */
export class Failed extends Schema.TaggedClass<Failed>()("Failed", sentItemFields) {
  /**
   * Whether this is the API's final verdict on the item (an item-level error in the job's results, which carries
   * the job id): sending it again unchanged cannot help. Otherwise the request failed (given up after retries, or
   * refused before a job existed) and a later run may retry it.
   */
  get final(): boolean {
    return this.jobId !== undefined
  }
}

/**
 * Rejected before sending: the record did not decode, or can never fit in a request. `issues` name the fields.
 *
 * @since 0.1.0
 */
export class Rejected extends Schema.TaggedClass<Rejected>()("Rejected", {
  position: Position,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String })),
  /** The record as read, so that it can be written to a rejects file and fixed. */
  record: Schema.Unknown
}) {
  get reason(): string {
    return this.issues.map((issue) => (issue.path.length > 0 ? `${issue.path}: ${issue.message}` : issue.message))
      .join("; ")
  }
}

/**
 * Unknown: the item may or may not have been created, and the API cannot tell (no `externalId` to look it up by,
 * or the job did not finish in time). It was not resent, so it was not duplicated; `jobId` lets a later run
 * resume the job.
 *
 * @since 0.1.0
 */
export class Unknown extends Schema.TaggedClass<Unknown>()("Unknown", sentItemFields) {}

/**
 * The final word on one input record.
 *
 * @since 0.1.0
 */
export type Outcome = Created | AlreadyExisting | Failed | Rejected | Unknown

/**
 * Outcomes, as a Schema: written to files and read back with `Schema.encode`/`Schema.decode`.
 *
 * @since 0.1.0
 */
export const Outcome = Schema.Union(Created, AlreadyExisting, Failed, Rejected, Unknown)

/**
 * A chunk was accepted by the API as bulk job `jobId`.
 *
 * @since 0.1.0
 */
export class ChunkSubmitted extends Schema.TaggedClass<ChunkSubmitted>()("ChunkSubmitted", {
  chunk: Schema.Number,
  jobId: Ids.BulkJobId,
  items: Schema.Number,
  bytes: Schema.Number,
  attempt: Schema.Number
}) {}

/**
 * A job's batches progressed.
 *
 * @since 0.1.0
 */
export class JobProgress extends Schema.TaggedClass<JobProgress>()("JobProgress", {
  chunk: Schema.Number,
  jobId: Ids.BulkJobId,
  complete: Schema.Number,
  total: Schema.Number
}) {}

/**
 * All requests wait for the rate-limit window until `untilMillis`.
 *
 * @since 0.1.0
 */
export class RateLimitedUntil extends Schema.TaggedClass<RateLimitedUntil>()("RateLimitedUntil", {
  untilMillis: Schema.Number,
  cause: Schema.Literal("exhausted", "rejected")
}) {}

/**
 * A chunk's request failed and will be retried.
 *
 * @since 0.1.0
 */
export class Retrying extends Schema.TaggedClass<Retrying>()("Retrying", {
  chunk: Schema.Number,
  attempt: Schema.Number,
  reason: Schema.String,
  /** Encoded as milliseconds. */
  delay: Schema.DurationFromMillis
}) {}

/**
 * A job did not complete in time; its items are reported `Unknown` with the job id.
 *
 * @since 0.1.0
 */
export class JobTimedOut extends Schema.TaggedClass<JobTimedOut>()("JobTimedOut", {
  chunk: Schema.Number,
  jobId: Ids.BulkJobId,
  /** Encoded as milliseconds. */
  waited: Schema.DurationFromMillis
}) {}

/**
 * The import's request counters, emitted once at the end.
 *
 * @since 0.1.0
 */
export class Finished extends Schema.TaggedClass<Finished>()("Finished", ImportCounts.RequestCounts.fields) {}

/**
 * Progress of an import.
 *
 * @since 0.1.0
 */
export type Progress = ChunkSubmitted | JobProgress | RateLimitedUntil | Retrying | JobTimedOut | Finished

/**
 * Progress events, as a Schema.
 *
 * @since 0.1.0
 */
export const Progress = Schema.Union(ChunkSubmitted, JobProgress, RateLimitedUntil, Retrying, JobTimedOut, Finished)

/**
 * Everything an import emits.
 *
 * @since 0.1.0
 */
export type ImportEvent = Outcome | Progress

/**
 * Every event, as a Schema: an event encodes to plain JSON (durations as milliseconds) and decodes back to the
 * same class, so events can be written to files and sent across processes.
 *
 * @since 0.1.0
 */
export const ImportEvent = Schema.Union(Outcome, Progress)

/**
 * Whether an event is a record's final outcome.
 *
 * @since 0.1.0
 */
export const isOutcome = (event: ImportEvent): event is Outcome => {
  switch (event._tag) {
    case "Created":
    case "AlreadyExisting":
    case "Failed":
    case "Rejected":
    case "Unknown":
      return true
    default:
      return false
  }
}

/**
 * The totals of an import (`ImportCounts.Totals`) and the time it took.
 *
 * @since 0.1.0
 */
export interface Summary extends ImportCounts.Totals {
  /** Time spent, start to end. */
  readonly elapsed: Duration.Duration
}

/**
 * Counts outcomes: `ImportCounts.noOutcomes`.
 *
 * @since 0.1.0
 */
export const emptyCounts: ImportCounts.OutcomeCounts = ImportCounts.noOutcomes

/**
 * The outcome counts after one more outcome.
 *
 * @since 0.1.0
 */
export const count = <C extends ImportCounts.OutcomeCounts>(counts: C, outcome: Outcome): C =>
  ImportCounts.addOutcome(counts, outcome._tag)

/**
 * A one-line description of an outcome, for logs and reports.
 *
 * @since 0.1.0
 */
export const describeOutcome = (outcome: Outcome): string => {
  switch (outcome._tag) {
    case "Created":
      return `created${outcome.objectId === undefined ? "" : ` ${outcome.objectId}`}`
    case "AlreadyExisting":
      return `already existing (externalId ${outcome.externalId})`
    case "Failed":
      return `failed: ${outcome.reason}`
    case "Rejected":
      return `rejected: ${outcome.reason}`
    case "Unknown":
      return `unknown: ${outcome.reason}`
  }
}
