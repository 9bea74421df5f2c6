/**
 * Checks of the files an import uses, made before anything is sent: a journal path must be absent, empty or a
 * SQLite file; an output path must be a file (or nothing yet) in an existing, writable directory.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { JournalError } from "../JournalError.js"

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
