/**
 * Turning a job's batches into per-item outcomes, in one walk: the verdicts of the items asked about and every item
 * the batches report. Pure: callers decide what to do with them. Documented by `BatchResults.ts`.
 */
import { BulkJob, ItemError } from "@effect-kustomer/domain"
import * as Either from "effect/Either"
import type { Reading, ReportedItem, Verdict } from "../BatchResults.js"

const verdictOfError = (error: ItemError.ItemError): Verdict =>
  ItemError.isDuplicate(error)
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

const statusText = (status: BulkJob.ItemResultStatus): string => typeof status === "string" ? status : status.value

/** An entry that does not decode: kept, `Strange`, with the item it names when its raw JSON names one. */
const reportedUnreadable = (raw: unknown, index: number): ReportedItem => ({
  index,
  clientRef: BulkJob.rawClientRef(raw),
  externalId: undefined,
  objectId: undefined,
  status: undefined,
  verdict: unreadable(raw)
})

/** A `results` entry at `index` in the job. */
const reportedResult = (
  entry: Either.Either<BulkJob.ItemResult, unknown>,
  index: number
): ReportedItem =>
  Either.match(entry, {
    onLeft: (raw) => reportedUnreadable(raw, index),
    onRight: (result) => ({
      index,
      clientRef: result._clientRef,
      externalId: undefined,
      objectId: result.objectId,
      status: statusText(result.status),
      verdict: typeof result.status === "object"
        ? { _tag: "Strange", detail: `the API reported status "${result.status.value}"` }
        : result.status === "error"
        ? verdictOfError(result.error ?? ItemError.noMessage)
        : { _tag: "Created", objectId: result.objectId }
    })
  })

/** An `errors` entry; `batchStart` stands for the index it does not give. */
const reportedError = (
  entry: Either.Either<BulkJob.BatchItemError, unknown>,
  batchStart: number
): ReportedItem =>
  Either.match(entry, {
    onLeft: (raw) => reportedUnreadable(raw, batchStart),
    onRight: (error) => ({
      index: error.index ?? batchStart,
      clientRef: error._clientRef,
      externalId: error.externalId,
      objectId: undefined,
      status: "error",
      verdict: verdictOfError(BulkJob.itemErrorOf(error))
    })
  })

/**
 * The items a batch without `results` reports, by index: its errors at their own, its object ids (in order) at the
 * positions from `batchStart` that the errors leave free.
 */
const reportedWithoutResults = (
  attributes: BulkJob.BatchAttributes,
  batchStart: number
): Array<ReportedItem> => {
  const errors = (attributes.errors ?? []).map((entry) => reportedError(entry, batchStart))
  const failedAt = new Set(
    (attributes.errors ?? []).flatMap((entry) =>
      Either.isRight(entry) && entry.right.index !== undefined ? [entry.right.index] : []
    )
  )
  let next = batchStart
  const created = (attributes.objectIds ?? []).map((objectId): ReportedItem => {
    while (failedAt.has(next)) next++
    return {
      index: next++,
      clientRef: undefined,
      externalId: undefined,
      objectId,
      status: "created",
      verdict: { _tag: "Created", objectId }
    }
  })
  return [...created, ...errors].sort((a, b) => a.index - b.index)
}

/** Why an item was not created (see `BatchResults.reason`). */
export const reason = (verdict: Verdict): string | undefined => {
  switch (verdict._tag) {
    case "Created":
      return undefined
    case "Duplicate":
    case "Failed":
      return verdict.error
    case "Strange":
      return verdict.detail
  }
}

/** Reads a job's batches (see `BatchResults.read`). */
export const read = (
  batches: BulkJob.BatchListDocument,
  items: ReadonlyArray<{ readonly clientRef: string }> = []
): Reading => {
  const verdicts = new Map<string, Verdict>()
  const reported: Array<ReportedItem> = []
  let complete = 0
  let pending = 0
  let sawResults = false
  let succeeded = 0
  let failedCount = 0
  // Where the batch being read starts in the job: batches list their items in order.
  let batchStart = 0
  const errorsWithoutRef: Array<{ readonly index: number | undefined; readonly verdict: Verdict }> = []
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
    const results = attributes.results ?? []
    results.forEach((entry, index) => {
      sawResults = true
      const item = reportedResult(entry, batchStart + index)
      reported.push(item)
      if (item.clientRef !== undefined) verdicts.set(item.clientRef, item.verdict)
    })
    for (const entry of attributes.errors ?? []) {
      // An error entry that does not decode still settles its item when it names one: never dropped silently.
      const item = reportedError(entry, batchStart)
      if (item.clientRef !== undefined) {
        if (!verdicts.has(item.clientRef)) verdicts.set(item.clientRef, item.verdict)
      } else if (Either.isRight(entry)) {
        errorsWithoutRef.push({ index: entry.right.index, verdict: item.verdict })
      }
    }
    // A batch with results lists its failures there too: its errors would report them twice.
    if (results.length > 0) {
      batchStart += results.length
    } else {
      reported.push(...reportedWithoutResults(attributes, batchStart))
      batchStart += (attributes.successCount ?? attributes.objectIds?.length ?? 0) +
        (attributes.failureCount ?? attributes.errors?.length ?? 0)
    }
  })
  const listed = batches.data.length
  // Only batches that say `complete` are known to be finished; one without a readable status may still run.
  const everyBatchComplete = listed > 0 && complete === listed
  if (!sawResults) {
    for (const error of errorsWithoutRef) {
      const item = error.index === undefined ? undefined : items[error.index]
      if (item !== undefined && !verdicts.has(item.clientRef)) verdicts.set(item.clientRef, error.verdict)
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
  return {
    verdicts,
    reported,
    batchesComplete: complete,
    batchesTotal: listed,
    allComplete: listed > 0 && pending === 0
  }
}
