/**
 * The one code path of an import, shared by `import` and `demo`: progress while it runs, the summary table at
 * the end, and the exit code. The import itself is `DurableImport.run` (journal, rejects, report, assigned
 * external ids); a dry run is `BulkImport.plan`, which sends nothing.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { BulkImport, type ImportEvent, ImportSource, type KustomerClient } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { CliError } from "./Failure.js"
import { stdin } from "./ImportRequest.js"
import { Output } from "./Output.js"
import * as ProgressReporter from "./ProgressReporter.js"
import * as Summary from "./Summary.js"

/**
 * An import to run: the checked request with its mapping resolved.
 *
 * @since 0.1.0
 */
export interface Plan {
  /** A file path, or `-` for standard input. */
  readonly input: string
  readonly format: ImportSource.Format
  readonly csv: { readonly mapping?: ImportSource.CsvMapping; readonly delimiter?: string } | undefined
  readonly maxItems: number | undefined
  readonly maxBytes: number | undefined
  readonly concurrency: number | undefined
  readonly journal: string | undefined
  readonly report: string | undefined
  readonly rejects: string | undefined
  readonly assignExternalIds: boolean
  /** Where the records go, for the first line (a base URL; never the key). */
  readonly target: string
}

const sourceOf = (plan: Pick<Plan, "input" | "format" | "csv">) =>
  plan.input === stdin
    ? ImportSource.fromBytes(ImportSource.stdinBytes, plan.format, plan.csv ?? {}, "standard input")
    : ImportSource.fromFile(plan.input, { format: plan.format, csv: plan.csv })

const pipelineOf = (plan: Pick<Plan, "maxItems" | "maxBytes" | "concurrency">) => ({
  maxItems: plan.maxItems,
  maxBytes: plan.maxBytes,
  submitConcurrency: plan.concurrency
})

/** The records in a file, counted in the background so that the progress bar can show a total. */
const countRecords = (plan: Plan) => Stream.runCount(sourceOf(plan))

/** The import: `DurableImport.run` once `@effect-kustomer/journal` exists; until then the pipeline alone. */
const durableImport = (plan: Plan, onEvent: (event: ImportEvent.ImportEvent) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const unavailable = [
      ...(plan.journal === undefined ? [] : ["--journal"]),
      ...(plan.rejects === undefined ? [] : ["--rejects"]),
      ...(plan.report === undefined ? [] : ["--report"]),
      ...(plan.assignExternalIds ? ["--assign-external-ids"] : [])
    ]
    if (unavailable.length > 0) {
      return yield* Effect.fail(new CliError({ message: `${unavailable.join(", ")}: not available in this build` }))
    }
    const summary = yield* BulkImport.run(sourceOf(plan), { ...pipelineOf(plan), onEvent })
    return { summary, resumed: false, totalRecords: Option.none<number>() }
  })

/**
 * Runs an import with progress and prints its summary; returns the exit code (0 or 2). Fatal failures fail.
 *
 * @since 0.1.0
 */
export const run = (plan: Plan): Effect.Effect<
  number,
  BulkImport.BulkImportError | CliError,
  KustomerClient.KustomerClient | FileSystem.FileSystem | Output
> =>
  Effect.gen(function*() {
    const output = yield* Output
    yield* output.err(
      `Importing ${plan.input === stdin ? "standard input" : plan.input} (${plan.format}) into ${plan.target}`
    )
    const result = yield* Effect.scoped(Effect.gen(function*() {
      const reporter = yield* ProgressReporter.make()
      if (plan.input !== stdin) {
        yield* countRecords(plan).pipe(
          Effect.flatMap((total) => reporter.setTotal(total)),
          Effect.ignore,
          Effect.forkScoped
        )
      }
      return yield* durableImport(plan, (event) => reporter.onEvent(event))
    }))
    yield* output.out(Summary.render(result.summary, {
      journal: plan.journal,
      rejects: plan.rejects,
      report: plan.report,
      resumed: result.resumed
    }))
    return Summary.exitCode(result.summary)
  })

/**
 * A dry run: reads, validates and chunks the input as the import would, prints what it would send and why
 * records would be rejected, and sends nothing. Needs no API key. Returns 0 when every record is valid, else 2.
 *
 * @since 0.1.0
 */
export const dryRun = (plan: Omit<Plan, "target">): Effect.Effect<
  number,
  ImportSource.SourceError,
  FileSystem.FileSystem | Output
> =>
  Effect.gen(function*() {
    const output = yield* Output
    yield* output.err(`Checking ${plan.input === stdin ? "standard input" : plan.input} (${plan.format}); nothing is sent`)
    const totals = yield* BulkImport.plan(sourceOf(plan), {
      ...pipelineOf(plan),
      // Any id will do: the dry run only needs to know that every record would have one.
      assignExternalId: plan.assignExternalIds ? (position) => `dry-run-${position.index}` : undefined
    }).pipe(Stream.runFold(Summary.emptyPlan, Summary.addToPlan))
    yield* output.out(Summary.renderPlan(totals, { assignExternalIds: plan.assignExternalIds }))
    return Summary.planExitCode(totals)
  })

