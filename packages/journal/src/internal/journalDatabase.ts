/**
 * The journal's SQLite database: opening it (locking, WAL, integrity, format and version, the set it belongs
 * to), its metadata, transactions whose commit may fail, and SQLite's failures as {@link JournalError}s.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { isNoSpace, PageLimit } from "../DiskFull.js"
import { damaged, incomplete, JournalError, noSpace } from "../JournalError.js"
import * as Tables from "./journalSchema.js"

/** How long opening waits for a journal another process holds before it refuses. */
const lockWaitMillis = 1_000

const errorText = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const sqliteCode = (error: SqlError): string | undefined => {
  const cause = error.cause
  return Predicate.hasProperty(cause, "code") && typeof cause.code === "string" ? cause.code : undefined
}

/** SQLite's failure as a journal error: locked, damaged, a full disk, or an I/O error. */
export const fromSqlError = (path: string) => (error: SqlError): JournalError => {
  const detail = errorText(error.cause)
  if (isNoSpace(error)) return noSpace(path, error)
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

/**
 * `sql.withTransaction`, except that a failed `COMMIT` or `ROLLBACK` fails instead of dying: in WAL mode a full
 * disk shows at the commit, and it must stop the run with its name, not as a defect. The failure is the body's own
 * when it had one. SQLite may or may not have rolled the transaction back itself; a `ROLLBACK` makes sure (its
 * "no transaction is active" is ignored), so nothing of it is committed later.
 */
export const transaction =
  (sql: SqlClient.SqlClient) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
    Effect.suspend(() => {
      let bodyFailure = Option.none<E>()
      return sql.withTransaction(Effect.tapError(effect, (error) =>
        Effect.sync(() => {
          bodyFailure = Option.some(error)
        }))).pipe(
          Effect.catchSomeDefect((defect) =>
            defect instanceof SqlError
              ? Option.some(
                Effect.zipRight(
                  Effect.ignore(sql.unsafe("ROLLBACK")),
                  Effect.fail(Option.getOrElse(bodyFailure, (): E | SqlError => defect))
                )
              )
              : Option.none()
          )
        )
    })

/** Which set of journals a journal belongs to: a key of its metadata and the value it must hold. */
export interface Membership {
  readonly key: string
  readonly value: string
}

/** An open journal database. */
export interface Database {
  readonly sql: SqliteClient.SqliteClient
  readonly metaValue: (key: string) => Effect.Effect<Option.Option<string>, JournalError>
  readonly setMeta: (key: string, value: string) => Effect.Effect<void, JournalError>
  /** A transaction; see {@link transaction}. */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
}

/**
 * Records the set a journal belongs to, or refuses a journal of another set. A journal made before sets were
 * recorded holds none: it joins the set it is opened with.
 */
const joinSet = (path: string, database: Database, membership: Membership) =>
  Effect.gen(function*() {
    const stored = yield* database.metaValue(membership.key)
    if (Option.isNone(stored)) return yield* database.setMeta(membership.key, membership.value)
    if (stored.value !== membership.value) {
      return yield* incomplete(
        path,
        `${path} belongs to another set of journals (another run's, put in its place): restore the original or ` +
          "start again with a new --journal path"
      )
    }
  })

/** Creates the tables, or checks that the file holds an import journal of this version (migrating older ones). */
const checkTables = (path: string, database: Database) =>
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

/** The tables, checked or created, and the set the journal belongs to. */
const prepareTables = (path: string, database: Database, membership: Option.Option<Membership>) =>
  Effect.gen(function*() {
    yield* checkTables(path, database)
    if (Option.isSome(membership)) yield* joinSet(path, database, membership.value)
  })

/**
 * Connects to the database at `path` for as long as the scope lasts, exclusively locked: the lock is held until
 * it closes (another import is refused), and in WAL mode the WAL index lives in memory instead of a
 * shared-memory file.
 */
const connect = (path: string) =>
  Effect.gen(function*() {
    const toJournalError = fromSqlError(path)
    const cannotOpen = (detail: string, cause: unknown) =>
      isNoSpace(cause)
        ? noSpace(path, cause)
        : new JournalError({ kind: "Io", path, detail: `cannot open ${path}: ${detail}`, cause })
    const context = yield* Layer.build(SqliteClient.layer({ filename: path, disableWAL: true })).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(cannotOpen(errorText(defect), defect))),
      Effect.mapError((error) => error._tag === "JournalError" ? error : cannotOpen(error.message, error))
    )
    const sql = Context.get(context, SqliteClient.SqliteClient)
    const run = (statement: string) => Effect.mapError(sql.unsafe(statement).values, toJournalError)
    yield* run(`PRAGMA busy_timeout = ${lockWaitMillis}`)
    yield* run("PRAGMA locking_mode = EXCLUSIVE")
    return { sql, run }
  })

/**
 * One value of the metadata of the journal at `path`, read without opening it as a journal (no check, no write):
 * none when the file holds no journal yet.
 */
export const peekMeta = (path: string, key: string): Effect.Effect<Option.Option<string>, JournalError> =>
  Effect.scoped(Effect.gen(function*() {
    const { run, sql } = yield* connect(path)
    const tables = yield* run("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'journal_meta'")
    if (tables.length === 0) return Option.none()
    const rows = yield* sql`SELECT key, value FROM journal_meta WHERE key = ${key}`.pipe(
      Effect.mapError(fromSqlError(path)),
      Effect.flatMap(decodeRows(Tables.MetaRow, path))
    )
    return Option.map(Option.fromNullable(rows[0]), (row) => row.value)
  }))

/** A record a journal settled as created or found existing, with the object's id (see `JournalFile.settledObjects`). */
export const SettledObjectRow = Schema.Struct({
  record: Schema.Number,
  line: Schema.NullOr(Schema.Number),
  outcome: Schema.Literal("Created", "AlreadyExisting"),
  external_id: Schema.NullOr(Schema.String),
  object_id: Schema.NullOr(Schema.String),
  job_id: Schema.NullOr(Schema.String)
})

/**
 * The records the journal at `path` settled as `Created` or `AlreadyExisting`, by record index, read without
 * opening it as a journal (no check, no write): none when the file holds no journal yet.
 */
export const settledObjects = (
  path: string
): Effect.Effect<ReadonlyArray<typeof SettledObjectRow.Type>, JournalError> =>
  Effect.scoped(Effect.gen(function*() {
    const { run, sql } = yield* connect(path)
    const tables = yield* run("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'journal_outcomes'")
    if (tables.length === 0) return []
    return yield* sql`SELECT record, line, outcome, external_id, object_id, job_id FROM journal_outcomes
      WHERE outcome IN ('Created', 'AlreadyExisting') ORDER BY record`.pipe(
      Effect.mapError(fromSqlError(path)),
      Effect.flatMap(decodeRows(SettledObjectRow, path))
    )
  }))

/**
 * Opens the database at `path` for as long as the scope lasts: exclusively locked, in WAL mode, checked, and (with
 * `membership`) of the right set.
 */
export const open = (
  path: string,
  durability: "process" | "system",
  membership: Option.Option<Membership> = Option.none()
): Effect.Effect<Database, JournalError, Scope.Scope> =>
  Effect.gen(function*() {
    const toJournalError = fromSqlError(path)
    const { run, sql } = yield* connect(path)
    // Exclusive locking (by `connect`) before WAL.
    yield* run("PRAGMA journal_mode = WAL")
    yield* run(`PRAGMA synchronous = ${durability === "system" ? "FULL" : "NORMAL"}`)
    const verdict = (yield* run("PRAGMA quick_check")).map((row) => String(row[0]))
    if (verdict.length !== 1 || verdict[0] !== "ok") return yield* damaged(path, verdict.slice(0, 3).join("; "))
    const pageLimit = (yield* PageLimit)(path)
    if (Option.isSome(pageLimit)) yield* run(`PRAGMA max_page_count = ${pageLimit.value}`)

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
        ),
      transaction: transaction(sql)
    }
    // The first write takes the lock; the tables exist afterwards.
    yield* database.transaction(prepareTables(path, database, membership)).pipe(
      Effect.mapError(journalFailure(path))
    )
    return database
  })
