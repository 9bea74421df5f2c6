/**
 * The one code path of an import, shared by `import` and `demo`: progress while it runs, the summary table at
 * the end, and the exit code. The import itself is `DurableImport.run` (journal and resume, rejects file, report,
 * assigned external ids, the check of the key's roles); a dry run is `DurableImport.plan`, which sends nothing.
 * Records are of one resource of the registry (`--resource`, conversations by default).
 *
 * @since 0.1.0
 */
import { ImportSource, type KustomerClient } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import { DurableImport, ImportInput, OffsetlessTimes, Preflight, RunError } from "@effect-kustomer/journal"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { CliError } from "./Failure.js"
import * as Failure from "./Failure.js"
import * as FailureReasons from "./FailureReasons.js"
import * as Format from "./Format.js"
import * as HtmlReport from "./HtmlReport.js"
import { stdin } from "./ImportRequest.js"
import * as ImportOutputs from "./internal/importOutputs.js"
import * as InputFile from "./internal/inputFile.js"
import * as JsonOutput from "./JsonOutput.js"
import { Output } from "./Output.js"
import * as ProgressReporter from "./ProgressReporter.js"
import * as RejectGroups from "./RejectGroups.js"
import * as ResultsFile from "./ResultsFile.js"
import * as RunLog from "./RunLog.js"
import * as RunView from "./RunView.js"
import * as StandardInput from "./StandardInput.js"
import * as Summary from "./Summary.js"

/**
 * An import to run: the checked request with its mapping resolved.
 *
 * @since 0.1.0
 */
export interface Plan {
  /** A file path, or `-` for standard input. */
  readonly input: string
  /** What the records are (default conversations). */
  readonly resource?: BulkResource.Any | undefined
  /** Go on without `org.admin` when messages or notes carry `createdAt`/`createdBy` (they are then replaced). */
  readonly acceptImportDates?: boolean | undefined
  readonly format: ImportSource.Format
  readonly csv: ImportSource.CsvOptions | undefined
  readonly encoding: ImportSource.Encoding | undefined
  readonly unknownFields: "reject" | "keep" | "drop" | undefined
  readonly maxItems: number | undefined
  readonly maxBytes: number | undefined
  readonly concurrency: number | undefined
  /** The most jobs between submission and results (default: the pipeline's). */
  readonly maxJobsInFlight?: number | undefined
  /** When a job is first read after its submission (default: the pipeline's, 2 s; `KUSTOMER_FIRST_POLL_DELAY`). */
  readonly firstPollDelay?: Duration.DurationInput | undefined
  readonly journal: string | undefined
  readonly report: string | undefined
  /** `--html FILE`: the run report as an HTML page, written however the import ends. */
  readonly html?: string | undefined
  readonly rejects: string | undefined
  /** The file of records in doubt; default next to the rejects file. */
  readonly unknown?: string | undefined
  /** Accept a file of records in doubt as input. */
  readonly allowUnknown?: boolean | undefined
  /** The results file: one line per record, with the Kustomer id it got. */
  readonly results?: string | undefined
  readonly assignExternalIds: boolean
  /** Look up the id of records that already exist. */
  readonly resolveExisting: boolean
  /** `--skip N`: records at the start of the input to pass over. */
  readonly skip?: number | undefined
  /** `--limit N`: the most records to import (after the skipped ones). */
  readonly limit?: number | undefined
  /** `--json`: the report as JSON on standard output, the summary on standard error. */
  readonly json?: boolean | undefined
  /** Where the records go, for the first line (a base URL; never the key). */
  readonly target: string
  /** `false` for the demo: its simulator ends with it, so the run cannot be resumed (and nothing says it can). */
  readonly resumable?: boolean | undefined
}

const inputName = (input: string) => (input === stdin ? "standard input" : input)

const resourceOf = (plan: Pick<Plan, "resource">): BulkResource.Any => plan.resource ?? BulkResource.Conversations

/** The input's bytes: standard input, or the file. */
const bytesOf = (input: string) => input === stdin ? StandardInput.bytes : ImportSource.fileBytes(input)

/** The records of the input, read as the durable import reads them (a rejects file's lines stand for records). */
const recordsOf = (
  plan: Pick<Plan, "input" | "format" | "csv" | "encoding" | "resource">,
  bytes: Stream.Stream<Uint8Array, ImportSource.SourceError, FileSystem.FileSystem> = bytesOf(plan.input)
) =>
  DurableImport.records(
    bytes,
    plan.format,
    { csv: plan.csv, encoding: plan.encoding, sourceName: inputName(plan.input), resource: plan.resource }
  ).records

/**
 * What the check of the key's roles has to say, one line each: that the roles could not be checked in advance,
 * that messages' and notes' `createdAt`/`createdBy` were not kept.
 *
 * @since 0.1.0
 */
export const roleWarnings = (roles: Preflight.RoleReport | undefined): ReadonlyArray<string> =>
  (roles?.warnings ?? []).map((warning) => `Warning: ${warning}.`)

/**
 * The roles a run needs, as a dry run lists them: a key made with them is not refused.
 *
 * @since 0.1.0
 */
export const rolesLines = (needs: ReadonlyArray<Preflight.RoleNeed>): string =>
  `\nThe API key needs these roles (either spelling of each):\n${Preflight.describeNeeds(needs)}`

/** The records a trial run (`--skip`, `--limit`) takes, of `total`. */
const trialCount = (plan: Pick<Plan, "skip" | "limit">, total: number) =>
  Math.min(plan.limit ?? Number.POSITIVE_INFINITY, Math.max(0, total - (plan.skip ?? 0)))

const pipelineOf = (
  plan: Pick<
    Plan,
    "maxItems" | "maxBytes" | "concurrency" | "maxJobsInFlight" | "unknownFields" | "resolveExisting" | "firstPollDelay"
  >
) => ({
  ...(plan.firstPollDelay === undefined ? {} : { firstPollDelay: plan.firstPollDelay }),
  resolveExisting: plan.resolveExisting,
  maxJobsInFlight: plan.maxJobsInFlight,
  unknownFields: plan.unknownFields,
  maxItems: plan.maxItems,
  maxBytes: plan.maxBytes,
  submitConcurrency: plan.concurrency
})

/**
 * Runs an import with progress and prints its summary; returns the exit code (0 or 2). Fatal failures fail, and
 * an interruption (Ctrl+C) says how to resume.
 *
 * @since 0.1.0
 */
export const run = (plan: Plan): Effect.Effect<
  number,
  RunError.RunError | CliError,
  KustomerClient.KustomerClient | FileSystem.FileSystem | Output
> =>
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Output
    yield* InputFile.mustExist(plan.input)
    yield* ImportOutputs.refuseBeforeStart(plan)
    yield* output.err(
      `Importing ${resourceOf(plan).name} from ${inputName(plan.input)} (${plan.format}) into ${plan.target}`
    )
    // The page is made from the JSON report, which the import writes however it ends: to `--report`, or for the
    // page alone to a temporary file.
    const reportFile = plan.report ?? (plan.html === undefined
      ? undefined
      : `${yield* FileSystem.FileSystem.pipe(
        Effect.flatMap((fs) => fs.makeTempDirectoryScoped({ prefix: "kustomer-bulk-report-" })),
        Effect.mapError((error) =>
          new Failure.CliError({ message: `no room for the HTML report's data: ${error.message}` })
        )
      )}/report.json`)
    const started = yield* Ref.make(false)
    const result = yield* Effect.scoped(Effect.gen(function*() {
      const scope = yield* Effect.scope
      const fs = yield* FileSystem.FileSystem
      const reporter = yield* ProgressReporter.make()
      // Opened once the import starts: a refused run leaves the results file as it was.
      const results = yield* Ref.make(ResultsFile.noSink)
      const reasons = yield* FailureReasons.make
      const onStart = (start: DurableImport.Start) =>
        Effect.gen(function*() {
          yield* Ref.set(started, true)
          yield* ResultsFile.openFor(plan.results, plan.journal).pipe(
            Scope.extend(scope),
            Effect.provideService(FileSystem.FileSystem, fs),
            Effect.flatMap((sink) => Ref.set(results, sink)),
            Effect.catchAll((error) => output.err(error.message))
          )
          yield* Effect.forEach(roleWarnings(start.roles), (line) => output.err(line), { discard: true })
          if (start.resumed) {
            yield* output.err(
              `Resuming from ${plan.journal} (attempt ${start.attempt}): ` +
                `${Format.count(start.alreadySettled)} records settled earlier are skipped`
            )
          }
          if (start.totalRecords !== undefined) {
            yield* reporter.setTotal(Math.max(0, trialCount(plan, start.totalRecords) - start.alreadySettled))
          } else if (plan.input !== stdin) {
            // JSON and CSV are counted by reading them once more, in the background.
            yield* Stream.runCount(recordsOf(plan)).pipe(
              Effect.flatMap((total) => reporter.setTotal(Math.max(0, trialCount(plan, total) - start.alreadySettled))),
              Effect.ignore,
              Effect.provideService(FileSystem.FileSystem, fs),
              Effect.forkIn(scope)
            )
          }
        })
      const imported = yield* DurableImport.run({
        input: plan.input,
        resource: plan.resource,
        acceptImportDates: plan.acceptImportDates,
        format: plan.format,
        csv: plan.csv,
        encoding: plan.encoding,
        stdin: StandardInput.bytes,
        journal: plan.journal,
        rejects: plan.rejects,
        unknown: plan.unknown,
        allowUnknown: plan.allowUnknown,
        report: reportFile,
        assignExternalIds: plan.assignExternalIds,
        skip: plan.skip,
        limit: plan.limit,
        pipeline: pipelineOf(plan),
        onEvent: (event) =>
          Effect.all([
            reporter.onEvent(event),
            Effect.flatMap(Ref.get(results), (sink) => sink.onEvent(event)),
            reasons.onEvent(event),
            RunLog.event(event)
          ], { discard: true }),
        onStart
      })
      yield* Effect.flatMap(Ref.get(results), (sink) => sink.close)
      return { ...imported, reasons: yield* reasons.top(FailureReasons.shown) }
    })).pipe(
      Effect.onExit((exit) =>
        Effect.flatMap(Ref.get(started), (began) =>
          Effect.zipRight(
            began ? ImportOutputs.resultsFromJournal(plan) : Effect.void,
            Exit.isSuccess(exit) ? Effect.void : ImportOutputs.pageOfFailedRun(plan, reportFile)
          ))
      ),
      Effect.onInterrupt(() => output.err(Failure.interruptedHint(plan.journal, "records", plan.resumable !== false)))
    )
    const human = Summary.render(result.summary, {
      journal: plan.journal,
      rejects: plan.rejects,
      unknownFile: result.unknownFile,
      report: plan.report,
      resumed: result.resumed,
      skipped: result.skipped,
      cumulative: result.cumulative
    }) + FailureReasons.render(result.reasons) + roleWarnings(result.roles).map((line) => `\n${line}`).join("")
    const exitCode = Summary.exitCode(result.cumulative ?? result.summary)
    if (plan.html !== undefined) {
      const rejects = yield* RejectGroups.readIfAny([plan.rejects, result.report.unknownFile])
      yield* HtmlReport.write(plan.html, RunView.fromImport(result.report), rejects)
    }
    yield* JsonOutput.emit(plan.json === true, human, () => ({
      ...JsonOutput.importDocument(result.report, exitCode),
      failureReasons: result.reasons
    }))
    return exitCode
  }))

/**
 * The CSV date-times without an offset a run without `--timezone` refuses, refused before the dry run as the
 * import refuses them: the input read once more (standard input from a temporary copy). Returns the bytes to
 * read the records from.
 */
const checkTimes = (plan: Omit<Plan, "target">) =>
  Effect.gen(function*() {
    if (plan.format !== "csv" || !OffsetlessTimes.applies(plan.csv, undefined)) return bytesOf(plan.input)
    const bytes = plan.input === stdin
      ? ImportSource.fileBytes((yield* ImportInput.spool(StandardInput.bytes, plan.format)).file)
      : bytesOf(plan.input)
    yield* OffsetlessTimes.check(bytes, {
      csv: plan.csv,
      encoding: plan.encoding,
      sourceName: inputName(plan.input),
      resource: plan.resource,
      skip: plan.skip,
      limit: plan.limit
    }).pipe(Effect.mapError((cause) => RunError.fromCause(cause)))
    return bytes
  })

/**
 * A dry run: reads, validates and chunks the input as the import would, prints what it would send and why
 * records would be rejected, and sends nothing. Needs no API key. Returns 0 when every record is valid, else 2;
 * fails as the import would on CSV times without an offset and no `--timezone`.
 *
 * @since 0.1.0
 */
export const dryRun = (plan: Omit<Plan, "target">): Effect.Effect<
  number,
  ImportSource.SourceError | RunError.RunError | CliError,
  FileSystem.FileSystem | Output
> =>
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Output
    yield* InputFile.mustExist(plan.input)
    yield* output.err(
      `Checking ${resourceOf(plan).name} from ${inputName(plan.input)} (${plan.format}); nothing is sent`
    )
    const resource = resourceOf(plan)
    const keepsDates = Preflight.keepsDatesOnlyForOrgAdmin(resource)
    const bytes = yield* checkTimes(plan)
    // Messages and notes that carry dates need org.admin: counted on the way, as the input may be read only once.
    let dated = 0
    const all = recordsOf(plan, bytes)
    const skipped = plan.skip === undefined ? all : Stream.drop(all, plan.skip)
    const records = (plan.limit === undefined ? skipped : Stream.take(skipped, plan.limit)).pipe(
      Stream.tap((record) =>
        Effect.sync(() => {
          if (keepsDates && record._tag === "Parsed" && Preflight.carriesDates(record.value)) dated += 1
        })
      )
    )
    const totals = yield* DurableImport.plan(records, {
      ...pipelineOf(plan),
      resource: plan.resource,
      // Any id will do: the dry run only needs to know that every record would have one.
      assignExternalId: plan.assignExternalIds ? (position) => `dry-run-${position.index}` : undefined
    }).pipe(Stream.runFold(Summary.emptyPlan, (totals, event) => Summary.addToPlan(totals, event)))
    const exitCode = Summary.planExitCode(totals)
    const roles = Preflight.neededRoles({
      needs: Preflight.importNeeds(resource),
      dated: resource.name === "messages" ? { messages: dated, notes: 0 } : { messages: 0, notes: dated }
    })
    yield* JsonOutput.emit(
      plan.json === true,
      `${Summary.renderPlan(totals, { assignExternalIds: plan.assignExternalIds })}\n${rolesLines(roles)}`,
      () => ({ ...JsonOutput.planDocument(totals, exitCode), rolesNeeded: roles })
    )
    return exitCode
  }))
