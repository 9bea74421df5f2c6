/**
 * The run report as one self-contained HTML page (inline CSS and SVG; it loads nothing from the network):
 * totals, throughput over time, requests per rate-limit window against the limit, 429 waits, job turnaround,
 * outcomes per resource, what a delta created, updated and found gone, and the rejects grouped by reason with
 * examples and their lines. Written by
 * `kustomer-bulk report <report.json> --html out.html` and by `--html FILE` on `import` and `migrate`; `verify` and
 * `rollback` write their reports as pages of the same layout (`--html FILE`).
 *
 * @since 0.1.0
 */
import { RunTimeline as RunTimelineModule } from "@effect-kustomer/journal"
import type { RunTimeline } from "@effect-kustomer/journal"
import type { Rollback, Verify } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import { CliError } from "./Failure.js"
import * as Format from "./Format.js"
import * as Page from "./internal/htmlPage.js"
import * as Sections from "./internal/htmlSections.js"
import { type Band, barChart, escape } from "./internal/svgCharts.js"
import * as UndoPages from "./internal/undoPages.js"
import { Output } from "./Output.js"
import type * as RejectGroups from "./RejectGroups.js"
import * as RunView from "./RunView.js"

const colors = {
  created: "#2e9d5b",
  alreadyExisting: "#8cc9a4",
  failed: "#d64545",
  rejected: "#e8953a",
  unknown: "#8a8f98",
  requests: "#3b73c4",
  waits: "#b55bc4",
  turnaround: "#3aa6b5"
} as const

const seconds = (timeline: RunTimeline.RunTimeline) =>
  timeline.buckets.map((_, index) => (index * timeline.bucketMillis) / 1000)

const perSecond = (values: ReadonlyArray<number>, bucketMillis: number) =>
  values.map((value) => (value * 1000) / bucketMillis)

/** What every time chart shares: the phases behind the bars, and the time the bars cover. */
interface TimeAxis {
  readonly bands: ReadonlyArray<Band>
  readonly spanSeconds: number
}

/** The phases of a migration as bands on the time axis (none for an import). */
const timeAxisOf = (view: RunView.RunView, timeline: RunTimeline.RunTimeline): TimeAxis => ({
  spanSeconds: (timeline.buckets.length * timeline.bucketMillis) / 1000,
  bands: (view.phaseSpans ?? []).map((span) => ({
    label: span.resource,
    startSeconds: span.startMillis / 1000,
    endSeconds: (span.endMillis ?? view.elapsedMillis) / 1000
  }))
})

const throughputChart = (timeline: RunTimeline.RunTimeline, axis: TimeAxis) =>
  barChart({
    ...axis,
    id: "throughput",
    title: "Throughput: records settled per second",
    unit: "records/s",
    startsAtSeconds: seconds(timeline),
    series: (["created", "alreadyExisting", "failed", "rejected", "unknown"] as const).map((key) => ({
      label: key === "alreadyExisting" ? "already existing" : key,
      color: colors[key],
      values: perSecond(timeline.buckets.map((bucket) => bucket[key]), timeline.bucketMillis)
    }))
  })

/**
 * Requests summed per rate-limit window (or per interval, when intervals are wider than a window), against the
 * API's limit and the run's own `--rate-limit` cap.
 */
const requestsChart = (timeline: RunTimeline.RunTimeline, axis: TimeAxis, cap: RunView.RunView["run"]) => {
  const windowMillis = Math.max(
    timeline.rateLimit?.windowMillis ?? RunTimelineModule.rateLimitWindowMillis,
    timeline.bucketMillis
  )
  const perWindow = Math.max(1, Math.round(windowMillis / timeline.bucketMillis))
  const windows: Array<number> = []
  timeline.buckets.forEach((bucket, index) => {
    const at = Math.floor(index / perWindow)
    windows[at] = (windows[at] ?? 0) + bucket.requests
  })
  const limit = timeline.rateLimit === undefined
    ? undefined
    : Math.round((timeline.rateLimit.limit * windowMillis) / timeline.rateLimit.windowMillis)
  const capped = cap?.rateLimitCap === undefined
    ? undefined
    : Math.round((cap.rateLimitCap.limit * windowMillis) / cap.rateLimitCap.windowMillis)
  return barChart({
    // Each bar is a whole window: the phases are placed on the windows' time, not the intervals'.
    ...axis,
    spanSeconds: (windows.length * perWindow * timeline.bucketMillis) / 1000,
    id: "requests",
    title: `Requests per rate-limit window (${Format.duration(windowMillis)})` +
      (limit === undefined ? "" : ` against the limit of ${Format.count(limit)}`) +
      (capped === undefined ? "" : `, capped at ${Format.count(capped)} (--rate-limit)`),
    unit: "requests",
    startsAtSeconds: windows.map((_, index) => (index * perWindow * timeline.bucketMillis) / 1000),
    series: [{ label: "requests", color: colors.requests, values: windows }],
    limits: [
      ...(limit === undefined ? [] : [{ value: limit, label: `limit ${Format.count(limit)}` }]),
      ...(capped === undefined
        ? []
        : [{ value: capped, label: `--rate-limit ${Format.count(capped)}`, kind: "cap" as const }])
    ]
  })
}

const waitsChart = (timeline: RunTimeline.RunTimeline, axis: TimeAxis) =>
  barChart({
    ...axis,
    id: "waits",
    title: "Rate-limit waits: seconds requests were held back (429 answers in the tooltip)",
    unit: "s of waiting",
    startsAtSeconds: seconds(timeline),
    series: [{
      label: "waiting",
      color: colors.waits,
      values: timeline.buckets.map((bucket) => bucket.waitMillis / 1000)
    }, {
      label: "429 answers",
      color: colors.failed,
      values: timeline.buckets.map((bucket) => bucket.rateLimited)
    }]
  })

const turnaroundChart = (timeline: RunTimeline.RunTimeline, axis: TimeAxis) =>
  barChart({
    ...axis,
    id: "turnaround",
    title: "Job turnaround: seconds from acceptance to results, on average per interval",
    unit: "s",
    startsAtSeconds: seconds(timeline),
    series: [{
      label: "average turnaround",
      color: colors.turnaround,
      values: timeline.buckets.map((bucket) =>
        bucket.jobsSettled === 0 ? 0 : bucket.turnaroundMillis / bucket.jobsSettled / 1000
      )
    }]
  })

const totalsSection = (view: RunView.RunView) => {
  const cells: ReadonlyArray<readonly [string, string, number]> = [
    ["read", view.kind === "migration" ? "objects read" : "records read", view.totals.read],
    ["created", "created", view.totals.created],
    ["alreadyExisting", "already existing", view.totals.alreadyExisting],
    ["rejected", "rejected", view.totals.rejected],
    ["failed", "failed", view.totals.failed],
    ["unknown", "unknown", view.totals.unknown],
    ["requests", "requests", view.totals.requests],
    ["waits", "rate-limit waits", view.rateLimitWaits?.count ?? 0]
  ]
  return Page.totals(cells)
}

const resourcesTable = (view: RunView.RunView) => {
  const head = ["", "read", "created", "existing", "rejected", "failed", "unknown", "requests"]
  const rows = view.resources.map((row) =>
    `<tr data-resource="${escape(row.resource)}"><td>${escape(row.resource)}</td>${
      [row.read, row.created, row.alreadyExisting, row.rejected, row.failed, row.unknown, row.requests].map((value) =>
        `<td>${Format.count(value)}</td>`
      ).join("")
    }</tr>`
  )
  return `<table id="resources"><tr>${head.map((cell) => `<th>${cell}</th>`).join("")}</tr>${rows.join("")}</table>`
}

/** What a group held back: the objects not created only because its objects were not (a migration's). */
const dependantsNote = (group: RejectGroups.RejectGroup): string => {
  const dependants = group.dependants ?? 0
  if (dependants === 0) return ""
  const them = group.count === 1 ? "it" : "them"
  const objects = `${Format.count(dependants)} ${dependants === 1 ? "object" : "objects"}`
  return `<br><span class="note">and ${objects} not created only because of ${them} (its messages, notes or ` +
    `conversations, sent again with ${them})</span>`
}

const rejectsSection = (view: RunView.RunView, rejects: RejectGroups.Rejects | undefined) => {
  if (rejects === undefined) {
    return view.rejectsPath === undefined
      ? `<p class="note">No rejects file was kept for this run (--rejects).</p>`
      : `<p class="note">The rejects file ${escape(view.rejectsPath)} was not found.</p>`
  }
  if (rejects.lines === 0) return `<p class="note">Nothing in ${escape(rejects.path)}: every object was created.</p>`
  const rows = rejects.groups.map((group) =>
    `<tr><td>${Format.count(group.count)}</td><td class="text">${escape(group.outcome.toLowerCase())}</td>` +
    `<td class="text">${escape(group.reason)}${dependantsNote(group)}</td><td class="text">${
      group.examples.map((example) =>
        escape(example.externalId === undefined ? example.where : `${example.where} (${example.externalId})`)
      ).join("<br>")
    }</td></tr>`
  )
  const other = rejects.otherLines === 0
    ? ""
    : `<p class="note">${Format.count(rejects.otherLines)} more lines have other reasons.</p>`
  const dependantLines = rejects.dependantLines ?? 0
  const byCause = dependantLines === 0
    ? ""
    : ` (${Format.count(dependantLines)} of them conversations of a customer not created, counted with it)`
  return `<p class="note">${Format.count(rejects.lines)} lines in ${escape(rejects.path)}${byCause}, by reason:</p>` +
    `<table id="rejects"><tr><th>count</th><th class="text">outcome</th><th class="text">reason</th><th class="text">examples</th></tr>${
      rows.join("")
    }</table>${other}`
}

/** A migration's attachments: carried with their bytes, not carried (in the rejects), held for a later run. */
const attachmentsSection = (view: RunView.RunView): string => {
  const counts = view.attachments
  const skipped = counts?.skipped ?? 0
  if (counts === undefined || counts.carried + counts.notCarried + counts.held + skipped === 0) return ""
  return `<p class="note" id="attachments">Attachments: ${Format.count(counts.carried)} carried (${
    Format.bytes(counts.bytes)
  }), ${Format.count(counts.notCarried)} not carried (listed with the rejects), ${
    Format.count(counts.held)
  } messages or notes held for a later run${
    skipped === 0 ? "" : `, ${Format.count(skipped)} left out on purpose (--skip-attachments)`
  }.</p>`
}

const chartsOf = (view: RunView.RunView, timeline: RunTimeline.RunTimeline): string => {
  const axis = timeAxisOf(view, timeline)
  return [
    throughputChart(timeline, axis),
    requestsChart(timeline, axis, view.run),
    waitsChart(timeline, axis),
    turnaroundChart(timeline, axis)
  ].join("")
}

/**
 * The page for a run.
 *
 * @since 0.1.0
 */
export const render = (view: RunView.RunView, rejects: RejectGroups.Rejects | undefined): string => {
  const timeline = view.timeline
  const charts = timeline === undefined || timeline.buckets.length === 0
    ? `<p class="note">This report has no time series (it was written by an older version).</p>`
    : chartsOf(view, timeline)
  const title = `${view.kind === "migration" ? "Migration" : "Import"} of ${view.title}`
  return Page.page(
    title,
    `<p class="meta"><span class="status-${escape(view.status)}" id="status">${escape(view.status)}</span> · started ${
      escape(view.startedAt)
    } · took ${Format.duration(view.elapsedMillis)}${view.error === undefined ? "" : ` · ${escape(view.error)}`}</p>
${totalsSection(view)}
${attachmentsSection(view)}
${Sections.delta(view)}
${Sections.whatNext(view, rejects)}
${Sections.attempts(view)}
<h2>Over time</h2>
${charts}
<h2>Outcomes per resource</h2>
${resourcesTable(view)}
<h2>Not created, by reason</h2>
${rejectsSection(view, rejects)}
${Sections.runDetails(view)}`
  )
}

/**
 * The page of a verification (`verify --html`): its totals per resource and every difference.
 *
 * @since 0.1.0
 */
export const renderVerify = (report: Verify.Report): string => UndoPages.verifyPage(report)

/**
 * The page of a rollback or its dry run (`rollback --html`): its counts per resource and state, and every object it
 * did not undo, with why.
 *
 * @since 0.1.0
 */
export const renderRollback = (report: Rollback.Report): string => UndoPages.rollbackPage(report)

/**
 * Writes a page to `path`.
 *
 * @since 0.1.0
 */
export const writePage = (path: string, html: string): Effect.Effect<void, CliError, FileSystem.FileSystem | Output> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    yield* fs.writeFileString(path, html).pipe(
      Effect.mapError((error) => new CliError({ message: `cannot write the HTML report ${path}: ${error.message}` }))
    )
    yield* (yield* Output).err(`HTML report → ${path}`)
  })

/**
 * Writes the page for `view` to `path`.
 *
 * @since 0.1.0
 */
export const write = (
  path: string,
  view: RunView.RunView,
  rejects: RejectGroups.Rejects | undefined
): Effect.Effect<void, CliError, FileSystem.FileSystem | Output> => writePage(path, render(view, rejects))

/**
 * `kustomer-bulk report <report.json> --html out.html`: reads a report (and its rejects file) and writes the page.
 *
 * @since 0.1.0
 */
export const fromReportFile = (
  reportPath: string,
  htmlPath: string
): Effect.Effect<number, CliError, FileSystem.FileSystem | Path.Path | Output> =>
  Effect.gen(function*() {
    const { rejects, view } = yield* RunView.read(reportPath)
    yield* write(htmlPath, view, rejects)
    return 0
  })
