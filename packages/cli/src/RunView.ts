/**
 * What the HTML report shows, read from a run's JSON report — an import's (`RunReport`) or a migration's — and
 * from the rejects file it names: the totals, the outcomes per resource, the time series, and the rejects grouped
 * by reason with a few examples each. Reading the rejects file streams it and keeps at most
 * {@link maxReasons} reasons with {@link examplesPerReason} examples each, so a large file costs little memory.
 *
 * @since 0.1.0
 */
import { RunReport, RunTimeline } from "@effect-kustomer/journal"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { CliError } from "./Failure.js"

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

/** One reason objects were not created, how often, and where. @since 0.1.0 */
export interface RejectGroup {
  readonly outcome: string
  readonly reason: string
  readonly count: number
  readonly examples: ReadonlyArray<{ readonly where: string; readonly externalId: string | undefined }>
}

/** The rejects file, grouped. @since 0.1.0 */
export interface Rejects {
  readonly path: string
  readonly lines: number
  readonly groups: ReadonlyArray<RejectGroup>
  /** Lines whose reason was counted under "other reasons" because {@link maxReasons} were kept already. */
  readonly otherLines: number
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
}

/** Reasons kept from a rejects file. @since 0.1.0 */
export const maxReasons = 100

/** Examples kept per reason. @since 0.1.0 */
export const examplesPerReason = 5

const Count = Schema.optionalWith(Schema.Number, { default: () => 0 })

/** The report `migrate` writes, as far as the page needs it. */
const MigrationReport = Schema.Struct({
  status: Schema.String,
  error: Schema.optional(Schema.String),
  bundle: Schema.String,
  rejects: Schema.optional(Schema.String),
  startedAt: Schema.String,
  elapsedMillis: Schema.Number,
  phases: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      resource: Schema.String,
      read: Count,
      created: Count,
      alreadyExisting: Count,
      rejected: Count,
      failed: Count,
      unknown: Count,
      requests: Count,
      rateLimited: Count
    })),
    { default: () => [] }
  ),
  timeline: Schema.optional(RunTimeline.RunTimeline)
})

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
  const row: ResourceRow = { resource: "conversations", ...report.summary }
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
    unknownPath: report.unknownFile
  }
}

const fromMigration = (report: typeof MigrationReport.Type): RunView => ({
  kind: "migration",
  title: report.bundle,
  status: report.status,
  error: report.error,
  startedAt: report.startedAt,
  elapsedMillis: report.elapsedMillis,
  resources: report.phases,
  totals: sumRows(report.phases),
  rateLimitWaits: undefined,
  timeline: report.timeline,
  rejectsPath: report.rejects,
  unknownPath: undefined
})

/**
 * The view of a report document: an import's or a migration's; `Left` with the reason when it is neither.
 *
 * @since 0.1.0
 */
export const fromDocument = (document: unknown): Either.Either<RunView, string> => {
  const asImport = Schema.decodeUnknownEither(RunReport.RunReport)(document)
  if (Either.isRight(asImport)) return Either.right(fromImport(asImport.right))
  const asMigration = Schema.decodeUnknownEither(MigrationReport)(document)
  if (Either.isRight(asMigration)) return Either.right(fromMigration(asMigration.right))
  const issue = ParseResult.ArrayFormatter.formatErrorSync(asImport.left)[0]
  const detail = issue === undefined ? "" : ` (${issue.path.join(".") || "the document"}: ${issue.message})`
  return Either.left(`not a report written by --report of import or migrate${detail}`)
}

const RejectLine = Schema.parseJson(Schema.Struct({
  position: Schema.optional(Schema.Struct({ index: Schema.Number, line: Schema.optional(Schema.Number) })),
  line: Schema.optional(Schema.Number),
  resource: Schema.optional(Schema.String),
  outcome: Schema.optionalWith(Schema.String, { default: () => "Rejected" }),
  reason: Schema.optionalWith(Schema.String, { default: () => "(no reason given)" }),
  externalId: Schema.optional(Schema.String)
}))

const whereOf = (entry: typeof RejectLine.Type, lineInFile: number) => {
  const line = entry.position?.line ?? entry.line
  const at = line !== undefined
    ? `line ${line}`
    : entry.position !== undefined
    ? `record ${entry.position.index}`
    : `rejects line ${lineInFile}`
  return entry.resource === undefined ? at : `${entry.resource}, ${at}`
}

/**
 * Reads a rejects file (an import's or a migration's) and groups its lines by outcome and reason.
 *
 * @since 0.1.0
 */
export const readRejects = (path: string): Effect.Effect<Rejects, CliError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const groups = new Map<string, { -readonly [K in keyof RejectGroup]: RejectGroup[K] }>()
    let lines = 0
    let otherLines = 0
    yield* fs.stream(path).pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((text) =>
        Effect.sync(() => {
          if (text.trim().length === 0) return
          lines += 1
          const decoded = Schema.decodeUnknownOption(RejectLine)(text)
          const entry: typeof RejectLine.Type = Option.getOrElse(
            decoded,
            () => ({ outcome: "Unreadable", reason: "not a JSON line of a rejects file" })
          )
          const reason = entry.resource === undefined ? entry.reason : `${entry.resource}: ${entry.reason}`
          const key = `${entry.outcome}\u0000${reason}`
          let group = groups.get(key)
          if (group === undefined) {
            if (groups.size >= maxReasons) return void (otherLines += 1)
            group = { outcome: entry.outcome, reason, count: 0, examples: [] }
            groups.set(key, group)
          }
          group.count += 1
          const where = whereOf(entry, lines)
          // Several objects can come from one line of a bundle (a conversation's messages): one example each.
          if (group.examples.length < examplesPerReason && !group.examples.some((example) => example.where === where)) {
            group.examples = [...group.examples, { where, externalId: entry.externalId }]
          }
        })
      )
    )
    const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    return { path, lines, groups: sorted, otherLines }
  }).pipe(
    Effect.mapError((error) => new CliError({ message: `cannot read the rejects file ${path}: ${error.message}` }))
  )

/** Two groupings as one: the same reason in both is counted once with the examples of both. */
const mergeRejects = (a: Rejects, b: Rejects): Rejects => {
  const groups = new Map(a.groups.map((group) => [`${group.outcome}\u0000${group.reason}`, group]))
  for (const group of b.groups) {
    const key = `${group.outcome}\u0000${group.reason}`
    const known = groups.get(key)
    groups.set(
      key,
      known === undefined ? group : {
        ...known,
        count: known.count + group.count,
        examples: [...known.examples, ...group.examples].slice(0, examplesPerReason)
      }
    )
  }
  return {
    path: `${a.path} and ${b.path}`,
    lines: a.lines + b.lines,
    groups: [...groups.values()].sort((x, y) => y.count - x.count || x.reason.localeCompare(y.reason)),
    otherLines: a.otherLines + b.otherLines
  }
}

/**
 * The rejects files among `paths` that exist (the rejects file, and an import's file of records in doubt), read
 * and grouped together; `undefined` when none exists (no object was set aside).
 *
 * @since 0.1.0
 */
export const readRejectsIfAny = (
  paths: ReadonlyArray<string | undefined>
): Effect.Effect<Rejects | undefined, CliError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    let merged: Rejects | undefined = undefined
    for (const path of paths) {
      if (path === undefined || !(yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false)))) continue
      const read = yield* readRejects(path)
      merged = merged === undefined ? read : mergeRejects(merged, read)
    }
    return merged
  })

/**
 * Reads a report file and the rejects files it names (a relative name is looked for from the current directory,
 * then beside the report); a missing rejects file leaves its rejects out.
 *
 * @since 0.1.0
 */
export const read = (
  reportPath: string
): Effect.Effect<
  { readonly view: RunView; readonly rejects: Rejects | undefined },
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
    const rejects = yield* readRejectsIfAny([yield* locate(view.rejectsPath), yield* locate(view.unknownPath)])
    return { view, rejects }
  })
