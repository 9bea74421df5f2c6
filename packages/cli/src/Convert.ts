/**
 * `kustomer-bulk convert zendesk <tickets> [--users FILE] [--organizations FILE] [--fields-map FILE]
 * [--ticket-fields FILE] [--priority-map MAP] [--include-deleted] --out BUNDLE [--problems FILE] [--summary FILE]`:
 * turns a Zendesk export into a migration bundle (JSON Lines, one conversation per line) for `kustomer-bulk
 * migrate`. Tickets are streamed; users and organizations are held in memory by id (tickets name them).
 *
 * Nothing is dropped without a word: what could not be carried over is written, with its ticket, comment or field
 * and the reason, to a problems file next to the bundle; and the fidelity summary — printed on standard error,
 * and written as JSON with `--summary` — counts per kind what was carried and what not, and why. The exit code is
 * 0 when everything was carried, 2 when something was not.
 *
 * @since 0.1.0
 */
import { Bundle, ZendeskExport, ZendeskFidelity } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { exitIncomplete, exitOk } from "./Failure.js"
import * as Format from "./Format.js"
import { loadById, optionsOf, readRecords } from "./internal/zendeskExportFiles.js"
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

type ProblemLine = Record<string, unknown>

/**
 * Converts the export; the bundle is written as it is read.
 *
 * @since 0.1.0
 */
export const convert = (request: ConvertRequest) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const options = yield* optionsOf(request)
    const problems = yield* Ref.make(Chunk.empty<ProblemLine>())
    const tally = new ZendeskFidelity.FidelityTally()
    const addProblems = (entries: ReadonlyArray<ProblemLine>) =>
      Ref.update(problems, (all) => Chunk.appendAll(all, Chunk.fromIterable(entries)))
    const unreadable =
      (kind: "tickets" | "users" | "organizations", summaryReason: string) =>
      (file: string, line: number, reason: string) =>
        Effect.zipRight(
          Effect.sync(() => tally.unreadable(kind, summaryReason)),
          addProblems([{ file, line, reason }])
        )
    const users = yield* loadById(
      request.users,
      "users",
      ZendeskExport.decodeUser,
      ZendeskExport.userKey,
      unreadable("users", ZendeskFidelity.userReasons.unreadable)
    )
    const organizations = yield* loadById(
      request.organizations,
      "organizations",
      ZendeskExport.decodeOrganization,
      ZendeskExport.organizationKey,
      unreadable("organizations", ZendeskFidelity.organizationReasons.unreadable)
    )
    const lookups: ZendeskExport.Lookups = {
      user: (id) => Option.fromNullable(users.get(id)),
      organization: (id) => Option.fromNullable(organizations.get(id))
    }
    const unreadableTicket = unreadable("tickets", "not a Zendesk ticket (see the problems file)")
    const encoder = new TextEncoder()
    yield* readRecords(request.tickets, "tickets").pipe(
      Stream.mapEffect((record) =>
        Effect.gen(function*() {
          const ticket = Either.flatMap(record.value, (value) =>
            Either.mapLeft(ZendeskExport.decodeTicket(value), (error) => `not a Zendesk ticket: ${error.message}`))
          if (Either.isLeft(ticket)) {
            yield* unreadableTicket(request.tickets, record.line, ticket.left)
            return Option.none<string>()
          }
          const converted = ZendeskExport.convertTicket(ticket.right, lookups, options)
          tally.record(converted.fidelity)
          yield* addProblems(
            converted.problems.map((problem) => ({ file: request.tickets, line: record.line, ...problem }))
          )
          return Option.map(converted.line, (line) =>
            `${Bundle.encodeLine(line)}\n`)
        })
      ),
      Stream.filterMap((line) => line),
      Stream.map((line) => encoder.encode(line)),
      Stream.run(fs.sink(request.out))
    )
    const found = Chunk.toReadonlyArray(yield* Ref.get(problems))
    const problemsFile = found.length === 0 ? undefined : request.problems ?? `${request.out}.problems.jsonl`
    if (problemsFile !== undefined) {
      yield* fs.writeFileString(problemsFile, found.map((problem) => `${JSON.stringify(problem)}\n`).join(""))
    }
    const fidelity = tally.summary({ users: users.keys(), organizations: organizations.keys() })
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
