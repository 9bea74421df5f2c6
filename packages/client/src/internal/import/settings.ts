/**
 * The options of an import and their defaults.
 */
import { BulkResource } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as Checkpoint from "../../ImportCheckpoint.js"
import type { Position } from "../../ImportSource.js"
import type { KustomerError } from "../../KustomerError.js"
import * as KustomerSchedule from "../../KustomerSchedule.js"

/** Options of an import. Every field has a default. */
export interface Options<Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase> {
  /** What to create. Default: conversations. */
  readonly resource?: BulkResource.BulkResource<Item, Encoded> | undefined
  /**
   * What the import does with each record: `create` it (`POST`, the default), or `update` the object its `id`
   * names (`PUT` of `{ id, …fields }`, validated with the resource's update schema). An update in doubt is sent
   * again when it carries an `externalId` of a resource whose duplicates Kustomer refuses (it sets the same fields
   * to the same values); one without, or one given up on in doubt, is `Unknown` (never read back: that the object
   * exists says nothing of the update). An applied update's outcome is `Created`.
   */
  readonly operation?: "create" | "update" | undefined
  /** Items per request, at most 100 (the API's maximum). Default 100. */
  readonly maxItems?: number | undefined
  /** Bytes per request body, at most 100,000 (the API's limit). Default 100,000. */
  readonly maxBytes?: number | undefined
  /** How long a partial chunk waits for more records before it is sent anyway. Default 1 s. */
  readonly linger?: Duration.DurationInput | undefined
  /** Bulk requests in flight at once. Default 4. */
  readonly submitConcurrency?: number | undefined
  /**
   * The most jobs between submission and results; bounds memory (each holds its chunk's records). Below it the
   * window of jobs in flight adapts to what the import observes: it starts at 32 and grows while submissions find
   * it full (rate × turnaround, with headroom), so slow jobs do not cap the rate. Default 320.
   */
  readonly maxJobsInFlight?: number | undefined
  /** Retries of a failed submission or job read. Default `KustomerSchedule.retryTransient`. */
  readonly retrySchedule?: Schedule.Schedule<unknown, KustomerError> | undefined
  /** How many 429s one request may meet before it gives up (the limiter makes each wait). Default 50. */
  readonly maxRateLimitRetries?: number | undefined
  /** The first job read happens this long after submission; it adapts to observed job times. Default 2 s. */
  readonly firstPollDelay?: Duration.DurationInput | undefined
  /** Delays between later job reads. Default `KustomerSchedule.pollJob`. */
  readonly pollSchedule?: Schedule.Schedule<unknown> | undefined
  /** How long a job may take before its items are reported unknown (resumable by job id). Default 10 min. */
  readonly jobTimeout?: Duration.DurationInput | undefined
  /**
   * How long after a request in doubt (its answer lost) its items are read back when a resend is not safe —
   * customers without an `externalId` (by e-mail), and messages and notes, whose duplicates Kustomer stores
   * again (from their conversation's listing) — so that a job the API may have accepted has had time to finish:
   * found, they are `Created`; not found, they are sent again. The wait is at least the jobs' observed
   * turnaround. Default 30 s.
   */
  readonly inDoubtCheckDelay?: Duration.DurationInput | undefined
  /**
   * Look up the object id of items the API reports as duplicates of an existing `externalId` (one `GET` each,
   * counted as `lookups`, at most `resolveConcurrency` at once, under the rate limit like every request). Default
   * false: such items are `AlreadyExisting` without an `objectId`, at no cost to the budget.
   */
  readonly resolveExisting?: boolean | undefined
  /**
   * Which items may exist already from before this import (say, the messages of a conversation an earlier run
   * created), for a resource whose duplicates Kustomer does not refuse (messages, notes). Those items are read
   * back before they are sent — one listing per parent, or a look-up each — and only the ones not found are
   * sent; found ones are `AlreadyExisting` with their id. Asked once per chunk, before its first request.
   * Default: none may.
   */
  readonly mayAlreadyExist?:
    | ((items: ReadonlyArray<Checkpoint.ChunkItem>) => Effect.Effect<ReadonlyArray<boolean>>)
    | undefined
  /**
   * How long the API may answer no request at all (every one failing at the transport: refused, reset, timed
   * out) before the import stops with an `Unresponsive` error, to be resumed later. Default 5 min.
   */
  readonly maxSilence?: Duration.DurationInput | undefined
  /** Look-ups of existing objects in flight at once across the import, with `resolveExisting`. Default 4. */
  readonly resolveConcurrency?: number | undefined
  /**
   * Record fields the schema does not know, at any depth (`queue.bogus`, `emails.0.verified`): `reject` the record
   * (default), `keep` them and send them as given, or `drop` them.
   */
  readonly unknownFields?: "reject" | "keep" | "drop" | undefined
  /** Gives records without an `externalId` one, derived from their position, to make them safe to resend. */
  readonly assignExternalId?: ((position: Position) => string) | undefined
  /** The `_clientRef` of a record. Default `r<index>`. */
  readonly clientRef?: ((position: Position) => string) | undefined
  /** The journal. Default: none (no resume). */
  readonly checkpoint?: Checkpoint.ImportCheckpoint | undefined
  /** Describes the input to the journal. */
  readonly source?: { readonly name: string; readonly fingerprint?: string | undefined } | undefined
}

/** The defaults, resolved. */
export const settingsOf = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  options: Options<Item, Encoded>
) => ({
  maxItems: Math.max(1, Math.min(options.maxItems ?? BulkResource.maxItemsPerRequest, BulkResource.maxItemsPerRequest)),
  maxBytes: Math.max(64, Math.min(options.maxBytes ?? BulkResource.maxBodyBytes, BulkResource.maxBodyBytes)),
  linger: Duration.decode(options.linger ?? Duration.seconds(1)),
  submitConcurrency: Math.max(1, options.submitConcurrency ?? 4),
  maxJobsInFlight: Math.max(1, options.maxJobsInFlight ?? 320),
  retrySchedule: options.retrySchedule ?? KustomerSchedule.retryTransient,
  maxRateLimitRetries: options.maxRateLimitRetries ?? 50,
  firstPollDelay: Duration.toMillis(Duration.decode(options.firstPollDelay ?? Duration.seconds(2))),
  pollSchedule: options.pollSchedule ?? KustomerSchedule.pollJob,
  jobTimeout: Duration.decode(options.jobTimeout ?? Duration.minutes(10)),
  inDoubtCheckDelay: Duration.decode(options.inDoubtCheckDelay ?? Duration.seconds(30)),
  resolveExisting: options.resolveExisting ?? false,
  resolveConcurrency: Math.max(1, options.resolveConcurrency ?? 4),
  mayAlreadyExist: options.mayAlreadyExist,
  maxSilence: Duration.decode(options.maxSilence ?? Duration.minutes(5)),
  unknownFields: options.unknownFields ?? "reject",
  clientRef: options.clientRef ?? ((position: Position) => `r${position.index}`),
  checkpoint: options.checkpoint ?? Checkpoint.disabled
})

/** The resolved settings of an import. */
export type Settings = ReturnType<typeof settingsOf>
