/**
 * The end of a run: the summary table, what to do next, and the exit code. Pure.
 *
 * @since 0.1.0
 */
import { type BulkImport, type ImportEvent, ImportSource } from "@effect-kustomer/client"
import type { ImportCounts } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import * as Failure from "./Failure.js"
import * as Format from "./Format.js"

/**
 * `0` when every record was created or already existed, `2` when any was rejected, failed or is unknown. For a
 * journaled import, pass the counts over every attempt.
 *
 * @since 0.1.0
 */
export const exitCode = (summary: Pick<Counts, "failed" | "rejected" | "unknown">): number =>
  summary.failed + summary.rejected + summary.unknown === 0 ? Failure.exitOk : Failure.exitIncomplete

/** Outcome counts (over every attempt of a journaled import). @since 0.1.0 */
export type Counts = ImportCounts.OutcomeCounts

/**
 * What else the run knows, for the lines under the table: its files, and for a resumed run what earlier
 * attempts did.
 *
 * @since 0.1.0
 */
export interface Context {
  readonly journal?: string | undefined
  readonly rejects?: string | undefined
  /** The file of records in doubt, when it holds any. */
  readonly unknownFile?: string | undefined
  readonly report?: string | undefined
  readonly resumed?: boolean | undefined
  /** Records settled by earlier attempts, skipped by this one. */
  readonly skipped?: number | undefined
  /** Outcomes over every attempt (with a journal). */
  readonly cumulative?: Counts | undefined
}

/**
 * The summary of an import: a table of outcomes, the request counts, and a hint for every kind of record that
 * needs attention.
 *
 * @since 0.1.0
 */
export const render = (summary: ImportEvent.Summary, options: Context = {}): string => {
  const elapsed = Duration.toMillis(summary.elapsed)
  const perSecond = elapsed > 0 ? (summary.read * 1000) / elapsed : 0
  const rows: Array<[string, string]> = [
    ["created", Format.count(summary.created)],
    ["already existing", Format.count(summary.alreadyExisting)],
    ["rejected", Format.count(summary.rejected)],
    ["failed", Format.count(summary.failed)],
    ["unknown", Format.count(summary.unknown)],
    ["records", Format.count(summary.read)]
  ]
  const overall = options.cumulative ?? summary
  const title = `${exitCode(overall) === Failure.exitOk ? "Import complete" : "Import finished"} in ` +
    `${Format.duration(elapsed)} — ${Format.count(summary.read)} records, ${Format.count(perSecond)} records/s` +
    (options.resumed === true ? " (resumed)" : "")
  const requests = `${Format.count(summary.jobs)} jobs · ${Format.count(summary.requests)} requests ` +
    `(${Format.count(summary.submits)} submits, ${Format.count(summary.polls)} polls, ` +
    `${Format.count(summary.lookups)} look-ups) · ${Format.count(summary.rateLimited)} answered 429 · ` +
    `${Format.count(summary.retries)} retries`
  return [title, "", Format.table(rows), "", `  ${requests}`, ...hints(summary, options)].join("\n")
}

const plural = (count: number, one: string, many: string) => `${Format.count(count)} ${count === 1 ? one : many}`

const hints = (summary: ImportEvent.Summary, options: Context) => {
  const lines: Array<string> = []
  const listed = (what: string) =>
    options.rejects === undefined
      ? `Pass --rejects <file> to collect ${what} with their positions and reasons.`
      : `They are in ${options.rejects} with their positions and reasons.`
  if (options.resumed === true) {
    lines.push(
      `Resumed from ${options.journal ?? "the journal"}: ${plural(options.skipped ?? 0, "record", "records")} ` +
        "settled by earlier attempts were skipped."
    )
    const all = options.cumulative
    if (all !== undefined) {
      lines.push(
        `Over all attempts: ${Format.count(all.created)} created, ${Format.count(all.alreadyExisting)} already ` +
          `existing, ${Format.count(all.rejected)} rejected, ${Format.count(all.failed)} failed, ` +
          `${Format.count(all.unknown)} unknown.`
      )
    }
  }
  if (summary.alreadyExisting > 0) {
    lines.push(
      `${
        plural(summary.alreadyExisting, "record", "records")
      } already existed (same externalId): nothing was duplicated.`
    )
  }
  if (summary.rejected > 0) {
    lines.push(
      `${plural(summary.rejected, "record was", "records were")} rejected before sending (invalid). ${listed("them")}` +
        (options.rejects === undefined ? " --dry-run lists them without sending anything." : "")
    )
  }
  if (summary.failed > 0) {
    lines.push(`${plural(summary.failed, "record was", "records were")} refused by the API. ${listed("them")}`)
  }
  if (summary.unknown > 0) {
    lines.push(
      `${plural(summary.unknown, "record is", "records are")} unknown: they may or may not exist in Kustomer, and ` +
        "were not sent again, so nothing was duplicated. Running the command again does not change that: they " +
        "have no externalId to be checked by. " +
        (options.unknownFile === undefined
          ? "Pass --rejects <file> to collect them (in <file>.unknown.jsonl), apart from the records to fix. "
          : `They are in ${options.unknownFile} (not in the rejects file): check in Kustomer which exist (the ` +
            "job ids are in the file; kustomer-bulk job <id> shows a job's items) and import only the missing ones " +
            "(--allow-unknown accepts that file as input). ") +
        "Next time, give every record an externalId (or pass --assign-external-ids), so that records in doubt " +
        "are checked and never unknown."
    )
  }
  if (options.report !== undefined) lines.push(`Report: ${options.report}`)
  return lines.length === 0 ? [] : ["", ...lines.map((line) => `  ${line}`)]
}

/**
 * The totals of a dry run.
 *
 * @since 0.1.0
 */
export interface PlanTotals {
  readonly read: number
  readonly rejected: number
  readonly requests: number
  readonly items: number
  readonly largestBytes: number
  readonly withoutExternalId: number
  /** The first rejected records, to show. */
  readonly examples: ReadonlyArray<string>
}

/** Before the first event. @since 0.1.0 */
export const emptyPlan: PlanTotals = {
  read: 0,
  rejected: 0,
  requests: 0,
  items: 0,
  largestBytes: 0,
  withoutExternalId: 0,
  examples: []
}

/** How many rejected records a dry run shows. @since 0.1.0 */
export const planExamples = 10

/** The totals after one more dry-run event. @since 0.1.0 */
export const addToPlan = (totals: PlanTotals, event: BulkImport.PlanEvent): PlanTotals => {
  switch (event._tag) {
    case "Rejected":
      return {
        ...totals,
        read: totals.read + 1,
        rejected: totals.rejected + 1,
        examples: totals.examples.length < planExamples
          ? [...totals.examples, `${ImportSource.describePosition(event.position)}: ${event.reason}`]
          : totals.examples
      }
    case "ChunkPlanned":
      return {
        ...totals,
        read: totals.read + event.items,
        requests: totals.requests + 1,
        items: totals.items + event.items,
        largestBytes: Math.max(totals.largestBytes, event.bytes),
        withoutExternalId: totals.withoutExternalId + event.withoutExternalId
      }
  }
}

/** `0` when every record is valid, `2` otherwise. @since 0.1.0 */
export const planExitCode = (totals: PlanTotals): number =>
  totals.rejected === 0 ? Failure.exitOk : Failure.exitIncomplete

/**
 * The summary of a dry run: what an import would send, and why records would be rejected.
 *
 * @since 0.1.0
 */
export const renderPlan = (totals: PlanTotals, options: { readonly assignExternalIds?: boolean } = {}): string => {
  const rows: Array<[string, string]> = [
    ["records", Format.count(totals.read)],
    ["valid", Format.count(totals.items)],
    ["rejected", Format.count(totals.rejected)],
    ["bulk requests", Format.count(totals.requests)],
    ["largest request", Format.bytes(totals.largestBytes)],
    ["without externalId", Format.count(totals.withoutExternalId)]
  ]
  const lines = ["Dry run — nothing was sent.", "", Format.table(rows)]
  if (totals.examples.length > 0) {
    lines.push(
      "",
      `  ${totals.rejected > totals.examples.length ? `First ${totals.examples.length} rejected` : "Rejected"}:`
    )
    lines.push(...totals.examples.map((example) => `    ${example}`))
  }
  if (totals.withoutExternalId > 0 && options.assignExternalIds !== true) {
    lines.push(
      "",
      `  ${plural(totals.withoutExternalId, "record has", "records have")} no externalId: if a request carrying ` +
        "them were lost in flight, they could not be checked and would be reported unknown. " +
        "--assign-external-ids gives each one an id derived from the run."
    )
  }
  return lines.join("\n")
}
