/**
 * A journal's file, as the journal itself checks it, for files kept beside a journal (a migration's id map and
 * phase journals, which form a set that is trusted only as a whole):
 *
 * - its identity (device and inode), and the check that its path still names the file that was opened — SQLite
 *   keeps writing to a deleted file, and everything it records would be lost with it;
 * - whether a path holds anything yet (an empty file is as good as none to SQLite);
 * - one value of a journal's metadata, read without opening it as a journal (which set it belongs to), and the
 *   records it settled as created or existing with their Kustomer ids (what a rollback or a verification reads);
 * - a SQLite transaction whose failed commit fails the effect instead of dying, so that a full disk (which in WAL
 *   mode shows at the commit) stops a run with its name.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as FileChecks from "./internal/fileChecks.js"
import * as Database from "./internal/journalDatabase.js"
import type { JournalError } from "./JournalError.js"

/**
 * A file as the system knows it: the same path may later name another file.
 *
 * @since 0.1.0
 */
export interface FileIdentity extends FileChecks.FileIdentity {}

/**
 * The identity of the file at `path` (which exists).
 *
 * @since 0.1.0
 */
export const identify: (path: string) => Effect.Effect<FileIdentity, JournalError, FileSystem.FileSystem> =
  FileChecks.identify

/**
 * Whether a path names a file with something in it (an empty file is as good as none to SQLite).
 *
 * @since 0.1.0
 */
export const hasContent: (path: string) => Effect.Effect<boolean, JournalError, FileSystem.FileSystem> =
  FileChecks.hasContent

/**
 * Refuses to go on (a `JournalError` of kind `Incomplete`) when the file opened as `identity` was deleted, or its
 * path now names another file. `run` names what stops in the message ("import", "migration").
 *
 * @since 0.1.0
 */
export const checkSameFile: (
  identity: FileIdentity,
  run: string
) => Effect.Effect<void, JournalError, FileSystem.FileSystem> = FileChecks.checkSameFile

/**
 * One value of the metadata of the journal at `path`, read without opening it as a journal (no check, no write):
 * none when the file holds no journal yet. With `SqliteJournal.Options.belongsTo`, it tells which set a journal
 * belongs to before the set is opened.
 *
 * @since 0.1.0
 */
export const peekMeta: (path: string, key: string) => Effect.Effect<Option.Option<string>, JournalError> =
  Database.peekMeta

/**
 * A record a journal settled as created (`Created`) or found already there (`AlreadyExisting`): its record index,
 * its input line, its `externalId`, the Kustomer id it got (`null` when the API did not report one) and the job
 * whose results said so (`null` when no job did: an object found by a look-up or as a duplicate after a request
 * whose answer was lost, and taken to be that request's).
 *
 * @since 0.1.0
 */
export interface SettledObject {
  readonly record: number
  readonly line: number | null
  readonly outcome: "Created" | "AlreadyExisting"
  readonly external_id: string | null
  readonly object_id: string | null
  readonly job_id: string | null
}

/**
 * The records the journal at `path` settled as created or found existing, by record index, read without opening
 * it as a journal (no check, no write): what a run created, for a caller that reads it back or undoes it. Empty
 * when the file holds no journal yet.
 *
 * @since 0.1.0
 */
export const settledObjects: (path: string) => Effect.Effect<ReadonlyArray<SettledObject>, JournalError> =
  Database.settledObjects

/**
 * `sql.withTransaction`, except that a failed `COMMIT` or `ROLLBACK` fails instead of dying: in WAL mode a full
 * disk shows at the commit, and it must stop the run with its name, not as a defect. The failure is the body's own
 * when it had one; nothing of the transaction is committed later.
 *
 * @since 0.1.0
 */
export const transaction: (
  sql: SqlClient.SqlClient
) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R> = Database.transaction
