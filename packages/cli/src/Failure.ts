/**
 * Fatal failures and the messages that tell the user what to do about them. Pure.
 *
 * Exit codes: `0` every record created or already existing, `2` some rejected, failed or unknown, `1` fatal
 * (credentials, roles, configuration, unreadable input, a journal that refuses).
 *
 * @since 0.1.0
 */
import { ImportCheckpoint, ImportSource, KustomerError } from "@effect-kustomer/client"
import { BulkResource, Token } from "@effect-kustomer/domain"
import { DurableImport, JournalError, Preflight, RejectsFile } from "@effect-kustomer/journal"
import { Migration } from "@effect-kustomer/migration"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"

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

/** What an import's output failure calls for: room on the disk, or a directory that exists. */
const describeImportOutput = (detail: string, cause: unknown): string =>
  cause instanceof RejectsFile.RejectsFileError && cause.noSpace === true
    ? `${detail}.\nFree some space, then run the same command again: with --journal it resumes where it stopped.`
    : `${detail}.\nCheck that the directories of --journal, --rejects, --unknown and --report exist and can be ` +
      "written; nothing was sent."

/**
 * A run that stopped (an import or a migration): described from the failure under it when that is the API's, so
 * that a missing role gets the same advice however it surfaced; else by what stopped it.
 */
const describeRun = (
  error: { readonly reason: "Input" | "Journal" | "Api" | "Output"; readonly detail: string; readonly cause?: unknown },
  describeOutput: (detail: string, cause: unknown) => string
): string => {
  const cause = error.cause
  if (cause instanceof KustomerError.KustomerError) return describeKustomer(cause)
  switch (error.reason) {
    case "Input":
      return describeInput(error.detail)
    case "Journal":
      return describeJournal(error.detail, JournalError.isJournalError(cause) ? cause.kind : undefined)
    case "Output":
      return describeOutput(error.detail, cause)
    case "Api":
      return error.detail
  }
}

const hasMessage = (error: unknown): error is { readonly message: string } =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"

/**
 * The message for a fatal failure: what went wrong and what to do. Never contains the API key: no error of the
 * client carries it.
 *
 * @since 0.1.0
 */
export const describe = (error: unknown): string => {
  if (ConfigError.isConfigError(error)) return describeConfig(error)
  if (error instanceof KustomerError.KustomerError) return describeKustomer(error)
  if (error instanceof ImportSource.SourceError) return describeInput(error.message)
  if (error instanceof JournalError.JournalError) return describeJournal(error.message, error.kind)
  if (error instanceof ImportCheckpoint.CheckpointError) return describeJournal(error.message, undefined)
  if (error instanceof DurableImport.DurableImportError) return describeRun(error, describeImportOutput)
  if (error instanceof Migration.MigrationError) return describeRun(error, (detail) => `${detail}.`)
  if (error instanceof CliError) return error.message
  if (hasMessage(error) && error.message.length > 0) return error.message
  return String(error)
}

/**
 * What to say when a run is interrupted (Ctrl+C): how to resume it, or that it cannot be resumed without a
 * journal. `things` names what it sends ("records", "objects").
 *
 * @since 0.1.0
 */
export const interruptedHint = (journal: string | undefined, things: string): string =>
  journal === undefined
    ? `Interrupted. ${things.charAt(0).toUpperCase()}${
      things.slice(1)
    } already sent stay created; with --journal a run can be resumed.`
    : `Interrupted. Run the same command again to resume from ${journal}.`
