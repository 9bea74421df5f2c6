/**
 * Why an import journal refused or failed, by kind:
 *
 * - `Mismatch`: the journal belongs to another input, resource or settings (resume with the original input, or use
 *   another journal file);
 * - `Locked`: another import holds the file open;
 * - `Damaged`: the file is an import journal that cannot be read back (truncated, corrupted, unexpected contents);
 * - `NotAJournal`: the file is something else (not SQLite, another SQLite database, another journal version);
 * - `Incomplete`: a journal of a set is missing or belongs to another set (a migration's id map and phase
 *   journals), or the file was deleted or replaced while the run used it;
 * - `NoSpace`: the disk holding the file is full (the journal stays as it was after its last commit);
 * - `Io`: the file cannot be opened, read or written (missing directory, permissions).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import { noSpaceLeft, resumeAfterSpace } from "./DiskFull.js"

/**
 * The kinds of {@link JournalError}.
 *
 * @since 0.1.0
 */
export type Kind = "Mismatch" | "Locked" | "Damaged" | "NotAJournal" | "Incomplete" | "NoSpace" | "Io"

/**
 * The journal refused or failed. `detail` is a complete sentence that names the file.
 *
 * @since 0.1.0
 */
export class JournalError extends Data.TaggedError("JournalError")<{
  readonly kind: Kind
  readonly path: string
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `import journal: ${this.detail}`
  }
}

/**
 * A journal that cannot tell what was already created: what it is, and what to do about it.
 *
 * @since 0.1.0
 */
export const damaged = (path: string, detail: string): JournalError =>
  new JournalError({
    kind: "Damaged",
    path,
    detail: `${path} is damaged (${detail}), so it cannot tell what was already created; it was left untouched. ` +
      "Move it aside and run the import again without it: records with an externalId (or with assigned " +
      "externalIds) are then reported as already existing instead of created twice, while records without one " +
      "may be created again"
  })

/**
 * The disk holding the journal is full. Its transactions make it stop at its last commit, so the run can be
 * resumed once there is room.
 *
 * @since 0.1.0
 */
export const noSpace = (path: string, cause?: unknown): JournalError =>
  new JournalError({ kind: "NoSpace", path, detail: `${noSpaceLeft(path)}: ${resumeAfterSpace}`, cause })

/**
 * A journal set that cannot be trusted: a file of it is missing, belongs to another set, or was deleted or
 * replaced while the run used it. `detail` says which and what to do.
 *
 * @since 0.1.0
 */
export const incomplete = (path: string, detail: string): JournalError =>
  new JournalError({ kind: "Incomplete", path, detail })

/**
 * Whether a failure is a {@link JournalError}.
 *
 * @since 0.1.0
 */
export const isJournalError = (value: unknown): value is JournalError => value instanceof JournalError
