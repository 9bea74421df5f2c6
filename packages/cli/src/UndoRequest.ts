/**
 * What `rollback` and `verify` were asked to do, from their checked flags.
 *
 * @since 0.1.0
 */
import type * as Command from "@effect/cli/Command"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Connection from "./Connection.js"
import { CliError } from "./Failure.js"
import * as ImportRequest from "./ImportRequest.js"
import type { rollbackOptions, verifyOptions } from "./internal/commandOptions.js"

/**
 * What both commands share: the migration's journal, its bundle (when given), the report, the connection.
 *
 * @since 0.1.0
 */
export interface UndoShared {
  readonly journal: string
  readonly bundle: string | undefined
  readonly report: string | undefined
  /** `--html FILE`: the report as one HTML page. */
  readonly html: string | undefined
  readonly json: boolean
  readonly concurrency: number | undefined
  readonly connection: Connection.Connection
}

/**
 * `rollback`'s request. `interactive`: standard input and output are a terminal, so it can ask for confirmation.
 *
 * @since 0.1.0
 */
export interface RollbackRequest extends UndoShared {
  readonly dryRun: boolean
  readonly yes: boolean
  readonly interactive: boolean
  readonly maxItems: number | undefined
}

/**
 * `verify`'s request.
 *
 * @since 0.1.0
 */
export interface VerifyRequest extends UndoShared {
  readonly sample: number | undefined
  readonly seed: number | undefined
}

const sharedOf = (
  flags: Command.Command.ParseConfig<typeof rollbackOptions> | Command.Command.ParseConfig<typeof verifyOptions>
): Either.Either<UndoShared, CliError> =>
  Either.gen(function*() {
    const rateLimit = yield* ImportRequest.rateLimitOf(flags.rateLimit)
    const concurrency = yield* ImportRequest.inRange(
      "--concurrency",
      flags.concurrency,
      1,
      ImportRequest.maxConcurrency
    )
    return {
      journal: flags.journal,
      bundle: Option.getOrUndefined(flags.bundle),
      report: Option.getOrUndefined(flags.report),
      html: Option.getOrUndefined(flags.html),
      json: flags.json,
      concurrency,
      connection: ImportRequest.connectionOf(flags, rateLimit)
    }
  })

/**
 * Checks `rollback`'s flags; `interactive` says whether there is a terminal to ask for confirmation on.
 *
 * @since 0.1.0
 */
export const rollbackRequest = (
  flags: Command.Command.ParseConfig<typeof rollbackOptions>,
  interactive: boolean
): Either.Either<RollbackRequest, CliError> =>
  Either.gen(function*() {
    const shared = yield* sharedOf(flags)
    const maxItems = yield* ImportRequest.inRange("--max-items", flags.maxItems, 1, 100)
    if (!flags.dryRun && !flags.yes && !interactive) {
      return yield* Either.left(
        new CliError({
          message: "rollback changes what is in Kustomer and there is no terminal to confirm on: run it with --yes " +
            "(or --dry-run to list what it would undo)"
        })
      )
    }
    return { ...shared, dryRun: flags.dryRun, yes: flags.yes, interactive, maxItems }
  })

/**
 * Checks `verify`'s flags.
 *
 * @since 0.1.0
 */
export const verifyRequest = (
  flags: Command.Command.ParseConfig<typeof verifyOptions>
): Either.Either<VerifyRequest, CliError> =>
  Either.gen(function*() {
    const shared = yield* sharedOf(flags)
    const sample = yield* ImportRequest.inRange("--sample", flags.sample, 1, Number.MAX_SAFE_INTEGER)
    if (Option.isSome(flags.seed) && sample === undefined) {
      return yield* Either.left(new CliError({ message: "--seed draws a --sample: give --sample N with it" }))
    }
    const seed = yield* ImportRequest.inRange("--seed", flags.seed, 0, Number.MAX_SAFE_INTEGER)
    return { ...shared, sample, seed }
  })
