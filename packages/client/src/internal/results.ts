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

/** Whether an item error means "this externalId exists already": by its code, else its text. */
export const isDuplicateError = (error: ItemError.ItemError): boolean => ItemError.isDuplicate(error)

const verdictOfError = (error: ItemError.ItemError): Verdict =>
  isDuplicateError(error)
    ? { _tag: "Duplicate", error: ItemError.text(error) }
    : { _tag: "Failed", error: ItemError.text(error) }

const unreadable = (raw: unknown): Verdict => ({
  _tag: "Strange",
  detail: `the API reported an entry this client cannot read: ${JSON.stringify(raw)}`
})

/** Progress and verdicts read from one batches response. */
export interface Reading {
  /** Verdicts by `_clientRef`; items without one are not yet reported. */
  readonly verdicts: ReadonlyMap<string, Verdict>
  readonly batchesComplete: number
  readonly batchesTotal: number
  /** Every listed batch is complete (and at least one is listed). */
  readonly allComplete: boolean
}

/**
 * Reads per-item verdicts: from `results` by `_clientRef` first; without them, from `errors` (by `_clientRef` or
 * index) and, when a complete batch's counts account for every item, the rest as created.
 */
export const read = (
  batches: BulkJob.BatchListDocument,
  items: ReadonlyArray<{ readonly clientRef: string }>
): Reading => {
  const verdicts = new Map<string, Verdict>()
  let complete = 0
  let sawResults = false
  let succeeded = 0
  let failedCount = 0
  const errorsWithoutRef: Array<BulkJob.BatchItemError> = []
  for (const batch of batches.data) {
    const attributes = batch.attributes
    if (attributes.status === "complete") complete++
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
  }
  const allComplete = batches.data.length > 0 && complete === batches.data.length
  if (!sawResults) {
    for (const error of errorsWithoutRef) {
      const item = error.index === undefined ? undefined : items[error.index]
      if (item !== undefined && !verdicts.has(item.clientRef)) {
        verdicts.set(item.clientRef, verdictOfError(BulkJob.itemErrorOf(error)))
      }
    }
    // Without per-item results, the remaining items count as created only when the counts account for all.
    if (allComplete && succeeded + failedCount === items.length && failedCount === verdicts.size) {
      for (const item of items) {
        if (!verdicts.has(item.clientRef)) verdicts.set(item.clientRef, { _tag: "Created", objectId: undefined })
      }
    }
  }
  return { verdicts, batchesComplete: complete, batchesTotal: batches.data.length, allComplete }
}
