/**
 * One Zendesk ticket as one bundle line, and what it carried: the conversation with its customer (and the
 * customer's company), its messages and notes (with their authors and attachments), its priority, type, tags,
 * custom fields, satisfaction rating and assignee. Pure.
 */
import { CustomAttributes } from "@effect-kustomer/domain"
import * as Arr from "effect/Array"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Bundle from "../../Bundle.js"
import { carried, type Count, notCarried, type OrganizationReference, type TicketFidelity } from "./fidelity.js"
import { commentText } from "./html.js"
import type { ConvertOptions } from "./options.js"
import {
  type Attachment,
  type Comment,
  type CustomFieldValue,
  idText,
  type Organization,
  type Ticket,
  type User
} from "./schema.js"

/**
 * Something in the export that could not be carried over, and why. The rest of its ticket is still converted
 * unless `ticketDropped` says otherwise.
 */
export interface Problem {
  readonly ticket: string
  readonly comment?: string
  readonly field?: string
  readonly reason: string
  readonly ticketDropped: boolean
}

/** A ticket turned into one bundle line, with the problems found on the way and what it carried. */
export interface Converted {
  readonly line: Option.Option<Bundle.Line>
  readonly problems: ReadonlyArray<Problem>
  readonly fidelity: TicketFidelity
}

/** Where the users and organizations a ticket names are found. */
export interface Lookups {
  readonly user: (id: string) => Option.Option<User>
  readonly organization: (id: string) => Option.Option<Organization>
}

const decodeLine = Bundle.decodePart(Bundle.Line)

/** A note's body is 1–10,240 characters in Kustomer. */
export const maxNoteLength = 10_240

/**
 * Kustomer's channel and app for a Zendesk `via.channel`. Zendesk's web form, API and mobile channels arrive as
 * e-mail conversations; the apps are Kustomer's usual ones per channel (inferred: Kustomer documents `app` as a
 * free string).
 */
export const channelOf = (via: string | null | undefined): { readonly channel: string; readonly app: string } => {
  switch (via) {
    case "chat":
    case "native_messaging":
      return { channel: "chat", app: "chat" }
    case "sms":
      return { channel: "sms", app: "twilio" }
    case "voice":
      return { channel: "voice", app: "voice" }
    case "facebook":
      return { channel: "facebook", app: "facebook" }
    case "twitter":
      return { channel: "twitter-dm", app: "twitter" }
    case "whatsapp":
      return { channel: "whatsapp", app: "whatsapp" }
    case "instagram_dm":
      return { channel: "instagram", app: "instagram" }
    default:
      return { channel: "email", app: "postmark" }
  }
}

/** Kustomer's create status for a Zendesk status: solved, closed (and deleted, when converted) are done. */
const statusOf = (status: string | null | undefined): string | undefined =>
  status === undefined || status === null
    ? undefined
    : status === "solved" || status === "closed" || status === "deleted"
    ? "done"
    : "open"

/** Drops the keys whose value is `undefined` or `null`, so the bundle only carries what the export had. */
const defined = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null))

const nonEmpty = (text: string | null | undefined): string | undefined =>
  text === null || text === undefined || text.trim() === "" ? undefined : text

/** The externalId a Zendesk user has in the bundle. */
export const userExternalId = (id: string | number): string => `zd-user-${idText(id)}`

/** A user named in the bundle (an author, an assignee): the migration finds the Kustomer user by it. */
const userReference = (id: string | number, user: Option.Option<User>): Record<string, unknown> =>
  defined({
    externalId: userExternalId(id),
    email: Option.getOrUndefined(Option.flatMapNullable(user, (found) => nonEmpty(found.email))),
    name: Option.getOrUndefined(Option.flatMapNullable(user, (found) => nonEmpty(found.name)))
  })

/** The bundle's customer for a requester: what the users file says about them, or only their external id. */
export const customerOf = (
  requesterId: string | number,
  user: Option.Option<User>,
  company: Option.Option<Record<string, unknown>> = Option.none()
): Record<string, unknown> =>
  Option.match(user, {
    onNone: () => defined({ externalId: userExternalId(requesterId), company: Option.getOrUndefined(company) }),
    onSome: (found) =>
      defined({
        externalId: userExternalId(requesterId),
        name: found.name,
        emails: found.email ? [{ type: "other", email: found.email }] : undefined,
        phones: found.phone ? [{ type: "other", phone: found.phone }] : undefined,
        createdAt: found.created_at,
        company: Option.getOrUndefined(company)
      })
  })

const attachmentsOf = (comment: Comment): ReadonlyArray<Attachment> => comment.attachments ?? []

/** An attachment of the bundle: its file already downloaded (`path`, when the options know it), else its URL. */
const attachmentOf = (attachment: Attachment, files: ReadonlyMap<string, string>): Record<string, unknown> => {
  const id = attachment.id === undefined || attachment.id === null ? undefined : idText(attachment.id)
  const path = id === undefined ? undefined : files.get(id)
  return defined({
    externalId: id === undefined ? undefined : `zd-att-${id}`,
    name: attachment.file_name,
    contentType: attachment.content_type,
    size: attachment.size,
    ...(path === undefined ? { url: attachment.content_url } : { path })
  })
}

const attachmentsField = (
  comment: Comment,
  files: ReadonlyMap<string, string>
): ReadonlyArray<Record<string, unknown>> | undefined => {
  const attachments = attachmentsOf(comment)
  return attachments.length === 0 ? undefined : attachments.map((attachment) => attachmentOf(attachment, files))
}

/** Whether a custom field holds something: `null`, `""` and `[]` are Zendesk's empty values. */
const hasValue = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0)

/** `custom_fields` and its alias `fields`, each field once. */
const customFieldsOf = (ticket: Ticket): ReadonlyArray<CustomFieldValue> => {
  const seen = new Set<string>()
  const fields: Array<CustomFieldValue> = []
  for (const field of [...(ticket.custom_fields ?? []), ...(ticket.fields ?? [])]) {
    const id = idText(field.id)
    if (seen.has(id)) continue
    seen.add(id)
    fields.push(field)
  }
  return fields
}

const decodeCustom = Schema.decodeUnknownEither(CustomAttributes.CustomAttributes)

/**
 * The value a custom attribute gets, or why the value does not fit the attribute's type. Nothing is coerced, with
 * one exception that loses nothing: a number written as text fits `Num` (Zendesk gives integer and decimal fields'
 * values as text).
 */
export const attributeValue = (attribute: string, value: unknown): Either.Either<unknown, string> => {
  const candidate = CustomAttributes.suffixOf(attribute) === "Num" && typeof value === "string" &&
      /^-?[0-9]+(\.[0-9]+)?$/.test(value.trim())
    ? Number(value.trim())
    : value
  return Either.match(decodeCustom({ [attribute]: candidate }), {
    onLeft: (error) =>
      Either.left(
        ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.message).join("; ")
      ),
    onRight: () => Either.right(candidate)
  })
}

const shown = (value: unknown): string => {
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 80 ? `${json.slice(0, 79)}…` : json
}

/** The scores that are a rating: `offered` and `unoffered` mean the customer gave none. */
const isRating = (score: string | null | undefined): score is string =>
  score !== undefined && score !== null && score !== "" && score !== "offered" && score !== "unoffered"

interface Carried {
  readonly custom: Record<string, unknown>
  readonly counts: Array<Count>
  readonly problems: Array<Problem>
}

/** One value into a custom attribute: set, or a problem of the ticket's field. */
const carryValue = (
  into: Carried,
  ticketId: string,
  field: string,
  description: string,
  attribute: string,
  kind: "customFields" | "satisfaction",
  value: unknown
) =>
  Either.match(attributeValue(attribute, value), {
    onLeft: (reason) => {
      into.counts.push(notCarried(kind, `${description} → ${attribute}: the value does not fit the attribute's type`))
      into.problems.push({
        ticket: ticketId,
        field,
        reason: `${description} → ${attribute}: ${reason} (value ${shown(value)})`,
        ticketDropped: false
      })
    },
    onRight: (fitting) => {
      into.custom[attribute] = fitting
      into.counts.push(carried(kind))
    }
  })

/** The custom fields and the satisfaction rating, through the fields map. */
const customOf = (ticket: Ticket, options: ConvertOptions): Carried => {
  const into: Carried = { custom: {}, counts: [], problems: [] }
  const ticketId = idText(ticket.id)
  const map = options.fieldsMap
  for (const field of customFieldsOf(ticket)) {
    if (!hasValue(field.value)) continue
    const id = idText(field.id)
    const attribute = map.byId.get(id)
    if (attribute === undefined) {
      into.counts.push(notCarried("customFields", `field ${id}: not in --fields-map`))
    } else {
      carryValue(into, ticketId, id, `field ${id}`, attribute, "customFields", field.value)
    }
  }
  const rating = ticket.satisfaction_rating
  if (rating !== undefined && rating !== null) {
    if (isRating(rating.score)) {
      if (map.satisfaction === undefined) {
        into.counts.push(notCarried("satisfaction", "score: no attribute for satisfaction in --fields-map"))
      } else {
        carryValue(into, ticketId, "satisfaction", "satisfaction", map.satisfaction, "satisfaction", rating.score)
      }
    }
    const comment = nonEmpty(rating.comment)
    if (comment !== undefined) {
      if (map.satisfactionComment === undefined) {
        into.counts.push(notCarried("satisfaction", "comment: no attribute for satisfaction.comment in --fields-map"))
      } else {
        carryValue(
          into,
          ticketId,
          "satisfaction.comment",
          "satisfaction.comment",
          map.satisfactionComment,
          "satisfaction",
          comment
        )
      }
    }
  }
  return into
}

/** The tags: Zendesk's own, the ticket type's, and `zendesk-deleted` for a deleted ticket; each once. */
const tagsOf = (ticket: Ticket, type: string | undefined, deleted: boolean): ReadonlyArray<string> =>
  Arr.dedupe([
    ...(ticket.tags ?? []),
    ...(type === undefined ? [] : [`zendesk-type-${type.trim().toLowerCase()}`]),
    ...(deleted ? ["zendesk-deleted"] : [])
  ])

const agentRoles = new Set(["agent", "admin"])

/**
 * A public comment's direction: end-users (the requester, a CC) write `in`, agents and admins `out`. When the users
 * file does not say the author's role, the requester's comments are `in` and the others `out` — counted, since it
 * is a guess.
 */
const directionOf = (
  comment: Comment,
  requesterId: string,
  author: Option.Option<User>
): { readonly direction: "in" | "out"; readonly guessed: boolean } => {
  const role = Option.getOrUndefined(Option.flatMapNullable(author, (user) => user.role))
  if (role === "end-user") return { direction: "in", guessed: false }
  if (role !== undefined && agentRoles.has(role)) return { direction: "out", guessed: false }
  const fromRequester = comment.author_id !== undefined && comment.author_id !== null &&
    idText(comment.author_id) === requesterId
  return { direction: fromRequester ? "in" : "out", guessed: true }
}

const authorOf = (comment: Comment, lookups: Lookups) => {
  const id = comment.author_id
  if (id === undefined || id === null) return { reference: undefined, user: Option.none<User>(), id: undefined }
  const user = lookups.user(idText(id))
  return { reference: userReference(id, user), user, id: idText(id) }
}

/** A ticket's comments: public ones as messages, private ones as notes, with what they carried. */
const commentsOf = (ticket: Ticket, requesterId: string, lookups: Lookups, files: ReadonlyMap<string, string>) => {
  const ticketId = idText(ticket.id)
  const messages: Array<Record<string, unknown>> = []
  const notes: Array<Record<string, unknown>> = []
  const counts: Array<Count> = []
  const problems: Array<Problem> = []
  const authors = new Set<string>()
  let guessedDirections = 0
  for (const comment of ticket.comments) {
    const author = authorOf(comment, lookups)
    const attachments = attachmentsOf(comment).length
    const text = commentText(comment)
    const shared = {
      externalId: `zd-comment-${idText(comment.id)}`,
      createdAt: comment.created_at,
      author: author.reference,
      attachments: attachmentsField(comment, files)
    }
    if (comment.public) {
      const { app, channel } = channelOf(comment.via?.channel ?? ticket.via?.channel)
      const { direction, guessed } = directionOf(comment, requesterId, author.user)
      if (guessed) guessedDirections += 1
      messages.push(defined({
        externalId: shared.externalId,
        direction,
        channel,
        app,
        preview: text,
        createdAt: shared.createdAt,
        author: shared.author,
        attachments: shared.attachments
      }))
    } else {
      const reason = text.trim().length === 0
        ? "a private comment without text cannot be a note"
        : text.length > maxNoteLength
        ? `a private comment of ${text.length} characters exceeds a note's ${maxNoteLength}`
        : undefined
      if (reason !== undefined) {
        problems.push({ ticket: ticketId, comment: idText(comment.id), reason, ticketDropped: false })
        counts.push(notCarried("comments", reason))
        if (attachments > 0) counts.push(notCarried("attachments", `on a comment not carried: ${reason}`, attachments))
        continue
      }
      notes.push(defined({
        externalId: shared.externalId,
        body: text,
        createdAt: shared.createdAt,
        author: shared.author,
        attachments: shared.attachments
      }))
    }
    counts.push(carried("comments"))
    if (attachments > 0) counts.push(carried("attachments", attachments))
    if (author.id !== undefined) authors.add(author.id)
  }
  return { messages, notes, counts, problems, authors, guessedDirections }
}

/** Why a deleted ticket was not converted. */
export const deletedReason = "deleted in Zendesk (--include-deleted converts them)"

const notConverted = (ticket: Ticket, reason: string, problems: ReadonlyArray<Problem>): Converted => {
  const comments = ticket.comments.length
  const attachments = ticket.comments.reduce((sum, comment) => sum + attachmentsOf(comment).length, 0)
  const deleted = ticket.status === "deleted"
  const counts: Array<Count> = [notCarried("tickets", reason)]
  if (deleted) {
    counts.push(
      notCarried("deletedTickets", reason === deletedReason ? "skipped (--include-deleted converts them)" : reason)
    )
  }
  if (comments > 0) counts.push(notCarried("comments", `in a ticket not converted: ${reason}`, comments))
  if (attachments > 0) counts.push(notCarried("attachments", `in a ticket not converted: ${reason}`, attachments))
  return {
    line: Option.none(),
    problems,
    fidelity: {
      counts,
      users: [],
      organizations: [],
      customer: undefined,
      messages: 0,
      notes: 0,
      guessedDirections: 0,
      problems: problems.length
    }
  }
}

/**
 * One ticket as a bundle line. A deleted ticket is skipped unless `options.includeDeleted`; a ticket without a
 * requester cannot be placed on a customer's timeline, so it is dropped with a problem; a private comment that
 * cannot be a note, and a custom field whose value does not fit its attribute, are problems of their own.
 */
export const convertTicket = (ticket: Ticket, lookups: Lookups, options: ConvertOptions): Converted => {
  const ticketId = idText(ticket.id)
  const deleted = ticket.status === "deleted"
  if (deleted && !options.includeDeleted) return notConverted(ticket, deletedReason, [])
  if (ticket.requester_id === undefined || ticket.requester_id === null) {
    const reason = "the ticket has no requester_id"
    return notConverted(ticket, reason, [{ ticket: ticketId, reason, ticketDropped: true }])
  }
  const requesterId = idText(ticket.requester_id)
  const requester = lookups.user(requesterId)
  const counts: Array<Count> = [carried("tickets")]
  const problems: Array<Problem> = []
  const users = new Set<string>([requesterId])
  const organizations: Array<OrganizationReference> = []
  if (deleted) counts.push(carried("deletedTickets"))

  // The requester's organization (else the ticket's) is the customer's company, when its name is known.
  const organizationId = Option.getOrUndefined(Option.flatMapNullable(requester, (user) => user.organization_id)) ??
    ticket.organization_id ?? undefined
  let company = Option.none<Record<string, unknown>>()
  if (organizationId !== undefined) {
    const id = idText(organizationId)
    const name = Option.getOrUndefined(
      Option.flatMapNullable(lookups.organization(id), (organization) => nonEmpty(organization.name))
    )
    organizations.push({ id, named: name !== undefined })
    if (name !== undefined) company = Option.some({ externalId: `zd-org-${id}`, name })
  }

  let priority: number | undefined
  const zendeskPriority = nonEmpty(ticket.priority)
  if (zendeskPriority !== undefined) {
    priority = options.priorityMap[zendeskPriority]
    counts.push(
      priority === undefined
        ? notCarried("priority", `"${zendeskPriority}" is not in the priority map`)
        : carried("priority")
    )
  }
  const type = nonEmpty(ticket.type)
  if (type !== undefined) counts.push(carried("type"))
  const zendeskTags = Arr.dedupe(ticket.tags ?? [])
  if (zendeskTags.length > 0) counts.push(carried("tags", zendeskTags.length))

  let assignee: Record<string, unknown> | undefined
  if (ticket.assignee_id !== undefined && ticket.assignee_id !== null) {
    const id = idText(ticket.assignee_id)
    assignee = userReference(id, lookups.user(id))
    users.add(id)
    counts.push(carried("assignee"))
  }

  const custom = customOf(ticket, options)
  counts.push(...custom.counts)
  problems.push(...custom.problems)

  const comments = commentsOf(ticket, requesterId, lookups, options.attachmentFiles ?? new Map())
  counts.push(...comments.counts)
  problems.push(...comments.problems)
  for (const author of comments.authors) users.add(author)
  const { messages, notes } = comments

  const customer = customerOf(requesterId, requester, company)
  const tags = tagsOf(ticket, type, deleted)
  const written = decodeLine(defined({
    externalId: `zd-${ticketId}`,
    name: ticket.subject ?? ticket.raw_subject,
    status: statusOf(ticket.status),
    priority,
    createdAt: ticket.created_at,
    tags: tags.length > 0 ? tags : ticket.tags,
    custom: Object.keys(custom.custom).length > 0 ? custom.custom : undefined,
    assignee,
    customer,
    messages,
    notes
  }))
  // The line is read back by the bundle's own Schema: a converter bug is this ticket's problem, never a bad line.
  if (Either.isLeft(written)) {
    const reason = `the converted ticket is not a bundle line: ${written.left}`
    return notConverted(ticket, reason, [...problems, { ticket: ticketId, reason, ticketDropped: true }])
  }
  return {
    line: Option.some(written.right),
    problems,
    fidelity: {
      counts,
      users: [...users],
      organizations,
      customer: userExternalId(requesterId),
      messages: messages.length,
      notes: notes.length,
      guessedDirections: comments.guessedDirections,
      problems: problems.length
    }
  }
}
