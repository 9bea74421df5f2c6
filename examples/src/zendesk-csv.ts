/**
 * Example 5 — migrating a helpdesk CSV export (a Zendesk tickets export) into Kustomer conversations.
 *
 * 1. A column mapping turns each CSV row into a record: `Subject` → `name`, `Tags` (space-separated) → `tags`,
 *    `Created at` → `createdAt` (as ISO 8601 in UTC: Zendesk writes it in the account's time zone, without an
 *    offset, so the zone is named), and the Zendesk fields Kustomer has no place for into custom attributes
 *    (`custom.zendeskStatusStr`, …). A row whose cells cannot be converted is rejected with its line.
 * 2. A translation step maps what differs between the two systems: Zendesk's six statuses onto Kustomer's
 *    `open`/`done`, its priorities onto 1–5, requesters' e-mail addresses onto Kustomer customer ids, and ticket
 *    ids onto `externalId`s (`zendesk-48213`), which make the migration safe to run again.
 * 3. `BulkImport.run` sends the result.
 *
 *   pnpm example zendesk-csv                  # the sample export in examples/data/zendesk-tickets.csv
 *   pnpm example zendesk-csv tickets.csv      # your export (same columns)
 */
import { BulkImport, type CsvMapping, ImportSource } from "@effect-kustomer/client"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { fileURLToPath } from "node:url"
import * as Target from "./Target.js"

/** The sample export shipped with the examples. */
export const sampleExport = fileURLToPath(new URL("../data/zendesk-tickets.csv", import.meta.url))

/** Record field ← CSV column. Fields without a Kustomer equivalent become custom attributes (`…Str`). */
export const mapping: CsvMapping.Mapping = {
  externalId: "Id",
  name: "Subject",
  tags: { column: "Tags", as: "list", separator: " " },
  createdAt: "Created at",
  "custom.zendeskStatusStr": "Status",
  "custom.zendeskPriorityStr": "Priority",
  "custom.requesterEmailStr": "Requester email",
  "custom.zendeskGroupStr": "Group",
  "custom.channelStr": "Via",
  "custom.satisfactionStr": "Satisfaction Score"
}

/**
 * The Zendesk account's time zone (Admin Center → Account → Localization), in which the export writes its times
 * without an offset: `2025-09-02 08:14:09` is 06:14:09 UTC in Paris' summer.
 */
export const exportTimeZone = "Europe/Paris"

/** A row after the mapping: what the translation reads. */
const MappedTicket = Schema.Struct({
  externalId: Schema.String,
  name: Schema.optional(Schema.String),
  tags: Schema.optional(Schema.Array(Schema.String)),
  createdAt: Schema.optional(Schema.String),
  custom: Schema.Struct({
    zendeskStatusStr: Schema.String,
    zendeskPriorityStr: Schema.optional(Schema.String),
    requesterEmailStr: Schema.String
  }, { key: Schema.String, value: Schema.Unknown })
})

const statuses: Record<string, "open" | "done"> = {
  new: "open",
  open: "open",
  pending: "open",
  hold: "open",
  solved: "done",
  closed: "done"
}

const priorities: Record<string, number> = { low: 2, normal: 3, high: 4, urgent: 5 }

/** Translates one mapped row into a Kustomer conversation, or says why it cannot be. */
export const translate = (
  value: unknown,
  customerOf: (email: string) => string | undefined,
  importedAt: string
): Either.Either<Record<string, unknown>, string> =>
  Either.gen(function*() {
    const ticket = yield* Either.mapLeft(
      Schema.decodeUnknownEither(MappedTicket)(value),
      (error) => ParseResult.TreeFormatter.formatErrorSync(error)
    )
    const zendeskStatus = ticket.custom.zendeskStatusStr.toLowerCase()
    const status = statuses[zendeskStatus]
    if (status === undefined) return yield* Either.left(`status "${zendeskStatus}" has no Kustomer equivalent`)
    const customer = customerOf(ticket.custom.requesterEmailStr)
    if (customer === undefined) return yield* Either.left(`no Kustomer customer for ${ticket.custom.requesterEmailStr}`)
    const priority = priorities[(ticket.custom.zendeskPriorityStr ?? "").toLowerCase()]
    return {
      ...ticket,
      externalId: `zendesk-${ticket.externalId}`,
      customer,
      status,
      ...(priority === undefined ? {} : { priority }),
      direction: "in",
      importedAt
    }
  })

/** The requesters of an export: e-mail address → name. */
const requestersOf = (file: string) =>
  ImportSource.fromFile(file, { csv: { mapping: { email: "Requester email", name: "Requester" } } }).pipe(
    Stream.runFold(new Map<string, string>(), (requesters, record) => {
      if (record._tag === "Parsed" && typeof record.value === "object" && record.value !== null) {
        const email = "email" in record.value ? record.value.email : undefined
        const name = "name" in record.value ? record.value.name : undefined
        if (typeof email === "string") requesters.set(email, typeof name === "string" ? name : email)
      }
      return requesters
    })
  )

/**
 * Kustomer customers for the requesters: created in the embedded simulator; against a real org, every ticket goes
 * to `KUSTOMER_EXAMPLE_CUSTOMER_ID` (a real migration would look customers up, or create them first with
 * `BulkImport` and `BulkResource.Customers`).
 */
const customersFor = (requesters: ReadonlyMap<string, string>) =>
  Effect.gen(function*() {
    const target = yield* Target.Target
    if (Option.isNone(target.simulator)) {
      const only = target.customerIds[0]
      return (_email: string) => only
    }
    const emails = [...requesters.keys()]
    const ids = yield* target.simulator.value.seedCustomers(emails.map((email) => ({
      name: requesters.get(email) ?? email,
      externalId: `zendesk-user-${email}`,
      emails: [{ type: "work", email }]
    })))
    const byEmail = new Map(emails.map((email, index) => [email, ids[index] ?? ""]))
    return (email: string) => byEmail.get(email)
  })

/** Runs the example. */
export const main = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const file = args[0] ?? sampleExport
    const requesters = yield* requestersOf(file)
    const customerOf = yield* customersFor(requesters)
    yield* Console.log(`Migrating ${file}: ${requesters.size} requesters`)
    const importedAt = DateTime.formatIso(DateTime.unsafeMake(yield* Clock.currentTimeMillis))

    const conversations = ImportSource.fromFile(file, { csv: { mapping, timeZone: exportTimeZone } }).pipe(
      Stream.map((record) =>
        record._tag === "Unparsable" ? record : Either.match(translate(record.value, customerOf, importedAt), {
          onLeft: (reason) => ImportSource.unparsable(record.position, reason),
          onRight: (conversation) => ImportSource.parsed(record.position, conversation)
        })
      )
    )
    const summary = yield* BulkImport.run(conversations, {
      firstPollDelay: "300 millis",
      onEvent: (event) =>
        event._tag === "Rejected" || event._tag === "Failed"
          ? Console.log(`  ${ImportSource.describePosition(event.position)} of the export: ${event.reason}`)
          : Effect.void
    })
    yield* Console.log(
      `${summary.created} tickets migrated, ${summary.alreadyExisting} already there, ` +
        `${summary.rejected + summary.failed} need a look (above).`
    )

    const target = yield* Target.Target
    if (Option.isSome(target.simulator)) {
      const [first] = yield* target.simulator.value.findByExternalId("conversations", "zendesk-48213")
      yield* Console.log(
        `zendesk-48213 is now conversation ${first?.id}:\n${JSON.stringify(first?.attributes, null, 2)}`
      )
    }
  }).pipe(
    Effect.provide(Target.clientLayer()),
    Effect.provide(Target.layer())
  )
