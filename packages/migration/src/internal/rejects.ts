/**
 * The migration's rejects file: one JSON line per object not created, with its resource and bundle line. A run
 * writes its attachments' lines as they come, and its objects' lines once the phases are done
 * (`rejectsBundle.ts`: each with the bundle line that sends it again); a dry run writes its rejects as they come.
 *
 * A write that fails (a full disk) does not throw where the line was written (among the phase's events): it is
 * kept, later lines are skipped, and the phase's journal stops the run at its next write with
 * {@link RejectsFailed}. Nothing is lost: every outcome is in the journals, and a resume writes the file afresh.
 */
import { ImportCheckpoint, type ImportEvent } from "@effect-kustomer/client"
import { RejectsFile } from "@effect-kustomer/journal"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as BundleSchema from "../Bundle.js"
import type { AttachmentReject } from "./attachments.js"
import type { Phase } from "./pipeline.js"

/** The rejects file's line for an outcome: the import's entry, with the resource it belongs to. */
export const rejectLine = (phase: Phase, outcome: ImportEvent.Outcome): Option.Option<string> =>
  Option.map(RejectsFile.entryOf(outcome), (entry) => `${JSON.stringify({ resource: phase, ...entry })}\n`)

/** Writes the lines of outcomes that were not created. */
export interface RejectsWriter {
  /** Writes an outcome's line (none for a created or existing object). Never fails: see {@link failure}. */
  readonly write: (phase: Phase, outcome: ImportEvent.Outcome) => Effect.Effect<void>
  /** Writes the line of an attachment not carried (`resource: "attachments"`, its message's or note's place). */
  readonly writeAttachment: (reject: AttachmentReject) => Effect.Effect<void>
  /** Writes a line. Never fails: see {@link failure}. */
  readonly writeReject: (reject: BundleSchema.Reject) => Effect.Effect<void>
  /** The write that failed, if one did; no line is written after it. */
  readonly failure: Effect.Effect<Option.Option<RejectsFile.RejectsFileError>>
  /** Lines written. */
  readonly written: () => number
}

/**
 * What a phase's journal fails with once the rejects file failed: the pipeline stops as on a journal failure,
 * and the migration reports the rejects file's error.
 */
export class RejectsFailed extends ImportCheckpoint.CheckpointError {
  constructor(readonly failure: RejectsFile.RejectsFileError) {
    super({ reason: failure.message })
  }
}

/** Writes outcomes that are not successes to a fresh rejects file, with their resource. */
export const rejectsWriter = (
  path: string | undefined
): Effect.Effect<RejectsWriter, RejectsFile.RejectsFileError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const file = path === undefined
      ? undefined
      : yield* Effect.mapError(fs.open(path, { flag: "w" }), RejectsFile.errorAt(path))
    const failure = yield* Ref.make(Option.none<RejectsFile.RejectsFileError>())
    const encoder = new TextEncoder()
    let written = 0
    const writeLine = (open: FileSystem.File, at: string, line: string) =>
      Effect.gen(function*() {
        if (Option.isSome(yield* Ref.get(failure))) return
        yield* open.writeAll(encoder.encode(line)).pipe(
          Effect.map(() => {
            written += 1
          }),
          Effect.catchAll((error) => Ref.set(failure, Option.some(RejectsFile.errorAt(at)(error))))
        )
      })
    const writer: RejectsWriter = {
      write: (phase, outcome) =>
        file === undefined || path === undefined
          ? Effect.void
          : Option.match(rejectLine(phase, outcome), {
            onNone: () => Effect.void,
            onSome: (line) => writeLine(file, path, line)
          }),
      writeAttachment: (reject) =>
        file === undefined || path === undefined ? Effect.void : writeLine(
          file,
          path,
          `${
            BundleSchema.encodeReject({
              resource: "attachments",
              of: reject.phase,
              position: reject.position,
              outcome: "Rejected",
              reason: reject.reason,
              record: reject.attachment
            })
          }\n`
        ),
      writeReject: (reject) =>
        file === undefined || path === undefined
          ? Effect.void
          : writeLine(file, path, `${BundleSchema.encodeReject(reject)}\n`),
      failure: Ref.get(failure),
      written: () => written
    }
    return writer
  })
