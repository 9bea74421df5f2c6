/**
 * `kustomer-bulk migrate <bundle>`: the full history migration (`Migration.run`) with progress, a table per
 * resource at the end, a JSON report and the exit code; and its dry run (`Migration.dryRun`), which sends nothing.
 *
 * @since 0.1.0
 */
import { ImportSource, KustomerClient } from "@effect-kustomer/client"
import { RunTimeline } from "@effect-kustomer/journal"
import { Migration, MigrationReport } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type { CliError } from "./Failure.js"
import * as Failure from "./Failure.js"
import * as FailureReasons from "./FailureReasons.js"
import * as Format from "./Format.js"
import * as HtmlReport from "./HtmlReport.js"
import { rolesLines, roleWarnings } from "./ImportRunner.js"
import * as MigrateResult from "./internal/migrateResult.js"
import * as JsonOutput from "./JsonOutput.js"
import { Output } from "./Output.js"
import * as ProgressReporter from "./ProgressReporter.js"
import * as RejectGroups from "./RejectGroups.js"
import * as ResultsFile from "./ResultsFile.js"
import * as RunLog from "./RunLog.js"
import * as RunView from "./RunView.js"
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
  /** `--attachment-idle-timeout`: how long a file's download or upload may go without a byte (default 60 s). */
  readonly attachmentIdleTimeout?: Duration.Duration | undefined
  /** `--delta`: the bundle is a newer export of the source the journal migrated. */
  readonly delta?: boolean | undefined
  /** Where the objects go, for the first line (a base URL; never the key). */
  readonly target: string
}

const pipelineOf = (plan: Pick<MigratePlan, "maxItems" | "maxBytes" | "concurrency" | "maxJobsInFlight">) => ({
  maxJobsInFlight: plan.maxJobsInFlight,
  maxItems: plan.maxItems,
  maxBytes: plan.maxBytes,
  submitConcurrency: plan.concurrency
})

const isoTime = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

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

/** The JSON report: per resource, what happened and what it cost. */
const reportOf = (
  plan: MigratePlan,
  exit: Exit.Exit<Migration.Result, Failure.RunFailure | CliError>,
  startedAt: number,
  finishedAt: number,
  timeline: RunTimeline.RunTimeline
): MigrationReport.MigrationReport => ({
  status: Exit.isSuccess(exit) ? "finished" : Exit.isInterrupted(exit) ? "interrupted" : "failed",
  bundle: plan.bundle,
  ...(plan.journal === undefined ? {} : { journal: plan.journal }),
  ...(plan.rejects === undefined ? {} : { rejects: plan.rejects }),
  startedAt: isoTime(startedAt),
  finishedAt: isoTime(finishedAt),
  elapsedMillis: finishedAt - startedAt,
  ...(Exit.isSuccess(exit)
    ? {
      resumed: exit.value.resumed,
      importedAt: exit.value.importedAt,
      roles: exit.value.roles,
      attachments: exit.value.attachments,
      ...(exit.value.delta === undefined ? {} : { delta: exit.value.delta }),
      phases: exit.value.phases.map((phase) => ({
        resource: phase.phase,
        settledBefore: phase.settledBefore,
        foundByEmail: phase.foundByEmail,
        held: phase.held,
        parentReads: phase.parentReads,
        read: phase.summary.read,
        created: phase.summary.created,
        alreadyExisting: phase.summary.alreadyExisting,
        rejected: phase.summary.rejected,
        failed: phase.summary.failed,
        unknown: phase.summary.unknown,
        jobs: phase.summary.jobs,
        requests: phase.summary.requests,
        rateLimited: phase.summary.rateLimited,
        retries: phase.summary.retries,
        elapsedMillis: Duration.toMillis(phase.summary.elapsed)
      }))
    }
    : { error: Exit.isFailure(exit) ? String(exit.cause) : "" }),
  timeline
})

/**
 * Runs a migration with progress and prints a table per resource; returns the exit code (0, or 2 when some
 * objects were not created). The report is written however the run ends.
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
    const fs = yield* FileSystem.FileSystem
    yield* output.err(
      `Migrating ${plan.bundle} into ${plan.target}: (companies →) customers → conversations → messages → notes`
    )
    const startedAt = yield* Clock.currentTimeMillis
    const timeline = yield* RunTimeline.recorder({ rateLimit: (yield* KustomerClient.KustomerClient).rateLimit })
    let topReasons: ReadonlyArray<FailureReasons.ReasonCount> = []
    const exit = yield* Effect.scoped(Effect.gen(function*() {
      const reporter = yield* ProgressReporter.make()
      const results = yield* ResultsFile.openFor(plan.results, plan.journal)
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
        onChecked: (roles) => Effect.forEach(roleWarnings(roles), (line) => output.err(line), { discard: true }),
        otherOutputs: [{ what: "--report", path: plan.report }, { what: "--results", path: plan.results }],
        pipeline: pipelineOf(plan),
        onPhase: (phase, place) =>
          Effect.zipRight(
            output.err(`Phase ${place.number}/${place.of}: ${phase}`),
            RunLog.phase(phase, place.number, place.of)
          ),
        onEvent: (phase, event) =>
          Effect.all([
            reporter.onEvent(event),
            results.onEvent(event, phase),
            reasons.onEvent(event, phase),
            RunLog.event(event, phase),
            timeline.observe(event)
          ], { discard: true })
      })
      yield* results.close
      topReasons = yield* reasons.top(FailureReasons.shown)
      return migrated
    })).pipe(
      Effect.onInterrupt(() => output.err(Failure.interruptedHint(plan.journal, "objects"))),
      Effect.exit
    )
    const report = MigrationReport.encode(
      reportOf(plan, exit, startedAt, yield* Clock.currentTimeMillis, yield* timeline.timeline)
    )
    if (plan.report !== undefined) {
      yield* fs.writeFileString(plan.report, `${JSON.stringify(report, null, 2)}\n`).pipe(
        Effect.catchAll((error) => output.err(`cannot write the report ${plan.report}: ${error.message}`))
      )
    }
    if (plan.html !== undefined) {
      const view = RunView.fromDocument(report)
      const rejects = yield* RejectGroups.readIfAny([plan.rejects])
      if (Either.isRight(view)) yield* HtmlReport.write(plan.html, view.right, rejects)
    }
    const result = yield* exit
    const exitCode = MigrateResult.exitCodeOf(result)
    yield* JsonOutput.emit(
      plan.json === true,
      renderResult(result, plan) + FailureReasons.render(topReasons),
      () => ({ exitCode, ...report, failureReasons: topReasons })
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
  Failure.RunFailure,
  FileSystem.FileSystem | Output
> =>
  Effect.gen(function*() {
    const output = yield* Output
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
