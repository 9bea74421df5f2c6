/**
 * Fatal failures and the messages that tell the user what to do about them. Pure.
 *
 * Exit codes: `0` every record created or already existing, `2` some rejected, failed or unknown, `1` fatal
 * (credentials, roles, configuration, unreadable input, a journal that refuses).
 *
 * @since 0.1.0
 */
import type { ImportCheckpoint, ImportSource, KustomerError } from "@effect-kustomer/client"
import { BulkResource, Token } from "@effect-kustomer/domain"
import { type JournalError, type OffsetlessTimes, Preflight, type RunError } from "@effect-kustomer/journal"
import type { Migration } from "@effect-kustomer/migration"
import type { PlatformError } from "@effect/platform/Error"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

/** Exit code: every record created or already existing. @since 0.1.0 */
export const exitOk = 0
/** Exit code: fatal — nothing more could be done. @since 0.1.0 */
export const exitFatal = 1
/** Exit code: the run finished, but some records were rejected, failed or are unknown. @since 0.1.0 */
export const exitIncomplete = 2
/** Exit code after Ctrl+C (128 + SIGINT), as shells report it. @since 0.1.0 */
export const exitInterrupted = 130

/**
 * A mistake in how the command was called (a bad flag value, a mapping that cannot be read).
 *
 * @since 0.1.0
 */
export class CliError extends Data.TaggedError("CliError")<{ readonly message: string }> {}

/**
 * An import or a migration that stopped: the journal's `RunError`, whose `cause` (the API's error, a missing role,
 * the input's, a journal's, a file's) says what to do.
 *
 * @since 0.1.0
 */
export type RunFailure = RunError.RunError<Migration.Cause>

/**
 * Everything a command's action can fail with: a mistake in how it was called (`CliError`), the configuration
 * (`ConfigError`, e.g. no `KUSTOMER_API_KEY`), the API (`KustomerError`), an input, a journal, a run that stopped
 * ({@link RunFailure}), the file system (`PlatformError`), or the demo's server (`ServeError`). {@link describe}
 * says what to do about each.
 *
 * @since 0.1.0
 */
export type CommandFailure =
  | CliError
  | ConfigError.ConfigError
  | KustomerError.KustomerError
  | ImportSource.SourceError
  | ImportCheckpoint.CheckpointError
  | JournalError.JournalError
  | RunFailure
  | PlatformError
  | ServeError

/** The roles an import of conversations needs, each in both spellings. @since 0.1.0 */
export const importRoles: ReadonlyArray<string> = Preflight.importNeeds(BulkResource.Conversations).map((need) =>
  need.roles.join(" or ")
)

const missingApiKey = [
  "KUSTOMER_API_KEY is not set.",
  "Create an API key in Kustomer (Settings › Security › API Keys) with the roles the command needs. For `import`",
  "of conversations:",
  ...importRoles.map((role) => `  ${role}`),
  "For another --resource, its own create and read roles instead; for `migrate`, those of customers, conversations,",
  `messages and notes, user.read when the bundle names people, and ${Token.orgAdminRole} to keep the createdAt and`,
  "createdBy of messages and notes (the README's \"Roles an API key needs\" lists them all).",
  "Then export it: export KUSTOMER_API_KEY=<the key>. The key is read from the environment only, never from a flag."
].join("\n")

interface ConfigProblem {
  readonly path: ReadonlyArray<string>
  readonly message: string
  readonly missing: boolean
}

const configProblems = (error: ConfigError.ConfigError): ReadonlyArray<ConfigProblem> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configProblems(error.left), ...configProblems(error.right)]
    case "MissingData":
      return [{ path: error.path, message: error.message, missing: true }]
    case "InvalidData":
    case "SourceUnavailable":
    case "Unsupported":
      return [{ path: error.path, message: error.message, missing: false }]
  }
}

const describeConfig = (error: ConfigError.ConfigError): string => {
  const problems = configProblems(error)
  if (problems.some((problem) => problem.missing && problem.path.includes("KUSTOMER_API_KEY"))) return missingApiKey
  const lines = problems.map((problem) =>
    problem.path.length === 0 ? problem.message : `${problem.path.join(".")}: ${problem.message}`
  )
  return `Configuration problem: ${[...new Set(lines)].join("; ")}`
}

const describeKustomer = (error: KustomerError.KustomerError): string => {
  const reason = error.reason
  switch (reason._tag) {
    case "Unauthorized":
      return `${reason.message}.\nThe key is read from KUSTOMER_API_KEY; its region must match the base URL ` +
        "(--base-url, --region or --org; KUSTOMER_BASE_URL, KUSTOMER_REGION or KUSTOMER_ORG)."
    case "Forbidden":
      return `${reason.message}.\nRoles cannot be added to an existing key: create a new one in Settings › Security › ` +
        "API Keys with every role the command needs (the README's \"Roles an API key needs\" lists them)."
    case "Transport":
      return reason.delivery === "not-sent"
        ? `${reason.message}.\nCheck the base URL (--base-url, --region, --org or KUSTOMER_BASE_URL) and the network.`
        : `${reason.message}.`
    case "NotFound":
      return `${reason.message}.\nCheck the id, and that the key and base URL belong to the org (and region) where it was created.`
    case "CredentialsUnavailable":
      return `${reason.message}. Check KUSTOMER_API_KEY.`
    case "Unresponsive":
      return `${reason.message}.\nCheck the base URL and Kustomer's status page; run the same command again (with ` +
        "the same --journal) once the API answers: what was in flight is checked, not sent twice."
    default:
      return error.message
  }
}

const describeInput = (detail: string) =>
  `${detail}.\nCheck the path, and --format (jsonl, json or csv) when the extension does not say it.`

/** What to do about a journal that refused: only a journal of another run calls for another `--journal`. */
const describeJournal = (detail: string, kind: JournalError.Kind | undefined) => {
  switch (kind) {
    case "Mismatch":
      return `${detail}.\nA journal belongs to one input and one set of options: pass another --journal path for a ` +
        "different import (or the same input and options to resume this one)."
    case "Io":
      return `${detail}.\nCheck that the directory of --journal exists and can be written, and that the disk has room.`
    default:
      return `${detail}.`
  }
}

/** An output file the run found it cannot write, before it sent anything. */
const describeUnwritable = (detail: string) =>
  `${detail}.\nCheck that the directory of each output file exists and can be written; nothing was sent.`

/** An output file that failed while the run wrote it: room on the disk, or a directory that exists. */
const describeOutput = (detail: string, noSpace: boolean) =>
  noSpace
    ? `${detail}.\nFree some space, then run the same command again: with --journal it resumes where it stopped.`
    : `${detail}.\nCheck that the directory of each output file exists and can be written; with --journal, the ` +
      "same command resumes where it stopped."

/**
 * CSV times without an offset and no `--timezone`: how many, the first, and the flag that reads them right.
 *
 * @since 0.1.0
 */
export const describeOffsetlessTimes = (cause: OffsetlessTimes.OffsetlessTimes): string =>
  `${cause.found}: give the export's zone with --timezone Area/City (e.g. --timezone Europe/Paris), or ` +
  "--timezone UTC if they are UTC. Nothing was sent."

/** A run stopped by what it found itself (no failure below it): by its reason. */
const describeReason = (error: RunFailure): string => {
  switch (error.reason) {
    case "Input":
      return describeInput(error.detail)
    case "Journal":
      return describeJournal(error.detail, undefined)
    case "Output":
      return describeUnwritable(error.detail)
    case "Api":
      return error.detail
  }
}

/**
 * A run that stopped (an import or a migration), described from the failure under it, so that a refused key or a
 * missing role gets the same advice however it surfaced; else by its reason.
 */
const describeRun = (error: RunFailure): string => {
  const cause = error.cause
  if (cause === undefined) return describeReason(error)
  switch (cause._tag) {
    case "KustomerError":
      return describeKustomer(cause)
    case "MissingRoles":
      // Its message lists every role the key lacks, and how to get a key that has them.
      return cause.message
    case "SourceError":
      return describeInput(error.detail)
    case "BrokenInput":
      // Its message says where the input breaks and that nothing was sent.
      return `${error.detail}.`
    case "OffsetlessTimes":
      return describeOffsetlessTimes(cause)
    case "JournalError":
      return describeJournal(error.detail, cause.kind)
    case "CheckpointError":
    case "IdMapError":
    case "BadArgument":
    case "SystemError":
      return describeJournal(error.detail, undefined)
    case "RejectsFileError":
      // The advice is the command line's: the detail of a migration's full disk may carry the library's.
      return describeOutput(cause.noSpace === true ? cause.message : error.detail, cause.noSpace === true)
    case "RunReportError":
      return describeOutput(error.detail, false)
  }
}

/** Why the demo's simulator could not serve. */
const describeServe = (error: ServeError): string =>
  `the simulator could not start: ${
    Predicate.hasProperty(error.cause, "message") && typeof error.cause.message === "string"
      ? error.cause.message
      : String(error.cause)
  }`

/**
 * The message for a fatal failure, by its `_tag`: what went wrong and what to do. Never contains the API key: no
 * error of the client carries it.
 *
 * @since 0.1.0
 */
export const describe = (error: CommandFailure): string => {
  if (ConfigError.isConfigError(error)) return describeConfig(error)
  switch (error._tag) {
    case "KustomerError":
      return describeKustomer(error)
    case "SourceError":
      return describeInput(error.message)
    case "JournalError":
      return describeJournal(error.message, error.kind)
    case "CheckpointError":
      return describeJournal(error.message, undefined)
    case "RunError":
      return describeRun(error)
    case "ServeError":
      return describeServe(error)
    case "CliError":
    case "BadArgument":
    case "SystemError":
      return error.message
  }
}

/**
 * What to say when a run is interrupted (Ctrl+C): how to resume it, or that it cannot be resumed without a
 * journal. `things` names what it sends ("records", "objects"); `resumable: false` for the demo, whose simulator
 * (and what it held) ends with it.
 *
 * @since 0.1.0
 */
export const interruptedHint = (journal: string | undefined, things: string, resumable = true): string =>
  !resumable
    ? "Interrupted. The demo's simulator ended with it: a new demo starts over."
    : journal === undefined
    ? `Interrupted. ${things.charAt(0).toUpperCase()}${
      things.slice(1)
    } already sent stay created; with --journal a run can be resumed.`
    : `Interrupted. Run the same command again to resume from ${journal}.`
