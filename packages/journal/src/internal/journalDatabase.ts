/**
 * The journal's SQLite database: opening it (locking, WAL, integrity, format and version), its metadata, and
 * SQLite's failures as {@link JournalError}s.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { damaged, JournalError } from "../JournalError.js"
import * as Tables from "./journalSchema.js"

/** How long opening waits for a journal another process holds before it refuses. */
const lockWaitMillis = 1_000

const errorText = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const sqliteCode = (error: SqlError): string | undefined => {
  const cause = error.cause
  return Predicate.hasProperty(cause, "code") && typeof cause.code === "string" ? cause.code : undefined
}

/** SQLite's failure as a journal error: locked, damaged, or an I/O error. */
export const fromSqlError = (path: string) => (error: SqlError): JournalError => {
  const detail = errorText(error.cause)
  switch (sqliteCode(error)) {
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return new JournalError({
        kind: "Locked",
        path,
        detail: `${path} is in use by another import (the file is locked); wait for it to end or choose another journal`
      })
    case "SQLITE_CORRUPT":
    case "SQLITE_NOTADB":
      return damaged(path, detail)
    default:
      return new JournalError({ kind: "Io", path, detail: `${path}: ${detail}`, cause: error })
  }
}

/** Maps SQL failures, keeping journal errors as they are. */
export const journalFailure = (path: string) => (error: SqlError | JournalError): JournalError =>
  error._tag === "SqlError" ? fromSqlError(path)(error) : error

/** Decodes rows read back; rows of another shape mean a damaged journal. */
export const decodeRows = <A, I>(schema: Schema.Schema<A, I>, path: string) => {
  const decode = Schema.decodeUnknown(Schema.Array(schema))
  return (rows: unknown): Effect.Effect<ReadonlyArray<A>, JournalError> =>
    Effect.mapError(
      decode(rows),
      (error) => damaged(path, `unexpected contents: ${ParseResult.TreeFormatter.formatErrorSync(error)}`)
    )
}

/** An open journal database. */
export interface Database {
  readonly sql: SqliteClient.SqliteClient
  readonly metaValue: (key: string) => Effect.Effect<Option.Option<string>, JournalError>
  readonly setMeta: (key: string, value: string) => Effect.Effect<void, JournalError>
}

/** Creates the tables, or checks that the file holds an import journal of this version (migrating older ones). */
const prepareTables = (path: string, database: Database) =>
  Effect.gen(function*() {
    const { metaValue, setMeta, sql } = database
    const tables = (yield* sql`SELECT name FROM sqlite_master WHERE type = 'table'`.values).map((row) => String(row[0]))
    if (tables.length > 0 && !tables.includes("journal_meta")) {
      return yield* new JournalError({
        kind: "NotAJournal",
        path,
        detail: `${path} is a SQLite database but not an import journal; choose another path`
      })
    }
    for (const statement of Tables.tables) yield* sql.unsafe(statement)
    const format = yield* metaValue("format")
    const version = Option.getOrUndefined(yield* metaValue("version"))
    if (Option.isNone(format)) {
      yield* setMeta("format", Tables.format)
      yield* setMeta("version", Tables.version)
      return
    }
    if (format.value !== Tables.format) {
      return yield* new JournalError({
        kind: "NotAJournal",
        path,
        detail: `${path} is not an import journal (format ${format.value})`
      })
    }
    const migration = version === undefined ? undefined : Tables.migrations.get(version)
    if (migration !== undefined) {
      for (const statement of migration) yield* sql.unsafe(statement)
      yield* setMeta("version", Tables.version)
    } else if (version !== Tables.version) {
      return yield* new JournalError({
        kind: "NotAJournal",
        path,
        detail: `${path} is an import journal of version ${
          version ?? "?"
        }, and this program reads version ${Tables.version}`
      })
    }
  })

/**
 * Opens the database at `path` for as long as the scope lasts: exclusively locked, in WAL mode, checked.
 */
export const open = (
  path: string,
  durability: "process" | "system"
): Effect.Effect<Database, JournalError, Scope.Scope> =>
  Effect.gen(function*() {
    const toJournalError = fromSqlError(path)
    const cannotOpen = (detail: string, cause: unknown) =>
      new JournalError({ kind: "Io", path, detail: `cannot open ${path}: ${detail}`, cause })
    const context = yield* Layer.build(SqliteClient.layer({ filename: path, disableWAL: true })).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(cannotOpen(errorText(defect), defect))),
      Effect.mapError((error) => error._tag === "JournalError" ? error : cannotOpen(error.message, error))
    )
    const sql = Context.get(context, SqliteClient.SqliteClient)
    const run = (statement: string) => Effect.mapError(sql.unsafe(statement).values, toJournalError)

    // Exclusive locking before WAL: the lock is held until the journal closes (another import is refused), and
    // the WAL index lives in memory instead of a shared-memory file.
    yield* run(`PRAGMA busy_timeout = ${lockWaitMillis}`)
    yield* run("PRAGMA locking_mode = EXCLUSIVE")
    yield* run("PRAGMA journal_mode = WAL")
    yield* run(`PRAGMA synchronous = ${durability === "system" ? "FULL" : "NORMAL"}`)
    const verdict = (yield* run("PRAGMA quick_check")).map((row) => String(row[0]))
    if (verdict.length !== 1 || verdict[0] !== "ok") return yield* damaged(path, verdict.slice(0, 3).join("; "))

    const database: Database = {
      sql,
      metaValue: (key) =>
        sql`SELECT key, value FROM journal_meta WHERE key = ${key}`.pipe(
          Effect.mapError(toJournalError),
          Effect.flatMap(decodeRows(Tables.MetaRow, path)),
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.value))
        ),
      setMeta: (key, value) =>
        sql`INSERT OR REPLACE INTO journal_meta ${sql.insert({ key, value })}`.pipe(
          Effect.asVoid,
          Effect.mapError(toJournalError)
        )
    }
    // The first write takes the lock; the tables exist afterwards.
    yield* sql.withTransaction(prepareTables(path, database)).pipe(Effect.mapError(journalFailure(path)))
    return database
  })
