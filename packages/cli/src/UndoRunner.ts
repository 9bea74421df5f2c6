/**
 * `kustomer-bulk rollback` and `kustomer-bulk verify`: the migration package's `Rollback` and `Verify` with the
 * CLI's client, a confirmation on the terminal before anything is undone, a summary on standard output, the JSON
 * report and its HTML page (their paths checked before the first request).
 *
 * Exit codes: `rollback` 0 when everything it can undo is undone (what Kustomer cannot undo is listed, not a
 * failure), 2 when some objects failed or are still in doubt (run it again: it resumes), 1 when it could not run or
 * was not confirmed; `verify` 0 when no object differs from the bundle, 2 when some do, 1 when it could not run.
 *
 * @since 0.1.0
 */
import { Preflight } from "@effect-kustomer/journal"
import { Rollback, Verify } from "@effect-kustomer/migration"
import type * as CliApp from "@effect/cli/CliApp"
import * as Prompt from "@effect/cli/Prompt"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Connection from "./Connection.js"
import { CliError, type CommandFailure, exitFatal, exitIncomplete, exitOk } from "./Failure.js"
import * as HtmlReport from "./HtmlReport.js"
import { Output } from "./Output.js"
import type { RollbackRequest, UndoShared, VerifyRequest } from "./UndoRequest.js"

/** Objects named one by one in the summary; the report has them all. */
const listed = 20

const countsLine = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts).map(([state, count]) => `${count} ${state}`).join(", ")

/** The rollback's summary lines. */
export const rollbackSummary = (report: Rollback.Report): ReadonlyArray<string> => {
  const kept = report.objects.filter((object) =>
    object.state === "notUndoable" || object.state === "failed" ||
    object.state === "inDoubt"
  )
  return [
    `rollback of ${report.journal}${
      report.dryRun ? " (dry run: nothing sent)" : report.complete ? ": complete" : ": not complete"
    }`,
    ...Object.entries(report.counts).map(([resource, counts]) => `  ${resource}: ${countsLine(counts)}`),
    `  with their conversations: ${report.withConversations.messages} messages, ${report.withConversations.notes} notes`,
    ...kept.slice(0, listed).map((object) =>
      `  ${object.state} ${object.resource} ${object.id}${object.line === null ? "" : ` (line ${object.line})`}: ${
        object.reason ?? ""
      }`
    ),
    ...(kept.length > listed ? [`  … and ${kept.length - listed} more (every one in the report)`] : []),
    ...(report.migrationInDoubt.customers + report.migrationInDoubt.conversations > 0
      ? [
        `  the migration left ${report.migrationInDoubt.customers} customers and ${report.migrationInDoubt.conversations} ` +
        "conversations in doubt (not undone: no id yet): run the migration again with its journal, then the rollback"
      ]
      : []),
    ...(report.dryRun ? [] : [`requests: ${report.requests}`])
  ]
}

/** The verification's summary lines. */
export const verifySummary = (report: Verify.Report): ReadonlyArray<string> => {
  const checked = Object.values(report.checked).reduce((sum, count) => sum + count, 0)
  const created = Object.values(report.created).reduce((sum, count) => sum + count, 0)
  return [
    `verify ${report.journal} against ${report.bundle}: ${checked} of ${created} objects checked${
      report.sample === null ? "" : ` (a sample, seed ${report.sample.seed})`
    }, ${report.differences.length} difference${report.differences.length === 1 ? "" : "s"}`,
    ...report.differences.slice(0, listed).map((difference) =>
      `  ${difference.resource} ${difference.externalId ?? difference.id} (${
        difference.line === null ? "" : `line ${difference.line}, `
      }id ${difference.id}): ${difference.field}: expected ${JSON.stringify(difference.expected)}, found ${
        JSON.stringify(difference.actual)
      }`
    ),
    ...(report.differences.length > listed
      ? [`  … and ${report.differences.length - listed} more (every one in the report)`]
      : []),
    `requests: ${report.requests}`
  ]
}

/**
 * Refuses, before the first request, a `--report` or `--html` path that cannot be written (a missing or unwritable
 * directory, not a file, the journal's own path, or both flags on one path).
 */
const refuseUnwritable = (request: UndoShared) =>
  Effect.gen(function*() {
    const problems = yield* Preflight.outputProblems(request.journal, [
      { what: "--report", path: request.report },
      { what: "--html", path: request.html }
    ])
    if (problems.length > 0) return yield* new CliError({ message: problems.join("; ") })
  })

/** Writes the report (to `--report`, and as a page to `--html`) and prints it (`--json`) or its summary. */
const output = <A, I>(
  schema: Schema.Schema<A, I>,
  report: A,
  request: UndoShared,
  summary: ReadonlyArray<string>,
  page: (report: A) => string
) =>
  Effect.gen(function*() {
    const out = yield* Output
    const text = JSON.stringify(yield* Schema.encode(schema)(report).pipe(Effect.orDie), null, 2)
    if (request.report !== undefined) {
      yield* (yield* FileSystem.FileSystem).writeFileString(request.report, `${text}\n`)
    }
    if (request.html !== undefined) yield* HtmlReport.writePage(request.html, page(report))
    if (request.json) return yield* out.out(text)
    yield* Effect.forEach(summary, (line) => out.out(line), { discard: true })
    if (request.report !== undefined) yield* out.out(`report: ${request.report}`)
  })

/** Asks on the terminal whether to undo what the plan lists. */
const confirmed = (plan: Rollback.Report) =>
  Effect.gen(function*() {
    const out = yield* Output
    yield* Effect.forEach(rollbackSummary(plan), (line) => out.err(line), { discard: true })
    const toUndo = plan.objects.filter((object) => object.state === "toUndo").length
    return yield* Prompt.run(Prompt.confirm({
      message: `Undo these ${toUndo} objects in Kustomer (objects the migration found existing are read back ` +
        "first and undone only if it created them)?",
      initial: false
    })).pipe(Effect.orElseSucceed(() => false))
  })

/**
 * Runs `rollback`.
 *
 * @since 0.1.0
 */
export const rollback = (
  request: RollbackRequest
): Effect.Effect<
  number,
  CommandFailure,
  Output | HttpClient.HttpClient | CliApp.CliApp.Environment
> =>
  Effect.gen(function*() {
    yield* refuseUnwritable(request)
    const options = { journal: request.journal, bundle: request.bundle }
    if (request.dryRun) {
      const plan = yield* Rollback.plan(options)
      yield* output(Rollback.Report, plan, request, rollbackSummary(plan), (page) => HtmlReport.renderRollback(page))
      return exitOk
    }
    if (!request.yes && !(yield* confirmed(yield* Rollback.plan(options)))) {
      yield* (yield* Output).err("rollback: not confirmed; nothing was changed")
      return exitFatal
    }
    const report = yield* Rollback.run({
      ...options,
      pipeline: {
        ...(yield* Connection.firstPollDelay),
        ...(request.maxItems === undefined ? {} : { maxItems: request.maxItems }),
        ...(request.concurrency === undefined ? {} : { submitConcurrency: request.concurrency })
      }
    }).pipe(Effect.provide(Connection.clientLayer(request.connection)))
    yield* output(Rollback.Report, report, request, rollbackSummary(report), (page) => HtmlReport.renderRollback(page))
    const failed = report.objects.some((object) => object.state === "failed")
    return report.complete && !failed ? exitOk : exitIncomplete
  })

/**
 * Runs `verify`.
 *
 * @since 0.1.0
 */
export const verify = (
  request: VerifyRequest
): Effect.Effect<number, CommandFailure, Output | FileSystem.FileSystem | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    yield* refuseUnwritable(request)
    const report = yield* Verify.run({
      journal: request.journal,
      bundle: request.bundle,
      sample: request.sample,
      seed: request.seed,
      concurrency: request.concurrency
    }).pipe(Effect.provide(Connection.clientLayer(request.connection)))
    yield* output(Verify.Report, report, request, verifySummary(report), (page) => HtmlReport.renderVerify(page))
    return report.differences.length === 0 ? exitOk : exitIncomplete
  })
