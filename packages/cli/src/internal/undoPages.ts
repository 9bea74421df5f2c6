/**
 * The pages of `verify --html` and `rollback --html`, in the HTML report's layout: the verification's totals per
 * resource and every difference; the rollback's counts per resource and state and every object it did not undo,
 * with why. Pure: HTML text from the reports.
 */
import { Rollback, type Verify } from "@effect-kustomer/migration"
import * as Format from "../Format.js"
import * as Page from "./htmlPage.js"
import { escape } from "./svgCharts.js"

const cell = (value: number) => `<td>${Format.count(value)}</td>`

const textCell = (text: string) => `<td class="text">${escape(text)}</td>`

const head = (columns: ReadonlyArray<string>) =>
  `<tr>${
    columns.map((column, index) => `<th${index === 0 ? "" : ` class="text"`}>${escape(column)}</th>`).join("")
  }</tr>`

/** A value of a difference as JSON (as the summary prints it); a value Kustomer does not have is `—`. */
const valueText = (value: unknown): string => value === undefined ? "—" : JSON.stringify(value)

/** Fields that say the object is not there (or only marked deleted): the others say it differs. */
const missingFields: ReadonlySet<string> = new Set(["exists", "deleted"])

/** Per resource: objects not there (or marked deleted), and other objects with at least one field that differs. */
const verifyRows = (report: Verify.Report) =>
  Object.keys(report.created).map((resource) => {
    const differences = report.differences.filter((difference) => difference.resource === resource)
    const missing = new Set(
      differences.filter((difference) => missingFields.has(difference.field)).map((difference) => difference.id)
    )
    const differing = new Set(
      differences.filter((difference) => !missing.has(difference.id)).map((difference) => difference.id)
    )
    return {
      resource,
      created: report.created[resource] ?? 0,
      checked: report.checked[resource] ?? 0,
      missing: missing.size,
      differing: differing.size
    }
  })

/** `kustomer-bulk verify --html`: the verification as one page. */
export const verifyPage = (report: Verify.Report): string => {
  const rows = verifyRows(report)
  const sum = (key: "created" | "checked" | "missing" | "differing") => rows.reduce((total, row) => total + row[key], 0)
  const count = report.differences.length
  const status = count === 0
    ? `<span class="status-finished" id="status">no differences</span>`
    : `<span class="status-failed" id="status">${Format.count(count)} difference${count === 1 ? "" : "s"}</span>`
  const sample = report.sample === null
    ? "every object"
    : `a sample of ${Format.count(report.sample.size)} (seed ${report.sample.seed})`
  const differences = count === 0
    ? `<p class="note">Every object checked is in Kustomer as the export says.</p>`
    : `<table id="differences">${
      head(["resource", "line", "externalId", "Kustomer id", "field", "expected", "found"])
    }${
      report.differences.map((difference) =>
        `<tr data-difference="${escape(difference.field)}">${textCell(difference.resource)}${
          textCell(difference.line === null ? "—" : String(difference.line))
        }${textCell(difference.externalId ?? "—")}${textCell(difference.id)}${textCell(difference.field)}${
          textCell(valueText(difference.expected))
        }${textCell(valueText(difference.actual))}</tr>`
      ).join("")
    }</table>`
  return Page.page(
    `Verification of ${report.journal}`,
    `<p class="meta">${status} · against ${escape(report.bundle)} · ${escape(sample)}</p>
${
      Page.totals([
        ["checked", "objects checked", sum("checked")],
        ["missing", "missing or deleted", sum("missing")],
        ["differing", "differing", sum("differing")],
        ["requests", "requests", report.requests]
      ])
    }
<h2>Per resource</h2>
<table id="verify-resources"><tr><th></th><th>created</th><th>checked</th><th>missing</th><th>differing</th></tr>${
      rows.map((row) =>
        `<tr data-resource="${escape(row.resource)}"><td>${escape(row.resource)}</td>${
          [row.created, row.checked, row.missing, row.differing].map(cell).join("")
        }</tr>`
      ).join("")
    }</table>
<p class="note">Missing: not in Kustomer, or a conversation marked deleted. Differing: there, with a link or a field
other than the export's. Objects the newest export no longer holds are created, not checked.</p>
<h2>Differences</h2>
${differences}`
  )
}

/** The states an object the rollback did not undo can be in: each listed with why. */
const keptStates: ReadonlySet<Rollback.ObjectState> = new Set(["notUndoable", "failed", "inDoubt"])

/** `kustomer-bulk rollback --html`: the rollback (or its dry run's plan) as one page. */
export const rollbackPage = (report: Rollback.Report): string => {
  const states = Rollback.ObjectState.literals.filter((state) =>
    Object.values(report.counts).some((counts) => (counts[state] ?? 0) > 0)
  )
  const total = (state: Rollback.ObjectState) => report.objects.filter((object) => object.state === state).length
  const kept = report.objects.filter((object) => keptStates.has(object.state))
  const status = report.dryRun
    ? `<span id="status">dry run: nothing sent</span>`
    : report.complete
    ? `<span class="status-finished" id="status">complete</span>`
    : `<span class="status-failed" id="status">not complete: run it again to resume</span>`
  const inDoubt = report.migrationInDoubt.customers + report.migrationInDoubt.conversations === 0
    ? ""
    : `<p class="note" id="migration-in-doubt">The migration left ${
      Format.count(report.migrationInDoubt.customers)
    } customers and ${
      Format.count(report.migrationInDoubt.conversations)
    } conversations in doubt (not undone: no id yet): run the migration again with its journal, then the rollback.</p>`
  const keptTable = kept.length === 0
    ? `<p class="note">None: everything the migration created is ${report.dryRun ? "to be " : ""}undone.</p>`
    : `<table id="kept">${head(["resource", "Kustomer id", "line", "state", "why"])}${
      kept.map((object) =>
        `<tr data-state="${escape(object.state)}">${textCell(object.resource)}${textCell(object.id)}${
          textCell(object.line === null ? "—" : String(object.line))
        }${textCell(object.state)}${textCell(object.reason ?? "")}</tr>`
      ).join("")
    }</table>`
  return Page.page(
    `Rollback of ${report.journal}`,
    `<p class="meta">${status} · its journal ${escape(report.rollbackJournal)}${report.resumed ? " · resumed" : ""}</p>
${
      Page.totals([
        ["undone", report.dryRun ? "to undo" : "undone", total(report.dryRun ? "toUndo" : "undone")],
        ["kept", "not undone (listed)", kept.length],
        ["existed", "existed before (kept)", total("existed")],
        ["requests", "requests", report.requests]
      ])
    }
<h2>Per resource</h2>
<table id="rollback-resources"><tr><th></th>${states.map((state) => `<th>${escape(state)}</th>`).join("")}</tr>${
      Object.entries(report.counts).map(([resource, counts]) =>
        `<tr data-resource="${escape(resource)}"><td>${escape(resource)}</td>${
          states.map((state) => cell(counts[state] ?? 0)).join("")
        }</tr>`
      ).join("")
    }</table>
<p class="note">With their conversations: ${Format.count(report.withConversations.messages)} messages and ${
      Format.count(report.withConversations.notes)
    } notes.</p>
${inDoubt}
<h2>Not undone, with why</h2>
${keptTable}`
  )
}
