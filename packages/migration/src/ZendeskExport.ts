/**
 * A Zendesk Support export, read and turned into migration-bundle lines: one conversation per ticket, with its
 * requester as the customer, its public comments as messages and its private comments as notes.
 *
 * Zendesk's shapes are those of its full JSON export (one ticket per line, comments inline) and of its REST API
 * (`{"tickets": [...], "users": [...]}` with side-loaded users); only the fields used here are decoded, and extra
 * fields are ignored. The mapping:
 *
 * | Zendesk                          | migration bundle                                                          |
 * | -------------------------------- | ------------------------------------------------------------------------- |
 * | ticket `id`                      | conversation `externalId` `zd-<id>`                                       |
 * | `subject` (else `raw_subject`)   | `name`                                                                    |
 * | `status` new/open/pending/hold   | `status` `open`; solved/closed → `done`                                   |
 * | `created_at`, `tags`             | `createdAt`, `tags`                                                       |
 * | requester (a user)               | `customer`: `externalId` `zd-user-<id>`, `name`, `emails`, `phones`        |
 * | public comment                   | message: `externalId` `zd-comment-<id>`, `preview` = the comment's text,  |
 * |                                  | `direction` `in` when the requester wrote it, else `out`; `channel`/`app` |
 * |                                  | from the comment's `via.channel` (see {@link channelOf})                  |
 * | private comment                  | note: `externalId` `zd-comment-<id>`, `body` = the comment's text          |
 *
 * Kustomer's bulk message schema has no body field: `preview` is its only free-text field, so the comment's whole
 * plain text goes there, unshortened. The HTML rendering is not sent.
 *
 * @since 0.1.0
 */
import * as Arr from "effect/Array"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** A Zendesk id: a number in the API, sometimes a string in hand-made exports. */
const ZendeskId = Schema.Union(Schema.Int, Schema.NonEmptyString)

const Via = Schema.Struct({ channel: Schema.optional(Schema.NullOr(Schema.String)) })

/**
 * A ticket comment, as the API's `/tickets/{id}/comments` and the full JSON export give it.
 *
 * @since 0.1.0
 */
export const Comment = Schema.Struct({
  id: ZendeskId,
  author_id: Schema.optional(Schema.NullOr(ZendeskId)),
  public: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  body: Schema.optional(Schema.NullOr(Schema.String)),
  plain_body: Schema.optional(Schema.NullOr(Schema.String)),
  created_at: Schema.optional(Schema.NullOr(Schema.String)),
  via: Schema.optional(Schema.NullOr(Via))
})

/** @since 0.1.0 */
export type Comment = typeof Comment.Type

/**
 * A ticket, with its comments inline (the full JSON export's shape; the API's tickets gain them from
 * `/tickets/{id}/comments`).
 *
 * @since 0.1.0
 */
export const Ticket = Schema.Struct({
  id: ZendeskId,
  subject: Schema.optional(Schema.NullOr(Schema.String)),
  raw_subject: Schema.optional(Schema.NullOr(Schema.String)),
  status: Schema.optional(Schema.NullOr(Schema.String)),
  requester_id: Schema.optional(Schema.NullOr(ZendeskId)),
  created_at: Schema.optional(Schema.NullOr(Schema.String)),
  tags: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  via: Schema.optional(Schema.NullOr(Via)),
  comments: Schema.optionalWith(Schema.Array(Comment), { default: () => [] })
})

/** @since 0.1.0 */
export type Ticket = typeof Ticket.Type

/**
 * A user: requesters become customers.
 *
 * @since 0.1.0
 */
export const User = Schema.Struct({
  id: ZendeskId,
  name: Schema.optional(Schema.NullOr(Schema.String)),
  email: Schema.optional(Schema.NullOr(Schema.String)),
  phone: Schema.optional(Schema.NullOr(Schema.String)),
  created_at: Schema.optional(Schema.NullOr(Schema.String))
})

/** @since 0.1.0 */
export type User = typeof User.Type

/**
 * An API answer: a page of tickets with side-loaded users, or a page of users.
 *
 * @since 0.1.0
 */
export const Page = Schema.Struct({
  tickets: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  users: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] })
})

/**
 * Something in the export that could not be carried over, and why. The rest of its ticket is still converted
 * unless `ticketDropped` says otherwise.
 *
 * @since 0.1.0
 */
export interface Problem {
  readonly ticket: string
  readonly comment?: string
  readonly reason: string
  readonly ticketDropped: boolean
}

/**
 * A ticket turned into one bundle line, with the problems found on the way.
 *
 * @since 0.1.0
 */
export interface Converted {
  readonly line: Option.Option<Record<string, unknown>>
  readonly problems: ReadonlyArray<Problem>
}

/** A note's body is 1–10,240 characters in Kustomer. */
export const maxNoteLength = 10_240

/**
 * Kustomer's channel and app for a Zendesk `via.channel`. Zendesk's web form, API and mobile channels arrive as
 * e-mail conversations; the apps are Kustomer's usual ones per channel (inferred: Kustomer documents `app` as a
 * free string).
 *
 * @since 0.1.0
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

/** Kustomer's create status for a Zendesk status: solved and closed tickets are done, the rest open. */
const statusOf = (status: string | null | undefined): string | undefined =>
  status === undefined || status === null ? undefined : status === "solved" || status === "closed" ? "done" : "open"

const idText = (id: string | number): string => String(id)

/** Drops the keys whose value is `undefined` or `null`, so the bundle only carries what the export had. */
const defined = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null))

/**
 * The bundle's customer for a requester: what the users file says about them, or only their external id.
 *
 * @since 0.1.0
 */
export const customerOf = (requesterId: string | number, user: Option.Option<User>): Record<string, unknown> =>
  Option.match(user, {
    onNone: () => ({ externalId: `zd-user-${idText(requesterId)}` }),
    onSome: (found) =>
      defined({
        externalId: `zd-user-${idText(requesterId)}`,
        name: found.name,
        emails: found.email ? [{ type: "other", email: found.email }] : undefined,
        phones: found.phone ? [{ type: "other", phone: found.phone }] : undefined,
        createdAt: found.created_at
      })
  })

const commentText = (comment: Comment): string => comment.plain_body ?? comment.body ?? ""

const messageOf = (ticket: Ticket, comment: Comment): Record<string, unknown> => {
  const { app, channel } = channelOf(comment.via?.channel ?? ticket.via?.channel)
  const fromRequester = comment.author_id !== undefined && comment.author_id !== null &&
    idText(comment.author_id) === idText(ticket.requester_id ?? "")
  return defined({
    externalId: `zd-comment-${idText(comment.id)}`,
    direction: fromRequester ? "in" : "out",
    channel,
    app,
    preview: commentText(comment),
    createdAt: comment.created_at
  })
}

const noteOf = (ticket: Ticket, comment: Comment): Either.Either<Record<string, unknown>, Problem> => {
  const body = commentText(comment)
  const problem = (reason: string): Problem => ({
    ticket: idText(ticket.id),
    comment: idText(comment.id),
    reason,
    ticketDropped: false
  })
  if (body.trim().length === 0) return Either.left(problem("a private comment without text cannot be a note"))
  if (body.length > maxNoteLength) {
    return Either.left(problem(`a private comment of ${body.length} characters exceeds a note's ${maxNoteLength}`))
  }
  return Either.right(defined({ externalId: `zd-comment-${idText(comment.id)}`, body, createdAt: comment.created_at }))
}

/**
 * One ticket as a bundle line. A ticket without a requester cannot be placed on a customer's timeline, so it is
 * dropped with a problem; a private comment that cannot be a note is a problem of its own.
 *
 * @since 0.1.0
 */
export const convertTicket = (
  ticket: Ticket,
  userById: (id: string) => Option.Option<User>
): Converted => {
  if (ticket.requester_id === undefined || ticket.requester_id === null) {
    return {
      line: Option.none(),
      problems: [{ ticket: idText(ticket.id), reason: "the ticket has no requester_id", ticketDropped: true }]
    }
  }
  const requesterId = ticket.requester_id
  const [publicComments, privateComments] = Arr.partition(ticket.comments, (comment) => !comment.public)
  const [problems, notes] = Arr.partitionMap(privateComments, (comment) => noteOf(ticket, comment))
  const line = defined({
    externalId: `zd-${idText(ticket.id)}`,
    name: ticket.subject ?? ticket.raw_subject,
    status: statusOf(ticket.status),
    createdAt: ticket.created_at,
    tags: ticket.tags,
    customer: customerOf(requesterId, userById(idText(requesterId))),
    messages: publicComments.map((comment) => messageOf(ticket, comment)),
    notes
  })
  return { line: Option.some(line), problems }
}

/**
 * Reads a user; its `id` is the key it is found by.
 *
 * @since 0.1.0
 */
export const decodeUser = Schema.decodeUnknownEither(User)

/**
 * Reads a ticket.
 *
 * @since 0.1.0
 */
export const decodeTicket = Schema.decodeUnknownEither(Ticket)

/**
 * Reads an API page (`{"tickets": [...], "users": [...]}`).
 *
 * @since 0.1.0
 */
export const decodePage = Schema.decodeUnknownEither(Page)

/**
 * The key users are found by.
 *
 * @since 0.1.0
 */
export const userKey = (user: User): string => idText(user.id)
