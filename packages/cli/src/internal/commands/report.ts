/**
 * The `report` command: a run's JSON report written as one HTML page.
 */
import * as Command from "@effect/cli/Command"
import type * as Effect from "effect/Effect"
import type { CommandFailure } from "../../Failure.js"
import { reportOptions } from "../commandOptions.js"
import type { Handler } from "./handler.js"

/** `report`, running `action` with the report to read and the page to write. */
export const reportCommand = <R>(
  action: (request: { readonly report: string; readonly html: string }) => Effect.Effect<number, CommandFailure, R>,
  { handle }: Handler<R>
) =>
  Command.make(
    "report",
    reportOptions,
    (flags) => handle(action({ report: flags.report, html: flags.html }))
  ).pipe(
    Command.withDescription(
      "Write a run's JSON report (--report of import or migrate) as one self-contained HTML page, with the " +
        "rejects file it names grouped by reason."
    )
  )
