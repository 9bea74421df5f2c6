/**
 * Checks of the files an import uses, made before anything is sent: a journal path must be absent, empty or a
 * SQLite file; an output path must be a file (or nothing yet) in an existing, writable directory. And while it
 * runs: a journal must still be the file it opened (SQLite keeps writing to a deleted file, whose records would
 * be lost with it).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { incomplete, JournalError } from "../JournalError.js"

const sqliteHeader = "SQLite format 3\u0000"

/** The directory of a path, for either separator; `.` for a bare file name. */
export const directoryOf = (path: string): string => {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
  return cut < 0 ? "." : cut === 0 ? path.slice(0, 1) : path.slice(0, cut)
}

const firstBytes = (fs: FileSystem.FileSystem, path: string, count: number) =>
  Stream.runCollect(fs.stream(path, { bytesToRead: count })).pipe(
    Effect.map((chunks) => {
      const out = new Uint8Array(count)
      let offset = 0
      for (const chunk of chunks) {
        out.set(chunk.subarray(0, count - offset), offset)
        offset += Math.min(chunk.length, count - offset)
      }
      return out.subarray(0, offset)
    })
  )

/**
 * Refuses, before SQLite sees it, a journal path that is not a SQLite database at all. A missing or empty file is
 * a new journal.
 */
export const checkJournalFile = (path: string): Effect.Effect<void, JournalError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const io = (error: { readonly message: string }) =>
      new JournalError({ kind: "Io", path, detail: `cannot read ${path}: ${error.message}`, cause: error })
    if (!(yield* fs.exists(path).pipe(Effect.mapError(io)))) return
    const info = yield* fs.stat(path).pipe(Effect.mapError(io))
    if (info.type !== "File") {
      return yield* new JournalError({ kind: "NotAJournal", path, detail: `${path} is not a file` })
    }
    if (info.size === FileSystem.Size(0)) return
    const header = yield* firstBytes(fs, path, sqliteHeader.length).pipe(Effect.mapError(io))
    if (new TextDecoder("latin1").decode(header) !== sqliteHeader) {
      return yield* new JournalError({
        kind: "NotAJournal",
        path,
        detail: `${path} is not an import journal (it is not a SQLite database); choose another path`
      })
    }
  })

/**
 * Why `path` cannot be written, if it cannot: its directory is missing or not writable, or it is not a file.
 * `what` names the path in the message (e.g. `--report`).
 */
export const unwritable = (
  what: string,
  path: string
): Effect.Effect<Option.Option<string>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = directoryOf(path)
    const directoryInfo = yield* Effect.option(fs.stat(directory))
    if (Option.isNone(directoryInfo)) return Option.some(`${what} ${path}: the directory ${directory} does not exist`)
    if (directoryInfo.value.type !== "Directory") {
      return Option.some(`${what} ${path}: ${directory} is not a directory`)
    }
    const existing = yield* Effect.option(fs.stat(path))
    if (Option.isSome(existing)) {
      if (existing.value.type !== "File") return Option.some(`${what} ${path}: it exists and is not a file`)
      const writable = yield* Effect.either(fs.access(path, { writable: true }))
      return writable._tag === "Left" ? Option.some(`${what} ${path}: the file cannot be written`) : Option.none()
    }
    const writable = yield* Effect.either(fs.access(directory, { writable: true }))
    return writable._tag === "Left"
      ? Option.some(`${what} ${path}: the directory ${directory} cannot be written`)
      : Option.none()
  })

/** A file as the system knows it: the same path may later name another file. */
export interface FileIdentity {
  readonly path: string
  readonly device: number
  readonly inode: Option.Option<number>
}

const identityOf = (path: string, info: FileSystem.File.Info): FileIdentity => ({
  path,
  device: info.dev,
  inode: info.ino
})

const cannotCheck = (path: string) => (error: { readonly message: string }) =>
  new JournalError({ kind: "Io", path, detail: `cannot check ${path}: ${error.message}`, cause: error })

/** The identity of the file at `path` (which exists). */
export const identify = (path: string): Effect.Effect<FileIdentity, JournalError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(path)).pipe(
    Effect.map((info) => identityOf(path, info)),
    Effect.mapError(cannotCheck(path))
  )

/** Whether a path names a file with something in it (an empty file is as good as none to SQLite). */
export const hasContent = (path: string): Effect.Effect<boolean, JournalError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.option(fs.stat(path))).pipe(
    Effect.map((info) => Option.isSome(info) && info.value.size > FileSystem.Size(0))
  )

/**
 * Refuses to go on when the file opened as `identity` was deleted, or its path now names another file. `run`
 * names what stops ("import", "migration").
 */
export const checkSameFile = (
  identity: FileIdentity,
  run: string
): Effect.Effect<void, JournalError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { path } = identity
    const info = yield* fs.stat(path).pipe(
      Effect.map(Option.some),
      Effect.catchIf(
        (error) => error._tag === "SystemError" && error.reason === "NotFound",
        () => Effect.succeed(Option.none())
      ),
      Effect.mapError(cannotCheck(path))
    )
    const now = Option.map(info, (found) => identityOf(path, found))
    const same = Option.isSome(now) && now.value.device === identity.device &&
      Option.getEquivalence((a: number, b: number) => a === b)(now.value.inode, identity.inode)
    if (same) return
    return yield* incomplete(
      path,
      `${path} was deleted or replaced while the ${run} ran, so what it records would be lost: the ${run} ` +
        "stopped. Start again with a new --journal path"
    )
  })
