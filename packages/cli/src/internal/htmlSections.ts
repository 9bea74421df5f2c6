/**
 * Sections of the HTML report besides the charts and the outcome tables: what to do next, what a delta changed,
 * the attempts with a journal and the totals over all of them, and how the run was made (target, version, flags,
 * input hash, jobs).
 * Pure: HTML text from a `RunView`.
 */
import * as Format from "../Format.js"
import type * as RejectGroups from "../RejectGroups.js"
import type * as RunView from "../RunView.js"
import { escape } from "./svgCharts.js"

/** What is left to do: counted over every attempt when the report has them. */
const leftOf = (view: RunView.RunView) => {
  const rows = view.cumulative ?? view.resources
  return {
    rejected: rows.reduce((sum, row) => sum + row.rejected, 0),
    failed: rows.reduce((sum, row) => sum + row.failed, 0),
    unknown: rows.reduce((sum, row) => sum + row.unknown, 0)
  }
}

/** The steps that follow from how the run ended, most pressing first. */
const nextSteps = (view: RunView.RunView, rejects: RejectGroups.Rejects | undefined): ReadonlyArray<string> => {
  const left = leftOf(view)
  const things = view.kind === "migration" ? "objects" : "records"
  const journal = view.journal === undefined ? undefined : `<code>${escape(view.journal)}</code>`
  const steps: Array<string> = []
  if (view.status !== "finished") {
    steps.push(
      journal === undefined
        ? `The run ${escape(view.status === "failed" ? "failed" : "was interrupted")} without a journal: it cannot ` +
          `be resumed. Run it again with <code>--journal FILE</code>; ${things} sent with an externalId are found ` +
          "again, not doubled."
        : `Run the same command again to resume from ${journal}: what is settled is not sent again.`
    )
  }
  if ((view.held ?? 0) > 0) {
    steps.push(
      `${Format.count(view.held ?? 0)} objects were held for a later attempt (their parent's job could not be read ` +
        `yet): run the same command again${journal === undefined ? "" : ` with ${journal}`} to send them.`
    )
  }
  const notCreated = left.rejected + left.failed
  if (notCreated > 0) {
    const file = view.rejectsPath === undefined ? undefined : `<code>${escape(view.rejectsPath)}</code>`
    steps.push(
      file === undefined
        ? `${Format.count(notCreated)} ${things} were not created; run again with <code>--rejects FILE</code> to ` +
          "get each with its reason."
        : view.kind === "migration"
        ? `${Format.count(notCreated)} objects were not created: ${file} lists each with its reason and the bundle ` +
          "line that sends it again. Fix them there, then migrate that file with a new <code>--journal</code> " +
          "(nothing is created twice)."
        : `${Format.count(notCreated)} records were not created: fix them in ${file} (each line has its reason) ` +
          "and import that file; failed records are sent again by a resume with the same journal."
    )
  }
  if (left.unknown > 0) {
    steps.push(
      `${Format.count(left.unknown)} ${things} are in doubt (the API's answer was lost): look them up in Kustomer ` +
        "before sending them again, which may create them twice."
    )
  }
  if ((view.attachments?.notCarried ?? 0) > 0) {
    steps.push(
      `${Format.count(view.attachments?.notCarried ?? 0)} attachments were not carried: their reasons are with ` +
        "the rejects; their messages and notes went without them."
    )
  }
  if (steps.length === 0 && rejects !== undefined && rejects.lines > 0) {
    steps.push(`Look through the rejects file <code>${escape(rejects.path)}</code> below.`)
  }
  if (steps.length === 0) {
    steps.push(
      `Nothing is left to do: every ${things === "objects" ? "object" : "record"} was created or already existed. ` +
        `Keep this report${journal === undefined ? "" : ` and ${journal}`} for the record; running the same ` +
        "command again sends nothing."
    )
  }
  return steps
}

/** "What next": the steps that follow from how the run ended. */
export const whatNext = (view: RunView.RunView, rejects: RejectGroups.Rejects | undefined): string =>
  `<h2>What next</h2><ul id="next">${nextSteps(view, rejects).map((step) => `<li>${step}</li>`).join("")}</ul>`

const cell = (value: number) => `<td>${Format.count(value)}</td>`

/**
 * A delta's counts per resource: created (new in the export), updated, unchanged, and gone from the export — which
 * a delta reports and never deletes.
 */
export const delta = (view: RunView.RunView): string => {
  const delta = view.delta
  if (delta === undefined) return ""
  const rows = delta.resources.filter((row) => row.created + row.updated + row.unchanged + row.gone > 0)
  const gone = rows.reduce((sum, row) => sum + row.gone, 0)
  const table = rows.length === 0
    ? `<p class="note">The export holds nothing new, changed or gone.</p>`
    : `<table id="delta"><tr><th></th><th>created</th><th>updated</th><th>unchanged</th><th>gone</th></tr>${
      rows.map((row) =>
        `<tr data-delta="${escape(row.resource)}"><td>${escape(row.resource)}</td>${
          [row.created, row.updated, row.unchanged, row.gone].map(cell).join("")
        }</tr>`
      ).join("")
    }</table>`
  const goneNote = gone === 0 ?
    "" :
    `<p class="note" id="gone">${Format.count(gone)} ${gone === 1 ? "object" : "objects"} migrated before ${
      gone === 1 ? "is" : "are"
    } gone from this export: reported, never deleted.</p>`
  return `<h2>Delta ${Format.count(delta.generation)}: what changed since the last run</h2>${table}${goneNote}`
}

/** The attempts with the journal, and the totals of all of them per resource. */
export const attempts = (view: RunView.RunView): string => {
  const list = view.attempts ?? []
  const cumulative = view.cumulative
  if (list.length <= 1 && cumulative === undefined) return ""
  const attemptRows = list.map((attempt) =>
    `<tr data-attempt="${attempt.attempt}"><td>${attempt.attempt}</td><td class="text">${
      escape(attempt.status)
    }</td><td class="text">${escape(attempt.startedAt)}</td><td>${Format.duration(attempt.elapsedMillis)}</td>${
      [attempt.created, attempt.alreadyExisting, attempt.rejected, attempt.failed, attempt.unknown, attempt.requests]
        .map(cell).join("")
    }</tr>`
  )
  const attemptsTable = list.length <= 1 ? "" : `<table id="attempts"><tr><th>attempt</th><th class="text">status` +
    `</th><th class="text">started</th><th>took</th><th>created</th><th>existing</th><th>rejected</th>` +
    `<th>failed</th><th>unknown</th><th>requests</th></tr>${attemptRows.join("")}</table>`
  const totals = cumulative === undefined ?
    "" :
    `<p class="note">Every ${view.kind === "migration" ? "object" : "record"} once, with its latest outcome, over ${
      list.length > 1 ? `the ${list.length} attempts` : "every attempt"
    } with the journal:</p><table id="cumulative"><tr><th></th><th>created</th><th>existing</th><th>rejected</th>` +
    `<th>failed</th><th>unknown</th><th>total</th></tr>${
      cumulative.map((row) =>
        `<tr data-resource="${escape(row.resource)}"><td>${escape(row.resource)}</td>${
          [row.created, row.alreadyExisting, row.rejected, row.failed, row.unknown, row.read].map(cell).join("")
        }</tr>`
      ).join("")
    }</table>`
  return `<h2>All attempts</h2>${attemptsTable}${totals}`
}

/** Where the objects went, with which version, flags and input, and the jobs per resource. */
export const runDetails = (view: RunView.RunView): string => {
  const run = view.run
  const cap = run?.rateLimitCap
  const entries: ReadonlyArray<readonly [string, string | undefined]> = [
    ["target", run?.host],
    ["version", run?.version],
    ["command", run?.command === undefined ? undefined : `kustomer-bulk ${run.command.join(" ")}`],
    [
      "input SHA-256",
      run?.bundleSha256 === undefined
        ? undefined
        : `${run.bundleSha256}${run.bundleBytes === undefined ? "" : ` (${Format.bytes(run.bundleBytes)})`}`
    ],
    ["journal", view.journal],
    ["--rate-limit", cap === undefined ? undefined : `${cap.limit} requests per ${Format.duration(cap.windowMillis)}`]
  ]
  const shown = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
  const jobs = (view.cumulative ?? []).filter((row) => row.jobIds.length > 0).map((row) =>
    `<details data-jobs="${escape(row.resource)}"><summary>${escape(row.resource)}: ${
      Format.count(row.jobIds.length)
    } jobs</summary><p class="note">${row.jobIds.map((id) => escape(id)).join(" ")}</p></details>`
  )
  if (shown.length === 0 && jobs.length === 0) return ""
  return `<h2>Run details</h2><table id="run"><tr><th class="text">what</th><th class="text">value</th></tr>${
    shown.map(([what, value]) => `<tr><td class="text">${escape(what)}</td><td class="text">${escape(value)}</td></tr>`)
      .join("")
  }</table>${jobs.join("")}`
}
