/**
 * `kustomer-bulk job <id>`: a bulk job's status and its per-item results, as a table. The rendering is pure.
 *
 * @since 0.1.0
 */
import { BulkJob, ItemError } from "@effect-kustomer/domain"
import * as Either from "effect/Either"
import * as Failure from "./Failure.js"
import * as Format from "./Format.js"

/** One item's result, however the API reported it. @since 0.1.0 */
export interface ItemRow {
  /** The item's position in the job (counting across batches). */
  readonly index: number
  readonly clientRef: string | undefined
  readonly result: string
  /** The created object's id, or the error. */
  readonly detail: string
}

/** What a row says of an item whose `externalId` exists already: an import reports it `AlreadyExisting`. */
const alreadyExisting = "already existing"

const statusText = (status: BulkJob.JobStatus | BulkJob.ItemResultStatus | BulkJob.BatchStatus): string =>
  typeof status === "string" ? status : status.value

/**
 * The per-item rows of a job's batches: from `results` when the items carried `_clientRef`, else from the
 * created object ids and the errors by index.
 *
 * @since 0.1.0
 */
export const itemRows = (batches: BulkJob.BatchListDocument): ReadonlyArray<ItemRow> => {
  const rows: Array<ItemRow> = []
  let offset = 0
  for (const batch of batches.data) {
    const attributes = batch.attributes
    if (attributes.results !== undefined && attributes.results.length > 0) {
      attributes.results.forEach((entry, index) => {
        rows.push(Either.match(entry, {
          onLeft: (raw) => ({
            index: offset + index,
            clientRef: BulkJob.rawClientRef(raw),
            result: "unreadable",
            detail: JSON.stringify(raw)
          }),
          onRight: (result) => ({
            index: offset + index,
            clientRef: result._clientRef,
            result: result.error !== undefined && ItemError.isDuplicate(result.error)
              ? alreadyExisting
              : statusText(result.status),
            detail: result.error === undefined ? result.objectId ?? "" : ItemError.text(result.error)
          })
        }))
      })
      offset += attributes.results.length
      continue
    }
    const errors = (attributes.errors ?? []).flatMap((entry) => Either.isRight(entry) ? [entry.right] : [])
    const objectIds = attributes.objectIds ?? []
    objectIds.forEach((objectId, index) => {
      rows.push({ index: offset + index, clientRef: undefined, result: "created", detail: objectId })
    })
    for (const error of errors) {
      rows.push({
        index: offset + (error.index ?? 0),
        clientRef: error._clientRef,
        result: ItemError.isDuplicate(BulkJob.itemErrorOf(error)) ? alreadyExisting : "error",
        detail: ItemError.text(BulkJob.itemErrorOf(error))
      })
    }
    offset += (attributes.successCount ?? objectIds.length) + (attributes.failureCount ?? errors.length)
  }
  return rows
}

/**
 * The report: status, timestamps, batch progress, counts, and a row per item.
 *
 * @since 0.1.0
 */
export const render = (job: BulkJob.BulkJobDocument, batches: BulkJob.BatchListDocument): string => {
  const attributes = BulkJob.attributesOf(job.data)
  const status = attributes?.status === undefined ? "unknown" : statusText(attributes.status)
  const rows = itemRows(batches)
  const errors = rows.filter((row) => row.result === "error").length
  const complete = batches.data.filter((batch) => batch.attributes.status === "complete").length
  const lines = [
    `Bulk job ${job.data.id}: ${status}${attributes?.context === undefined ? "" : ` (${attributes.context})`}`,
    "",
    Format.table([
      ["created at", attributes?.createdAt ?? "—"],
      ["updated at", attributes?.updatedAt ?? "—"],
      ["batches complete", `${complete}/${batches.data.length}`],
      ["items reported", Format.count(rows.length)],
      ["errors", Format.count(errors)]
    ].map(([label, value]) => [label ?? "", value ?? ""]))
  ]
  if (rows.length > 0) {
    lines.push(
      "",
      Format.table([
        ["#", "clientRef", "result", "object id / error"],
        ...rows.map((row) => [String(row.index), row.clientRef ?? "—", row.result, row.detail])
      ], { align: ["right", "left", "left", "left"] })
    )
  }
  return lines.join("\n")
}

/** `0` when no item of the job reported an error, `2` otherwise. @since 0.1.0 */
export const exitCode = (batches: BulkJob.BatchListDocument): number =>
  itemRows(batches).some((row) => row.result === "error") ? Failure.exitIncomplete : Failure.exitOk
