/**
 * The `job` command: a bulk job's status and per-item results.
 */
import * as Command from "@effect/cli/Command"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { CommandFailure } from "../../Failure.js"
import type * as Job from "../../Job.js"
import * as RunLog from "../../RunLog.js"
import * as Telemetry from "../../Telemetry.js"
import { jobOptions } from "../commandOptions.js"
import type { Handler } from "./handler.js"

/** `job`, running `action` with the request its flags describe. */
export const jobCommand = <R>(
  action: (request: Job.JobRequest) => Effect.Effect<number, CommandFailure, R>,
  { handle, version }: Handler<R>
) =>
  Command.make(
    "job",
    jobOptions,
    (flags) =>
      handle(
        Telemetry.exporting(flags.otelEndpoint, version)(action({
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
