/**
 * Why a durable import stops, and how each failure of its parts becomes the one error its caller sees.
 */
import type { ImportCheckpoint, ImportSource, KustomerError } from "@effect-kustomer/client"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type { JournalError } from "../JournalError.js"
import type * as RejectsFile from "../RejectsFile.js"
import type * as RunReport from "../RunReport.js"
import type { MissingRoles } from "./roles.js"
import type * as RunState from "./runState.js"

/**
 * Why a durable import stopped: `Input` (missing file, unknown format, unreadable records, a file of records in
 * doubt), `Journal` (refused, damaged or locked journal; `cause` is the `JournalError`), `Api` (credentials,
 * roles: `cause` is the `KustomerError`, or `Preflight.MissingRoles` listing every role the key lacks), `Output` (rejects, unknown or report file not writable).
 *
 * @since 0.1.0
 */
export class DurableImportError extends Data.TaggedError("DurableImportError")<{
  readonly reason: "Input" | "Journal" | "Api" | "Output"
  readonly detail: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return this.detail
  }
}

export type Failure =
  | ImportSource.SourceError
  | ImportCheckpoint.CheckpointError
  | JournalError
  | KustomerError.KustomerError
  | RejectsFile.RejectsFileError
  | RunReport.RunReportError
  | MissingRoles
  | DurableImportError

export const toDurableError = (error: Failure): DurableImportError => {
  switch (error._tag) {
    case "DurableImportError":
      return error
    case "SourceError":
      return new DurableImportError({ reason: "Input", detail: error.message, cause: error })
    case "CheckpointError":
    case "JournalError":
      return new DurableImportError({ reason: "Journal", detail: error.message, cause: error })
    case "KustomerError":
    case "MissingRoles":
      return new DurableImportError({ reason: "Api", detail: error.message, cause: error })
    case "RejectsFileError":
    case "RunReportError":
      return new DurableImportError({ reason: "Output", detail: error.message, cause: error })
  }
}

/** The failure of a run, as the caller sees it: a journal's or a start-up failure behind a checkpoint error. */
export const failureOf =
  (state: RunState.RunState, startFailure: Ref.Ref<Option.Option<Failure>>) => (error: Failure) =>
    Effect.gen(function*() {
      if (error._tag !== "CheckpointError") return toDurableError(error)
      const started = yield* Ref.get(startFailure)
      if (Option.isSome(started)) return toDurableError(started.value)
      const journal = yield* Ref.get(state.journal)
      const journalFailure = journal === undefined ? Option.none<JournalError>() : yield* journal.failure
      return toDurableError(Option.getOrElse(journalFailure, () => error))
    })
