/**
 * What `migrate` prints at the end and exits with: the table per resource, the lines about what to look at
 * (people, companies, attachments, held objects, the rejects, a trial, the journal), and the exit code.
 */
import type { Migration, MigrationReport } from "@effect-kustomer/migration"
import * as Format from "../Format.js"
import { roleWarnings } from "../ImportRunner.js"
import * as Summary from "../Summary.js"

/** What the attachments came to, when the bundle had any. */
const attachmentsLine = (counts: Migration.AttachmentCounts, rejects: string | undefined): string | undefined =>
  counts.carried + counts.notCarried + counts.held + counts.skipped === 0 ? undefined : [
    counts.skipped === 0
      ? undefined
      : `${
        Format.count(counts.skipped)
      } attachments left out (--skip-attachments): their messages and notes were sent without them`,
    `Attachments: ${Format.count(counts.carried)} carried (${Format.bytes(counts.bytes)})`,
    counts.notCarried === 0
      ? undefined
      : `${Format.count(counts.notCarried)} not carried (their messages and notes were sent without them; each ` +
        `with its reason ${rejects === undefined ? "in the rejects file: pass --rejects FILE" : `in ${rejects}`})`,
    counts.held === 0
      ? undefined
      : `${Format.count(counts.held)} messages or notes held: an attachment could not be carried for now (the API ` +
        "or the storage kept failing); run the same command again to send them"
  ].filter((part) => part !== undefined).join("; ")

/** Where the objects not created are, and how they are sent again once fixed. */
const rejectsLine = (counts: Migration.RejectsCounts, rejects: string): string | undefined => {
  if (counts.rootCauses === 0) return undefined
  const one = counts.rootCauses === 1
  const dependants = counts.dependants === 0
    ? ""
    : ` and ${Format.count(counts.dependants)} only because ${one ? "it" : "one of them"} was not (counted on its line)`
  return `${Format.count(counts.rootCauses)} ${one ? "object" : "objects"} not created for a reason of ${
    one ? "its" : "their"
  } own${dependants} → ${rejects}, each with its reason and the bundle line that sends it again: fix ${
    one ? "it" : "them"
  } there, then migrate that file with a new --journal (nothing is created twice)`
}

/** A delta's table: per resource, what it created, updated, found unchanged, and what is gone from the export. */
const deltaLines = (delta: Migration.DeltaSummary | undefined): ReadonlyArray<string> => {
  if (delta === undefined) return []
  const rows = delta.resources.filter((counts) => counts.created + counts.updated + counts.unchanged + counts.gone > 0)
  const gone = rows.reduce((sum, counts) => sum + counts.gone, 0)
  return [
    `Delta ${delta.generation}:`,
    Format.table([
      ["", "created", "updated", "unchanged", "gone"],
      ...rows.map((counts) => [
        counts.resource,
        Format.count(counts.created),
        Format.count(counts.updated),
        Format.count(counts.unchanged),
        Format.count(counts.gone)
      ])
    ]),
    ...(gone === 0 ? [] : [
      `${Format.count(gone)} objects migrated before are gone from this export: reported, not deleted`
    ])
  ]
}

/** Per resource, what became of its objects over every attempt (a resumed run's, from the journal). */
const cumulativeTable = (cumulative: ReadonlyArray<MigrationReport.CumulativePhase>): string =>
  `All attempts together:\n${
    Format.table([
      ["", "created", "existing", "rejected", "failed", "unknown"],
      ...cumulative.map((phase) => [
        phase.resource,
        Format.count(phase.created),
        Format.count(phase.alreadyExisting),
        Format.count(phase.rejected),
        Format.count(phase.failed),
        Format.count(phase.unknown)
      ])
    ])
  }`

/** The table printed at the end: one row per resource, and the files to look at. */
export const renderResult = (
  result: Migration.Result,
  plan: {
    readonly journal: string | undefined
    readonly rejects: string | undefined
    readonly lines?: Migration.LineWindow | undefined
    readonly resumable?: boolean | undefined
  },
  cumulative?: ReadonlyArray<MigrationReport.CumulativePhase> | undefined,
  /** Every HTTP request of each phase, as the report counts them (else the bulk pipeline's own count). */
  requests?: ReadonlyArray<MigrationReport.PhaseReport> | undefined
): string => {
  const rows = [
    ["", "created", "existing", "rejected", "failed", "unknown", "requests"],
    ...result.phases.map((phase) => [
      phase.phase,
      Format.count(phase.summary.created),
      Format.count(phase.summary.alreadyExisting),
      Format.count(phase.summary.rejected),
      Format.count(phase.summary.failed),
      Format.count(phase.summary.unknown),
      Format.count(requests?.find((row) => row.resource === phase.phase)?.requests ?? phase.summary.requests)
    ])
  ]
  const skipped = result.phases.reduce((sum, phase) => sum + phase.settledBefore, 0)
  const foundByEmail = result.phases.reduce((sum, phase) => sum + phase.foundByEmail, 0)
  const held = result.phases.reduce((sum, phase) => sum + phase.held, 0)
  return [
    result.resumed ? `Resumed: ${Format.count(skipped)} objects settled by earlier attempts were skipped.` : undefined,
    Format.table(rows),
    ...deltaLines(result.delta),
    result.resumed && cumulative !== undefined ? cumulativeTable(cumulative) : undefined,
    foundByEmail === 0
      ? undefined
      : `${Format.count(foundByEmail)} customers known by e-mail already existed: linked, not created again`,
    result.unmappedPeople.length === 0
      ? undefined
      : `${Format.count(result.unmappedPeople.length)} people the bundle names are no Kustomer user (their ` +
        `messages, notes and assignments went without them; map them with --users-map FILE): ${
          result.unmappedPeople.slice(0, 10).map((person) => `${person.person} (${Format.count(person.objects)})`)
            .join(", ")
        }${result.unmappedPeople.length > 10 ? ", …" : ""}`,
    attachmentsLine(result.attachments, plan.rejects),
    result.leftOut.companies === 0
      ? undefined
      : `${
        Format.count(result.leftOut.companies)
      } customers were created without their company: it was not created (see the companies phase's rejects)`,
    held === 0
      ? undefined
      : `${Format.count(held)} objects held, neither sent nor rejected: the job that created their customer or ` +
        "conversation could not be read yet." +
        (plan.resumable === false ? "" : " Run the same command again (with the same --journal) to send them"),
    plan.rejects === undefined ? undefined : rejectsLine(result.rejectsFile, plan.rejects),
    plan.lines === undefined
      ? undefined
      : `Trial: conversations ${Format.count((plan.lines.skip ?? 0) + 1)}–${
        Format.count((plan.lines.skip ?? 0) + plan.lines.limit)
      } of the bundle, with what they need. Run again without --limit and --skip (same --journal) to send the rest`,
    plan.journal === undefined
      ? undefined
      : plan.resumable === false
      ? `Journal: ${plan.journal}`
      : `Journal: ${plan.journal} (run the same command again to resume)`,
    ...roleWarnings(result.roles)
  ].filter((line): line is string => line !== undefined).join("\n")
}

/** Whether every object was created or found (objects held for a later attempt are not). */
export const exitCodeOf = (result: Migration.Result): number =>
  Math.max(
    result.attachments.notCarried > 0 ? 2 : 0,
    ...result.phases.map((phase) => phase.held > 0 ? 2 : Summary.exitCode(phase.summary))
  )

/** 2 when some object was not created in any attempt (rejected, failed, unknown), from the journal's totals. */
export const cumulativeExitCode = (cumulative: ReadonlyArray<MigrationReport.CumulativePhase>): number =>
  cumulative.some((phase) => phase.rejected + phase.failed + phase.unknown > 0) ? 2 : 0
