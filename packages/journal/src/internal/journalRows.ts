/**
 * Outcomes as rows of `journal_outcomes` and back: the one mapping between the pipeline's outcomes and the table.
 */
import { ImportEvent, type ImportSource } from "@effect-kustomer/client"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Tables from "./journalSchema.js"

/** A record's position from its stored columns. */
export const positionOf = (record: number, line: number | null): ImportSource.Position =>
  line === null ? { index: record } : { index: record, line }

const jsonText = (value: unknown): string | null => {
  if (value === undefined) return null
  try {
    return JSON.stringify(value) ?? null
  } catch {
    return null
  }
}

const parseJson = Schema.decodeUnknownOption(Schema.parseJson())

/** The columns of `journal_outcomes`, in the order of {@link outcomeRow}. */
export const outcomeColumns = [
  "record",
  "line",
  "outcome",
  "client_ref",
  "chunk",
  "job_id",
  "external_id",
  "object_id",
  "reason",
  "payload",
  "attempt",
  "final"
] as const

/** A row of `journal_outcomes`, as bound to {@link insertOutcomes}. */
export type OutcomeRow = readonly [
  record: number,
  line: number | null,
  outcome: ImportEvent.Outcome["_tag"],
  clientRef: string | null,
  chunk: number | null,
  jobId: string | null,
  externalId: string | null,
  objectId: string | null,
  reason: string | null,
  payload: string | null,
  attempt: number,
  final: number | null
]

/**
 * The statement inserting `rows` outcomes (the first final outcome of a record stands), built once per row count:
 * the statement compiler of `@effect/sql` costs more than SQLite itself for a hundred rows of twelve values.
 */
export const insertOutcomes = (() => {
  const statements = new Map<number, string>()
  const row = `(${outcomeColumns.map(() => "?").join(", ")})`
  return (rows: number): string => {
    let statement = statements.get(rows)
    if (statement === undefined) {
      statement = `INSERT OR IGNORE INTO journal_outcomes (${outcomeColumns.join(", ")}) VALUES ${
        Array.from({ length: rows }, () => row).join(", ")
      }`
      statements.set(rows, statement)
    }
    return statement
  }
})()

/** The row of an outcome in `journal_outcomes`. */
export const outcomeRow = (outcome: ImportEvent.Outcome, chunk: number | undefined, attempt: number): OutcomeRow => {
  const record = outcome.position.index
  const line = outcome.position.line ?? null
  const inChunk = chunk ?? null
  switch (outcome._tag) {
    case "Created":
    case "AlreadyExisting":
      return [
        record,
        line,
        outcome._tag,
        outcome.clientRef,
        inChunk,
        outcome._tag === "Created" ? outcome.jobId ?? null : null,
        outcome.externalId ?? null,
        outcome.objectId ?? null,
        null,
        null,
        attempt,
        null
      ]
    case "Rejected":
      return [
        record,
        line,
        outcome._tag,
        null,
        inChunk,
        null,
        null,
        null,
        outcome.reason,
        jsonText(outcome.record),
        attempt,
        null
      ]
    case "Failed":
    case "Unknown":
      return [
        record,
        line,
        outcome._tag,
        outcome.clientRef,
        inChunk,
        outcome.jobId ?? null,
        outcome.externalId ?? null,
        null,
        outcome.reason,
        outcome.item,
        attempt,
        // `final`: the API refused the item (it stays settled), else the request failed (sent again on resume).
        outcome._tag === "Failed" ? (outcome.final ? 1 : 0) : null
      ]
  }
}

/** A record that was not created, read back for the rejects and unknown files. */
export type NotCreated = ImportEvent.Rejected | ImportEvent.Failed | ImportEvent.Unknown

/** An outcome read back from its row. */
export const notCreatedOf = (row: typeof Tables.RejectRow.Type): NotCreated => {
  const position = positionOf(row.record, row.line)
  const reason = row.reason ?? ""
  if (row.outcome === "Rejected") {
    return new ImportEvent.Rejected({
      position,
      issues: [{ path: "", message: reason }],
      record: row.payload === null ? undefined : Option.getOrUndefined(parseJson(row.payload))
    })
  }
  // Failed and Unknown items were sent: they share every field.
  const sent = {
    position,
    clientRef: row.client_ref ?? "",
    externalId: row.external_id ?? undefined,
    reason,
    jobId: row.job_id ?? undefined,
    item: row.payload ?? "{}"
  }
  return row.outcome === "Failed" ? new ImportEvent.Failed(sent) : new ImportEvent.Unknown(sent)
}

/** A record's final outcome as the journal holds it: enough for a line of a results file. */
export interface Settled {
  readonly position: ImportSource.Position
  readonly outcome: typeof Tables.OutcomeKind.Type
  readonly externalId: string | undefined
  readonly objectId: string | undefined
  readonly jobId: string | undefined
  readonly reason: string | undefined
}

/** A final outcome read back from its row. */
export const settledOf = (row: typeof Tables.OutcomeRow.Type): Settled => ({
  position: positionOf(row.record, row.line),
  outcome: row.outcome,
  externalId: row.external_id ?? undefined,
  objectId: row.object_id ?? undefined,
  jobId: row.job_id ?? undefined,
  reason: row.reason ?? undefined
})
