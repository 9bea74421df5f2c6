/**
 * What is checked before the first request: that every output file can be written, that the input is not a file
 * of records in doubt (unless asked), that a JSON or JSON Lines input can be read to its end (its structure, in one
 * streamed pass: a broken or cut-short file is refused before anything is sent), that a CSV input without a time
 * zone has no date-time without an offset (they would be read as UTC, hours off), and that the API key has every
 * role the run needs (its token, read once;
 * where the API does not serve it, that the key may read job results). `DurableImport.run` and the migration
 * (`@effect-kustomer/migration`) both run these checks, so that a run refuses early and in the same words.
 *
 * @since 0.1.0
 */
import type { ImportSource } from "@effect-kustomer/client"
import { type KustomerClient, type KustomerError } from "@effect-kustomer/client"
import type { BulkResource } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { unwritable } from "./internal/fileChecks.js"
import * as Roles from "./internal/roles.js"
import * as StructureCheck from "./internal/structureCheck.js"
import * as RejectsFile from "./RejectsFile.js"

/**
 * A file the run writes, by its flag (`what`, e.g. `--rejects`); an absent `path` is not checked.
 *
 * @since 0.1.0
 */
export interface Output {
  readonly what: string
  readonly path: string | undefined
}

/**
 * Why the output files cannot be used, if they cannot: one message per problem (a missing or unwritable directory,
 * a path that is not a file, two outputs or an output and the input on the same path).
 *
 * @since 0.1.0
 */
export const outputProblems = (
  input: string,
  outputs: ReadonlyArray<Output>
): Effect.Effect<ReadonlyArray<string>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const problems: Array<string> = []
    const seen = new Map<string, string>([[input, "the input"]])
    for (const { path, what } of outputs) {
      if (path === undefined) continue
      const other = seen.get(path)
      if (other !== undefined) {
        problems.push(`${what} ${path} is also ${other}: give each file its own path`)
        continue
      }
      seen.set(path, what)
      Option.map(yield* unwritable(what, path), (problem) => problems.push(problem))
    }
    return problems
  })

const decodeEntry = Schema.decodeUnknownOption(Schema.parseJson(RejectsFile.Entry))

/**
 * Whether a JSON Lines file is a file of records in doubt: its first line is an entry of a rejects or unknown file,
 * and some entry is `Unknown`. Other inputs are not read past their first line.
 *
 * @since 0.1.0
 */
export const holdsRecordsInDoubt = (
  bytes: Stream.Stream<Uint8Array, unknown, FileSystem.FileSystem>,
  path: string
): Effect.Effect<boolean, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const lines = bytes.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.filter((line) => line.trim().length > 0)
    )
    const first = yield* Stream.runHead(lines)
    if (Option.isNone(Option.flatMap(first, (line) => decodeEntry(line)))) return false
    return yield* RejectsFile.read(path).pipe(
      Stream.filter((entry) => entry.outcome === "Unknown"),
      Stream.runHead,
      Effect.map(Option.isSome)
    )
  }).pipe(Effect.orElseSucceed(() => false))

/**
 * An input refused before anything was sent, because the reader would give up on it part-way (after the records
 * before the break were created): `problem` says what (`NotAnArray`, `Syntax`, `InvalidUtf8`, `CutShort`,
 * `TrailingContent`), `offset` (bytes, from 0), `line` (from 1) and, in a JSON array, `record` (its index, from 0)
 * say where, `reason` says why.
 *
 * @since 0.1.0
 */
export const BrokenInput = StructureCheck.BrokenInput
/** @since 0.1.0 */
export type BrokenInput = StructureCheck.BrokenInput

/**
 * Options of {@link checkStructure}: the input's encoding (default `utf-8`), its name for the error, and the
 * `arrayKey` a JSON input is read with (its records may then be that key's array in a top-level object).
 *
 * @since 0.1.0
 */
export type StructureOptions = StructureCheck.CheckOptions

/**
 * Checks that a JSON array or JSON Lines input can be read to its end, in one streamed pass that decodes nothing
 * (memory bounded by the nesting depth, not the size), and fails with {@link BrokenInput} when it cannot:
 *
 * - JSON array: the first syntax error, byte that is not UTF-8 (in `utf-8`), end before the array is closed, or
 *   text after it.
 * - JSON Lines: a line that is not JSON stays a reject of its record; but when the input does not end with a line
 *   break and its last line is not one whole JSON value, the input is taken as cut short and refused.
 * - CSV is not checked (its reader's fatal errors still stop the run).
 *
 * Succeeds with the records of a JSON array (counted on the way; `undefined` for the other formats).
 *
 * @since 0.1.0
 */
export const checkStructure: <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: ImportSource.Format,
  options?: StructureOptions
) => Effect.Effect<{ readonly records: number | undefined }, E | BrokenInput, R> = StructureCheck.check

/**
 * {@link checkStructure} of a file, read into one reused buffer (no garbage left for the collector); a file that
 * cannot be read fails with the client's `SourceError`.
 *
 * @since 0.1.0
 */
export const checkFileStructure: (
  path: string,
  format: ImportSource.Format,
  options?: StructureOptions
) => Effect.Effect<
  { readonly records: number | undefined },
  BrokenInput | ImportSource.SourceError,
  FileSystem.FileSystem
> = StructureCheck.checkFile

/**
 * Reads a job that does not exist, so that a key lacking `bulk.read` (or a key the API does not accept) is found
 * before a record is sent — else records would be created whose results cannot be read. Other answers (the job is
 * not found, the network is down) are left to the import itself. The read goes through the retry policy, with
 * the run's schedule when given, so that a 429 or a server error is not taken for an answer. {@link checkRoles}
 * falls back to it where the API does not serve the key's token.
 *
 * @since 0.1.0
 */
export const checkAccess: (
  client: KustomerClient.Service,
  options?: RetryOptions
) => Effect.Effect<void, KustomerError.KustomerError> = Roles.checkAccess

/**
 * The retry policy's settings for the reads of the checks (the token, the job probe): the run's schedule and its
 * most 429s in a row. Default `KustomerSchedule.retryTransient` and 50.
 *
 * @since 0.1.0
 */
export type RetryOptions = Roles.RetryOptions

/**
 * One role a run needs: any of `roles` (the permission-set and the legacy spelling) grants it; `why` says what
 * for.
 *
 * @since 0.1.0
 */
export const RoleNeed = Roles.RoleNeed
/** @since 0.1.0 */
export type RoleNeed = Roles.RoleNeed

/**
 * What the check before the first request found — whether the roles were checked, every role needed, whether the
 * `createdAt`/`createdBy` of messages and notes are kept, and warnings — as a run's result and report carry it.
 *
 * @since 0.1.0
 */
export const RoleReport = Roles.RoleReport
/** @since 0.1.0 */
export type RoleReport = Roles.RoleReport

/**
 * Messages and notes that carry `createdAt` or `createdBy`: Kustomer keeps them only for a key with `org.admin`.
 *
 * @since 0.1.0
 */
export type DatedRecords = Roles.DatedRecords

/**
 * No dated records.
 *
 * @since 0.1.0
 */
export const noDatedRecords: DatedRecords = Roles.noDatedRecords

/**
 * Whether a record sets `createdAt` or `createdBy` (for messages and notes, only kept with `org.admin`).
 *
 * @since 0.1.0
 */
export const carriesDates: (value: unknown) => boolean = Roles.carriesDates

/**
 * Whether Kustomer keeps the `createdAt`/`createdBy` of `resource`'s objects only for a key with `org.admin`
 * (messages and notes).
 *
 * @since 0.1.0
 */
export const keepsDatesOnlyForOrgAdmin: (resource: BulkResource.Any) => boolean = Roles.keepsDatesOnlyForOrgAdmin

/**
 * The role that creates `resource`'s objects.
 *
 * @since 0.1.0
 */
export const toCreate: (resource: BulkResource.Any) => RoleNeed = Roles.toCreate

/**
 * The role that reads bulk jobs: every run polls its jobs.
 *
 * @since 0.1.0
 */
export const toReadJobs: RoleNeed = Roles.toReadJobs

/**
 * The role that finds `resource`'s existing objects (by `externalId`, by e-mail, or in their conversation's
 * listing), for duplicates and for requests whose answer was lost; `undefined` when Kustomer offers no way
 * (none today: companies are found by `externalId` too).
 *
 * @since 0.1.0
 */
export const toFind: (resource: BulkResource.Any) => RoleNeed | undefined = Roles.toFind

/**
 * The roles an import of `resource` needs, besides `org.admin` for dated messages and notes: its create role, the
 * jobs' read role, and its read role when its objects can be found.
 *
 * @since 0.1.0
 */
export const importNeeds: (resource: BulkResource.Any) => ReadonlyArray<RoleNeed> = Roles.importNeeds

/**
 * The key lacks roles the run needs: nothing was sent. Its message lists each, in both spellings, with why.
 *
 * @since 0.1.0
 */
export const MissingRoles = Roles.MissingRoles
/** @since 0.1.0 */
export type MissingRoles = Roles.MissingRoles

/**
 * What a run needs checked: its roles (see {@link importNeeds}), and its dated messages and notes.
 *
 * @since 0.1.0
 */
export type RolePlan = Roles.RolePlan

/**
 * Every role a plan needs: its roles, and `org.admin` when messages or notes carry `createdAt`/`createdBy` — what
 * {@link checkRoles} checks, e.g. for a dry run to list before a key is made.
 *
 * @since 0.1.0
 */
export const neededRoles: (plan: RolePlan) => ReadonlyArray<RoleNeed> = Roles.neededRoles

/**
 * Roles as the lines of a message, one each: `  org.permission.x.create or org.user.x.write: to create x`.
 *
 * @since 0.1.0
 */
export const describeNeeds: (needs: ReadonlyArray<RoleNeed>) => string = Roles.describeNeeds

/**
 * Options of {@link checkRoles}: what is checked (`import`, `migration`, for the messages), whether to go on
 * without `org.admin` (`acceptImportDates`), and the retry policy of the token read.
 *
 * @since 0.1.0
 */
export type CheckOptions = Roles.CheckOptions

/**
 * Reads the key's token (`GET /v1/auth/tokens/current`, under the retry policy) and checks it against every role
 * the run needs, before anything is created: fails with {@link MissingRoles} listing all that are missing —
 * `org.admin` too when messages or notes carry `createdAt`/`createdBy`, unless `acceptImportDates` — or with the
 * API's error when the key is not accepted. Where the API does not serve the token (404, 403, an answer that is
 * not a token), it falls back to {@link checkAccess} and says in the report's warnings that the roles could not be
 * checked in advance.
 *
 * @since 0.1.0
 */
export const checkRoles: (
  client: KustomerClient.Service,
  plan: RolePlan,
  options: CheckOptions
) => Effect.Effect<RoleReport, KustomerError.KustomerError | MissingRoles> = Roles.checkRoles
