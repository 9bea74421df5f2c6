/**
 * A job's batches (`GET /v1/bulk/{id}/batches`, every page) read as per-item outcomes: the one reading behind the
 * import (a verdict for each item it sent, by `_clientRef`) and behind `kustomer-bulk job <id>` and its results
 * file (every item the batches report, in order), so that the two cannot tell the same answer apart.
 *
 * Pure. Each batch field is read on its own (see the domain's `BulkJob.BatchAttributes`: a `null` or missing
 * status, counts written as strings, `errors: {}`, `data: null` and `links: null` are all read); a duplicate
 * `externalId` is recognised from an item error's code or any of its texts; what cannot be read is `Strange`, with
 * the part named — never guessed.
 *
 * @since 0.1.0
 */
import type { BulkJob } from "@effect-kustomer/domain"
import * as internal from "./internal/results.js"

/**
 * What the batches say about one item: `Created` (with its object id when reported), `Duplicate` (its
 * `externalId` exists already), `Failed` (the API's reason), `Strange` (an answer this client cannot read).
 *
 * @since 0.1.0
 */
export type Verdict =
  | { readonly _tag: "Created"; readonly objectId: string | undefined }
  | { readonly _tag: "Duplicate"; readonly error: string }
  | { readonly _tag: "Failed"; readonly error: string }
  | { readonly _tag: "Strange"; readonly detail: string }

/**
 * One item as the batches report it. From a batch's `results` when it has any (the items carried `_clientRef`),
 * else from its `objectIds` (created) and its `errors`.
 *
 * @since 0.1.0
 */
export interface ReportedItem {
  /**
   * The item's position in the job, from 0: counted across batches for `results` and `objectIds` (an object id
   * takes the next position its batch's errors leave free), an error's own `index`; for an error that gives none
   * (or cannot be read), the position of its batch's first item.
   */
  readonly index: number
  readonly clientRef: string | undefined
  /** The `externalId` an `errors` entry names. */
  readonly externalId: string | undefined
  readonly objectId: string | undefined
  /** The status the API gave the item (`created`, `updated`, `error`, or one this version does not know). */
  readonly status: string | undefined
  readonly verdict: Verdict
}

/**
 * Progress and outcomes read from one batches response.
 *
 * @since 0.1.0
 */
export interface Reading {
  /** Verdicts of the items asked about, by `_clientRef`; items without one are not yet reported. */
  readonly verdicts: ReadonlyMap<string, Verdict>
  /** Every item the batches report, batch by batch; an entry that cannot be read is kept, `Strange`. */
  readonly reported: ReadonlyArray<ReportedItem>
  readonly batchesComplete: number
  readonly batchesTotal: number
  /**
   * No listed batch is still `queued` or `scheduled` (and at least one is listed). A batch whose status is missing or
   * unknown does not hold this up: its results still count, and the job's own status says whether it is done.
   */
  readonly allComplete: boolean
}

/**
 * Reads a job's batches. `verdicts`, for the `items` asked about: from `results` by `_clientRef` first; without
 * them, from `errors` (by `_clientRef` or index) and, when every batch is complete, readable, and their counts
 * account for every item, the rest as created. A batch part that could not be read never costs the other items
 * their verdicts; once every batch is complete, the items it leaves without an answer are `Strange`, with the part
 * named. `reported`: every item the batches list, whether asked about or not (a job read by its id alone).
 *
 * @since 0.1.0
 */
export const read: (
  batches: BulkJob.BatchListDocument,
  items?: ReadonlyArray<{ readonly clientRef: string }>
) => Reading = internal.read

/**
 * Why an item was not created, in words: the API's error (`Duplicate`, `Failed`) or why its answer cannot be read
 * (`Strange`); `undefined` for `Created`.
 *
 * @since 0.1.0
 */
export const reason: (verdict: Verdict) => string | undefined = internal.reason
