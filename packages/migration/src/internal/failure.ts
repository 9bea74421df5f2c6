/**
 * Why a migration stops, and how each failure below it becomes one: the journal's `RunError`, with a `reason` for
 * the person reading it and the failure itself as its typed `cause` (an API error keeps its reason, so a missing
 * role is advised on as for an import).
 */
import type { ImportCheckpoint } from "@effect-kustomer/client"
import { DiskFull, type JournalError, type RejectsFile, RunError } from "@effect-kustomer/journal"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as BundlePass from "./bundlePass.js"
import type * as IdMap from "./idMap.js"
import * as Input from "./input.js"
import * as JournalSet from "./journalSet.js"
import * as Links from "./links.js"
import * as Rejects from "./rejects.js"

/**
 * The failure under a migration's `RunError`, when there is one: the journal's causes, the id map's failure, and
 * the file system's when no directory can be made for a journal set without `journal`.
 */
export type Cause = RunError.Cause | IdMap.IdMapError | PlatformError

/** Why a migration stopped. */
export type MigrationError = RunError.RunError<Cause>

/** What a phase can fail with. */
export type PhaseFailure = MigrationError | Cause

export const journalError = (
  error: JournalError.JournalError | IdMap.IdMapError | ImportCheckpoint.CheckpointError
): MigrationError => new RunError.RunError({ reason: "Journal", detail: error.message, cause: error })

/** The rejects file failed; on a full disk, with what to do (the journals hold every outcome). */
export const outputError = (error: RejectsFile.RejectsFileError): MigrationError =>
  new RunError.RunError({
    reason: "Output",
    detail: error.noSpace === true ? `${error.message}: ${DiskFull.resumeAfterSpace}` : error.message,
    cause: error
  })

/** Where the id map and the phase journals live: the journal's path, or a temporary directory. */
export const journalBase = (
  options: Pick<Input.BundleInput, "bundle"> & { readonly journal?: string | undefined }
): Effect.Effect<string, MigrationError, FileSystem.FileSystem | Scope.Scope> =>
  options.journal !== undefined
    ? Effect.succeed(options.journal)
    : Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "kustomer-migrate-" })).pipe(
      Effect.map((dir) => `${dir}/migration.journal`),
      Effect.mapError((error): MigrationError =>
        new RunError.RunError({ reason: "Journal", detail: error.message, cause: error })
      )
    )

/** The one `RunError` of a failure below the migration, keeping it as the cause. */
export const toMigrationError = (error: PhaseFailure): MigrationError => {
  switch (error._tag) {
    case "RunError":
      return error
    case "CheckpointError":
      return error instanceof Rejects.RejectsFailed ? outputError(error.failure) : journalError(error)
    case "IdMapError":
      return journalError(error)
    case "RejectsFileError":
      return outputError(error)
    case "BadArgument":
    case "SystemError":
      return new RunError.RunError({ reason: "Journal", detail: error.message, cause: error })
    default:
      return RunError.fromCause(error)
  }
}

/**
 * Opens the id map for this bundle (the head of its journal set) and, unless the caller collects them in its own
 * pass over the bundle (`collectParties: false`), collects its customers and companies.
 */
export const openMap = (
  input: Input.BundleInput,
  base: string,
  fingerprint: string,
  options: { readonly collectParties: boolean } = { collectParties: true }
) =>
  Effect.gen(function*() {
    // The id map heads the journal set: a set that is incomplete or mixed is refused before anything is sent.
    const idMap = yield* JournalSet.open(base)
    const begun = yield* Links.beginMap(idMap, fingerprint, base)
    if (options.collectParties) {
      const parties = Option.toArray(yield* Links.partiesCollector(idMap))
      yield* BundlePass.collectInOnePass(Input.bundleRecords(input), parties)
    }
    return { idMap, ...begun }
  }).pipe(Effect.mapError(toMigrationError))
