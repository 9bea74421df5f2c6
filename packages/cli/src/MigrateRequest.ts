/**
 * The flags of `migrate`, checked: what {@link MigrateRunner} needs, or a {@link CliError} that says which flag
 * is wrong and why.
 *
 * @since 0.1.0
 */
import { BulkResource } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { CliError } from "./Failure.js"
import * as ImportRequest from "./ImportRequest.js"

/** What `migrate` shares with `import`, as parsed and as checked. */
type SharedField =
  | "mapping"
  | "delimiter"
  | "timeZone"
  | "encoding"
  | "concurrency"
  | "maxJobsInFlight"
  | "maxItems"
  | "maxBytes"
  | "dryRun"
  | "journal"
  | "report"
  | "html"
  | "rejects"
  | "results"
  | "json"
  | "acceptImportDates"

/**
 * The flags as parsed.
 *
 * @since 0.1.0
 */
export interface Flags extends Pick<ImportRequest.Flags, SharedField | "baseUrl" | "region" | "org" | "rateLimit"> {
  readonly bundle: string
  readonly format: Option.Option<"jsonl" | "csv">
  readonly usersMap: Option.Option<string>
  readonly limit: Option.Option<number>
  readonly skip: Option.Option<number>
  readonly skipAttachments: boolean
  readonly sequentialPhases: boolean
  readonly overlapPhases: boolean
  readonly attachmentIdleTimeout: Option.Option<number>
  readonly delta: boolean
}

/**
 * A checked `migrate` command.
 *
 * @since 0.1.0
 */
export interface MigrateRequest extends Pick<ImportRequest.ImportRequest, SharedField | "connection"> {
  readonly bundle: string
  readonly format: "jsonl" | "csv"
  /** `--users-map FILE`: the source's agents → Kustomer user ids. */
  readonly usersMap: string | undefined
  /** `--limit N` (and `--skip N`): a trial of N conversations. */
  readonly lines: { readonly skip: number; readonly limit: number } | undefined
  /** `--skip-attachments`: the source's attachments left out, knowingly. */
  readonly skipAttachments: boolean
  /** `--sequential-phases`: each phase runs to its end before the next (by default they run together). */
  readonly sequentialPhases: boolean
  /** `--attachment-idle-timeout SECONDS`: how long a download or upload of a file may go without a byte. */
  readonly attachmentIdleTimeout: Duration.Duration | undefined
  /** `--delta`: the bundle is a newer export of the source the journal migrated. */
  readonly delta: boolean
}

/** The longest `--attachment-idle-timeout`: an hour. */
const maxAttachmentIdleSeconds = 3600

/** `--limit N` and `--skip N`: a trial's window of conversations. */
const linesOf = (flags: Pick<Flags, "limit" | "skip">) =>
  Either.gen(function*() {
    const limit = yield* ImportRequest.inRange("--limit", flags.limit, 1, Number.MAX_SAFE_INTEGER)
    const skip = yield* ImportRequest.inRange("--skip", flags.skip, 0, Number.MAX_SAFE_INTEGER)
    if (limit !== undefined) return { skip: skip ?? 0, limit }
    if (skip === undefined) return undefined
    return yield* Either.left(
      new CliError({ message: "--skip goes with --limit: --skip 100 --limit 10 migrates conversations 101–110" })
    )
  })

/**
 * Checks the flags of `migrate`.
 *
 * @since 0.1.0
 */
export const fromFlags = (flags: Flags): Either.Either<MigrateRequest, CliError> =>
  Either.gen(function*() {
    const maxItems = yield* ImportRequest.inRange("--max-items", flags.maxItems, 1, BulkResource.maxItemsPerRequest)
    const maxBytes = yield* ImportRequest.inRange(
      "--max-bytes",
      flags.maxBytes,
      ImportRequest.minMaxBytes,
      BulkResource.maxBodyBytes
    )
    const concurrency = yield* ImportRequest.inRange(
      "--concurrency",
      flags.concurrency,
      1,
      ImportRequest.maxConcurrency
    )
    const maxJobsInFlight = yield* ImportRequest.inRange(
      "--max-jobs-in-flight",
      flags.maxJobsInFlight,
      1,
      ImportRequest.maxJobsInFlightLimit
    )
    const rateLimit = yield* ImportRequest.rateLimitOf(flags.rateLimit)
    const format = Option.getOrElse(flags.format, () => (flags.bundle.toLowerCase().endsWith(".csv") ? "csv" : "jsonl"))
    if (format !== "csv" && (flags.mapping.length > 0 || Option.isSome(flags.delimiter))) {
      return yield* Either.left(new CliError({ message: "--mapping and --delimiter apply to a CSV bundle only" }))
    }
    const timeZone = yield* ImportRequest.timeZoneOf(flags.timeZone, format)
    if (
      flags.dryRun &&
      (Option.isSome(flags.journal) || Option.isSome(flags.report) || Option.isSome(flags.html) ||
        Option.isSome(flags.results))
    ) {
      return yield* Either.left(
        new CliError({
          message: "--dry-run sends nothing and keeps no journal, report or results; drop --journal, --report, " +
            "--html and --results"
        })
      )
    }
    const lines = yield* linesOf(flags)
    const idleSeconds = yield* ImportRequest.inRange(
      "--attachment-idle-timeout",
      flags.attachmentIdleTimeout,
      1,
      maxAttachmentIdleSeconds
    )
    if (lines !== undefined && Option.isNone(flags.journal) && !flags.dryRun) {
      return yield* Either.left(
        new CliError({
          message: "--limit needs --journal FILE: the full run continues the trial's journal, sending nothing twice"
        })
      )
    }
    if (flags.sequentialPhases && flags.overlapPhases) {
      return yield* Either.left(
        new CliError({ message: "--sequential-phases and --overlap-phases contradict each other: give one" })
      )
    }
    if (flags.delta && (Option.isNone(flags.journal) || lines !== undefined || flags.dryRun)) {
      return yield* Either.left(
        new CliError({
          message: "--delta needs --journal FILE (the journal of the migration it continues), and goes without " +
            "--limit, --skip and --dry-run: a delta migrates the whole newer export"
        })
      )
    }
    return {
      lines,
      delta: flags.delta,
      skipAttachments: flags.skipAttachments,
      sequentialPhases: flags.sequentialPhases,
      attachmentIdleTimeout: idleSeconds === undefined ? undefined : Duration.seconds(idleSeconds),
      bundle: flags.bundle,
      format,
      mapping: flags.mapping,
      delimiter: Option.getOrUndefined(flags.delimiter),
      timeZone,
      encoding: Option.getOrUndefined(flags.encoding),
      connection: ImportRequest.connectionOf(flags, rateLimit),
      maxItems,
      maxBytes,
      concurrency,
      maxJobsInFlight,
      dryRun: flags.dryRun,
      journal: Option.getOrUndefined(flags.journal),
      report: Option.getOrUndefined(flags.report),
      html: Option.getOrUndefined(flags.html),
      rejects: Option.getOrUndefined(flags.rejects),
      results: Option.getOrUndefined(flags.results),
      json: flags.json,
      acceptImportDates: flags.acceptImportDates,
      usersMap: Option.getOrUndefined(flags.usersMap)
    }
  })
