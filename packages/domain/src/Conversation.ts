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
    importedAt: optional(Schema.NullOr(Schema.String))
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
