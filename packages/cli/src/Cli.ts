/**
 * The `kustomer-bulk` command line: its commands and flags (`@effect/cli`), what each command does, and the exit
 * code. {@link make} takes the actions as a parameter, so that parsing can be tested without running anything;
 * {@link actions} are the real ones.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Connection from "./Connection.js"
import * as Convert from "./Convert.js"
import * as Demo from "./Demo.js"
import * as Failure from "./Failure.js"
import * as FlagSuggestion from "./FlagSuggestion.js"
import * as HtmlReport from "./HtmlReport.js"
import * as ImportRequest from "./ImportRequest.js"
import * as ImportRunner from "./ImportRunner.js"
import * as CommandLine from "./internal/commandLine.js"
import type { demoOptions } from "./internal/commandOptions.js"
import { flagsByCommand } from "./internal/commandOptions.js"
import { convertCommand } from "./internal/commands/convert.js"
import * as DemoCommand from "./internal/commands/demo.js"
import type { Handler } from "./internal/commands/handler.js"
import { importCommand } from "./internal/commands/import.js"
import { jobCommand } from "./internal/commands/job.js"
import { migrateCommand } from "./internal/commands/migrate.js"
import { reportCommand } from "./internal/commands/report.js"
import { simulateCommand } from "./internal/commands/simulate.js"
import { rollbackCommand, verifyCommand } from "./internal/commands/undo.js"
import * as Job from "./Job.js"
import * as Mapping from "./Mapping.js"
import type * as MigrateRequest from "./MigrateRequest.js"
import * as MigrateRunner from "./MigrateRunner.js"
import { Output } from "./Output.js"
import * as RunLog from "./RunLog.js"
import * as Simulate from "./Simulate.js"
import type * as UndoRequest from "./UndoRequest.js"
import * as UndoRunner from "./UndoRunner.js"

/** The command's name. @since 0.1.0 */
export const name = "kustomer-bulk"

/** The version it reports. @since 0.1.0 */
export const version = "0.1.0"

/**
 * What each command does once its flags are checked; each returns the exit code.
 *
 * @since 0.1.0
 */
export interface Actions<R> {
  readonly import: (request: ImportRequest.ImportRequest) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly job: (request: Job.JobRequest) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly simulate: (args: ReadonlyArray<string>) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly demo: (request: Demo.DemoRequest) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly convert: (request: Convert.ConvertRequest) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly migrate: (request: MigrateRequest.MigrateRequest) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly report: (request: ReportRequest) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly rollback: (request: UndoRequest.RollbackRequest) => Effect.Effect<number, Failure.CommandFailure, R>
  readonly verify: (request: UndoRequest.VerifyRequest) => Effect.Effect<number, Failure.CommandFailure, R>
}

/**
 * What `report` was asked to do: read a run's JSON report and write it as a page.
 *
 * @since 0.1.0
 */
export interface ReportRequest {
  readonly report: string
  readonly html: string
}

/**
 * Checks the flags of `demo`.
 *
 * @since 0.1.0
 */
export const demoRequest: (
  flags: Command.Command.ParseConfig<typeof demoOptions>
) => Either.Either<Demo.DemoRequest, Failure.CliError> = DemoCommand.demoRequest

/**
 * The command tree, with `actions` behind it; each handler stores its exit code in `exitCode`.
 *
 * @since 0.1.0
 */
export const make = <R>(actions: Actions<R>, exitCode: Ref.Ref<number>) => {
  const handler: Handler<R> = {
    /** Runs an action: its code, or 1 with a message that says what to do. */
    handle: (action) => Effect.flatMap(reportFailures(action), (code) => Ref.set(exitCode, code)),
    version
  }
  return Command.make(name).pipe(
    Command.withDescription("Bulk-import support history into Kustomer, safely and as fast as the API allows."),
    Command.withSubcommands([
      importCommand((request) => actions.import(request), handler),
      migrateCommand((request) => actions.migrate(request), handler),
      jobCommand((request) => actions.job(request), handler),
      simulateCommand((args) => actions.simulate(args), handler),
      DemoCommand.demoCommand((request) => actions.demo(request), handler),
      convertCommand((request) => actions.convert(request), handler),
      reportCommand((request) => actions.report(request), handler),
      rollbackCommand((request) => actions.rollback(request), handler),
      verifyCommand((request) => actions.verify(request), handler)
    ])
  )
}

/** An action's exit code; a failure becomes 1 after its message is printed. Interruption passes through. */
const reportFailures = <R>(
  action: Effect.Effect<number, Failure.CommandFailure, R>
): Effect.Effect<number, never, R | Output> =>
  Effect.catchAllCause(action, (cause) =>
    Effect.gen(function*() {
      if (Cause.isInterruptedOnly(cause)) return yield* Effect.interrupt
      const output = yield* Output
      const failure = Cause.failureOption(cause)
      yield* output.err(
        Option.isSome(failure)
          ? `${name}: ${Failure.describe(failure.value)}`
          : `${name}: unexpected error — please report it:\n${Cause.pretty(cause)}`
      )
      return Failure.exitFatal
    }))

/**
 * Prepares the arguments for `@effect/cli`: a lone `-` (standard input) becomes a placeholder that the import
 * turns back.
 *
 * @since 0.1.0
 */
export const normaliseArgs = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  args.map((arg) => (arg === ImportRequest.stdin ? ImportRequest.stdinPlaceholder : arg))

/**
 * Runs the command line `args` (without `node` and the script) with `actions`; returns the exit code. `simulate`
 * hands its arguments to the simulator untouched, `--help` included.
 *
 * @since 0.1.0
 */
export const main = <R>(actions: Actions<R>) =>
(args: ReadonlyArray<string>): Effect.Effect<
  number,
  never,
  R | Output | HttpClient.HttpClient | CliApp.CliApp.Environment
> =>
  Effect.gen(function*() {
    if (args[0] === "simulate") return yield* reportFailures(actions.simulate(args.slice(1)))
    const exitCode = yield* Ref.make(Failure.exitOk)
    const run = Command.run(make(actions, exitCode), { name, version })
    const parsed = yield* Effect.either(
      run(["node", name, ...normaliseArgs(args)]).pipe(Effect.locally(CommandLine.args, args))
    )
    // @effect/cli has printed what is wrong with the command line already.
    if (Either.isLeft(parsed)) {
      if (ValidationError.isValidationError(parsed.left)) {
        const known = flagsByCommand[args[0] ?? ""]
        if (known !== undefined) {
          const output = yield* Output
          yield* Effect.forEach(FlagSuggestion.suggestions(args.slice(1), known), (line) => output.err(line))
        }
        return Failure.exitFatal
      }
      return yield* reportFailures(Effect.fail(parsed.left))
    }
    return yield* Ref.get(exitCode)
  }).pipe(RunLog.withLogger)

/**
 * What the real commands need: Node's file system, paths, child processes and HTTP client, and the output.
 *
 * @since 0.1.0
 */
export type Environment =
  | CliApp.CliApp.Environment
  | CommandExecutor.CommandExecutor
  | HttpClient.HttpClient
  | Output

/**
 * The real actions.
 *
 * @since 0.1.0
 */
export const actions: Actions<Environment> = {
  import: (request) =>
    Effect.gen(function*() {
      const mapping = yield* Mapping.resolve(request.mapping)
      const csv = request.format === "csv"
        ? {
          ...(mapping === undefined ? {} : { mapping }),
          ...(request.delimiter === undefined ? {} : { delimiter: request.delimiter }),
          ...(request.timeZone === undefined ? {} : { timeZone: request.timeZone })
        }
        : undefined
      const plan = {
        input: request.input,
        resource: request.resource,
        acceptImportDates: request.acceptImportDates,
        format: request.format,
        csv,
        encoding: request.encoding,
        unknownFields: request.unknownFields,
        maxItems: request.maxItems,
        maxBytes: request.maxBytes,
        concurrency: request.concurrency,
        maxJobsInFlight: request.maxJobsInFlight,
        journal: request.journal,
        report: request.report,
        html: request.html,
        rejects: request.rejects,
        unknown: request.unknown,
        allowUnknown: request.allowUnknown,
        results: request.results,
        skip: request.skip,
        limit: request.limit,
        json: request.json,
        assignExternalIds: request.assignExternalIds,
        resolveExisting: request.resolveExisting
      }
      if (request.dryRun) return yield* ImportRunner.dryRun(plan)
      const baseUrl = yield* Connection.describe(request.connection)
      return yield* ImportRunner.run({ ...plan, ...(yield* Connection.firstPollDelay), target: baseUrl }).pipe(
        Effect.provide(Connection.clientLayer(request.connection))
      )
    }),
  job: (request) => Job.run(request).pipe(Effect.provide(Connection.clientLayer(request.connection))),
  simulate: (args) => Simulate.run(args),
  report: (request) => HtmlReport.fromReportFile(request.report, request.html),
  rollback: (request) => UndoRunner.rollback(request),
  verify: (request) => UndoRunner.verify(request),
  demo: (request) => Demo.run(request),
  convert: (request) => Convert.run(request),
  migrate: (request) =>
    Effect.gen(function*() {
      const mapping = yield* Mapping.resolve(request.mapping)
      const plan = {
        bundle: request.bundle,
        format: request.format,
        csv: request.format === "csv"
          ? {
            ...(mapping === undefined ? {} : { mapping }),
            ...(request.delimiter === undefined ? {} : { delimiter: request.delimiter }),
            ...(request.timeZone === undefined ? {} : { timeZone: request.timeZone })
          }
          : undefined,
        encoding: request.encoding,
        journal: request.journal,
        report: request.report,
        html: request.html,
        rejects: request.rejects,
        results: request.results,
        json: request.json,
        maxItems: request.maxItems,
        maxBytes: request.maxBytes,
        concurrency: request.concurrency,
        maxJobsInFlight: request.maxJobsInFlight,
        acceptImportDates: request.acceptImportDates,
        usersMap: request.usersMap,
        lines: request.lines,
        skipAttachments: request.skipAttachments,
        sequentialPhases: request.sequentialPhases,
        attachmentIdleTimeout: request.attachmentIdleTimeout,
        delta: request.delta
      }
      if (request.dryRun) return yield* MigrateRunner.dryRun(plan)
      const baseUrl = yield* Connection.describe(request.connection)
      const cap = request.connection.rateLimit
      return yield* MigrateRunner.run({
        ...plan,
        ...(yield* Connection.firstPollDelay),
        target: baseUrl,
        version,
        rateLimitCap: cap === undefined ? undefined : { limit: cap.limit, windowMillis: Duration.toMillis(cap.window) }
      }).pipe(
        Effect.provide(Connection.clientLayer(request.connection))
      )
    })
}
