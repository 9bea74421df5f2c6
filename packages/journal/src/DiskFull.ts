/**
 * A full disk, recognised in the failures of SQLite and of the file system, so that it is said by name: a write
 * that fails for want of space stops the run with a message naming the file, never as an unexpected error. Used by
 * the journal, the rejects file and the files kept beside a journal (a migration's id map).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"

/** Error codes that mean "no space": SQLite's own, and the system's (quota included). */
const noSpaceCodes: ReadonlySet<string> = new Set(["SQLITE_FULL", "ENOSPC", "EDQUOT"])

/** An I/O error whose text says it ran out of space (SQLite reports some as `SQLITE_IOERR_*`). */
const noSpaceText = /ENOSPC|EDQUOT|no space left|disk quota exceeded/i

/** How deep a chain of `cause`s is followed. */
const causeDepth = 8

const codeOf = (failure: unknown): string | undefined =>
  Predicate.hasProperty(failure, "code") && typeof failure.code === "string" ? failure.code : undefined

const textOf = (failure: unknown): string =>
  Predicate.hasProperty(failure, "message") && typeof failure.message === "string" ? failure.message : ""

/**
 * Whether a failure, or one it wraps (through `cause`), says that the disk (or the user's quota) is full.
 *
 * @since 0.1.0
 */
export const isNoSpace = (failure: unknown): boolean => {
  let current = failure
  for (let depth = 0; depth < causeDepth && Predicate.isNotNullable(current); depth++) {
    const code = codeOf(current)
    if (code !== undefined && noSpaceCodes.has(code)) return true
    if (code !== undefined && code.startsWith("SQLITE_IOERR") && noSpaceText.test(textOf(current))) return true
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return false
}

/**
 * What a full disk stopped: names the file.
 *
 * @since 0.1.0
 */
export const noSpaceLeft = (path: string): string => `no space left on the device holding ${path}`

/**
 * What to do about it, when a journal keeps what was done.
 *
 * @since 0.1.0
 */
export const resumeAfterSpace = "free some space, then run the same command again to resume"

/**
 * For tests: the most pages a journal may grow to, by its path, as if its disk were that small. SQLite then fails
 * a write that needs more with `SQLITE_FULL`, as on a full disk. No limit by default.
 *
 * @since 0.1.0
 */
export class PageLimit extends Context.Reference<PageLimit>()("@effect-kustomer/journal/PageLimit", {
  defaultValue: (): (path: string) => Option.Option<number> => () => Option.none()
}) {}
