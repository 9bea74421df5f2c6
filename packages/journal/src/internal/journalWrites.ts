/**
 * The journal's writes, one statement (or transaction) each, stamped with the time and the attempt: a chunk
 * prepared, being sent, submitted as a job; outcomes settled; the run finished. A write that fails (a full disk)
 * leaves the journal as it was before it.
 */
import type { ImportCheckpoint, ImportEvent } from "@effect-kustomer/client"
import type { Ids } from "@effect-kustomer/domain"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import type { JournalError } from "../JournalError.js"
import type { Database } from "./journalDatabase.js"
import * as Rows from "./journalRows.js"

/** A write at `now`, in `attempt`. */
export type Write<A = void> = (now: number, attempt: number) => Effect.Effect<A, SqlError | JournalError>

/** Rows per multi-row insert: far below SQLite's limit on bound parameters. */
const rowsPerInsert = 100

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size))
  return out
}

/** A chunk formed, with its items' wire JSON (what a resume sends again). */
export const prepared = (database: Database, chunk: ImportCheckpoint.PlannedChunk): Write => (now, attempt) => {
  const items = JSON.stringify(chunk.items.map((item) => [
    item.position.index,
    item.position.line ?? null,
    item.clientRef,
    item.externalId ?? null,
    item.json
  ]))
  return Effect.asVoid(database.sql.unsafe(
    `INSERT OR REPLACE INTO journal_chunks (chunk, state, job_id, item_count, items, attempt, updated_at)
      VALUES (?, 'prepared', NULL, ?, ?, ?, ?)`,
    [chunk.chunk, chunk.items.length, items, attempt, now]
  ))
}

/** A chunk's request is about to be sent: from now on, it is in doubt until it is submitted. */
export const sending = (database: Database, chunk: number): Write => (now) =>
  Effect.asVoid(database.sql`UPDATE journal_chunks SET state = 'sending', updated_at = ${now} WHERE chunk = ${chunk}`)

/** A chunk the API accepted as job `jobId`; `resent`: a resend of a chunk in doubt. */
export const submitted = (database: Database, chunk: number, jobId: Ids.BulkJobId, resent: boolean): Write =>
(
  now,
  attempt
) => {
  const { sql } = database
  return database.transaction(Effect.gen(function*() {
    yield* sql`UPDATE journal_chunks SET state = 'submitted', job_id = ${jobId}, updated_at = ${now}
      WHERE chunk = ${chunk}`
    yield* sql`INSERT OR IGNORE INTO journal_jobs ${
      sql.insert({ job_id: jobId, chunk, attempt, submitted_at: now, resent: resent ? 1 : 0 })
    }`
  }))
}

/** Final outcomes, and (`chunk`) that chunk finished: its items' JSON is no longer kept. */
export const settled = (
  database: Database,
  outcomes: ReadonlyArray<ImportEvent.Outcome>,
  chunk: number | undefined
): Write =>
(now, attempt) => {
  if (outcomes.length === 0 && chunk === undefined) return Effect.void
  const { sql } = database
  const rows = outcomes.map((outcome) => Rows.outcomeRow(outcome, chunk, attempt))
  // One transaction: a chunk is never settled without its outcomes, whatever stops the write.
  return database.transaction(Effect.gen(function*() {
    for (const batch of chunksOf(rows, rowsPerInsert)) {
      yield* sql.unsafe(Rows.insertOutcomes(batch.length), batch.flat())
    }
    if (chunk !== undefined) {
      yield* sql`UPDATE journal_chunks SET state = 'settled', items = NULL, updated_at = ${now}
        WHERE chunk = ${chunk}`
    }
  }))
}

/** The run reached its end. */
export const finished = (database: Database): Write => (now, attempt) =>
  database.transaction(Effect.gen(function*() {
    yield* database.sql`UPDATE journal_attempts SET finished_at = ${now} WHERE attempt = ${attempt}`
    yield* database.setMeta("finished_at", String(now))
  }))
