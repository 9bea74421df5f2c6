/**
 * Why a durable run stopped — an import (`DurableImport.run`) or a migration (`Migration.run` in
 * `@effect-kustomer/migration`): one error, with a `reason` for the person reading it and the failure below it as
 * its typed `cause`, to be matched by `_tag`. A key lacking a role stops either run with the same cause
 * (`Preflight.MissingRoles`, or the API's `KustomerError`), so it gets the same advice however it surfaced.
 *
 * @since 0.1.0
 */
import type { ImportCheckpoint, ImportSource, KustomerError } from "@effect-kustomer/client"
import * as Data from "effect/Data"
import type { OffsetlessTimes } from "./internal/offsetlessTimes.js"
import type { MissingRoles } from "./internal/roles.js"
import type { BrokenInput } from "./internal/structureCheck.js"
import type { JournalError } from "./JournalError.js"
import type { RejectsFileError } from "./RejectsFile.js"
import type { RunReportError } from "./RunReport.js"

/**
 * What stopped a run: `Input` (missing file, unknown format, unreadable records, a broken or cut-short input found
 * before the first request, CSV times without an offset and no time zone, a file of records in doubt),
 * `Journal` (refused, damaged, locked or full journal), `Api` (credentials, roles), `Output` (a rejects, unknown or
 * report file not writable).
 *
 * @since 0.1.0
 */
export type Reason = "Input" | "Journal" | "Api" | "Output"

/**
 * The failures below a durable import, each a {@link RunError}'s possible `cause`.
 *
 * @since 0.1.0
 */
export type Cause =
  | ImportSource.SourceError
  | BrokenInput
  | OffsetlessTimes
  | ImportCheckpoint.CheckpointError
  | JournalError
  | KustomerError.KustomerError
  | MissingRoles
  | RejectsFileError
  | RunReportError

/**
 * What a run built on the journal may add to {@link Cause} (the migration adds its id map's failure): a tagged
 * failure with a message.
 *
 * @since 0.1.0
 */
export interface AnyCause {
  readonly _tag: string
  readonly message: string
}

/**
 * A durable run stopped. `detail` is its message; `cause` is the failure below it, when it came from below (the
 * API, the journal, the input, a file); a failure found by the run itself (an output file that cannot be written)
 * has none. `C` is {@link Cause} for an import, and widened by runs that can fail in more ways
 * (`Migration.Cause`).
 *
 * @since 0.1.0
 */
export class RunError<out C extends AnyCause = Cause> extends Data.TaggedError("RunError")<{
  readonly reason: Reason
  readonly detail: string
}> {
  /**
   * The failure that stopped the run, when it came from below.
   *
   * @since 0.1.0
   */
  declare readonly cause?: C | undefined

  constructor(args: { readonly reason: Reason; readonly detail: string; readonly cause?: C | undefined }) {
    super(args)
  }

  override get message(): string {
    return this.detail
  }
}

/**
 * The reason a failure below a run stops it with.
 *
 * @since 0.1.0
 */
export const reasonOf = (cause: Cause): Reason => {
  switch (cause._tag) {
    case "SourceError":
    case "BrokenInput":
    case "OffsetlessTimes":
      return "Input"
    case "CheckpointError":
    case "JournalError":
      return "Journal"
    case "KustomerError":
    case "MissingRoles":
      return "Api"
    case "RejectsFileError":
    case "RunReportError":
      return "Output"
  }
}

/**
 * The run error of a failure below the run: its reason, its message as the detail, and the failure as the cause.
 *
 * @since 0.1.0
 */
export const fromCause = <C extends Cause>(cause: C): RunError<C> =>
  new RunError({ reason: reasonOf(cause), detail: cause.message, cause })

/**
 * Whether a value is a {@link RunError}.
 *
 * @since 0.1.0
 */
export const isRunError = (value: unknown): value is RunError<AnyCause> => value instanceof RunError
