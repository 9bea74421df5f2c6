/**
 * The `demo` command: an in-process simulator, a generated bundle and its migration; and how its flags are checked.
 */
import { RateBudget } from "@effect-kustomer/domain"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Demo from "../../Demo.js"
import * as Failure from "../../Failure.js"
import * as RunLog from "../../RunLog.js"
import * as Telemetry from "../../Telemetry.js"
import { demoOptions } from "../commandOptions.js"
import type { Handler } from "./handler.js"

/** Checks the flags of `demo` (`Cli.demoRequest`). */
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

/** `demo`, running `action` once its flags are checked. */
export const demoCommand = <R>(
  action: (request: Demo.DemoRequest) => Effect.Effect<number, Failure.CommandFailure, R>,
  { handle, version }: Handler<R>
) =>
  Command.make(
    "demo",
    demoOptions,
    (flags) =>
      handle(
        Effect.flatMap(demoRequest(flags), (request) => action(request)).pipe(
          Telemetry.exporting(flags.otelEndpoint, version)
        )
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription(
      "Start a simulator in process, generate a bundle of realistic conversations with their customers, messages " +
        "and notes, and migrate it as `migrate` would; then print the summary and what the simulator holds."
    )
  )
