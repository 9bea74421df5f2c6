/**
 * The `migrate` command: a bundle of support history, linked by the ids Kustomer gives.
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import type { CommandFailure } from "../../Failure.js"
import * as MigrateRequest from "../../MigrateRequest.js"
import * as RunLog from "../../RunLog.js"
import * as Telemetry from "../../Telemetry.js"
import { migrateOptions } from "../commandOptions.js"
import type { Handler } from "./handler.js"

/** `migrate`, running `action` once its flags are checked. */
export const migrateCommand = <R>(
  action: (request: MigrateRequest.MigrateRequest) => Effect.Effect<number, CommandFailure, R>,
  { handle, version }: Handler<R>
) =>
  Command.make(
    "migrate",
    migrateOptions,
    (flags) =>
      handle(
        Effect.flatMap(MigrateRequest.fromFlags(flags), (request) => action(request)).pipe(
          Telemetry.exporting(flags.otelEndpoint, version)
        )
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription(
      "Migrate a bundle of support history: customers (each once), then conversations, messages and notes, " +
        "linked by the ids Kustomer gives them. Resumable with --journal. The API key is read from KUSTOMER_API_KEY."
    )
  )
