/**
 * What the HTML report shows, read from a run's JSON report — an import's (`RunReport`) or a migration's: the
 * totals, the outcomes per resource and the time series; and, through `RejectGroups`, the rejects files the
 * report names, grouped by reason.
 *
 * @since 0.1.0
 */
import { RunReport, type RunTimeline } from "@effect-kustomer/journal"
import { MigrationReport } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { CliError } from "./Failure.js"
import * as RejectGroups from "./RejectGroups.js"

/** Outcome counts of one resource (an import has one). @since 0.1.0 */
export interface ResourceRow {
  readonly resource: string
  readonly read: number
  readonly created: number
  readonly alreadyExisting: number
  readonly rejected: number
  readonly failed: number
  readonly unknown: number
  readonly requests: number
}

/** What the page shows. @since 0.1.0 */
export interface RunView {
  readonly kind: "import" | "migration"
  readonly title: string
  readonly status: string
  readonly error: string | undefined
  readonly startedAt: string
  readonly elapsedMillis: number
  readonly resources: ReadonlyArray<ResourceRow>
  readonly totals: Omit<ResourceRow, "resource">
  readonly rateLimitWaits: { readonly count: number; readonly totalMillis: number } | undefined
  readonly timeline: RunTimeline.RunTimeline | undefined
  readonly rejectsPath: string | undefined
  /** An import's file of records in doubt, when it has one; its lines are listed with the rejects. */
  readonly unknownPath: string | undefined
  /** A migration's attachments, when its bundle had any. */
  readonly attachments?: MigrationReport.MigrationReport["attachments"]
  /** The journal the run kept, when it kept one. */
  readonly journal?: string | undefined
  /** Every attempt with the journal, this one last (a migration's; an import's has its number only). */
  readonly attempts?: ReadonlyArray<MigrationReport.Attempt> | undefined
  /** Per resource, over every attempt with the journal. */
  readonly cumulative?: ReadonlyArray<ResourceRow & { readonly jobIds: ReadonlyArray<string> }> | undefined
  /** The phases of a migration on the time axis. */
  readonly phaseSpans?: ReadonlyArray<MigrationReport.PhaseSpan> | undefined
  /** How the run was made. */
  readonly run?: MigrationReport.RunDetails | undefined
  /** Objects held for a later attempt (a migration's). */
  readonly held?: number | undefined
  /** What a delta (`migrate --delta`) created, updated, found unchanged and found gone, per resource. */
  readonly delta?: MigrationReport.MigrationReport["delta"]
}

const sumRows = (rows: ReadonlyArray<ResourceRow>): Omit<ResourceRow, "resource"> => ({
  read: rows.reduce((sum, row) => sum + row.read, 0),
  created: rows.reduce((sum, row) => sum + row.created, 0),
  alreadyExisting: rows.reduce((sum, row) => sum + row.alreadyExisting, 0),
  rejected: rows.reduce((sum, row) => sum + row.rejected, 0),
  failed: rows.reduce((sum, row) => sum + row.failed, 0),
  unknown: rows.reduce((sum, row) => sum + row.unknown, 0),
  requests: rows.reduce((sum, row) => sum + row.requests, 0)
})

/** The view of an import's report. @since 0.1.0 */
export const fromImport = (report: RunReport.RunReport): RunView => {
  // A report written before imports named their resource is of conversations.
  const row: ResourceRow = { resource: report.resource ?? "conversations", ...report.summary }
  return {
    kind: "import",
    title: report.input?.path ?? "import",
    status: report.status,
    error: report.error,
    startedAt: report.startedAt,
    elapsedMillis: report.elapsedMillis,
    resources: [row],
    totals: sumRows([row]),
    rateLimitWaits: report.rateLimitWaits,
    timeline: report.timeline,
    rejectsPath: report.rejects,
    unknownPath: report.unknownFile,
    journal: report.journal,
    cumulative: report.cumulative === undefined
      ? undefined
      : [{
        resource: row.resource,
        ...report.cumulative,
        requests: 0,
        jobIds: report.jobIdsAllAttempts ?? report.jobIds
      }],
    run: report.input === undefined ? undefined : { bundleSha256: report.input.sha256, bundleBytes: report.input.bytes }
  }
}

const fromMigration = (report: MigrationReport.MigrationReport): RunView => ({
  kind: "migration",
  title: report.bundle,
  status: report.status,
  error: report.error,
  startedAt: report.startedAt,
  elapsedMillis: report.elapsedMillis,
  resources: report.phases ?? [],
  totals: sumRows(report.phases ?? []),
  rateLimitWaits: undefined,
  timeline: report.timeline,
  rejectsPath: report.rejects,
  unknownPath: undefined,
  attachments: report.attachments,
  journal: report.journal,
  attempts: report.attempts,
  cumulative: report.cumulative?.map((row) => ({ ...row, requests: 0 })),
  phaseSpans: report.phaseSpans,
  run: report.run,
  held: (report.phases ?? []).reduce((sum, phase) => sum + phase.held, 0),
  delta: report.delta
})

/**
 * The view of a report document: an import's or a migration's; `Left` with the reason when it is neither.
 *
 * @since 0.1.0
 */
export const fromDocument = (document: unknown): Either.Either<RunView, string> => {
  const asImport = Schema.decodeUnknownEither(RunReport.RunReport)(document)
  if (Either.isRight(asImport)) return Either.right(fromImport(asImport.right))
  const asMigration = MigrationReport.decode(document)
  if (Either.isRight(asMigration)) return Either.right(fromMigration(asMigration.right))
  const issue = ParseResult.ArrayFormatter.formatErrorSync(asImport.left)[0]
  const detail = issue === undefined ? "" : ` (${issue.path.join(".") || "the document"}: ${issue.message})`
  return Either.left(`not a report written by --report of import or migrate${detail}`)
}

/**
 * Reads a report file and the rejects files it names (a relative name is looked for from the current directory,
 * then beside the report); a missing rejects file leaves its rejects out.
 *
 * @since 0.1.0
 */
export const read = (
  reportPath: string
): Effect.Effect<
  { readonly view: RunView; readonly rejects: RejectGroups.Rejects | undefined },
  CliError,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const text = yield* fs.readFileString(reportPath).pipe(
      Effect.mapError((error) => new CliError({ message: `cannot read the report ${reportPath}: ${error.message}` }))
    )
    const document = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: () => new CliError({ message: `${reportPath} is not JSON` })
    })
    const view = yield* Either.mapLeft(fromDocument(document), (reason) =>
      new CliError({ message: `${reportPath}: ${reason}` }))
    /** Where a file the report names is: as named, else beside the report. */
    const locate = (named: string | undefined) =>
      named === undefined || path.isAbsolute(named)
        ? Effect.succeed(named)
        : Effect.map(
          fs.exists(named).pipe(Effect.orElseSucceed(() =>
            false
          )),
          (exists) => (exists ? named : path.join(path.dirname(reportPath), path.basename(named)))
        )
    const rejects = yield* RejectGroups.readIfAny([yield* locate(view.rejectsPath), yield* locate(view.unknownPath)])
    return { view, rejects }
  })
