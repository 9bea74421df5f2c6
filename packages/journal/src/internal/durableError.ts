/**
 * How each failure of a durable import's parts becomes the one `RunError` its caller sees.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type { JournalError } from "../JournalError.js"
import * as RunError from "../RunError.js"
import type * as RunState from "./runState.js"

/** What the parts of a durable import fail with: a failure below it, or a run error found by the import itself. */
export type Failure = RunError.Cause | RunError.RunError

export const toRunError = (error: Failure): RunError.RunError =>
  error._tag === "RunError" ? error : RunError.fromCause(error)

/** The failure of a run, as the caller sees it: a journal's or a start-up failure behind a checkpoint error. */
export const failureOf =
  (state: RunState.RunState, startFailure: Ref.Ref<Option.Option<Failure>>) => (error: Failure) =>
    Effect.gen(function*() {
      if (error._tag !== "CheckpointError") return toRunError(error)
      const started = yield* Ref.get(startFailure)
      if (Option.isSome(started)) return toRunError(started.value)
      const journal = yield* Ref.get(state.journal)
      const journalFailure = journal === undefined ? Option.none<JournalError>() : yield* journal.failure
      return toRunError(Option.getOrElse(journalFailure, () => error))
    })
