/**
 * Turning a job's batches into per-item verdicts. Pure: the pipeline decides what to do with them.
 */
import { BulkJob, ItemError } from "@effect-kustomer/domain"
import * as Either from "effect/Either"

/** What the batches say about one item. */
export type Verdict =
  | { readonly _tag: "Created"; readonly objectId: string | undefined }
  | { readonly _tag: "Duplicate"; readonly error: string }
  | { readonly _tag: "Failed"; readonly error: string }
  | { readonly _tag: "Strange"; readonly detail: string }

/** Whether an item error means "this externalId exists already": by its code or by any of its texts. */
export const isDuplicateError = (error: ItemError.ItemError): boolean => ItemError.isDuplicate(error)

const verdictOfError = (error: ItemError.ItemError): Verdict =>
  isDuplicateError(error)
    ? { _tag: "Duplicate", error: ItemError.text(error) }
    : { _tag: "Failed", error: ItemError.text(error) }

/** Raw JSON in a message, cut short: an unreadable part may be a whole list. */
const excerpt = (raw: unknown): string => {
  const json = JSON.stringify(raw)
  return json.length > 200 ? `${json.slice(0, 200)}…` : json
}

const unreadable = (raw: unknown): Verdict => ({
  _tag: "Strange",
  detail: `the API reported an entry this client cannot read: ${excerpt(raw)}`
})

/**
 * The parts of a batch that may carry an item's verdict: when one of them cannot be read, an item without any
 * other answer cannot be decided. (`objectIds` and `completedAt` decide nothing; an unreadable `status` leaves the
 * batch's progress unknown instead.)
 */
const decisiveParts: ReadonlySet<string> = new Set(["results", "errors", "successCount", "failureCount", "attributes"])

const batchName = (batch: BulkJob.BatchResource, position: number): string =>
  batch.id === undefined ? `batch ${position + 1}` : `batch ${JSON.stringify(batch.id)}`

/** Progress and verdicts read from one batches response. */
export interface Reading {
  /** Verdicts by `_clientRef`; items without one are not yet reported. */
  readonly verdicts: ReadonlyMap<string, Verdict>
  readonly batchesComplete: number
  readonly batchesTotal: number
  /**
   * No listed batch is still `queued` or `scheduled` (and at least one is listed). A batch whose status is missing or
   * unknown does not hold this up: its results still count, and the job's own status says whether it is done.
   */
  readonly allComplete: boolean
}

/**
 * Reads per-item verdicts: from `results` by `_clientRef` first; without them, from `errors` (by `_clientRef` or
 * index) and, when every batch is complete, readable, and their counts account for every item, the rest as
 * created. A batch part that could not be read never costs the other items their verdicts; once every batch is
 * complete, the items it leaves without an answer are `Strange`, with the part named — never guessed.
 */
export const read = (
  batches: BulkJob.BatchListDocument,
  items: ReadonlyArray<{ readonly clientRef: string }>
): Reading => {
  const verdicts = new Map<string, Verdict>()
  let complete = 0
  let pending = 0
  let sawResults = false
  let succeeded = 0
  let failedCount = 0
  const errorsWithoutRef: Array<BulkJob.BatchItemError> = []
  const unreadableParts: Array<string> = []
  batches.data.forEach((batch, position) => {
    const attributes = batch.attributes
    if (attributes.status === "complete") complete++
    else if (attributes.status === "queued" || attributes.status === "scheduled") pending++
    for (const [part, raw] of Object.entries(attributes.unreadable ?? {})) {
      if (decisiveParts.has(part)) unreadableParts.push(`${batchName(batch, position)}'s ${part}: ${excerpt(raw)}`)
    }
    succeeded += attributes.successCount ?? 0
    failedCount += attributes.failureCount ?? 0
    for (const entry of attributes.results ?? []) {
      sawResults = true
      if (Either.isLeft(entry)) {
        const clientRef = BulkJob.rawClientRef(entry.left)
        if (clientRef !== undefined) verdicts.set(clientRef, unreadable(entry.left))
        continue
      }
      const result = entry.right
      const status = result.status
      verdicts.set(
        result._clientRef,
        typeof status === "object"
          ? { _tag: "Strange", detail: `the API reported status "${status.value}"` }
          : status === "error"
          ? verdictOfError(result.error ?? ItemError.noMessage)
          : { _tag: "Created", objectId: result.objectId }
      )
    }
    for (const entry of attributes.errors ?? []) {
      Either.match(entry, {
        onLeft: (raw) => {
          // An error entry that does not decode still settles its item when it names one: never dropped silently.
          const clientRef = BulkJob.rawClientRef(raw)
          if (clientRef !== undefined && !verdicts.has(clientRef)) verdicts.set(clientRef, unreadable(raw))
        },
        onRight: (error) => {
          if (error._clientRef !== undefined) {
            if (!verdicts.has(error._clientRef)) {
              verdicts.set(error._clientRef, verdictOfError(BulkJob.itemErrorOf(error)))
            }
          } else {
            errorsWithoutRef.push(error)
          }
        }
      })
    }
  })
  const listed = batches.data.length
  // Only batches that say `complete` are known to be finished; one without a readable status may still run.
  const everyBatchComplete = listed > 0 && complete === listed
  if (!sawResults) {
    for (const error of errorsWithoutRef) {
      const item = error.index === undefined ? undefined : items[error.index]
      if (item !== undefined && !verdicts.has(item.clientRef)) {
        verdicts.set(item.clientRef, verdictOfError(BulkJob.itemErrorOf(error)))
      }
    }
    // Without per-item results, the remaining items count as created only when the counts account for all — and
    // only when nothing that could have named a failure went unread.
    if (
      everyBatchComplete && unreadableParts.length === 0 && succeeded + failedCount === items.length &&
      failedCount === verdicts.size
    ) {
      for (const item of items) {
        if (!verdicts.has(item.clientRef)) verdicts.set(item.clientRef, { _tag: "Created", objectId: undefined })
      }
    }
  }
  // Like the counts above, this takes the listed batches, all complete, for the whole job.
  if (everyBatchComplete && unreadableParts.length > 0) {
    const detail = `the job is complete, but part of its answer could not be read (${unreadableParts.join("; ")}); ` +
      "nothing readable says what became of this item"
    for (const item of items) {
      if (!verdicts.has(item.clientRef)) verdicts.set(item.clientRef, { _tag: "Strange", detail })
    }
  }
  return { verdicts, batchesComplete: complete, batchesTotal: listed, allComplete: listed > 0 && pending === 0 }
}
