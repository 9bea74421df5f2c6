/**
 * A conversation as sent to `POST /v1/conversations` and, as an array, to `POST /v1/conversations/bulk`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ClientRef } from "./ClientRef.js"
import { CustomAttributes } from "./CustomAttributes.js"
import { ConversationId, CustomerId, TeamId, UserId } from "./Ids.js"
import { optional } from "./internal/schema.js"
import { IsoDateTime } from "./IsoDateTime.js"

/**
 * The most users, or teams, one conversation can be assigned to.
 *
 * @since 0.1.0
 */
export const maxAssignees = 10

/**
 * Statuses a conversation may be created with (`snoozed` exists, but only for updates).
 *
 * @since 0.1.0
 */
export const ConversationCreateStatus = Schema.Literal("open", "done")
/** @since 0.1.0 */
export type ConversationCreateStatus = typeof ConversationCreateStatus.Type

/**
 * `in`: the customer started it; `out`: the team did.
 *
 * @since 0.1.0
 */
export const Direction = Schema.Literal("in", "out")
/** @since 0.1.0 */
export type Direction = typeof Direction.Type

/**
 * Priority, an integer from 1 (lowest) to 5 (highest).
 *
 * @since 0.1.0
 */
export const Priority = Schema.Int.pipe(Schema.between(1, 5), Schema.annotations({ identifier: "Priority" }))

/**
 * The queue a conversation is routed to.
 *
 * @since 0.1.0
 */
export const ConversationQueue = Schema.Struct({
  id: optional(Schema.NullOr(Schema.String)),
  external: optional(Schema.Literal("amazon-connect"))
}).annotations({ identifier: "ConversationQueue" })

/**
 * One conversation to create. `customer` is required; everything else is optional. `_clientRef` correlates the
 * item with its result in the bulk job's batches.
 *
 * @since 0.1.0
 */
export const ConversationInput = Schema.Struct({
  customer: CustomerId,
  id: optional(ConversationId),
  externalId: optional(Schema.NonEmptyString),
  name: optional(Schema.String),
  status: optional(ConversationCreateStatus),
  priority: optional(Priority),
  createdAt: optional(IsoDateTime),
  importedAt: optional(IsoDateTime),
  direction: optional(Direction),
  replyChannel: optional(Schema.NullOr(Schema.String)),
  tags: optional(Schema.Array(Schema.String)),
  assignedUsers: optional(Schema.Array(UserId).pipe(Schema.maxItems(maxAssignees))),
  assignedTeams: optional(Schema.Array(TeamId).pipe(Schema.maxItems(maxAssignees))),
  custom: optional(CustomAttributes),
  defaultLang: optional(Schema.NullOr(Schema.String)),
  queue: optional(ConversationQueue),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "ConversationInput" })

/** @since 0.1.0 */
export type ConversationInput = typeof ConversationInput.Type
/**
 * The wire JSON of a {@link ConversationInput}.
 *
 * @since 0.1.0
 */
export type ConversationInputEncoded = typeof ConversationInput.Encoded

/**
 * Statuses a conversation may be given by an update: `snoozed` too (with a `snooze`).
 *
 * @since 0.1.0
 */
export const ConversationStatus = Schema.Literal("open", "snoozed", "done")
/** @since 0.1.0 */
export type ConversationStatus = typeof ConversationStatus.Type

/**
 * When a snoozed conversation reopens, and the state of that schedule.
 *
 * @since 0.1.0
 */
export const ConversationSnooze = Schema.Struct({
  time: optional(IsoDateTime),
  status: optional(Schema.Literal("scheduled", "canceled", "elapsed"))
}).annotations({ identifier: "ConversationSnooze" })

const Sentiment = Schema.Struct({ polarity: Schema.Literal(-1, 0, 1), confidence: Schema.Number })

/**
 * One item of `PUT /v1/conversations/bulk`: the `id` of an existing conversation and the fields to change, each
 * optional (Kustomer's bulk-batch-update-conversations fields, from the OpenAPI-generated types of the public
 * `LarisLab/kustomer-client`). `deleted: true` marks the conversation deleted — Kustomer has no bulk delete of
 * conversations; `customer` moves it to another customer; `tags` replaces the list. `_clientRef` correlates the item
 * with its result, as on a create.
 *
 * @since 0.1.0
 */
export const ConversationUpdate = Schema.Struct({
  id: ConversationId,
  customer: optional(CustomerId),
  externalId: optional(Schema.NonEmptyString),
  name: optional(Schema.String),
  direction: optional(Direction),
  priority: optional(Priority),
  satisfaction: optional(Schema.Number),
  status: optional(ConversationStatus),
  subStatus: optional(Schema.NullOr(Schema.String)),
  snooze: optional(ConversationSnooze),
  replyChannel: optional(Schema.NullOr(Schema.String)),
  tags: optional(Schema.Array(Schema.String)),
  suggestedTags: optional(Schema.Array(Schema.String)),
  sentiment: optional(Sentiment),
  assignedUsers: optional(Schema.Array(UserId).pipe(Schema.maxItems(maxAssignees))),
  assignedTeams: optional(Schema.Array(TeamId).pipe(Schema.maxItems(maxAssignees))),
  custom: optional(CustomAttributes),
  deleted: optional(Schema.Boolean),
  ended: optional(Schema.Boolean),
  endedAt: optional(Schema.NullOr(IsoDateTime)),
  endedReason: optional(Schema.NullOr(Schema.String)),
  endedBy: optional(Schema.NullOr(Schema.String)),
  endedByType: optional(Schema.Literal("user", "customer")),
  locked: optional(Schema.Boolean),
  /** The revision for optimistic locking: an update that names an older one is refused (409). */
  rev: optional(Schema.Number),
  defaultLang: optional(Schema.NullOr(Schema.String)),
  queue: optional(ConversationQueue),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "ConversationUpdate" })
/** @since 0.1.0 */
export type ConversationUpdate = typeof ConversationUpdate.Type
/** @since 0.1.0 */
export type ConversationUpdateEncoded = typeof ConversationUpdate.Encoded

/**
 * A stored conversation as `GET /v1/conversations/{id}` (or by external id) returns it, in the JSON:API envelope.
 * Only the fields an importer reads are modelled; the rest is kept by the envelope but not typed.
 *
 * @since 0.1.0
 */
export const ConversationResource = Schema.Struct({
  type: Schema.Literal("conversation"),
  id: ConversationId,
  attributes: optional(Schema.Struct({
    externalId: optional(Schema.NullOr(Schema.String)),
    name: optional(Schema.NullOr(Schema.String)),
    status: optional(Schema.String),
    createdAt: optional(Schema.String),
    importedAt: optional(Schema.NullOr(Schema.String)),
    /** `true` once a bulk update marked the conversation deleted. */
    deleted: optional(Schema.NullOr(Schema.Boolean))
  }))
}).annotations({ identifier: "ConversationResource" })
/** @since 0.1.0 */
export type ConversationResource = typeof ConversationResource.Type

/**
 * `{ data: conversation }`, the body of a single-conversation read.
 *
 * @since 0.1.0
 */
export const ConversationDocument = Schema.Struct({ data: ConversationResource })
/** @since 0.1.0 */
export type ConversationDocument = typeof ConversationDocument.Type
