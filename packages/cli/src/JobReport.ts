/**
 * `kustomer-bulk job <id>`: a bulk job's status and its per-item results, as a table. The rendering is pure.
 *
 * @since 0.1.0
 */
import { BatchResults } from "@effect-kustomer/client"
import { BulkJob } from "@effect-kustomer/domain"
import * as Failure from "./Failure.js"
import * as Format from "./Format.js"

/** One item's result, however the API reported it. @since 0.1.0 */
export interface ItemRow {
  /** The item's position in the job (counting across batches). */
  readonly index: number
  readonly clientRef: string | undefined
  readonly result: string
  /** The created object's id, the error, or why the answer cannot be read. */
  readonly detail: string
}

/** What a row says of an item whose `externalId` exists already: an import reports it `AlreadyExisting`. */
const alreadyExisting = "already existing"

const statusText = (status: BulkJob.JobStatus): string => typeof status === "string" ? status : status.value

/** The result column: a duplicate is an object that exists already; else the status the API gave. */
const resultOf = (item: BatchResults.ReportedItem): string => {
  switch (item.verdict._tag) {
    case "Created":
      return item.status ?? "created"
    case "Duplicate":
      return alreadyExisting
    case "Failed":
      return "error"
    case "Strange":
      return item.status ?? "unreadable"
  }
}

const rowsOf = (reading: BatchResults.Reading): ReadonlyArray<ItemRow> =>
  reading.reported.map((item) => ({
    index: item.index,
    clientRef: item.clientRef,
    result: resultOf(item),
    detail: BatchResults.reason(item.verdict) ?? item.objectId ?? ""
  }))

/**
 * The per-item rows of a job's batches, as `BatchResults.read` reports them (and an import reads them): from
 * `results` when the items carried `_clientRef`, else from the created object ids and the errors by index.
 *
 * @since 0.1.0
 */
export const itemRows = (batches: BulkJob.BatchListDocument): ReadonlyArray<ItemRow> =>
  rowsOf(BatchResults.read(batches))

/**
 * The report: status, timestamps, batch progress, counts, and a row per item.
 *
 * @since 0.1.0
 */
export const render = (job: BulkJob.BulkJobDocument, batches: BulkJob.BatchListDocument): string => {
  const attributes = BulkJob.attributesOf(job.data)
  const status = attributes?.status === undefined ? "unknown" : statusText(attributes.status)
  const reading = BatchResults.read(batches)
  const rows = rowsOf(reading)
  const errors = rows.filter((row) => row.result === "error").length
  const lines = [
    `Bulk job ${job.data.id}: ${status}${attributes?.context === undefined ? "" : ` (${attributes.context})`}`,
    "",
    Format.table([
      ["created at", attributes?.createdAt ?? "—"],
      ["updated at", attributes?.updatedAt ?? "—"],
      ["batches complete", `${reading.batchesComplete}/${reading.batchesTotal}`],
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
