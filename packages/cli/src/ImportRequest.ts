/**
 * What `kustomer-bulk import` was asked to do, checked: the flags as parsed by `@effect/cli`, turned into a
 * request or into a message that says which flag is wrong. Pure.
 *
 * @since 0.1.0
 */
import { CsvMapping, ImportSource, type KustomerConfig } from "@effect-kustomer/client"
import { BulkResource, RateBudget } from "@effect-kustomer/domain"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Connection from "./Connection.js"
import { CliError } from "./Failure.js"

/** The input argument that means standard input. @since 0.1.0 */
export const stdin = "-"

/**
 * What `-` becomes before `@effect/cli` parses the arguments: it would take a lone `-` as the end of the options
 * and refuse every flag after it (`import - --format csv`).
 *
 * @since 0.1.0
 */
export const stdinPlaceholder = "<stdin>"

/** The smallest `--max-bytes` accepted: below this, ordinary records no longer fit. @since 0.1.0 */
export const minMaxBytes = 1_000

/** The most bulk requests in flight `--concurrency` allows. @since 0.1.0 */
export const maxConcurrency = 32

/** The most `--max-jobs-in-flight` allows (each job in flight holds up to 100 records in memory). @since 0.1.0 */
export const maxJobsInFlightLimit = 10_000

/**
 * `--unknown-fields`: `reject` records with fields the schema does not know (default), `keep` them and send them
 * as given, or `drop` those fields.
 *
 * @since 0.1.0
 */
export type UnknownFields = "reject" | "keep" | "drop"

/** The values `--unknown-fields` accepts. @since 0.1.0 */
export const unknownFieldsChoices: ReadonlyArray<UnknownFields> = ["reject", "keep", "drop"]

/**
 * The flags of `import`, as `@effect/cli` parses them.
 *
 * @since 0.1.0
 */
export interface Flags {
  readonly input: string
  /** `--resource`: what the records are (a name of `BulkResource.all`); conversations when not given. */
  readonly resource: Option.Option<string>
  readonly format: Option.Option<ImportSource.Format>
  readonly mapping: ReadonlyArray<string>
  readonly delimiter: Option.Option<string>
  /** `--timezone`: the IANA zone of the CSV export's date-times without an offset. */
  readonly timeZone: Option.Option<string>
  readonly encoding: Option.Option<ImportSource.Encoding>
  readonly unknownFields: Option.Option<UnknownFields>
  readonly baseUrl: Option.Option<string>
  readonly region: Option.Option<KustomerConfig.Region>
  readonly org: Option.Option<string>
  readonly rateLimit: Option.Option<string>
  readonly concurrency: Option.Option<number>
  readonly maxJobsInFlight: Option.Option<number>
  readonly maxItems: Option.Option<number>
  readonly maxBytes: Option.Option<number>
  readonly dryRun: boolean
  readonly journal: Option.Option<string>
  readonly report: Option.Option<string>
  readonly html: Option.Option<string>
  readonly rejects: Option.Option<string>
  readonly unknown: Option.Option<string>
  readonly allowUnknown: boolean
  readonly results: Option.Option<string>
  readonly skip: Option.Option<number>
  readonly limit: Option.Option<number>
  readonly json: boolean
  readonly assignExternalIds: boolean
  /** `--resolve-existing`: look up the Kustomer id of records that already exist (one request each). */
  readonly resolveExisting: boolean
  /** `--accept-import-dates`: go on without `org.admin`, messages' and notes' dates replaced by the import's. */
  readonly acceptImportDates: boolean
}

/**
 * A checked import request.
 *
 * @since 0.1.0
 */
export interface ImportRequest {
  /** A file path, or `-` for standard input. */
  readonly input: string
  /** What the records are. */
  readonly resource: BulkResource.Any
  readonly format: ImportSource.Format
  /** The `--mapping` values, in order (pairs and file paths; see `Mapping.resolve`). */
  readonly mapping: ReadonlyArray<string>
  readonly delimiter: string | undefined
  /**
   * The IANA zone (checked) in which the CSV export wrote its date-times without an offset; without it an input
   * that has any is refused before the first request.
   */
  readonly timeZone: string | undefined
  /** The input's text encoding (`utf-8` when not given). */
  readonly encoding: ImportSource.Encoding | undefined
  /** What to do with fields the schema does not know, at any depth (`reject` when not given). */
  readonly unknownFields: UnknownFields | undefined
  readonly connection: Connection.Connection
  readonly maxItems: number | undefined
  readonly maxBytes: number | undefined
  readonly concurrency: number | undefined
  /** `--max-jobs-in-flight`: the most jobs between submission and results (the window adapts below it). */
  readonly maxJobsInFlight: number | undefined
  readonly dryRun: boolean
  readonly journal: string | undefined
  readonly report: string | undefined
  /** `--html FILE`: the run report as an HTML page. */
  readonly html: string | undefined
  readonly rejects: string | undefined
  /** The file of records in doubt (default: next to the rejects file). */
  readonly unknown: string | undefined
  /** Accept a file of records in doubt as input. */
  readonly allowUnknown: boolean
  /** The results file: one JSON line per record (see `ResultsFile`). */
  readonly results: string | undefined
  /** `--skip N`: records at the start of the input to pass over (trial runs). */
  readonly skip: number | undefined
  /** `--limit N`: the most records to import after them (trial runs). */
  readonly limit: number | undefined
  /** `--json`: the summary as one JSON document on standard output; human lines on standard error. */
  readonly json: boolean
  readonly assignExternalIds: boolean
  readonly resolveExisting: boolean
  /** Go on without `org.admin` when messages or notes carry `createdAt`/`createdBy` (they are then replaced). */
  readonly acceptImportDates: boolean
}

const fail = (message: string) => Either.left(new CliError({ message }))

/**
 * A whole-number flag checked against its range.
 *
 * @since 0.1.0
 */
export const inRange = (flag: string, value: Option.Option<number>, min: number, max: number) =>
  Option.match(value, {
    onNone: () => Either.right(undefined),
    onSome: (number) =>
      Number.isInteger(number) && number >= min && number <= max
        ? Either.right(number)
        : fail(`${flag} must be a whole number from ${min} to ${max}, got ${number}`)
  })

/**
 * Where the requests go: the connection flags, with the checked `--rate-limit`.
 *
 * @since 0.1.0
 */
export const connectionOf = (
  flags: Pick<Flags, "baseUrl" | "org" | "region">,
  rateLimit: RateBudget.RateBudget | undefined
): Connection.Connection => ({
  baseUrl: Option.getOrUndefined(flags.baseUrl),
  org: Option.getOrUndefined(flags.org),
  region: Option.getOrUndefined(flags.region),
  rateLimit
})

/**
 * `--rate-limit`, checked.
 *
 * @since 0.1.0
 */
export const rateLimitOf = (flag: Option.Option<string>) =>
  Option.match(flag, {
    onNone: () => Either.right(undefined),
    onSome: (text) =>
      Either.mapLeft(RateBudget.parse(text), (message) => new CliError({ message: `--rate-limit: ${message}` }))
  })

const restoreStdin = (value: string) => (value === stdinPlaceholder ? stdin : value)

/** The names `--resource` takes, from the registry: "companies, customers, conversations, messages or notes". */
export const resourceChoices = (): string => {
  const names = BulkResource.all.map((resource) => resource.name)
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1] ?? ""}`
}

/**
 * `--resource`, checked against the registry; conversations when not given.
 *
 * @since 0.1.0
 */
export const resourceOf = (flag: Option.Option<string>): Either.Either<BulkResource.Any, CliError> =>
  Option.match(flag, {
    onNone: () => Either.right(BulkResource.Conversations),
    onSome: (name) =>
      Option.match(BulkResource.byName(name.trim().toLowerCase()), {
        onNone: () => fail(`--resource ${name} is not a resource Kustomer bulk-creates: use ${resourceChoices()}`),
        onSome: (resource) => Either.right(resource)
      })
  })

/**
 * `--timezone`, checked: CSV input only, and an IANA zone that exists (its canonical name, `Europe/Paris`).
 *
 * @since 0.1.0
 */
export const timeZoneOf = (
  flag: Option.Option<string>,
  format: ImportSource.Format
): Either.Either<string | undefined, CliError> =>
  Option.match(flag, {
    onNone: () => Either.right(undefined),
    onSome: (name) =>
      format !== "csv"
        ? fail("--timezone applies to CSV input only (JSON times carry their own offset or are refused)")
        : Either.match(CsvMapping.timeZoneOf(name), {
          onLeft: (reason) => fail(`--timezone: ${reason}`),
          onRight: (zone) => Either.right(DateTime.zoneToString(zone))
        })
  })

/**
 * Checks the flags of `import`.
 *
 * @since 0.1.0
 */
export const fromFlags = (flags: Flags): Either.Either<ImportRequest, CliError> =>
  Either.gen(function*() {
    const input = restoreStdin(flags.input)
    const resource = yield* resourceOf(flags.resource)
    const delimiter = Option.getOrUndefined(Option.map(flags.delimiter, restoreStdin))
    const format = Option.getOrUndefined(
      Option.orElse(flags.format, () => input === stdin ? Option.none() : ImportSource.formatOf(input))
    )
    if (format === undefined) {
      return yield* fail(
        input === stdin
          ? "--format is required when reading standard input (jsonl, json or csv)"
          : `cannot tell the format of ${input} from its extension: pass --format jsonl, json or csv`
      )
    }
    if (format !== "csv" && flags.mapping.length > 0) return yield* fail("--mapping applies to CSV input only")
    if (format !== "csv" && delimiter !== undefined) return yield* fail("--delimiter applies to CSV input only")
    if (delimiter !== undefined && delimiter.length === 0) return yield* fail("--delimiter must not be empty")
    const timeZone = yield* timeZoneOf(flags.timeZone, format)
    const maxItems = yield* inRange("--max-items", flags.maxItems, 1, BulkResource.maxItemsPerRequest)
    const maxBytes = yield* inRange("--max-bytes", flags.maxBytes, minMaxBytes, BulkResource.maxBodyBytes)
    const concurrency = yield* inRange("--concurrency", flags.concurrency, 1, maxConcurrency)
    const maxJobsInFlight = yield* inRange("--max-jobs-in-flight", flags.maxJobsInFlight, 1, maxJobsInFlightLimit)
    const rateLimit = yield* rateLimitOf(flags.rateLimit)
    const skip = yield* inRange("--skip", flags.skip, 0, Number.MAX_SAFE_INTEGER)
    const limit = yield* inRange("--limit", flags.limit, 1, Number.MAX_SAFE_INTEGER)
    if (flags.dryRun) {
      const stateful = [
        ...(Option.isSome(flags.journal) ? ["--journal"] : []),
        ...(Option.isSome(flags.report) ? ["--report"] : []),
        ...(Option.isSome(flags.html) ? ["--html"] : []),
        ...(Option.isSome(flags.rejects) ? ["--rejects"] : []),
        ...(Option.isSome(flags.unknown) ? ["--unknown"] : []),
        ...(Option.isSome(flags.results) ? ["--results"] : [])
      ]
      if (stateful.length > 0) {
        return yield* fail(`--dry-run sends nothing and writes nothing; drop ${stateful.join(" and ")}`)
      }
    }
    return {
      input,
      resource,
      format,
      mapping: flags.mapping,
      delimiter,
      timeZone,
      encoding: Option.getOrUndefined(flags.encoding),
      unknownFields: Option.getOrUndefined(flags.unknownFields),
      connection: connectionOf(flags, rateLimit),
      maxItems,
      maxBytes,
      concurrency,
      maxJobsInFlight,
      dryRun: flags.dryRun,
      journal: Option.getOrUndefined(flags.journal),
      report: Option.getOrUndefined(flags.report),
      html: Option.getOrUndefined(flags.html),
      rejects: Option.getOrUndefined(flags.rejects),
      unknown: Option.getOrUndefined(flags.unknown),
      allowUnknown: flags.allowUnknown,
      results: Option.getOrUndefined(flags.results),
      skip,
      limit,
      json: flags.json,
      assignExternalIds: flags.assignExternalIds,
      resolveExisting: flags.resolveExisting,
      acceptImportDates: flags.acceptImportDates
    }
  })
