/**
 * The fidelity of a conversion: for each kind of thing in the export, how much reached the bundle and how much did
 * not, and why. Tickets report what they carried one by one; the tally adds them up and, at the end, counts the
 * users and organizations of the export files that no converted ticket used.
 */
import * as Schema from "effect/Schema"

/** The kinds counted. Fields (priority, type, …) are counted on the tickets that were converted. */
export type Kind =
  | "tickets"
  | "deletedTickets"
  | "comments"
  | "attachments"
  | "users"
  | "organizations"
  | "priority"
  | "type"
  | "tags"
  | "customFields"
  | "satisfaction"
  | "assignee"

/** Some things of one kind, carried (`reason` undefined) or not carried for `reason`. */
export interface Count {
  readonly kind: Kind
  readonly reason: string | undefined
  readonly count: number
}

/** `count` things of `kind` carried into the bundle. */
export const carried = (kind: Kind, count = 1): Count => ({ kind, reason: undefined, count })

/** `count` things of `kind` not carried, and why. */
export const notCarried = (kind: Kind, reason: string, count = 1): Count => ({ kind, reason, count })

/** An organization a converted customer belongs to; `named` when the organizations file gave its name. */
export interface OrganizationReference {
  readonly id: string
  readonly named: boolean
}

/** What one ticket contributes to the tally. */
export interface TicketFidelity {
  readonly counts: ReadonlyArray<Count>
  /** The users the bundle line names: requester, comment authors, assignee. */
  readonly users: ReadonlyArray<string>
  readonly organizations: ReadonlyArray<OrganizationReference>
  /** The customer's `externalId`, when the ticket was converted. */
  readonly customer: string | undefined
  readonly messages: number
  readonly notes: number
  /** Messages whose author's role was unknown, so their direction came from whether the requester wrote them. */
  readonly guessedDirections: number
  readonly problems: number
}

/**
 * How many of one kind were carried and how many not, with the reasons and their counts.
 *
 * @since 0.1.0
 */
export const KindSummary = Schema.Struct({
  carried: Schema.NonNegativeInt,
  notCarried: Schema.NonNegativeInt,
  reasons: Schema.Record({ key: Schema.String, value: Schema.NonNegativeInt })
})

/** @since 0.1.0 */
export type KindSummary = typeof KindSummary.Type

/**
 * The fidelity summary of a conversion: nothing of the export is left out without being counted here.
 *
 * @since 0.1.0
 */
export class FidelitySummary extends Schema.Class<FidelitySummary>("FidelitySummary")({
  /** True when everything read was carried into the bundle and there were no problems. */
  complete: Schema.Boolean,
  tickets: KindSummary,
  deletedTickets: KindSummary,
  comments: KindSummary,
  attachments: KindSummary,
  users: KindSummary,
  organizations: KindSummary,
  fields: Schema.Struct({
    priority: KindSummary,
    type: KindSummary,
    tags: KindSummary,
    customFields: KindSummary,
    satisfaction: KindSummary,
    assignee: KindSummary
  }),
  /** What the bundle holds. */
  bundle: Schema.Struct({
    conversations: Schema.NonNegativeInt,
    customers: Schema.NonNegativeInt,
    messages: Schema.NonNegativeInt,
    notes: Schema.NonNegativeInt,
    attachments: Schema.NonNegativeInt
  }),
  /** Per-record problems (the problems file's lines). */
  problems: Schema.NonNegativeInt,
  /** What a reader should know that is not a count: how attachments are fetched, guessed directions, … */
  notes: Schema.Array(Schema.String)
}) {}

interface Counter {
  carried: number
  readonly reasons: Map<string, number>
}

const summaryOf = (counter: Counter | undefined): KindSummary => {
  const reasons = counter?.reasons ?? new Map<string, number>()
  let notCarriedCount = 0
  for (const count of reasons.values()) notCarriedCount += count
  return { carried: counter?.carried ?? 0, notCarried: notCarriedCount, reasons: Object.fromEntries(reasons) }
}

const addTo = (counters: Map<Kind, Counter>, count: Count): void => {
  const counter = counters.get(count.kind) ?? { carried: 0, reasons: new Map<string, number>() }
  counters.set(count.kind, counter)
  if (count.reason === undefined) counter.carried += count.count
  else counter.reasons.set(count.reason, (counter.reasons.get(count.reason) ?? 0) + count.count)
}

/** The ids in an export file: the users and organizations read. */
export interface ExportFiles {
  readonly users: Iterable<string>
  readonly organizations: Iterable<string>
}

/** Reasons for users and organizations, counted once the whole export was read. */
export const userReasons = {
  unused: "no converted ticket names them",
  unreadable: "not a Zendesk user (see the problems file)"
} as const

export const organizationReasons = {
  unused: "no customer of a converted ticket belongs to it",
  unnamed: "a customer belongs to it, but its name is unknown (not in --organizations): a Kustomer company needs one",
  unreadable: "not a Zendesk organization (see the problems file)"
} as const

/**
 * Adds up what the tickets carried. Mutable, so that a million tickets are counted without a million copies.
 */
export class FidelityTally {
  private readonly counters = new Map<Kind, Counter>()
  private readonly usersNamed = new Set<string>()
  private readonly organizationsNamed = new Set<string>()
  private readonly organizationsUnnamed = new Set<string>()
  private readonly customers = new Set<string>()
  private conversations = 0
  private messages = 0
  private notes = 0
  private guessedDirections = 0
  private problems = 0

  /** Counts some things. */
  add(count: Count): void {
    addTo(this.counters, count)
  }

  /** Counts what one ticket carried. */
  record(ticket: TicketFidelity): void {
    for (const count of ticket.counts) this.add(count)
    for (const user of ticket.users) this.usersNamed.add(user)
    for (const organization of ticket.organizations) {
      if (organization.named) this.organizationsNamed.add(organization.id)
      else this.organizationsUnnamed.add(organization.id)
    }
    if (ticket.customer !== undefined) {
      this.conversations += 1
      this.customers.add(ticket.customer)
    }
    this.messages += ticket.messages
    this.notes += ticket.notes
    this.guessedDirections += ticket.guessedDirections
    this.problems += ticket.problems
  }

  /** A record of an export file that could not be read: a problem, and one thing of `kind` not carried. */
  unreadable(kind: Kind, reason: string): void {
    this.problems += 1
    this.add(notCarried(kind, reason))
  }

  /**
   * The summary, once every ticket was recorded; `files` are the ids of the users and organizations read. It may be
   * asked for again: the users and organizations are counted on copies.
   */
  summary(files: ExportFiles): FidelitySummary {
    const counters = new Map<Kind, Counter>()
    for (const [name, counter] of this.counters) {
      counters.set(name, { carried: counter.carried, reasons: new Map(counter.reasons) })
    }
    const add = (count: Count) => addTo(counters, count)
    const usersInFile = new Set<string>()
    for (const user of files.users) {
      usersInFile.add(user)
      add(this.usersNamed.has(user) ? carried("users") : notCarried("users", userReasons.unused))
    }
    const organizationsInFile = new Set<string>()
    for (const organization of files.organizations) {
      organizationsInFile.add(organization)
      add(
        this.organizationsNamed.has(organization)
          ? carried("organizations")
          : this.organizationsUnnamed.has(organization)
          ? notCarried("organizations", organizationReasons.unnamed)
          : notCarried("organizations", organizationReasons.unused)
      )
    }
    for (const organization of this.organizationsUnnamed) {
      if (!organizationsInFile.has(organization) && !this.organizationsNamed.has(organization)) {
        add(notCarried("organizations", organizationReasons.unnamed))
      }
    }
    const usersNotInFile = [...this.usersNamed].filter((user) => !usersInFile.has(user)).length
    const kind = (name: Kind) => summaryOf(counters.get(name))
    const attachments = kind("attachments")
    const notes: Array<string> = []
    if (attachments.carried > 0) {
      notes.push(
        `attachments: ${attachments.carried} listed in the bundle by their URL: the migration downloads and uploads ` +
          "them (set ZENDESK_EMAIL and ZENDESK_API_TOKEN for Zendesk's content_url)"
      )
    }
    if (usersNotInFile > 0) {
      notes.push(
        `users: ${usersNotInFile} named by tickets are not in the users file: written with their externalId only`
      )
    }
    if (this.guessedDirections > 0) {
      notes.push(
        `messages: ${this.guessedDirections} by authors of unknown role (not in the users file): written "in" ` +
          `when the requester wrote them, else "out"`
      )
    }
    const summary = {
      tickets: kind("tickets"),
      deletedTickets: kind("deletedTickets"),
      comments: kind("comments"),
      attachments,
      users: kind("users"),
      organizations: kind("organizations"),
      fields: {
        priority: kind("priority"),
        type: kind("type"),
        tags: kind("tags"),
        customFields: kind("customFields"),
        satisfaction: kind("satisfaction"),
        assignee: kind("assignee")
      }
    }
    const everyKind = [
      summary.tickets,
      summary.deletedTickets,
      summary.comments,
      summary.attachments,
      summary.users,
      summary.organizations,
      ...Object.values(summary.fields)
    ]
    return new FidelitySummary({
      complete: this.problems === 0 && everyKind.every((counts) => counts.notCarried === 0),
      ...summary,
      bundle: {
        conversations: this.conversations,
        customers: this.customers.size,
        messages: this.messages,
        notes: this.notes,
        attachments: attachments.carried
      },
      problems: this.problems,
      notes
    })
  }
}
