/**
 * What an import tells its caller, as data: one {@link Outcome} per input record, and progress events in between.
 * Outcomes are values, not failures, so that one bad record or chunk cannot abort a long import.
 *
 * @since 0.1.0
 */
import { type Ids, ImportCounts } from "@effect-kustomer/domain"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type { Position } from "./ImportSource.js"

/**
 * Created: the object now exists. `objectId` is its id when the API reported it (or a look-up found it). `jobId` is
 * the job that created it; it is absent when a request whose answer was lost created it and a look-up found it.
 *
 * @since 0.1.0
 */
export class Created extends Data.TaggedClass("Created")<{
  readonly position: Position
  readonly clientRef: string
  readonly externalId: string | undefined
  readonly objectId: string | undefined
  readonly jobId: Ids.BulkJobId | undefined
}> {}

/**
 * Already existing: the API reported the item's `externalId` as a duplicate — an earlier run, or an earlier
 * attempt whose response was lost, created it. `objectId` is the existing object, when it was looked up.
 *
 * @since 0.1.0
 */
export class AlreadyExisting extends Data.TaggedClass("AlreadyExisting")<{
  readonly position: Position
  readonly clientRef: string
  readonly externalId: string
  readonly objectId: string | undefined
}> {}

/** Failed: the API refused the item; `reason` is its explanation. @since 0.1.0 */
export class Failed extends Data.TaggedClass("Failed")<{
  readonly position: Position
  readonly clientRef: string
  readonly externalId: string | undefined
  readonly reason: string
  readonly jobId: Ids.BulkJobId | undefined
  /** The item's wire JSON as it was sent, so that it can be written to a rejects file and fixed. */
  readonly item: string
}> {
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
export class Rejected extends Data.TaggedClass("Rejected")<{
  readonly position: Position
  readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>
  /** The record as read, so that it can be written to a rejects file and fixed. */
  readonly record: unknown
}> {
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
export class Unknown extends Data.TaggedClass("Unknown")<{
  readonly position: Position
  readonly clientRef: string
  readonly externalId: string | undefined
  readonly reason: string
  readonly jobId: Ids.BulkJobId | undefined
  /** The item's wire JSON as it was sent. */
  readonly item: string
}> {}

/** The final word on one input record. @since 0.1.0 */
export type Outcome = Created | AlreadyExisting | Failed | Rejected | Unknown

/** A chunk was accepted by the API as bulk job `jobId`. @since 0.1.0 */
export class ChunkSubmitted extends Data.TaggedClass("ChunkSubmitted")<{
  readonly chunk: number
  readonly jobId: Ids.BulkJobId
  readonly items: number
  readonly bytes: number
  readonly attempt: number
}> {}

/** A job's batches progressed. @since 0.1.0 */
export class JobProgress extends Data.TaggedClass("JobProgress")<{
  readonly chunk: number
  readonly jobId: Ids.BulkJobId
  readonly complete: number
  readonly total: number
}> {}

/** All requests wait for the rate-limit window until `untilMillis`. @since 0.1.0 */
export class RateLimitedUntil extends Data.TaggedClass("RateLimitedUntil")<{
  readonly untilMillis: number
  readonly cause: "exhausted" | "rejected"
}> {}

/** A chunk's request failed and will be retried. @since 0.1.0 */
export class Retrying extends Data.TaggedClass("Retrying")<{
  readonly chunk: number
  readonly attempt: number
  readonly reason: string
  readonly delay: Duration.Duration
}> {}

/** A job did not complete in time; its items are reported `Unknown` with the job id. @since 0.1.0 */
export class JobTimedOut extends Data.TaggedClass("JobTimedOut")<{
  readonly chunk: number
  readonly jobId: Ids.BulkJobId
  readonly waited: Duration.Duration
}> {}

/** The import's request counters, emitted once at the end. @since 0.1.0 */
export class Finished extends Data.TaggedClass("Finished")<ImportCounts.RequestCounts> {}

/** Progress of an import. @since 0.1.0 */
export type Progress = ChunkSubmitted | JobProgress | RateLimitedUntil | Retrying | JobTimedOut | Finished

/** Everything an import emits. @since 0.1.0 */
export type ImportEvent = Outcome | Progress

/** Whether an event is a record's final outcome. @since 0.1.0 */
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

/** Counts outcomes: `ImportCounts.noOutcomes`. @since 0.1.0 */
export const emptyCounts: ImportCounts.OutcomeCounts = ImportCounts.noOutcomes

/** The outcome counts after one more outcome. @since 0.1.0 */
export const count = <C extends ImportCounts.OutcomeCounts>(counts: C, outcome: Outcome): C =>
  ImportCounts.addOutcome(counts, outcome._tag)

/** A one-line description of an outcome, for logs and reports. @since 0.1.0 */
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
