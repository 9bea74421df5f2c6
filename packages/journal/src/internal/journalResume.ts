/**
 * Opening a run in a journal: the run's identity is checked (or stored), records whose request failed are
 * released to be sent again, and what an earlier attempt left is handed back to the pipeline.
 */
import type { ImportCheckpoint } from "@effect-kustomer/client"
import type { Ids } from "@effect-kustomer/domain"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { damaged, JournalError } from "../JournalError.js"
import * as Bitmap from "./bitmap.js"
import type { Database } from "./journalDatabase.js"
import { decodeRows } from "./journalDatabase.js"
import { positionOf } from "./journalRows.js"
import * as Tables from "./journalSchema.js"

/** Records per page when loading the settled bitmap. */
const pageSize = 50_000

const decodeItems = Schema.decodeUnknown(Tables.ChunkItems)
const encodeRun = Schema.encode(Tables.StoredRunJson)
const decodeRun = Schema.decodeUnknown(Tables.StoredRunJson)

/** What a resumed attempt found, besides the pipeline's `Resume`. */
/**
 * What the journal's `begin` found.
 *
 * @since 0.1.0
 */
export interface Status {
  /** The attempt this is: 1 for a fresh journal, 0 before `begin`. */
  readonly attempt: number
  /** Whether an earlier attempt of the same run was found. */
  readonly resumed: boolean
  /** Records that had a final outcome before this attempt. */
  readonly settledBefore: number
  /** Chunks handed back to the pipeline: polled again, in doubt or unsent. */
  readonly chunksResumed: number
  /** Whether an earlier attempt ran to its end. */
  readonly finishedBefore: boolean
  /** Records whose request failed in an earlier attempt, sent again by this one. */
  readonly released: number
}

/** What `begin` found, and what the pipeline resumes. */
export interface Found extends Status {
  readonly resume: ImportCheckpoint.Resume
}

/** Refuses a run other than the one the journal was started for. */
const sameRun = (path: string, stored: Tables.StoredRun, run: ImportCheckpoint.RunIdentity) => {
  const refuse = (detail: string) =>
    Effect.fail(new JournalError({ kind: "Mismatch", path, detail: `${path} ${detail}` }))
  if (stored.resource !== run.resource) {
    return refuse(`records an import of ${stored.resource}, not of ${run.resource}; use another journal file`)
  }
  const fingerprint = run.fingerprint ?? null
  // The content decides when it is known: the same bytes under another path are the same input.
  const sameInput = stored.fingerprint !== null || fingerprint !== null
    ? stored.fingerprint === fingerprint
    : stored.source === run.source
  if (!sameInput) {
    return refuse(
      `belongs to another input: it was started for ${stored.source} (${stored.fingerprint ?? "no fingerprint"}), ` +
        `and this run reads ${run.source} (${fingerprint ?? "no fingerprint"}). Resume with the original input, ` +
        "or use another journal file to start a new import"
    )
  }
  if (stored.settings !== run.settings) {
    return refuse(
      `was started with other settings (${stored.settings}; this run: ${run.settings}), which would form other ` +
        "chunks or records. Resume with the same settings, or use another journal file"
    )
  }
  return Effect.void
}

/** Stores the run of a fresh journal, or checks that it is the run stored. */
const identify = (path: string, database: Database, run: ImportCheckpoint.RunIdentity, now: number) =>
  Effect.gen(function*() {
    const { metaValue, setMeta, sql } = database
    const stored = yield* metaValue("run")
    if (Option.isSome(stored)) {
      const previous = yield* decodeRun(stored.value).pipe(
        Effect.mapError(() => damaged(path, "its run identity is unreadable"))
      )
      yield* sameRun(path, previous, run)
      return true
    }
    const [leftovers] = yield* sql`SELECT
      (SELECT count(*) FROM journal_chunks) + (SELECT count(*) FROM journal_outcomes)`.values
    if (Number(leftovers?.[0] ?? 0) > 0) {
      return yield* damaged(path, "it holds chunks or outcomes but not the run they belong to")
    }
    const identity = new Tables.StoredRun({
      resource: run.resource,
      source: run.source,
      fingerprint: run.fingerprint ?? null,
      settings: run.settings
    })
    yield* setMeta("run", yield* Effect.orDie(encodeRun(identity)))
    yield* setMeta("created_at", String(now))
    return false
  })

/** The records with a final outcome, one bit each. */
const loadSettled = (path: string, database: Database) =>
  Effect.gen(function*() {
    const settled = Bitmap.empty()
    let after = -1
    while (true) {
      const rows = yield* database.sql`SELECT record FROM journal_outcomes WHERE record > ${after}
        ORDER BY record LIMIT ${pageSize}`.values
      for (const row of rows) {
        const record = row[0]
        if (typeof record !== "number") return yield* damaged(path, `a record index is ${String(record)}`)
        Bitmap.add(settled, record)
        after = record
      }
      if (rows.length < pageSize) return settled
    }
  })

/** The chunks still in flight, by what the pipeline has to do with them; records settled alone are left out. */
const unsettledChunks = (path: string, database: Database, settled: Bitmap.Bitmap, now: number) =>
  Effect.gen(function*() {
    const { sql } = database
    const chunkRows = yield* sql`SELECT c.chunk, c.state, c.job_id, c.items, j.resent FROM journal_chunks c
      LEFT JOIN journal_jobs j ON j.job_id = c.job_id
      WHERE c.state != 'settled' ORDER BY c.chunk`.pipe(Effect.flatMap(decodeRows(Tables.ChunkRow, path)))
    const submitted: Array<{ chunk: ImportCheckpoint.PlannedChunk; jobId: Ids.BulkJobId; resent: boolean }> = []
    const inDoubt: Array<ImportCheckpoint.PlannedChunk> = []
    const unsent: Array<ImportCheckpoint.PlannedChunk> = []
    for (const row of chunkRows) {
      const stored = yield* decodeItems(row.items ?? "[]").pipe(
        Effect.mapError(() => damaged(path, `the items of chunk ${row.chunk} are unreadable`))
      )
      // A record settled on its own (rejected, or unknown while its chunk was in doubt) is not handed back.
      const items = stored.flatMap(([record, line, clientRef, externalId, json]) =>
        Bitmap.has(settled, record)
          ? []
          : [{ position: positionOf(record, line), clientRef, externalId: externalId ?? undefined, json }]
      )
      if (items.length === 0) {
        yield* sql`UPDATE journal_chunks SET state = 'settled', items = NULL, updated_at = ${now}
          WHERE chunk = ${row.chunk}`
        continue
      }
      const chunk: ImportCheckpoint.PlannedChunk = { chunk: row.chunk, items }
      if (row.state === "submitted" && row.job_id !== null) {
        submitted.push({ chunk, jobId: row.job_id, resent: row.resent === 1 })
      } else if (row.state === "prepared") unsent.push(chunk)
      else inDoubt.push(chunk)
    }
    return { submitted, inDoubt, unsent }
  })

/**
 * Begins an attempt of `run` (in the caller's transaction): checks or stores the run, releases records whose
 * request failed, and reads what is left to do.
 */
export const begin = (path: string, database: Database, run: ImportCheckpoint.RunIdentity) =>
  Effect.gen(function*() {
    const { metaValue, sql } = database
    const now = yield* Clock.currentTimeMillis
    const resumed = yield* identify(path, database, run, now)
    const finishedBefore = Option.isSome(yield* metaValue("finished_at"))
    const [last] = yield* sql`SELECT coalesce(max(attempt), 0) FROM journal_attempts`.values
    const attempt = Number(last?.[0] ?? 0) + 1
    yield* sql`INSERT INTO journal_attempts ${sql.insert({ attempt, started_at: now, finished_at: null })}`
    // A failed request is no verdict on its records: they are read from the input and sent again. Rows of
    // version 1 have no `final`: a failure with a job id was the API's verdict on the item.
    const [released] = yield* sql`SELECT count(*) FROM journal_outcomes
      WHERE outcome = 'Failed' AND coalesce(final, job_id IS NOT NULL) = 0`.values
    yield* sql`DELETE FROM journal_outcomes WHERE outcome = 'Failed' AND coalesce(final, job_id IS NOT NULL) = 0`
    const settled = yield* loadSettled(path, database)
    const chunks = yield* unsettledChunks(path, database, settled, now)
    const [maxChunk] = yield* sql`SELECT coalesce(max(chunk), -1) FROM journal_chunks`.values
    const found: Found = {
      resume: {
        isSettled: (index) => Bitmap.has(settled, index),
        ...chunks,
        nextChunk: Number(maxChunk?.[0] ?? -1) + 1
      },
      attempt,
      resumed,
      settledBefore: settled.size,
      chunksResumed: chunks.submitted.length + chunks.inDoubt.length + chunks.unsent.length,
      finishedBefore,
      released: Number(released?.[0] ?? 0)
    }
    return found
  })
