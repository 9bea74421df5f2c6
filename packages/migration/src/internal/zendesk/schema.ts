/**
 * Zendesk's shapes, as its REST API and its full JSON export give them. Only the fields the converter reads are
 * decoded; every other field is ignored, so a newer export with more fields still decodes.
 */
import * as Schema from "effect/Schema"

/** A Zendesk id: a number in the API, sometimes a string in hand-made exports. */
export const ZendeskId = Schema.Union(Schema.Int, Schema.NonEmptyString)

/** A field Zendesk may leave out or set to `null`. */
const maybe = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

export const Via = Schema.Struct({ channel: maybe(Schema.String) })

/** A file attached to a comment (`comment.attachments[]`). */
export const Attachment = Schema.Struct({
  id: maybe(ZendeskId),
  file_name: maybe(Schema.String),
  content_type: maybe(Schema.String),
  size: maybe(Schema.Number),
  content_url: maybe(Schema.String)
})

export type Attachment = typeof Attachment.Type

/** A ticket comment, as the API's `/tickets/{id}/comments` and the full JSON export give it. */
export const Comment = Schema.Struct({
  id: ZendeskId,
  author_id: maybe(ZendeskId),
  public: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  body: maybe(Schema.String),
  plain_body: maybe(Schema.String),
  html_body: maybe(Schema.String),
  created_at: maybe(Schema.String),
  via: maybe(Via),
  attachments: maybe(Schema.Array(Attachment))
})

export type Comment = typeof Comment.Type

/** One custom field's value on a ticket (`custom_fields[]`, and its older alias `fields[]`). */
export const CustomFieldValue = Schema.Struct({ id: ZendeskId, value: Schema.optional(Schema.Unknown) })

export type CustomFieldValue = typeof CustomFieldValue.Type

/** The customer's rating of a ticket. */
export const SatisfactionRating = Schema.Struct({ score: maybe(Schema.String), comment: maybe(Schema.String) })

export type SatisfactionRating = typeof SatisfactionRating.Type

/** A ticket, with its comments inline (the full JSON export's shape; the API's gain them from `/comments`). */
export const Ticket = Schema.Struct({
  id: ZendeskId,
  subject: maybe(Schema.String),
  raw_subject: maybe(Schema.String),
  status: maybe(Schema.String),
  type: maybe(Schema.String),
  priority: maybe(Schema.String),
  requester_id: maybe(ZendeskId),
  assignee_id: maybe(ZendeskId),
  organization_id: maybe(ZendeskId),
  created_at: maybe(Schema.String),
  tags: maybe(Schema.Array(Schema.String)),
  via: maybe(Via),
  custom_fields: maybe(Schema.Array(CustomFieldValue)),
  fields: maybe(Schema.Array(CustomFieldValue)),
  satisfaction_rating: maybe(SatisfactionRating),
  comments: Schema.optionalWith(Schema.Array(Comment), { default: () => [] })
})

export type Ticket = typeof Ticket.Type

/** A user: requesters become customers; comment authors and assignees are named by them. */
export const User = Schema.Struct({
  id: ZendeskId,
  name: maybe(Schema.String),
  email: maybe(Schema.String),
  phone: maybe(Schema.String),
  role: maybe(Schema.String),
  organization_id: maybe(ZendeskId),
  created_at: maybe(Schema.String)
})

export type User = typeof User.Type

/** An organization: the company of the users who belong to it. */
export const Organization = Schema.Struct({ id: ZendeskId, name: maybe(Schema.String) })

export type Organization = typeof Organization.Type

/** A custom ticket field's definition (`GET /api/v2/ticket_fields`): lets a fields map name a field by title. */
export const TicketField = Schema.Struct({ id: ZendeskId, title: maybe(Schema.String), type: maybe(Schema.String) })

export type TicketField = typeof TicketField.Type

/** An API answer: a page of tickets, users, organizations or ticket fields (side-loads included). */
export const Page = Schema.Struct({
  tickets: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  users: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  organizations: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  ticket_fields: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] })
})

export type Page = typeof Page.Type

/** The text of an id: the key records are found by. */
export const idText = (id: string | number): string => String(id)
