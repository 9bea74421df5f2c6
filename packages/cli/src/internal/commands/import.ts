/**
 * The `import` command: one resource's records from a file or standard input.
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import type { CommandFailure } from "../../Failure.js"
import * as ImportRequest from "../../ImportRequest.js"
import * as RunLog from "../../RunLog.js"
import * as Telemetry from "../../Telemetry.js"
import { importOptions } from "../commandOptions.js"
import type { Handler } from "./handler.js"

/** `import`, running `action` once its flags are checked. */
export const importCommand = <R>(
  action: (request: ImportRequest.ImportRequest) => Effect.Effect<number, CommandFailure, R>,
  { handle, version }: Handler<R>
) =>
  Command.make(
    "import",
    importOptions,
    (flags) =>
      handle(
        Effect.flatMap(ImportRequest.fromFlags(flags), (request) => action(request)).pipe(
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
