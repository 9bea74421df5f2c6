/**
 * Why a migration stops, and how each failure below it becomes one: a `MigrationError` with a `reason` for the
 * person reading it and the failure itself as its typed `cause` (an API error keeps its reason, so a missing role
 * is advised on as for an import).
 */
import type { ImportCheckpoint, ImportSource, KustomerError } from "@effect-kustomer/client"
import { DiskFull, type JournalError, type Preflight, type RejectsFile } from "@effect-kustomer/journal"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as IdMap from "./idMap.js"
import * as Input from "./input.js"
import * as JournalSet from "./journalSet.js"
import * as Links from "./links.js"
import * as Rejects from "./rejects.js"

/** The failure under a `MigrationError`, when there is one. */
export type Cause =
  | ImportSource.SourceError
  | ImportCheckpoint.CheckpointError
  | JournalError.JournalError
  | IdMap.IdMapError
  | KustomerError.KustomerError
  | Preflight.MissingRoles
  | RejectsFile.RejectsFileError

/** What a phase can fail with. */
export type PhaseFailure = MigrationError | Cause

/**
 * Why a migration stopped.
 *
 * @since 0.1.0
 */
export class MigrationError extends Data.TaggedError("MigrationError")<{
  readonly reason: "Input" | "Journal" | "Api" | "Output"
  readonly detail: string
  /** The failure that stopped it, when it came from below (the API, the journal, the bundle, a file). */
  readonly cause?: Cause | undefined
}> {
  override get message(): string {
    return this.detail
  }
}

export const journalError = (error: JournalError.JournalError | IdMap.IdMapError | ImportCheckpoint.CheckpointError) =>
  new MigrationError({ reason: "Journal", detail: error.message, cause: error })

/** The rejects file failed; on a full disk, with what to do (the journals hold every outcome). */
export const outputError = (error: RejectsFile.RejectsFileError) =>
  new MigrationError({
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
      Effect.mapError((error) => new MigrationError({ reason: "Journal", detail: error.message }))
    )

/** The one `MigrationError` of a failure below the migration, keeping it as the cause. */
export const toMigrationError = (error: PhaseFailure): MigrationError => {
  switch (error._tag) {
    case "MigrationError":
      return error
    case "SourceError":
      return new MigrationError({ reason: "Input", detail: error.message, cause: error })
    case "CheckpointError":
      return error instanceof Rejects.RejectsFailed ? outputError(error.failure) : journalError(error)
    case "JournalError":
    case "IdMapError":
      return journalError(error)
    case "KustomerError":
    case "MissingRoles":
      return new MigrationError({ reason: "Api", detail: error.message, cause: error })
    case "RejectsFileError":
      return outputError(error)
  }
}

/** Opens the id map for this bundle (the head of its journal set) and collects its customers. */
export const openMap = (input: Input.BundleInput, base: string, fingerprint: string) =>
  Effect.gen(function*() {
    // The id map heads the journal set: a set that is incomplete or mixed is refused before anything is sent.
    const idMap = yield* JournalSet.open(base)
    const begun = yield* Links.beginMap(idMap, fingerprint, base)
    yield* Links.collectCustomers(idMap, Input.bundleRecords(input))
    return { idMap, ...begun }
  }).pipe(Effect.mapError(toMigrationError))
