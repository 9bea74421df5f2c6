/**
 * `--json`: the result of a command as one JSON document on standard output and nothing else there; the human
 * summary goes to standard error instead, so `kustomer-bulk import … --json > out.json` gives valid JSON and the
 * terminal still shows what happened.
 *
 * @since 0.1.0
 */
import { RunReport } from "@effect-kustomer/journal"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Output } from "./Output.js"
import type * as Summary from "./Summary.js"

/**
 * Prints the end of a run: with `json`, `human` to standard error and `document` as indented JSON to standard
 * output; without it, `human` to standard output.
 *
 * @since 0.1.0
 */
export const emit = (json: boolean, human: string, document: () => unknown): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (output) =>
    json
      ? Effect.zipRight(output.err(human), output.out(JSON.stringify(document(), null, 2)))
      : output.out(human))

const encodeReport = Schema.encodeSync(RunReport.RunReport)

/**
 * The document of an import: its report (as `--report` writes it) and the exit code.
 *
 * @since 0.1.0
 */
export const importDocument = (report: RunReport.RunReport, exitCode: number) => ({
  exitCode,
  ...encodeReport(report)
})

/**
 * The document of a dry run: what would be sent, and the first rejected records.
 *
 * @since 0.1.0
 */
export const planDocument = (totals: Summary.PlanTotals, exitCode: number) => ({
  exitCode,
  dryRun: true,
  records: totals.read,
  rejected: totals.rejected,
  requests: totals.requests,
  items: totals.items,
  largestRequestBytes: totals.largestBytes,
  withoutExternalId: totals.withoutExternalId,
  examples: totals.examples
})
