/**
 * A Zendesk Support export, read and turned into migration-bundle lines: one conversation per ticket, with its
 * requester as the customer (and the requester's organization as the customer's company), its public comments as
 * messages and its private comments as notes — with their authors and attachments — and the ticket's priority,
 * type, tags, custom fields, satisfaction rating and assignee. Whatever is not carried is counted, with its reason,
 * in a fidelity summary (`ZendeskFidelity`); nothing is left out silently.
 *
 * Zendesk's shapes are those of its full JSON export (one ticket per line, comments inline) and of its REST API
 * (`{"tickets": [...], "users": [...]}` with side-loads); only the fields used here are decoded, and extra fields
 * are ignored. The mapping, field by field, is in docs/migration.md ("From Zendesk"): tickets → conversations
 * (`zd-<id>`), requesters → customers (`zd-user-<id>`, their organization as `company`), public comments →
 * messages and private comments → notes (`zd-comment-<id>`, with `author` and `attachments`); priority through the
 * priority map, type as a tag, custom fields and satisfaction through the fields map (each value checked against
 * its attribute's suffix), the assignee as `assignee`; deleted tickets skipped and counted unless included.
 *
 * Kustomer's bulk message schema has no body field: `preview` is its only free-text field, so the comment's whole
 * plain text goes there, unshortened ({@link commentText} says which text).
 *
 * `author`, `assignee`, `company` and the attachments' shape are the bundle's, not Kustomer's: the migration
 * resolves the users to Kustomer user ids (`createdBy`, `assignedUsers`) and the organizations to companies.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as convertInternal from "./internal/zendesk/convert.js"
import * as htmlText from "./internal/zendesk/html.js"
import * as options from "./internal/zendesk/options.js"
import * as schema from "./internal/zendesk/schema.js"

// --- Zendesk's records ---

/**
 * A file attached to a comment.
 *
 * @since 0.1.0
 */
export const Attachment = schema.Attachment

/** @since 0.1.0 */
export type Attachment = schema.Attachment

/**
 * A ticket comment, as the API's `/tickets/{id}/comments` and the full JSON export give it.
 *
 * @since 0.1.0
 */
export const Comment = schema.Comment

/** @since 0.1.0 */
export type Comment = schema.Comment

/**
 * A ticket, with its comments inline (the full JSON export's shape; the API's tickets gain them from
 * `/tickets/{id}/comments`).
 *
 * @since 0.1.0
 */
export const Ticket = schema.Ticket

/** @since 0.1.0 */
export type Ticket = schema.Ticket

/**
 * A user: requesters become customers; comment authors and assignees are named by their id, e-mail and name.
 *
 * @since 0.1.0
 */
export const User = schema.User

/** @since 0.1.0 */
export type User = schema.User

/**
 * An organization: the company of the customers who belong to it.
 *
 * @since 0.1.0
 */
export const Organization = schema.Organization

/** @since 0.1.0 */
export type Organization = schema.Organization

/**
 * A custom ticket field's definition (`GET /api/v2/ticket_fields`): lets a fields map name a field by its title.
 *
 * @since 0.1.0
 */
export const TicketField = schema.TicketField

/** @since 0.1.0 */
export type TicketField = schema.TicketField

/**
 * An API answer: a page of tickets, users, organizations or ticket fields, side-loads included.
 *
 * @since 0.1.0
 */
export const Page = schema.Page

/**
 * Reads a ticket.
 *
 * @since 0.1.0
 */
export const decodeTicket: (value: unknown) => Either.Either<Ticket, ParseResult.ParseError> = Schema
  .decodeUnknownEither(schema.Ticket)

/**
 * Reads a user; its `id` is the key it is found by ({@link userKey}).
 *
 * @since 0.1.0
 */
export const decodeUser: (value: unknown) => Either.Either<User, ParseResult.ParseError> = Schema
  .decodeUnknownEither(schema.User)

/**
 * Reads an organization.
 *
 * @since 0.1.0
 */
export const decodeOrganization: (value: unknown) => Either.Either<Organization, ParseResult.ParseError> = Schema
  .decodeUnknownEither(schema.Organization)

/**
 * Reads a ticket field's definition.
 *
 * @since 0.1.0
 */
export const decodeTicketField: (value: unknown) => Either.Either<TicketField, ParseResult.ParseError> = Schema
  .decodeUnknownEither(schema.TicketField)

/**
 * Reads an API page (`{"tickets": [...], "users": [...], "organizations": [...], "ticket_fields": [...]}`).
 *
 * @since 0.1.0
 */
export const decodePage: (value: unknown) => Either.Either<typeof schema.Page.Type, ParseResult.ParseError> = Schema
  .decodeUnknownEither(schema.Page)

/**
 * The key users, organizations and ticket fields are found by: their id as text.
 *
 * @since 0.1.0
 */
export const userKey = (user: User): string => schema.idText(user.id)

/** @since 0.1.0 */
export const organizationKey = (organization: Organization): string => schema.idText(organization.id)

// --- What a conversion is told ---

/**
 * What a conversion is told: whether deleted tickets are converted, the priority map, the fields map.
 *
 * @since 0.1.0
 */
export type ConvertOptions = options.ConvertOptions

/**
 * Deleted tickets skipped, the default priority map, no fields map.
 *
 * @since 0.1.0
 */
export const defaultOptions: ConvertOptions = options.defaultOptions

/**
 * Zendesk priority → Kustomer priority (1 lowest, 5 highest): low 1, normal 2, high 4, urgent 5. Routine levels
 * below Kustomer's middle value, escalations above it: "priority 4 or more" finds what Zendesk called high or urgent.
 *
 * @since 0.1.0
 */
export const defaultPriorityMap: Readonly<Record<string, number>> = options.defaultPriorityMap

/**
 * `low=1,normal=3,…` (the `--priority-map` flag) over the default map.
 *
 * @since 0.1.0
 */
export const parsePriorityMap: (text: string) => Either.Either<Readonly<Record<string, number>>, string> =
  options.parsePriorityMap

/**
 * A fields map as written: Zendesk field (id or title, or `satisfaction`, `satisfaction.comment`) → attribute.
 *
 * @since 0.1.0
 */
export type FieldsMapEntries = options.FieldsMapEntries

/**
 * A fields map with its titles looked up: field id → Kustomer custom attribute, and the satisfaction attributes.
 *
 * @since 0.1.0
 */
export type FieldsMap = options.FieldsMap

/**
 * A fields-map file: a JSON object `{"360001": "orderNumberStr", "satisfaction": "csatStr"}`, or CSV lines
 * `zendeskFieldIdOrTitle,kustomerAttributeName` (a first line without a typed attribute name is a header). Every
 * attribute must end in its type (`Str`, `Txt`, `Num`, `Bool`, `At`, `Url`); a field or attribute named twice is
 * refused.
 *
 * @since 0.1.0
 */
export const parseFieldsMap: (text: string, source: string) => Either.Either<FieldsMapEntries, string> =
  options.parseFieldsMap

/**
 * The fields map with titles looked up in the ticket fields' definitions (needed only when a field is named by
 * title; a title that matches no field, or several, is refused).
 *
 * @since 0.1.0
 */
export const resolveFieldsMap: (
  entries: FieldsMapEntries,
  ticketFields: ReadonlyArray<TicketField> | undefined
) => Either.Either<FieldsMap, string> = options.resolveFieldsMap

// --- The conversion ---

/**
 * Something in the export that could not be carried over, and why (the problems file's lines). The rest of its
 * ticket is still converted unless `ticketDropped` says otherwise.
 *
 * @since 0.1.0
 */
export type Problem = convertInternal.Problem

/**
 * A ticket turned into one bundle line, with the problems found on the way and what it carried.
 *
 * @since 0.1.0
 */
export type Converted = convertInternal.Converted

/**
 * Where the users and organizations a ticket names are found.
 *
 * @since 0.1.0
 */
export type Lookups = convertInternal.Lookups

/**
 * A note's body is 1–10,240 characters in Kustomer.
 *
 * @since 0.1.0
 */
export const maxNoteLength: number = convertInternal.maxNoteLength

/**
 * Kustomer's channel and app for a Zendesk `via.channel`. Zendesk's web form, API and mobile channels arrive as
 * e-mail conversations; the apps are Kustomer's usual ones per channel (inferred: Kustomer documents `app` as a
 * free string).
 *
 * @since 0.1.0
 */
export const channelOf: (via: string | null | undefined) => { readonly channel: string; readonly app: string } =
  convertInternal.channelOf

/**
 * The bundle's customer for a requester: what the users file says about them (and their company), or only their
 * external id.
 *
 * @since 0.1.0
 */
export const customerOf: (
  requesterId: string | number,
  user: Option.Option<User>,
  company?: Option.Option<Record<string, unknown>>
) => Record<string, unknown> = convertInternal.customerOf

/**
 * The value a custom attribute gets, or why the value does not fit the type its name's suffix declares. Nothing is
 * coerced, except a number written as text for a `Num` attribute (Zendesk gives integer and decimal fields so).
 *
 * @since 0.1.0
 */
export const attributeValue: (attribute: string, value: unknown) => Either.Either<unknown, string> =
  convertInternal.attributeValue

/**
 * A comment's text: Zendesk's plain text (`plain_body`, else `body`) when it says the same as `html_body`
 * rendered, else the rendering ({@link htmlToText}), which keeps link targets.
 *
 * @since 0.1.0
 */
export const commentText: (
  comment: {
    readonly plain_body?: string | null | undefined
    readonly body?: string | null | undefined
    readonly html_body?: string | null | undefined
  }
) => string = htmlText.commentText

/**
 * HTML as plain text: `<a href="u">text</a>` → `text (u)`, paragraphs and line breaks → newlines, entities decoded,
 * white space collapsed as a browser shows it.
 *
 * @since 0.1.0
 */
export const htmlToText: (html: string) => string = htmlText.htmlToText

/**
 * Why a deleted ticket was not converted (its reason in the summary).
 *
 * @since 0.1.0
 */
export const deletedReason: string = convertInternal.deletedReason

/**
 * One ticket as a bundle line. A deleted ticket is skipped (unless `options.includeDeleted`); a ticket without a
 * requester cannot be placed on a customer's timeline, so it is dropped with a problem; a private comment that
 * cannot be a note, and a custom field whose value does not fit its attribute, are problems of their own.
 *
 * @since 0.1.0
 */
export const convertTicket: (ticket: Ticket, lookups: Lookups, options?: ConvertOptions) => Converted = (
  ticket,
  lookups,
  convertOptions = options.defaultOptions
) => convertInternal.convertTicket(ticket, lookups, convertOptions)
