/**
 * Why an import journal refused or failed, by kind:
 *
 * - `Mismatch`: the journal belongs to another input, resource or settings (resume with the original input, or use
 *   another journal file);
 * - `Locked`: another import holds the file open;
 * - `Damaged`: the file is an import journal that cannot be read back (truncated, corrupted, unexpected contents);
 * - `NotAJournal`: the file is something else (not SQLite, another SQLite database, another journal version);
 * - `Io`: the file cannot be opened, read or written (missing directory, permissions, disk full).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * The kinds of {@link JournalError}.
 *
 * @since 0.1.0
 */
export type Kind = "Mismatch" | "Locked" | "Damaged" | "NotAJournal" | "Io"

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
 * Whether a failure is a {@link JournalError}.
 *
 * @since 0.1.0
 */
export const isJournalError = (value: unknown): value is JournalError => value instanceof JournalError
