/**
 * What a run report reads back from the journal: outcome counts over every attempt, the jobs, the records not
 * created and every record's outcome (page by page, so a million records never sit in memory at once).
 */
import type { ImportCounts } from "@effect-kustomer/domain"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Database from "./journalDatabase.js"
import * as Rows from "./journalRows.js"
import * as Tables from "./journalSchema.js"

/** Records per page when reading the rejects back. */
const pageSize = 50_000

/** The journal's reads. */
export const make = (database: Database.Database, path: string) => {
  const { sql } = database
  const toJournalError = Database.journalFailure(path)

  const counts = sql`SELECT outcome, count(*) AS count FROM journal_outcomes GROUP BY outcome`.pipe(
    Effect.mapError(toJournalError),
    Effect.flatMap(Database.decodeRows(Tables.CountRow, path)),
    Effect.map((rows): ImportCounts.OutcomeCounts => {
      const of = (kind: typeof Tables.OutcomeKind.Type) => rows.find((row) => row.outcome === kind)?.count ?? 0
      const settled = {
        created: of("Created"),
        alreadyExisting: of("AlreadyExisting"),
        failed: of("Failed"),
        rejected: of("Rejected"),
        unknown: of("Unknown")
      }
      return { read: Object.values(settled).reduce((sum, count) => sum + count, 0), ...settled }
    })
  )

  const jobIds = sql`SELECT job_id FROM journal_jobs ORDER BY submitted_at, job_id`.pipe(
    Effect.mapError(toJournalError),
    Effect.flatMap(Database.decodeRows(Tables.JobRow, path)),
    Effect.map((rows) => rows.map((row) => row.job_id))
  )

  const rejects = Stream.paginateChunkEffect(
    -1,
    (after: number) =>
      sql`SELECT record, line, outcome, client_ref, job_id, external_id, reason, payload FROM journal_outcomes
      WHERE outcome IN ('Rejected', 'Failed', 'Unknown') AND record > ${after}
      ORDER BY record LIMIT ${pageSize}`.pipe(
        Effect.mapError(toJournalError),
        Effect.flatMap(Database.decodeRows(Tables.RejectRow, path)),
        Effect.map((rows): [Chunk.Chunk<Rows.NotCreated>, Option.Option<number>] => {
          const last = rows[rows.length - 1]
          return [
            Chunk.unsafeFromArray(rows.map((row) => Rows.notCreatedOf(row))),
            rows.length < pageSize || last === undefined ? Option.none() : Option.some(last.record)
          ]
        })
      )
  )

  const outcomes = Stream.paginateChunkEffect(
    -1,
    (after: number) =>
      sql`SELECT record, line, outcome, external_id, object_id, job_id, reason FROM journal_outcomes
      WHERE record > ${after} ORDER BY record LIMIT ${pageSize}`.pipe(
        Effect.mapError(toJournalError),
        Effect.flatMap(Database.decodeRows(Tables.OutcomeRow, path)),
        Effect.map((rows): [Chunk.Chunk<Rows.Settled>, Option.Option<number>] => {
          const last = rows[rows.length - 1]
          return [
            Chunk.unsafeFromArray(rows.map((row) => Rows.settledOf(row))),
            rows.length < pageSize || last === undefined ? Option.none() : Option.some(last.record)
          ]
        })
      )
  )

  return { counts, jobIds, rejects, outcomes }
}
