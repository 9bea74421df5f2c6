/**
 * `kustomer-bulk convert zendesk <tickets> [--users FILE] [--organizations FILE] [--fields-map FILE]
 * [--ticket-fields FILE] [--priority-map MAP] [--include-deleted] --out BUNDLE [--problems FILE] [--summary FILE]`:
 * turns a Zendesk export into a migration bundle (JSON Lines, one conversation per line) for `kustomer-bulk
 * migrate`. The library reads and converts the files (`ZendeskFiles`: tickets streamed, users and organizations
 * held in memory by id); this command writes what it emits.
 *
 * Nothing is dropped without a word: what could not be carried over is written, with its ticket, comment or field
 * and the reason, to a problems file next to the bundle; and the fidelity summary — printed on standard error,
 * and written as JSON with `--summary` — counts per kind what was carried and what not, and why. The exit code is
 * 0 when everything was carried, 2 when something was not.
 *
 * @since 0.1.0
 */
import { Bundle, ZendeskFidelity, ZendeskFiles } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { CliError, exitIncomplete, exitOk } from "./Failure.js"
import * as Format from "./Format.js"
import { Output } from "./Output.js"

/**
 * What `convert zendesk` was asked to do.
 *
 * @since 0.1.0
 */
export interface ConvertRequest {
  readonly tickets: string
  readonly users: string | undefined
  /** Zendesk's organizations: the companies of the customers. */
  readonly organizations: string | undefined
  /** Zendesk's ticket field definitions, to name fields by title in the fields map. */
  readonly ticketFields: string | undefined
  /** Zendesk custom field (id or title) and satisfaction → Kustomer custom attribute: JSON object or CSV. */
  readonly fieldsMap: string | undefined
  /** `low=1,normal=3,…` over the default priority map. */
  readonly priorityMap: string | undefined
  /** Convert deleted tickets (as done, tagged `zendesk-deleted`) instead of skipping them. */
  readonly includeDeleted: boolean
  /** `--attachments-dir DIR`: attachments already downloaded, written with their path instead of their URL. */
  readonly attachmentsDir?: string | undefined
  readonly out: string
  readonly problems: string | undefined
  /** Where to write the fidelity summary as JSON. */
  readonly summary: string | undefined
}

/**
 * What a conversion did: the fidelity summary (per kind, what was carried and what not, and why), the bundle and
 * the problems file. Written by `--summary` as JSON.
 *
 * @since 0.1.0
 */
export class ConvertSummary extends Schema.Class<ConvertSummary>("ConvertSummary")({
  out: Schema.String,
  problemsFile: Schema.NullOr(Schema.String),
  ...ZendeskFidelity.FidelitySummary.fields
}) {}

const encodeSummary = Schema.encodeSync(ConvertSummary)

/**
 * Converts the export; the bundle is written as it is read.
 *
 * @since 0.1.0
 */
export const convert = (request: ConvertRequest) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const options = yield* ZendeskFiles.readOptions({ ...request, bundle: request.out }).pipe(
      Effect.catchTag("ZendeskOptionsError", (error) => Effect.fail(new CliError({ message: error.message })))
    )
    const problems = yield* Ref.make(Chunk.empty<ZendeskFiles.Problem>())
    const finished = yield* Ref.make(Option.none<ZendeskFidelity.FidelitySummary>())
    const encoder = new TextEncoder()
    const files = { tickets: request.tickets, users: request.users, organizations: request.organizations, options }
    yield* ZendeskFiles.convert(files).pipe(
      Stream.mapEffect((event) => {
        switch (event._tag) {
          case "BundleLine":
            return Effect.succeed(Option.some(encoder.encode(`${Bundle.encodeLine(event.line)}\n`)))
          case "Problem":
            return Effect.as(Ref.update(problems, (all) => Chunk.append(all, event)), Option.none())
          case "Finished":
            return Effect.as(Ref.set(finished, Option.some(event.summary)), Option.none())
        }
      }),
      Stream.filterMap((bytes) => bytes),
      Stream.run(fs.sink(request.out))
    )
    const found = Chunk.toReadonlyArray(yield* Ref.get(problems))
    const problemsFile = found.length === 0 ? undefined : request.problems ?? `${request.out}.problems.jsonl`
    if (problemsFile !== undefined) {
      yield* fs.writeFileString(
        problemsFile,
        found.map((problem) => `${ZendeskFiles.encodeProblem(problem)}\n`).join("")
      )
    }
    // The stream ends with its summary; one without is a bug, not an input to report on.
    const fidelity = yield* Effect.orDieWith(
      Effect.flatten(Ref.get(finished)),
      () => new Error("ZendeskFiles.convert ended without its summary")
    )
    const summary = new ConvertSummary({ ...fidelity, out: request.out, problemsFile: problemsFile ?? null })
    if (request.summary !== undefined) {
      yield* fs.writeFileString(request.summary, `${JSON.stringify(encodeSummary(summary), null, 2)}\n`)
    }
    return summary
  })

const kindRows = (summary: ConvertSummary): ReadonlyArray<readonly [string, ZendeskFidelity.KindSummary]> => [
  ["tickets", summary.tickets],
  ["deleted tickets", summary.deletedTickets],
  ["comments", summary.comments],
  ["attachments", summary.attachments],
  ["users", summary.users],
  ["organizations", summary.organizations],
  ["priority", summary.fields.priority],
  ["type", summary.fields.type],
  ["tags", summary.fields.tags],
  ["custom fields", summary.fields.customFields],
  ["satisfaction", summary.fields.satisfaction],
  ["assignee", summary.fields.assignee]
]

/**
 * The fidelity summary for people: a row per kind (carried, not carried), each reason under its kind.
 *
 * @since 0.1.0
 */
export const render = (summary: ConvertSummary): string => {
  const rows = kindRows(summary)
  const table = Format.table([
    ["", "carried", "not carried"],
    ...rows.map(([name, counts]) => [name, Format.count(counts.carried), Format.count(counts.notCarried)])
  ]).split("\n")
  const lines = [
    `converted ${Format.count(summary.tickets.carried + summary.tickets.notCarried)} tickets into ` +
    `${Format.count(summary.bundle.conversations)} conversations (${Format.count(summary.bundle.customers)} ` +
    `customers) with ${Format.count(summary.bundle.messages)} messages and ${Format.count(summary.bundle.notes)} ` +
    `notes → ${summary.out}`,
    table[0] ?? ""
  ]
  rows.forEach(([, counts], index) => {
    lines.push(table[index + 1] ?? "")
    for (const [reason, count] of Object.entries(counts.reasons)) {
      lines.push(`      ${Format.count(count)} ${reason}`)
    }
  })
  for (const note of summary.notes) lines.push(note)
  if (summary.problemsFile !== null) {
    const problems = summary.problems === 1 ? "1 problem" : `${Format.count(summary.problems)} problems`
    lines.push(`${problems} (what was not carried, record by record) → ${summary.problemsFile}`)
  }
  lines.push(
    summary.complete
      ? "everything in the export was carried into the bundle"
      : "not everything was carried into the bundle: see the counts above (exit code 2)"
  )
  return lines.join("\n")
}

/**
 * Runs `convert zendesk` and prints its fidelity summary; returns 0, or 2 when something was not carried over.
 *
 * @since 0.1.0
 */
export const run = (request: ConvertRequest) =>
  Effect.gen(function*() {
    const output = yield* Output
    const summary = yield* convert(request)
    yield* output.err(render(summary))
    return summary.complete ? exitOk : exitIncomplete
  })
