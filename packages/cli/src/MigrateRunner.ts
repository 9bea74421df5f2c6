/**
 * `kustomer-bulk migrate <bundle>`: the full history migration (`Migration.run`) with progress, a table per
 * resource at the end, a JSON report and the exit code; and its dry run (`Migration.dryRun`), which sends nothing.
 *
 * @since 0.1.0
 */
import { ImportSource, KustomerClient } from "@effect-kustomer/client"
import { RunTimeline } from "@effect-kustomer/journal"
import { Migration } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type { CliError } from "./Failure.js"
import * as Failure from "./Failure.js"
import * as FailureReasons from "./FailureReasons.js"
import * as Format from "./Format.js"
import { rolesLines, roleWarnings } from "./ImportRunner.js"
import * as InputFile from "./internal/inputFile.js"
import * as MigrateOutputs from "./internal/migrateOutputs.js"
import * as MigrateResult from "./internal/migrateResult.js"
import * as MigrateSetup from "./internal/migrateSetup.js"
import * as JsonOutput from "./JsonOutput.js"
import { Output } from "./Output.js"
import * as ProgressReporter from "./ProgressReporter.js"
import * as ResultsFile from "./ResultsFile.js"
import * as RunLog from "./RunLog.js"
import * as UsersMap from "./UsersMap.js"

/**
 * A migration to run.
 *
 * @since 0.1.0
 */
export interface MigratePlan extends Migration.BundleInput {
  readonly journal: string | undefined
  readonly report: string | undefined
  /** `--html FILE`: the run report as an HTML page, written however the run ends. */
  readonly html?: string | undefined
  readonly rejects: string | undefined
  /** `--json`: the report as JSON on standard output, the table on standard error. */
  readonly json?: boolean | undefined
  /** The results file: one line per object, with its resource and the Kustomer id it got. */
  readonly results?: string | undefined
  readonly maxItems: number | undefined
  readonly maxBytes: number | undefined
  readonly concurrency: number | undefined
  /** The most jobs between submission and results (the memory bound); below it the window adapts. */
  readonly maxJobsInFlight?: number | undefined
  /** Go on without `org.admin` when messages or notes carry `createdAt`/`createdBy` (they are then replaced). */
  readonly acceptImportDates?: boolean | undefined
  /** `--users-map FILE`: the source's agents (id or e-mail) → Kustomer user ids, JSON object or two-column CSV. */
  readonly usersMap?: string | undefined
  /** `--limit N` / `--skip N`: a trial of N conversations; a later run with the same journal continues it. */
  readonly lines?: Migration.LineWindow | undefined
  /** `--skip-attachments`: leave the source's attachments out, knowingly. */
  readonly skipAttachments?: boolean | undefined
  /** `--sequential-phases`: each phase runs to its end before the next (by default the phases run together). */
  readonly sequentialPhases?: boolean | undefined
  /** `--attachment-idle-timeout`: how long a file's download or upload may go without a byte (default 60 s). */
  readonly attachmentIdleTimeout?: Duration.Duration | undefined
  /** `--delta`: the bundle is a newer export of the source the journal migrated. */
  readonly delta?: boolean | undefined
  /** Where the objects go, for the first line (a base URL; never the key). */
  readonly target: string
  /** The CLI's version, for the report. */
  readonly version?: string | undefined
  /** `false` for the demo: its simulator ends with it, so the run cannot be resumed (and nothing says it can). */
  readonly resumable?: boolean | undefined
  /** The `--rate-limit` cap, for the report's charts. */
  readonly rateLimitCap?: { readonly limit: number; readonly windowMillis: number } | undefined
  /**
   * When a job is first read after its submission, before the jobs' turnaround is learnt (default 2 s): the demo's
   * simulator finishes its jobs within a fraction of a second.
   */
  readonly firstPollDelay?: Duration.DurationInput | undefined
}

const pipelineOf = (
  plan: Pick<MigratePlan, "maxItems" | "maxBytes" | "concurrency" | "maxJobsInFlight" | "firstPollDelay">
) => ({
  maxJobsInFlight: plan.maxJobsInFlight,
  maxItems: plan.maxItems,
  maxBytes: plan.maxBytes,
  submitConcurrency: plan.concurrency,
  ...(plan.firstPollDelay === undefined ? {} : { firstPollDelay: plan.firstPollDelay })
})

/**
 * Credentials for the source's attachment URLs, from the environment: `ZENDESK_EMAIL` and `ZENDESK_API_TOKEN` for
 * Zendesk's `content_url`s (HTTP Basic `<email>/token`, sent to `*.zendesk.com` only; the token stays redacted).
 */
const sourceCredentials = Effect.map(
  Config.all({
    email: Config.option(Config.string("ZENDESK_EMAIL")),
    token: Config.option(Config.redacted("ZENDESK_API_TOKEN"))
  }),
  ({ email, token }): ReadonlyArray<Migration.SourceCredentials> =>
    Option.isSome(email) && Option.isSome(token)
      ? [{ host: "zendesk.com", username: `${email.value}/token`, password: token.value }]
      : []
).pipe(Effect.orElseSucceed((): ReadonlyArray<Migration.SourceCredentials> => []))

/**
 * The table printed at the end: one row per resource, and the files to look at.
 *
 * @since 0.1.0
 */
export const renderResult = MigrateResult.renderResult

/**
 * Runs a migration with progress and prints a table per resource; returns the exit code (0, or 2 when some
 * objects were not created — in this attempt or, with a journal, in any). The report, the page and the results
 * file are written however the run ends (see `internal/migrateOutputs.ts`); a refused run writes none of them.
 *
 * @since 0.1.0
 */
export const run = (plan: MigratePlan): Effect.Effect<
  number,
  Failure.RunFailure | CliError,
  KustomerClient.KustomerClient | FileSystem.FileSystem | HttpClient.HttpClient | Output
> =>
  Effect.gen(function*() {
    const output = yield* Output
    yield* InputFile.mustExist(plan.bundle)
    yield* MigrateSetup.refuseJournalInUse(plan.journal)
    yield* output.err(
      `Migrating ${plan.bundle} into ${plan.target}: (companies →) customers → conversations → messages → notes`
    )
    const startedAt = yield* Clock.currentTimeMillis
    const timeline = yield* RunTimeline.recorder({ rateLimit: (yield* KustomerClient.KustomerClient).rateLimit })
    const log = yield* MigrateOutputs.attemptLog(startedAt)
    const settledBefore = yield* MigrateSetup.settledByJournal(plan.journal)
    const identity = yield* MigrateSetup.bundleIdentity(plan)
    let topReasons: ReadonlyArray<FailureReasons.ReasonCount> = []
    let saved: MigrateOutputs.Saved | undefined
    const exit = yield* Effect.scoped(Effect.gen(function*() {
      const reporter = yield* ProgressReporter.make(undefined, "objects")
      const scope = yield* Effect.scope
      const fs = yield* FileSystem.FileSystem
      // Opened when the first phase begins: a refused run leaves the results file as it was.
      const results = yield* Deferred.make<ResultsFile.Sink>()
      const reasons = yield* FailureReasons.make
      const migrated = yield* Migration.run({
        bundle: plan.bundle,
        format: plan.format,
        csv: plan.csv,
        encoding: plan.encoding,
        journal: plan.journal,
        rejects: plan.rejects,
        acceptImportDates: plan.acceptImportDates,
        people: { usersMap: yield* UsersMap.read(plan.usersMap) },
        lines: plan.lines,
        delta: plan.delta,
        attachments: {
          sourceCredentials: yield* sourceCredentials,
          skip: plan.skipAttachments,
          idleTimeout: plan.attachmentIdleTimeout
        },
        onChecked: (roles) =>
          Effect.zipRight(
            log.checked,
            Effect.forEach(roleWarnings(roles), (line) => output.err(line), { discard: true })
          ),
        onAttachments: (read) => reporter.followAttachments(read),
        // The objects still to send: what the bundle holds less what earlier attempts settled.
        onTotal: (objects) => reporter.setTotal(Math.max(0, objects - settledBefore)),
        otherOutputs: [
          { what: "--report", path: plan.report },
          { what: "--results", path: plan.results },
          { what: "--html", path: plan.html }
        ],
        pipeline: pipelineOf(plan),
        phases: plan.sequentialPhases === true ? "sequential" : "overlapped",
        onPhase: (phase, place) =>
          Effect.all([
            Deferred.isDone(results).pipe(
              Effect.flatMap((open) =>
                open ? Effect.void : Effect.flatMap(
                  ResultsFile.openFor(plan.results, plan.journal).pipe(
                    Scope.extend(scope),
                    Effect.provideService(FileSystem.FileSystem, fs),
                    Effect.catchAll((error) => Effect.as(output.err(error.message), ResultsFile.noSink))
                  ),
                  (sink) => Deferred.succeed(results, sink)
                )
              )
            ),
            log.onPhase(phase),
            output.err(
              `Phase ${place.number}/${place.of}: ${phase}${
                plan.sequentialPhases === true ? "" : " (alongside the others: each object waits only for its parents)"
              }`
            ),
            RunLog.phase(phase, place.number, place.of)
          ], { discard: true }),
        onEvent: (phase, event) =>
          Effect.all([
            reporter.onEvent(event),
            Effect.flatMap(Deferred.await(results), (sink) => sink.onEvent(event, phase)),
            reasons.onEvent(event, phase),
            log.onEvent(phase, event),
            RunLog.event(event, phase),
            timeline.observe(event)
          ], { discard: true })
      })
      if (yield* Deferred.isDone(results)) yield* Effect.flatMap(Deferred.await(results), (sink) => sink.close)
      topReasons = yield* reasons.top(FailureReasons.shown)
      return migrated
    })).pipe(
      // A finalizer: an interruption (Ctrl+C, SIGTERM) cannot skip it.
      Effect.onExit((exit) =>
        Effect.gen(function*() {
          const details = yield* MigrateSetup.runDetails(plan, yield* identity)
          const facts = { startedAt, timeline: yield* timeline.timeline, run: details }
          saved = yield* MigrateOutputs.save(plan, exit, facts, log)
        })
      ),
      // Said last, once the files are saved.
      Effect.onInterrupt(() => output.err(Failure.interruptedHint(plan.journal, "objects", plan.resumable !== false))),
      Effect.exit
    )
    const result = yield* exit
    const cumulative = saved?.report.cumulative
    const exitCode = Math.max(
      MigrateResult.exitCodeOf(result),
      cumulative === undefined ? 0 : MigrateResult.cumulativeExitCode(cumulative)
    )
    yield* JsonOutput.emit(
      plan.json === true,
      renderResult(result, plan, cumulative, saved?.report.phases) + FailureReasons.render(topReasons),
      () => ({ exitCode, ...saved?.encoded, failureReasons: topReasons })
    )
    return exitCode
  })

/**
 * A dry run: checks every object of the bundle and counts the requests; sends nothing, needs no key. Returns 0
 * when every object is valid, else 2.
 *
 * @since 0.1.0
 */
export const dryRun = (plan: Omit<MigratePlan, "target" | "journal" | "report">): Effect.Effect<
  number,
  Failure.RunFailure | CliError,
  FileSystem.FileSystem | Output
> =>
  Effect.gen(function*() {
    const output = yield* Output
    yield* InputFile.mustExist(plan.bundle)
    yield* output.err(`Checking ${plan.bundle}; nothing is sent`)
    const planned = yield* Migration.dryRun({
      bundle: plan.bundle,
      format: plan.format,
      csv: plan.csv,
      encoding: plan.encoding,
      rejects: plan.rejects,
      pipeline: pipelineOf(plan)
    })
    const rows = [
      ["", "valid", "rejected", "requests"],
      ...planned.map((phase) => [
        phase.phase,
        Format.count(phase.valid),
        Format.count(phase.rejected),
        Format.count(phase.requests)
      ])
    ]
    const rejected = planned.reduce((sum, phase) => sum + phase.rejected, 0)
    const exitCode = rejected === 0 ? 0 : 2
    const roles = yield* Migration.rolesNeeded(plan)
    yield* JsonOutput.emit(
      plan.json === true,
      [
        Format.table(rows),
        ...planned.flatMap((phase) => [
          ...phase.examples.map((example) =>
            `  ${phase.phase}, ${ImportSource.describePosition(example.position)}: ${example.reason}`
          ),
          phase.rejected > phase.examples.length
            ? `  … and ${Format.count(phase.rejected - phase.examples.length)} more ${phase.phase} rejected`
            : undefined
        ]),
        rejected === 0 || plan.rejects === undefined ? undefined : `Rejected objects → ${plan.rejects}`,
        "Objects are checked as if their parents were created; job polls are not counted in the requests.",
        rolesLines(roles)
      ].filter((line): line is string => line !== undefined).join("\n"),
      () => ({
        exitCode,
        dryRun: true,
        phases: planned.map((phase) => ({ ...phase, resource: phase.phase })),
        rolesNeeded: roles
      })
    )
    return exitCode
  })
