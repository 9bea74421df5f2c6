/**
 * The `kustomer-bulk` command line: its commands and flags (`@effect/cli`), what each command does, and the exit
 * code. {@link make} takes the actions as a parameter, so that parsing can be tested without running anything;
 * {@link actions} are the real ones.
 *
 * @since 0.1.0
 */
import { RateBudget } from "@effect-kustomer/domain"
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
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
import {
  convertZendeskOptions,
  demoOptions,
  flagsByCommand,
  importOptions,
  jobOptions,
  migrateOptions,
  reportOptions
} from "./internal/commandOptions.js"
import * as Job from "./Job.js"
import * as Mapping from "./Mapping.js"
import * as MigrateRequest from "./MigrateRequest.js"
import * as MigrateRunner from "./MigrateRunner.js"
import { Output } from "./Output.js"
import * as RunLog from "./RunLog.js"
import * as Simulate from "./Simulate.js"
import * as Telemetry from "./Telemetry.js"

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
  readonly import: (request: ImportRequest.ImportRequest) => Effect.Effect<number, unknown, R>
  readonly job: (request: Job.JobRequest) => Effect.Effect<number, unknown, R>
  readonly simulate: (args: ReadonlyArray<string>) => Effect.Effect<number, unknown, R>
  readonly demo: (request: Demo.DemoRequest) => Effect.Effect<number, unknown, R>
  readonly convert: (request: Convert.ConvertRequest) => Effect.Effect<number, unknown, R>
  readonly migrate: (request: MigrateRequest.MigrateRequest) => Effect.Effect<number, unknown, R>
  readonly report: (request: ReportRequest) => Effect.Effect<number, unknown, R>
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
export const demoRequest = (
  flags: Command.Command.ParseConfig<typeof demoOptions>
): Either.Either<Demo.DemoRequest, Failure.CliError> =>
  Either.gen(function*() {
    const fail = (message: string) => Either.left(new Failure.CliError({ message }))
    if (!Number.isInteger(flags.records) || flags.records < 1 || flags.records > 1_000_000) {
      return yield* fail("--records must be a whole number from 1 to 1000000")
    }
    const maxCustomers = flags.conversationsOnly ? 100 : Math.max(1, flags.records)
    if (!Number.isInteger(flags.customers) || flags.customers < 1 || flags.customers > maxCustomers) {
      return yield* fail(
        flags.conversationsOnly
          ? "--customers must be a whole number from 1 to 100 (one bulk request)"
          : `--customers must be a whole number from 1 to --records (${maxCustomers})`
      )
    }
    if (!(flags.failRate >= 0 && flags.failRate <= 0.5)) return yield* fail("--fail-rate must be from 0 to 0.5")
    const budget = yield* Option.match(flags.rateLimit, {
      onNone: () => Either.right(undefined),
      onSome: (text) =>
        Either.mapLeft(
          RateBudget.parse(text),
          (message) => new Failure.CliError({ message: `--rate-limit: ${message}` })
        )
    })
    return {
      records: flags.records,
      customers: flags.customers,
      rateLimit: budget,
      withErrors: flags.withErrors,
      failRate: flags.failRate,
      out: Option.getOrUndefined(flags.out),
      conversationsOnly: flags.conversationsOnly
    }
  })

/**
 * The command tree, with `actions` behind it; each handler stores its exit code in `exitCode`.
 *
 * @since 0.1.0
 */
export const make = <R>(actions: Actions<R>, exitCode: Ref.Ref<number>) => {
  /** Runs an action: its code, or 1 with a message that says what to do. */
  const handle = (action: Effect.Effect<number, unknown, R | HttpClient.HttpClient>) =>
    Effect.flatMap(reportFailures(action), (code) => Ref.set(exitCode, code))

  const importCommand = Command.make(
    "import",
    importOptions,
    (flags) =>
      handle(
        Effect.flatMap(ImportRequest.fromFlags(flags), (request) => actions.import(request)).pipe(
          Telemetry.exporting(flags.otelEndpoint, version)
        )
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription(
      "Import records of one resource — conversations, or another with --resource — from a JSON Lines, JSON " +
        "or CSV file (or standard input). The API key is read from KUSTOMER_API_KEY, never from a flag; its roles " +
        "are checked before anything is created."
    )
  )

  const jobCommand = Command.make(
    "job",
    jobOptions,
    (flags) =>
      handle(
        Telemetry.exporting(flags.otelEndpoint, version)(actions.job({
          id: flags.id,
          json: flags.json,
          results: Option.getOrUndefined(flags.results),
          connection: {
            baseUrl: Option.getOrUndefined(flags.baseUrl),
            org: Option.getOrUndefined(flags.org),
            region: Option.getOrUndefined(flags.region),
            rateLimit: undefined
          }
        }))
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription("Show a bulk job's status and per-item results.")
  )

  const simulateCommand = Command.make("simulate", {
    flags: Args.text({ name: "simulator flags" }).pipe(Args.repeated)
  }, (flags) => handle(actions.simulate(flags.flags))).pipe(
    Command.withDescription(
      "Start the Kustomer simulator on this machine, with the flags of `pnpm simulator` " +
        "(kustomer-bulk simulate --help lists them)."
    )
  )

  const demoCommand = Command.make(
    "demo",
    demoOptions,
    (flags) =>
      handle(
        Effect.flatMap(demoRequest(flags), (request) => actions.demo(request)).pipe(
          Telemetry.exporting(flags.otelEndpoint, version)
        )
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription(
      "Start a simulator in process, generate a bundle of realistic conversations with their customers, messages " +
        "and notes, and migrate it as `migrate` would; then print the summary and what the simulator holds."
    )
  )

  const convertZendeskCommand = Command.make("zendesk", convertZendeskOptions, (flags) =>
    handle(actions.convert({
      tickets: flags.tickets,
      users: Option.getOrUndefined(flags.users),
      organizations: Option.getOrUndefined(flags.organizations),
      ticketFields: Option.getOrUndefined(flags.ticketFields),
      fieldsMap: Option.getOrUndefined(flags.fieldsMap),
      priorityMap: Option.getOrUndefined(flags.priorityMap),
      includeDeleted: flags.includeDeleted,
      out: flags.out,
      problems: Option.getOrUndefined(flags.problems),
      summary: Option.getOrUndefined(flags.summary)
    }))).pipe(
      Command.withDescription(
        "Convert a Zendesk export into a migration bundle: tickets → conversations, requesters → customers, " +
          "public comments → messages, private comments → notes. Prints what was carried and what not " +
          "(exit code 2 when something was not)."
      )
    )

  const migrateCommand = Command.make(
    "migrate",
    migrateOptions,
    (flags) =>
      handle(
        Effect.flatMap(MigrateRequest.fromFlags(flags), (request) => actions.migrate(request)).pipe(
          Telemetry.exporting(flags.otelEndpoint, version)
        )
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription(
      "Migrate a bundle of support history: customers (each once), then conversations, messages and notes, " +
        "linked by the ids Kustomer gives them. Resumable with --journal. The API key is read from KUSTOMER_API_KEY."
    )
  )

  const reportCommand = Command.make(
    "report",
    reportOptions,
    (flags) => handle(actions.report({ report: flags.report, html: flags.html }))
  ).pipe(
    Command.withDescription(
      "Write a run's JSON report (--report of import or migrate) as one self-contained HTML page, with the " +
        "rejects file it names grouped by reason."
    )
  )

  const convertCommand = Command.make("convert").pipe(
    Command.withDescription("Convert another help desk's export into a migration bundle."),
    Command.withSubcommands([convertZendeskCommand])
  )

  return Command.make(name).pipe(
    Command.withDescription("Bulk-import support history into Kustomer, safely and as fast as the API allows."),
    Command.withSubcommands([
      importCommand,
      migrateCommand,
      jobCommand,
      simulateCommand,
      demoCommand,
      convertCommand,
      reportCommand
    ])
  )
}

/** An action's exit code; a failure becomes 1 after its message is printed. Interruption passes through. */
const reportFailures = <R>(action: Effect.Effect<number, unknown, R>): Effect.Effect<number, never, R | Output> =>
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
    const parsed = yield* Effect.either(run(["node", name, ...normaliseArgs(args)]))
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
          ...(request.delimiter === undefined ? {} : { delimiter: request.delimiter })
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
      return yield* ImportRunner.run({ ...plan, target: baseUrl }).pipe(
        Effect.provide(Connection.clientLayer(request.connection))
      )
    }),
  job: (request) => Job.run(request).pipe(Effect.provide(Connection.clientLayer(request.connection))),
  simulate: (args) => Simulate.run(args),
  report: (request) => HtmlReport.fromReportFile(request.report, request.html),
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
            ...(request.delimiter === undefined ? {} : { delimiter: request.delimiter })
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
        usersMap: request.usersMap
      }
      if (request.dryRun) return yield* MigrateRunner.dryRun(plan)
      const baseUrl = yield* Connection.describe(request.connection)
      return yield* MigrateRunner.run({ ...plan, target: baseUrl }).pipe(
        Effect.provide(Connection.clientLayer(request.connection))
      )
    })
}
