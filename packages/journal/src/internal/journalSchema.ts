/**
 * The tables of an import journal and the shapes of their rows. Bump {@link version} when a table changes: a
 * journal of another version is refused, never guessed at.
 */
import { Ids } from "@effect-kustomer/domain"
import * as Schema from "effect/Schema"

/** What `journal_meta.format` holds in every import journal. */
export const format = "effect-kustomer/import-journal"

/** The version of the tables below. */
export const version = "3"

/**
 * The statements that bring a journal of an earlier version to {@link version}, by the version they start from.
 * Version 2 added `journal_outcomes.final` (NULL in rows of version 1: then a failure with a job id is final);
 * version 3 `journal_jobs.resent` (NULL in older rows: not known to be a resend).
 */
export const migrations: ReadonlyMap<string, ReadonlyArray<string>> = new Map([
  ["1", [
    "ALTER TABLE journal_outcomes ADD COLUMN final INTEGER",
    "ALTER TABLE journal_jobs ADD COLUMN resent INTEGER"
  ]],
  ["2", ["ALTER TABLE journal_jobs ADD COLUMN resent INTEGER"]]
])

/** The statements that create an empty journal. */
export const tables: ReadonlyArray<string> = [
  `CREATE TABLE IF NOT EXISTS journal_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
  ) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS journal_attempts (
    attempt INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
  )`,
  // `items`: the items of a chunk still in flight, as JSON (see `ChunkItems`); cleared once the chunk is settled.
  `CREATE TABLE IF NOT EXISTS journal_chunks (
    chunk INTEGER PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('prepared', 'sending', 'submitted', 'settled')),
    job_id TEXT,
    item_count INTEGER NOT NULL,
    items TEXT,
    attempt INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS journal_jobs (
    job_id TEXT PRIMARY KEY NOT NULL,
    chunk INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    submitted_at INTEGER NOT NULL,
    resent INTEGER
  ) WITHOUT ROWID`,
  // One row per input record with a final outcome. `payload` is the record (Rejected) or the item as sent
  // (Failed, Unknown), kept for the rejects file. `final`, for Failed: 1 when the API refused the item (it stays
  // settled), 0 when the request failed (the record is sent again on resume).
  `CREATE TABLE IF NOT EXISTS journal_outcomes (
    record INTEGER PRIMARY KEY,
    line INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('Created', 'AlreadyExisting', 'Failed', 'Rejected', 'Unknown')),
    client_ref TEXT,
    chunk INTEGER,
    job_id TEXT,
    external_id TEXT,
    object_id TEXT,
    reason TEXT,
    payload TEXT,
    attempt INTEGER NOT NULL,
    final INTEGER
  )`
]

/** The run a journal belongs to, as stored in `journal_meta.run`. */
export class StoredRun extends Schema.Class<StoredRun>("StoredRun")({
  resource: Schema.String,
  source: Schema.String,
  fingerprint: Schema.NullOr(Schema.String),
  settings: Schema.String
}) {}

/** `journal_meta.run`: the JSON text of a {@link StoredRun}. */
export const StoredRunJson = Schema.parseJson(StoredRun)

/** A row of `journal_meta`. */
export const MetaRow = Schema.Struct({ key: Schema.String, value: Schema.String })

/** A chunk that is not settled yet, with its items. */
export const ChunkRow = Schema.Struct({
  chunk: Schema.Number,
  state: Schema.Literal("prepared", "sending", "submitted", "settled"),
  job_id: Schema.NullOr(Ids.BulkJobId),
  items: Schema.NullOr(Schema.String),
  resent: Schema.NullOr(Schema.Number)
})

/**
 * The items of a chunk, as stored in `journal_chunks.items`: one `[record, line, clientRef, externalId, json]`
 * tuple per item, `json` being the item's wire JSON. One text per chunk rather than one row per item: a chunk is
 * written and cleared in one statement each.
 */
export const ChunkItems = Schema.parseJson(
  Schema.Array(Schema.Tuple(
    Schema.Number,
    Schema.NullOr(Schema.Number),
    Schema.String,
    Schema.NullOr(Schema.String),
    Schema.String
  ))
)

/** The outcome kinds, as stored. */
export const OutcomeKind = Schema.Literal("Created", "AlreadyExisting", "Failed", "Rejected", "Unknown")

/** A rejected, failed or unknown record, as read back for the rejects file. */
export const RejectRow = Schema.Struct({
  record: Schema.Number,
  line: Schema.NullOr(Schema.Number),
  outcome: Schema.Literal("Failed", "Rejected", "Unknown"),
  client_ref: Schema.NullOr(Schema.String),
  job_id: Schema.NullOr(Ids.BulkJobId),
  external_id: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  payload: Schema.NullOr(Schema.String)
})

/** A record's final outcome, as read back for a results file. */
export const OutcomeRow = Schema.Struct({
  record: Schema.Number,
  line: Schema.NullOr(Schema.Number),
  outcome: OutcomeKind,
  external_id: Schema.NullOr(Schema.String),
  object_id: Schema.NullOr(Schema.String),
  job_id: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String)
})

/** A job the API accepted. */
export const JobRow = Schema.Struct({ job_id: Ids.BulkJobId })

/** Outcome counts. */
export const CountRow = Schema.Struct({ outcome: OutcomeKind, count: Schema.Number })
