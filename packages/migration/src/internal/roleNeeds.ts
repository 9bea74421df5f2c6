/**
 * The roles a migration needs, computed from its bundle before anything is created, and the check of the key's
 * token against them: the create role of every resource the bundle holds that a phase creates (customers and
 * conversations always; messages and notes when it has any; companies when it has any and the migration has a
 * companies phase), `bulk.read` (every phase polls its jobs), the read role of every resource whose existing
 * objects a phase looks up (customers by `externalId` or e-mail, conversations by `externalId`, messages and notes
 * in their conversation's listing), the users' read role when the bundle names people (the org's users are read to
 * map them), and `org.admin` when messages or notes carry `createdAt` or `createdBy`, or an `author` that becomes
 * `createdBy` (every note's; a message's when the team sent it).
 */
import { ImportSource, type KustomerClient } from "@effect-kustomer/client"
import { BulkResource, User } from "@effect-kustomer/domain"
import { OffsetlessTimes, Preflight } from "@effect-kustomer/journal"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Bundle from "./bundle.js"
import * as Input from "./input.js"
import type * as People from "./people.js"
import { phases, type PipelineOptions } from "./pipeline.js"

/** What the bundle holds, as far as roles go. */
export interface BundleContents {
  /** The bundle's lines (its records, those that are no JSON object included): a conversation each. */
  readonly lines: number
  readonly messages: number
  readonly notes: number
  /** Customers whose `company` is an object: the migration creates the company. */
  readonly companies: number
  readonly dated: Preflight.DatedRecords
  /** Whether a line names a person (an `assignee`, an `author`): the org's users are then read. */
  readonly namesPeople: boolean
  /** A CSV bundle's date-times read as UTC for want of an offset and a time zone: refused unless asked. */
  readonly offsetlessTimes: OffsetlessTimes.Tally
}

const empty: BundleContents = {
  lines: 0,
  messages: 0,
  notes: 0,
  companies: 0,
  dated: Preflight.noDatedRecords,
  namesPeople: false,
  offsetlessTimes: OffsetlessTimes.none
}

const listOf = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [])

/**
 * Whether a message or note sets when or by whom it was written: `createdAt`, `createdBy`, or an `author` the
 * migration sends as `createdBy` (every note's, and a message's when the team sent it). Kustomer keeps these only
 * for `org.admin`.
 */
const isDated = (value: unknown, child: "messages" | "notes"): boolean =>
  Preflight.carriesDates(value) ||
  (Predicate.isRecord(value) && value["author"] !== undefined && value["author"] !== null &&
    (child === "notes" || value["direction"] === "out"))

const countDated = (values: ReadonlyArray<unknown>, child: "messages" | "notes") =>
  values.filter((value) => isDated(value, child)).length

/** What one bundle line adds. */
const add = (contents: BundleContents, record: ImportSource.SourceRecord): BundleContents => {
  if (record._tag !== "Parsed" || !Predicate.isRecord(record.value)) return { ...contents, lines: contents.lines + 1 }
  const offsetlessTimes = OffsetlessTimes.add(contents.offsetlessTimes, record)
  const line = record.value
  const messages = listOf(line["messages"])
  const notes = listOf(line["notes"])
  const customer = line["customer"]
  return {
    lines: contents.lines + 1,
    messages: contents.messages + messages.length,
    notes: contents.notes + notes.length,
    companies: contents.companies + (Predicate.isRecord(customer) && Predicate.isRecord(customer["company"]) ? 1 : 0),
    dated: {
      messages: contents.dated.messages + countDated(messages, "messages"),
      notes: contents.dated.notes + countDated(notes, "notes")
    },
    namesPeople: contents.namesPeople || Bundle.namesPeople(line),
    offsetlessTimes
  }
}

/** Reads the bundle once and counts what decides the roles, and its date-times without an offset. */
export const scan = (input: Input.BundleInput) => Stream.runFold(Input.bundleRecords(input), empty, add)

/**
 * Fails with `OffsetlessTimes.OffsetlessTimes` when a CSV bundle read without a time zone has date-times without an
 * offset (unless they are to be read as UTC): before anything is created, as the history would be hours off.
 */
export const refuseOffsetlessTimes = (input: Input.BundleInput, contents: BundleContents) =>
  input.format === "csv" && OffsetlessTimes.applies(input.csv, input.offsetlessTimes)
    ? OffsetlessTimes.refuse(contents.offsetlessTimes, ImportSource.fileBytes(input.bundle), {
      csv: input.csv,
      encoding: input.encoding,
      sourceName: input.bundle
    })
    : Effect.void

/** Scans a CSV bundle when it must be checked for date-times without an offset, and refuses them. */
export const checkOffsetlessTimes = (input: Input.BundleInput) =>
  input.format === "csv" && OffsetlessTimes.applies(input.csv, input.offsetlessTimes)
    ? Effect.flatMap(scan(input), (contents) => refuseOffsetlessTimes(input, contents))
    : Effect.void

/** The phases' names, to ask whether there is one for a resource. */
const phaseNames: ReadonlyArray<string> = phases

/** Whether the migration creates objects of `resource` for this bundle. */
const creates = (contents: BundleContents, resource: BulkResource.Any): boolean => {
  switch (resource.name) {
    case "companies":
      // A customer's company given as an object is created only once the migration has a companies phase.
      return contents.companies > 0 && phaseNames.includes(resource.name)
    case "customers":
    case "conversations":
      return true
    case "messages":
      return contents.messages > 0
    case "notes":
      return contents.notes > 0
  }
}

/** The role that reads the org's users, to map the history's people to them. */
const toReadUsers: Preflight.RoleNeed = {
  roles: User.readRoles,
  why: `read the org's users (GET ${User.listPath}), to find the Kustomer user of each author and assignee by e-mail`
}

/**
 * The roles a migration of a bundle with these contents needs (`org.admin` for dates is added by the check);
 * `readsUsers`: whether the org's users are read for the people the bundle names.
 */
export const needsOf = (contents: BundleContents, readsUsers: boolean): ReadonlyArray<Preflight.RoleNeed> => {
  const resources = BulkResource.all.filter((resource) => creates(contents, resource))
  return [
    ...resources.map((resource) => Preflight.toCreate(resource)),
    Preflight.toReadJobs,
    ...resources.flatMap((resource) => {
      const find = Preflight.toFind(resource)
      return find === undefined ? [] : [find]
    }),
    ...(readsUsers ? [toReadUsers] : [])
  ]
}

/** Every role a migration of this bundle needs, `org.admin` included when its messages or notes carry dates. */
export const rolesNeeded = (options: Input.BundleInput & { readonly people?: People.PeopleOptions | undefined }) =>
  Effect.map(scan(options), (contents) =>
    Preflight.neededRoles({
      needs: needsOf(contents, contents.namesPeople && options.people?.lookUpUsers !== false),
      dated: contents.dated
    }))

/** The role a delta needs to update the conversations whose fields changed. */
const toUpdateConversations: ReadonlyArray<Preflight.RoleNeed> = BulkResource.Conversations.update === undefined
  ? []
  : [{
    roles: BulkResource.Conversations.update.roles,
    why:
      `update the conversations whose fields changed since the first run (PUT ${BulkResource.Conversations.update.path})`
  }]

/** What the check takes of the migration's options. */
export interface CheckOptions extends Input.BundleInput {
  /** A delta: it also updates conversations. */
  readonly delta?: boolean | undefined
  readonly acceptImportDates?: boolean | undefined
  readonly pipeline?: PipelineOptions | undefined
  readonly people?: People.PeopleOptions | undefined
}

/**
 * Scans the bundle, refuses its date-times without an offset when no time zone is given, and checks the key's
 * roles against what it needs: fails listing every missing role, or reports that they could not be checked (where
 * the API does not serve the key's token). Returns the report and what the scan found.
 */
export const check = (options: CheckOptions, client: KustomerClient.Service) =>
  Effect.gen(function*() {
    const contents = yield* scan(options)
    // Times that would be created hours off are refused before the first request, the token's read included.
    yield* refuseOffsetlessTimes(options, contents)
    const readsUsers = contents.namesPeople && options.people?.lookUpUsers !== false
    const needs = [...needsOf(contents, readsUsers), ...(options.delta === true ? toUpdateConversations : [])]
    const roles = yield* Preflight.checkRoles(client, { needs, dated: contents.dated }, {
      run: "migration",
      acceptImportDates: options.acceptImportDates,
      retrySchedule: options.pipeline?.retrySchedule,
      maxRateLimitRetries: options.pipeline?.maxRateLimitRetries
    })
    return { roles, contents }
  })
