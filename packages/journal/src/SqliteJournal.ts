/**
 * The import journal in a SQLite file: the durable implementation of the pipeline's `ImportCheckpoint` hook.
 *
 * It records the run (resource, input identity, settings), every chunk with its items' wire JSON, each chunk's
 * state (prepared → sending → submitted with its job id → settled) and every record's final outcome. Opened again
 * with the same run, it hands back what is left: records with an outcome are skipped (a bitmap, one bit per
 * record), submitted jobs are polled again, chunks caught while being sent are *in doubt*, and prepared chunks are
 * sent.
 *
 * Durability: WAL mode with `synchronous = NORMAL` (the default, `durability: "process"`): every commit is in the
 * operating system's hands before the call returns, so killing the process at any moment loses nothing that was
 * committed; a power cut or kernel crash may lose the last commits (never corrupt the file). With
 * `durability: "system"` (`synchronous = FULL`) every commit is also flushed to the disk. The file is locked while
 * open: a second import with the same journal is refused.
 *
 * @since 0.1.0
 */
import { type Ids, ImportCheckpoint, ImportEvent, type ImportSource } from "@effect-kustomer/client"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import * as Bitmap from "./internal/bitmap.js"
import * as Tables from "./internal/journalSchema.js"

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * `process` (default): commits survive the process being killed (WAL, `synchronous = NORMAL`). `system`: they
   * also survive a power cut or an operating-system crash (`synchronous = FULL`), at the cost of a disk flush
   * per commit.
   */
  readonly durability?: "process" | "system" | undefined
}

/**
 * What {@link Journal.begin} found.
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
}

/**
 * Records by final outcome, over every attempt.
 *
 * @since 0.1.0
 */
export interface OutcomeCounts {
  readonly created: number
  readonly alreadyExisting: number
  readonly failed: number
  readonly rejected: number
  readonly unknown: number
}

/**
 * The SQLite journal: the `ImportCheckpoint` hook plus what a run report needs from it.
 *
 * @since 0.1.0
 */
export interface Journal extends ImportCheckpoint.ImportCheckpoint {
  /** The journal file. */
  readonly path: string
  /** What `begin` found. */
  readonly status: Effect.Effect<Status>
  /** Final outcomes recorded so far, over every attempt. */
  readonly counts: Effect.Effect<OutcomeCounts, ImportCheckpoint.CheckpointError>
  /** Every job the API accepted, over every attempt, in submission order. */
  readonly jobIds: Effect.Effect<ReadonlyArray<Ids.BulkJobId>, ImportCheckpoint.CheckpointError>
  /** The rejected, failed and unknown records recorded so far, by record index. */
  readonly rejects: Stream.Stream<
    ImportEvent.Rejected | ImportEvent.Failed | ImportEvent.Unknown,
    ImportCheckpoint.CheckpointError
  >
}

const initialStatus: Status = { attempt: 0, resumed: false, settledBefore: 0, chunksResumed: 0, finishedBefore: false }

/** Rows per multi-row insert: far below SQLite's limit on bound parameters. */
const rowsPerInsert = 100

/** How long opening waits for a journal another process holds before it refuses. */
const lockWaitMillis = 1_000

/** Records per page when loading the settled bitmap or the rejects. */
const pageSize = 50_000

const errorText = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const sqliteCode = (error: SqlError): string | undefined => {
  const cause = error.cause
  return Predicate.hasProperty(cause, "code") && typeof cause.code === "string" ? cause.code : undefined
}

const damaged = (path: string, detail: string) =>
  new ImportCheckpoint.CheckpointError({
    reason: `${path} is damaged (${detail}), so it cannot tell what was already created; it was left untouched. ` +
      "Move it aside and run the import again without it: records with an externalId (or with assigned " +
      "externalIds) are then reported as already existing instead of created twice, while records without one " +
      "may be created again"
  })

const fromSqlError = (path: string) => (error: SqlError): ImportCheckpoint.CheckpointError => {
  const detail = errorText(error.cause)
  switch (sqliteCode(error)) {
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return new ImportCheckpoint.CheckpointError({
        reason: `${path} is in use by another import (the file is locked); wait for it to end or choose another journal`
      })
    case "SQLITE_CORRUPT":
    case "SQLITE_NOTADB":
      return damaged(path, detail)
    default:
      return new ImportCheckpoint.CheckpointError({ reason: `${path}: ${detail}` })
  }
}

const decodeRows = <A, I>(schema: Schema.Schema<A, I>, path: string) => {
  const decode = Schema.decodeUnknown(Schema.Array(schema))
  return (rows: unknown): Effect.Effect<ReadonlyArray<A>, ImportCheckpoint.CheckpointError> =>
    Effect.mapError(
      decode(rows),
      (error) => damaged(path, `unexpected contents: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
    )
}

const sqliteHeader = "SQLite format 3\u0000"

/** Refuses, before SQLite sees it, a file that is not a SQLite database at all. An empty file is a new journal. */
const checkFile = (path: string) =>
  Effect.try({
    try: (): Option.Option<string> => {
      if (!NodeFs.existsSync(path)) return Option.none()
      const stat = NodeFs.statSync(path)
      if (!stat.isFile()) return Option.some(`${path} is not a file`)
      if (stat.size === 0) return Option.none()
      const header = Buffer.alloc(sqliteHeader.length)
      const descriptor = NodeFs.openSync(path, "r")
      try {
        NodeFs.readSync(descriptor, header, 0, header.length, 0)
      } finally {
        NodeFs.closeSync(descriptor)
      }
      return header.toString("latin1") === sqliteHeader
        ? Option.none()
        : Option.some(`${path} is not an import journal (it is not a SQLite database); choose another path`)
    },
    catch: (cause) => new ImportCheckpoint.CheckpointError({ reason: `cannot read ${path}: ${errorText(cause)}` })
  }).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.void,
      onSome: (reason) => Effect.fail(new ImportCheckpoint.CheckpointError({ reason }))
    }))
  )

const positionOf = (record: number, line: number | null): ImportSource.Position =>
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

const decodeItems = Schema.decodeUnknown(Tables.ChunkItems)

/** The columns of `journal_outcomes`, in the order of {@link outcomeRow}. */
const outcomeColumns = [
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
  "attempt"
] as const

type OutcomeRow = readonly [
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
  attempt: number
]

/**
 * The statement inserting `rows` outcomes, built once per row count: the statement compiler of `@effect/sql`
 * costs more than SQLite itself for a hundred rows of eleven values.
 */
const insertOutcomes = (() => {
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
const outcomeRow = (outcome: ImportEvent.Outcome, chunk: number | undefined, attempt: number): OutcomeRow => {
  const record = outcome.position.index
  const line = outcome.position.line ?? null
  const inChunk = chunk ?? null
  switch (outcome._tag) {
    case "Created":
      return [
        record,
        line,
        outcome._tag,
        outcome.clientRef,
        inChunk,
        outcome.jobId,
        outcome.externalId ?? null,
        outcome.objectId ?? null,
        null,
        null,
        attempt
      ]
    case "AlreadyExisting":
      return [
        record,
        line,
        outcome._tag,
        outcome.clientRef,
        inChunk,
        null,
        outcome.externalId,
        outcome.objectId ?? null,
        null,
        null,
        attempt
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
        attempt
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
        attempt
      ]
  }
}

/** An outcome read back for the rejects file. */
const rejectOf = (
  row: typeof Tables.RejectRow.Type
): ImportEvent.Rejected | ImportEvent.Failed | ImportEvent.Unknown => {
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

const sameRun = (
  path: string,
  stored: typeof Tables.RunIdentity.Type,
  run: ImportCheckpoint.RunIdentity
): Effect.Effect<void, ImportCheckpoint.CheckpointError> => {
  const refuse = (reason: string) => Effect.fail(new ImportCheckpoint.CheckpointError({ reason: `${path} ${reason}` }))
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

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size))
  return out
}

/**
 * Opens (or creates) the journal at `path` for as long as the scope lasts. Refuses a file that is not an import
 * journal, a damaged one, one of another version, or one that another import holds open.
 *
 * @since 0.1.0
 */
export const make = (
  path: string,
  options: Options = {}
): Effect.Effect<Journal, ImportCheckpoint.CheckpointError, Scope.Scope> =>
  Effect.gen(function*() {
    yield* checkFile(path)
    const toCheckpointError = fromSqlError(path)
    const context = yield* Layer.build(SqliteClient.layer({ filename: path, disableWAL: true })).pipe(
      Effect.catchAllDefect((defect) =>
        Effect.fail(new ImportCheckpoint.CheckpointError({ reason: `cannot open ${path}: ${errorText(defect)}` }))
      ),
      Effect.mapError((error) =>
        error._tag === "CheckpointError"
          ? error
          : new ImportCheckpoint.CheckpointError({ reason: `cannot open ${path}: ${error.message}` })
      )
    )
    const sql = Context.get(context, SqliteClient.SqliteClient)
    const synchronous = options.durability === "system" ? "FULL" : "NORMAL"

    // Exclusive locking before WAL: the lock is held until the journal closes (another import is refused), and
    // the WAL index lives in memory instead of a shared-memory file.
    yield* sql.unsafe(`PRAGMA busy_timeout = ${lockWaitMillis}`).pipe(Effect.mapError(toCheckpointError))
    yield* sql.unsafe("PRAGMA locking_mode = EXCLUSIVE").pipe(Effect.mapError(toCheckpointError))
    yield* sql.unsafe("PRAGMA journal_mode = WAL").values.pipe(Effect.mapError(toCheckpointError))
    yield* sql.unsafe(`PRAGMA synchronous = ${synchronous}`).pipe(Effect.mapError(toCheckpointError))
    const check = yield* sql.unsafe("PRAGMA quick_check").values.pipe(Effect.mapError(toCheckpointError))
    const verdict = check.map((row) => String(row[0]))
    if (verdict.length !== 1 || verdict[0] !== "ok") {
      return yield* Effect.fail(damaged(path, verdict.slice(0, 3).join("; ")))
    }

    const metaValue = (key: string) =>
      sql`SELECT key, value FROM journal_meta WHERE key = ${key}`.pipe(
        Effect.mapError(toCheckpointError),
        Effect.flatMap(decodeRows(Tables.MetaRow, path)),
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.value))
      )
    const setMeta = (key: string, value: string) =>
      sql`INSERT OR REPLACE INTO journal_meta ${sql.insert({ key, value })}`.pipe(Effect.mapError(toCheckpointError))

    // The first write takes the lock; the tables exist afterwards.
    yield* sql.withTransaction(Effect.gen(function*() {
      const tables = (yield* sql`SELECT name FROM sqlite_master WHERE type = 'table'`.values).map((row) =>
        String(row[0])
      )
      if (tables.length > 0 && !tables.includes("journal_meta")) {
        return yield* Effect.fail(
          new ImportCheckpoint.CheckpointError({
            reason: `${path} is a SQLite database but not an import journal; choose another path`
          })
        )
      }
      for (const statement of Tables.tables) yield* sql.unsafe(statement)
      const format = yield* metaValue("format")
      const version = yield* metaValue("version")
      if (Option.isNone(format)) {
        yield* setMeta("format", Tables.format)
        yield* setMeta("version", Tables.version)
      } else if (format.value !== Tables.format) {
        return yield* Effect.fail(
          new ImportCheckpoint.CheckpointError({ reason: `${path} is not an import journal (format ${format.value})` })
        )
      } else if (Option.getOrUndefined(version) !== Tables.version) {
        return yield* Effect.fail(
          new ImportCheckpoint.CheckpointError({
            reason: `${path} is an import journal of version ${
              Option.getOrElse(version, () => "?")
            }, and this program reads version ${Tables.version}`
          })
        )
      }
    })).pipe(Effect.mapError((error) => error._tag === "SqlError" ? toCheckpointError(error) : error))

    const status = yield* Ref.make(initialStatus)
    const attemptNow = Effect.map(Ref.get(status), (current) => Math.max(1, current.attempt))

    const loadSettled = Effect.gen(function*() {
      const settled = Bitmap.empty()
      let after = -1
      while (true) {
        const rows =
          yield* sql`SELECT record FROM journal_outcomes WHERE record > ${after} ORDER BY record LIMIT ${pageSize}`
            .values
        for (const row of rows) {
          const record = row[0]
          if (typeof record !== "number") {
            return yield* Effect.fail(damaged(path, `a record index is ${String(record)}`))
          }
          Bitmap.add(settled, record)
          after = record
        }
        if (rows.length < pageSize) return settled
      }
    })

    const begin = (run: ImportCheckpoint.RunIdentity) =>
      sql.withTransaction(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const stored = yield* metaValue("run")
        if (Option.isNone(stored)) {
          const [leftovers] = yield* sql`SELECT
            (SELECT count(*) FROM journal_chunks) + (SELECT count(*) FROM journal_outcomes)`.values
          if (Number(leftovers?.[0] ?? 0) > 0) {
            return yield* Effect.fail(damaged(path, "it holds chunks or outcomes but not the run they belong to"))
          }
          yield* setMeta(
            "run",
            JSON.stringify({
              resource: run.resource,
              source: run.source,
              fingerprint: run.fingerprint ?? null,
              settings: run.settings
            })
          )
          yield* setMeta("created_at", String(now))
        } else {
          const previous = yield* Schema.decodeUnknown(Tables.RunIdentityJson)(stored.value).pipe(
            Effect.mapError(() => damaged(path, "its run identity is unreadable"))
          )
          yield* sameRun(path, previous, run)
        }
        const finishedBefore = Option.isSome(yield* metaValue("finished_at"))
        const [last] = yield* sql`SELECT coalesce(max(attempt), 0) FROM journal_attempts`.values
        const attempt = Number(last?.[0] ?? 0) + 1
        yield* sql`INSERT INTO journal_attempts ${sql.insert({ attempt, started_at: now, finished_at: null })}`

        const settled = yield* loadSettled
        const chunkRows = yield* sql`SELECT chunk, state, job_id, items FROM journal_chunks
          WHERE state != 'settled' ORDER BY chunk`.pipe(Effect.flatMap(decodeRows(Tables.ChunkRow, path)))
        const itemsByChunk = new Map<number, Array<ImportCheckpoint.ChunkItem>>()
        for (const row of chunkRows) {
          const stored = yield* decodeItems(row.items ?? "[]").pipe(
            Effect.mapError(() => damaged(path, `the items of chunk ${row.chunk} are unreadable`))
          )
          // A record settled on its own (rejected, or unknown while its chunk was in doubt) is not handed back.
          itemsByChunk.set(
            row.chunk,
            stored.flatMap(([record, line, clientRef, externalId, json]) =>
              Bitmap.has(settled, record)
                ? []
                : [{ position: positionOf(record, line), clientRef, externalId: externalId ?? undefined, json }]
            )
          )
        }
        const submitted: Array<{ chunk: ImportCheckpoint.PlannedChunk; jobId: Ids.BulkJobId }> = []
        const inDoubt: Array<ImportCheckpoint.PlannedChunk> = []
        const unsent: Array<ImportCheckpoint.PlannedChunk> = []
        const done: Array<number> = []
        for (const row of chunkRows) {
          const items = itemsByChunk.get(row.chunk) ?? []
          if (items.length === 0) {
            done.push(row.chunk)
            continue
          }
          const chunk: ImportCheckpoint.PlannedChunk = { chunk: row.chunk, items }
          if (row.state === "submitted" && row.job_id !== null) submitted.push({ chunk, jobId: row.job_id })
          else if (row.state === "prepared") unsent.push(chunk)
          else inDoubt.push(chunk)
        }
        for (const chunk of done) {
          yield* sql`UPDATE journal_chunks SET state = 'settled', items = NULL, updated_at = ${now} WHERE chunk = ${chunk}`
        }
        const [maxChunk] = yield* sql`SELECT coalesce(max(chunk), -1) FROM journal_chunks`.values
        const resume: ImportCheckpoint.Resume = {
          isSettled: (index) => Bitmap.has(settled, index),
          submitted,
          inDoubt,
          unsent,
          nextChunk: Number(maxChunk?.[0] ?? -1) + 1
        }
        yield* Ref.set(status, {
          attempt,
          resumed: Option.isSome(stored),
          settledBefore: settled.size,
          chunksResumed: submitted.length + inDoubt.length + unsent.length,
          finishedBefore
        })
        return resume
      })).pipe(
        Effect.mapError((error) => error._tag === "SqlError" ? toCheckpointError(error) : error),
        Effect.withSpan("SqliteJournal.begin")
      )

    const prepared = (chunk: ImportCheckpoint.PlannedChunk) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const attempt = yield* attemptNow
        const items = JSON.stringify(chunk.items.map((item) => [
          item.position.index,
          item.position.line ?? null,
          item.clientRef,
          item.externalId ?? null,
          item.json
        ]))
        yield* sql.unsafe(
          `INSERT OR REPLACE INTO journal_chunks (chunk, state, job_id, item_count, items, attempt, updated_at)
            VALUES (?, 'prepared', NULL, ?, ?, ?, ?)`,
          [chunk.chunk, chunk.items.length, items, attempt, now]
        )
      }).pipe(Effect.mapError(toCheckpointError), Effect.withSpan("SqliteJournal.prepared"))

    const sending = (chunk: number) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* sql`UPDATE journal_chunks SET state = 'sending', updated_at = ${now} WHERE chunk = ${chunk}`
      }).pipe(Effect.mapError(toCheckpointError), Effect.withSpan("SqliteJournal.sending"))

    const submittedAs = (chunk: number, jobId: Ids.BulkJobId) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const attempt = yield* attemptNow
        yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql`UPDATE journal_chunks SET state = 'submitted', job_id = ${jobId}, updated_at = ${now}
            WHERE chunk = ${chunk}`
          yield* sql`INSERT OR IGNORE INTO journal_jobs ${
            sql.insert({ job_id: jobId, chunk, attempt, submitted_at: now })
          }`
        }))
      }).pipe(Effect.mapError(toCheckpointError), Effect.withSpan("SqliteJournal.submitted"))

    const settledWith = (outcomes: ReadonlyArray<ImportEvent.Outcome>, chunk?: number) =>
      Effect.gen(function*() {
        if (outcomes.length === 0 && chunk === undefined) return
        const now = yield* Clock.currentTimeMillis
        const attempt = yield* attemptNow
        const rows = outcomes.map((outcome) => outcomeRow(outcome, chunk, attempt))
        yield* sql.withTransaction(Effect.gen(function*() {
          // The first final outcome of a record stands.
          for (const batch of chunksOf(rows, rowsPerInsert)) {
            yield* sql.unsafe(insertOutcomes(batch.length), batch.flat())
          }
          if (chunk !== undefined) {
            yield* sql`UPDATE journal_chunks SET state = 'settled', items = NULL, updated_at = ${now}
              WHERE chunk = ${chunk}`
          }
        }))
      }).pipe(Effect.mapError(toCheckpointError), Effect.withSpan("SqliteJournal.settled"))

    const finished = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const attempt = yield* attemptNow
      yield* sql.withTransaction(Effect.gen(function*() {
        yield* sql`UPDATE journal_attempts SET finished_at = ${now} WHERE attempt = ${attempt}`
        yield* setMeta("finished_at", String(now))
      }))
    }).pipe(
      Effect.mapError((error) => error._tag === "SqlError" ? toCheckpointError(error) : error),
      Effect.withSpan("SqliteJournal.finished")
    )

    const counts = sql`SELECT outcome, count(*) AS count FROM journal_outcomes GROUP BY outcome`.pipe(
      Effect.mapError(toCheckpointError),
      Effect.flatMap(decodeRows(Tables.CountRow, path)),
      Effect.map((rows): OutcomeCounts => {
        const of = (kind: typeof Tables.OutcomeKind.Type) => rows.find((row) => row.outcome === kind)?.count ?? 0
        return {
          created: of("Created"),
          alreadyExisting: of("AlreadyExisting"),
          failed: of("Failed"),
          rejected: of("Rejected"),
          unknown: of("Unknown")
        }
      })
    )

    const jobIds = sql`SELECT job_id FROM journal_jobs ORDER BY submitted_at, job_id`.pipe(
      Effect.mapError(toCheckpointError),
      Effect.flatMap(decodeRows(Tables.JobRow, path)),
      Effect.map((rows) => rows.map((row) => row.job_id))
    )

    const rejects = Stream.paginateChunkEffect(-1, (after: number) =>
      sql`SELECT record, line, outcome, client_ref, job_id, external_id, reason, payload FROM journal_outcomes
        WHERE outcome IN ('Rejected', 'Failed', 'Unknown') AND record > ${after}
        ORDER BY record LIMIT ${pageSize}`.pipe(
        Effect.mapError(toCheckpointError),
        Effect.flatMap(decodeRows(Tables.RejectRow, path)),
        Effect.map(
          (
            rows
          ): [Chunk.Chunk<ImportEvent.Rejected | ImportEvent.Failed | ImportEvent.Unknown>, Option.Option<number>] => {
            const last = rows[rows.length - 1]
            return [
              Chunk.unsafeFromArray(rows.map((row) => rejectOf(row))),
              rows.length < pageSize || last === undefined ? Option.none() : Option.some(last.record)
            ]
          }
        )
      ))

    const journal: Journal = {
      path,
      status: Ref.get(status),
      counts,
      jobIds,
      rejects,
      begin,
      prepared,
      sending,
      submitted: submittedAs,
      settled: settledWith,
      finished
    }
    return journal
  }).pipe(Effect.withSpan("SqliteJournal.make", { attributes: { "journal.path": path } }))
