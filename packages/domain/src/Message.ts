/**
 * A message as sent to `POST /v1/messages/bulk`: one communication on a conversation's timeline (an e-mail, a
 * chat line, a call, …). The bulk endpoint answers **200** with the same job descriptor as the others.
 *
 * Kustomer's message schema has no body field: `preview` is its only free-text field (and `subject` for
 * e-mail), so an import carries a message's text in `preview`. `conversation` and `customer` link the message:
 * send both, the conversation's own customer (a message for a customer without a conversation opens a new one).
 * Fields from the OpenAPI-generated types of `LarisLab/kustomer-client` (`BulkCreateMessagesData`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Attachment } from "./Attachment.js"
import { ClientRef } from "./ClientRef.js"
import { Direction } from "./Conversation.js"
import { CustomAttributes } from "./CustomAttributes.js"
import { ConversationId, CustomerId, MessageId, UserId } from "./Ids.js"
import { optional } from "./internal/schema.js"
import { IsoDateTime } from "./IsoDateTime.js"

/**
 * The channels a message may come through.
 *
 * @since 0.1.0
 */
export const Channel = Schema.Literal(
  "email",
  "sms",
  "chat",
  "facebook",
  "twitter-dm",
  "twitter-tweet",
  "voice",
  "instagram",
  "whatsapp"
)
/** @since 0.1.0 */
export type Channel = typeof Channel.Type

/**
 * A message's delivery status.
 *
 * @since 0.1.0
 */
export const MessageStatus = Schema.Literal("sent", "received", "error")

const Reference = Schema.Struct({ message: MessageId, type: Schema.Literal("reply", "replyAll", "forward") })

const Sentiment = Schema.Struct({ polarity: Schema.Literal(-1, 0, 1), confidence: Schema.Number })

/** A delivery error of a message, as a JSON:API error object. */
const DeliveryError = Schema.Struct({
  status: optional(Schema.Number),
  code: optional(Schema.String),
  title: optional(Schema.String),
  detail: optional(Schema.String),
  source: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  meta: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  links: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

const Location = Schema.Struct({
  name: optional(Schema.String),
  address: optional(Schema.String),
  address2: optional(Schema.String),
  address3: optional(Schema.String),
  latitude: optional(Schema.Number),
  longitude: optional(Schema.Number),
  countryCode: optional(Schema.String),
  countryName: optional(Schema.String),
  regionCode: optional(Schema.String),
  regionName: optional(Schema.String),
  cityName: optional(Schema.String),
  zipCode: optional(Schema.String),
  areaCode: optional(Schema.String)
})

const Queue = Schema.Struct({ id: optional(Schema.String), external: optional(Schema.Literal("amazon-connect")) })

/**
 * One message to create.
 *
 * @since 0.1.0
 */
export const MessageInput = Schema.Struct({
  channel: Channel,
  app: Schema.NonEmptyString,
  id: optional(MessageId),
  externalId: optional(Schema.NonEmptyString),
  conversation: optional(ConversationId),
  customer: optional(CustomerId),
  reference: optional(Reference),
  direction: optional(Direction),
  status: optional(MessageStatus),
  preview: optional(Schema.String),
  subject: optional(Schema.String),
  size: optional(Schema.Number),
  related: optional(Schema.String),
  error: optional(DeliveryError),
  errorAt: optional(IsoDateTime),
  auto: optional(Schema.Boolean),
  sentAt: optional(IsoDateTime),
  createdAt: optional(IsoDateTime),
  importedAt: optional(IsoDateTime),
  modifiedAt: optional(IsoDateTime),
  createdBy: optional(UserId),
  modifiedBy: optional(UserId),
  source: optional(Schema.Literal("bulk", "satisfaction")),
  shortcuts: optional(Schema.Array(Schema.String)),
  kbArticles: optional(Schema.Array(Schema.String)),
  /** Attachment objects, or the ids of attachments created beforehand. */
  attachments: optional(Schema.Union(Schema.Array(Attachment), Schema.Array(Schema.String))),
  location: optional(Location),
  queue: optional(Queue),
  meta: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  custom: optional(CustomAttributes),
  lang: optional(Schema.NullOr(Schema.String)),
  sentiment: optional(Sentiment),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "MessageInput" })
/** @since 0.1.0 */
export type MessageInput = typeof MessageInput.Type
/** @since 0.1.0 */
export type MessageInputEncoded = typeof MessageInput.Encoded

/**
 * One item of `PUT /v1/messages/bulk`: the `id` of an existing message and the fields to change — those of
 * {@link MessageInput}, `channel` and `app` optional too.
 *
 * @since 0.1.0
 */
export const MessageUpdate = Schema.Struct({
  ...MessageInput.fields,
  id: MessageId,
  channel: optional(Channel),
  app: optional(Schema.NonEmptyString)
}).annotations({ identifier: "MessageUpdate" })
/** @since 0.1.0 */
export type MessageUpdate = typeof MessageUpdate.Type
