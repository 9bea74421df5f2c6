/**
 * The files of records that were not created: the rejects file (rejected and failed records, fit to be fixed and
 * imported again) and the unknown file (records in doubt — they may exist in Kustomer already, so they are kept
 * apart from what is meant to be imported again). A resumed run writes both afresh from the journal, which holds
 * every outcome, so that a record retried by this attempt does not keep a stale line.
 */
import type { ImportEvent } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { JournalError } from "../JournalError.js"
import * as RejectsFile from "../RejectsFile.js"
import type { Journal } from "../SqliteJournal.js"

/** Where the lines go; either may be absent. */
export interface Paths {
  readonly rejects: string | undefined
  readonly unknown: string | undefined
}

/** The open files. */
export interface OutcomeFiles {
  /** Writes the line of an outcome that was not created; created and existing ones are ignored. */
  readonly write: (outcome: ImportEvent.Outcome, rawText?: string) => Effect.Effect<void, RejectsFile.RejectsFileError>
  /** Writes what is buffered. */
  readonly flush: Effect.Effect<void, RejectsFile.RejectsFileError>
  /** Lines written by this attempt, by file. */
  readonly written: Effect.Effect<{ readonly rejects: number; readonly unknown: number }>
}

/**
 * Opens the files for the length of `scope`: the rejects file is emptied, a stale unknown file removed (it is
 * created at the first record in doubt). With a journal of a resumed run, its outcomes are written first.
 */
export const open = (
  paths: Paths,
  journal: Journal | undefined,
  scope: Scope.Scope
): Effect.Effect<OutcomeFiles, RejectsFile.RejectsFileError | JournalError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const rejects = paths.rejects === undefined
      ? undefined
      : yield* RejectsFile.open(paths.rejects, "fresh").pipe(Scope.extend(scope))
    const unknownPath = paths.unknown
    if (unknownPath !== undefined) {
      yield* fs.remove(unknownPath, { force: true }).pipe(
        Effect.mapError(RejectsFile.errorAt(unknownPath))
      )
    }
    const unknownRef = yield* Ref.make<RejectsFile.Writer | undefined>(undefined)
    const unknownWriter = (path: string) =>
      Effect.gen(function*() {
        const current = yield* Ref.get(unknownRef)
        if (current !== undefined) return current
        const writer = yield* RejectsFile.open(path, "fresh").pipe(Scope.extend(scope))
        yield* Ref.set(unknownRef, writer)
        return writer
      }).pipe(Effect.provideService(FileSystem.FileSystem, fs))

    const write = (outcome: ImportEvent.Outcome, rawText?: string) =>
      Option.match(RejectsFile.entryOf(outcome, rawText), {
        onNone: () => Effect.void,
        onSome: (entry) => {
          if (entry.outcome !== "Unknown") return rejects === undefined ? Effect.void : rejects.write([entry])
          return unknownPath === undefined
            ? Effect.void
            : Effect.flatMap(unknownWriter(unknownPath), (writer) => writer.write([entry]))
        }
      })
    const flush = Effect.gen(function*() {
      if (rejects !== undefined) yield* rejects.flush
      const unknown = yield* Ref.get(unknownRef)
      if (unknown !== undefined) yield* unknown.flush
    })
    const files: OutcomeFiles = {
      write,
      flush,
      written: Effect.gen(function*() {
        const unknown = yield* Ref.get(unknownRef)
        return {
          rejects: rejects === undefined ? 0 : yield* rejects.written,
          unknown: unknown === undefined ? 0 : yield* unknown.written
        }
      })
    }
    if (journal !== undefined && (yield* journal.status).resumed) {
      yield* Stream.runForEach(journal.rejects, (outcome) => write(outcome))
    }
    return files
  })
