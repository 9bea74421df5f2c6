/**
 * A note as sent to `POST /v1/notes/bulk`: an internal comment on a conversation, never shown to the customer.
 * `conversation` and `body` (1–10,240 characters) are required. Notes have no look-up by `externalId`.
 * Fields from the OpenAPI-generated types of `LarisLab/kustomer-client` (`BulkCreateNotesData`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Attachment } from "./Attachment.js"
import { ClientRef } from "./ClientRef.js"
import { ConversationId, NoteId, UserId } from "./Ids.js"
import { optional } from "./internal/schema.js"
import { IsoDateTime } from "./IsoDateTime.js"

/**
 * The longest note body Kustomer accepts, in characters.
 *
 * @since 0.1.0
 */
export const maxBodyLength = 10_240

/** A user or a team mentioned in a note. */
const Mention = Schema.Struct({ user: optional(UserId), team: optional(Schema.String) })

/** A note's text: 1 to {@link maxBodyLength} characters. */
const NoteBody = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(maxBodyLength))

/**
 * One note to create.
 *
 * @since 0.1.0
 */
export const NoteInput = Schema.Struct({
  conversation: ConversationId,
  body: NoteBody,
  id: optional(NoteId),
  externalId: optional(Schema.NonEmptyString),
  userMentions: optional(Schema.Array(Mention)),
  attachments: optional(Schema.Array(Attachment)),
  createdAt: optional(IsoDateTime),
  importedAt: optional(IsoDateTime),
  modifiedAt: optional(IsoDateTime),
  createdBy: optional(UserId),
  modifiedBy: optional(UserId),
  lang: optional(Schema.NullOr(Schema.String)),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "NoteInput" })
/** @since 0.1.0 */
export type NoteInput = typeof NoteInput.Type
/** @since 0.1.0 */
export type NoteInputEncoded = typeof NoteInput.Encoded

/**
 * One item of `PUT /v1/notes/bulk`: the `id` of an existing note and the fields to change — those of
 * {@link NoteInput}, `conversation` and `body` optional too.
 *
 * @since 0.1.0
 */
export const NoteUpdate = Schema.Struct({
  ...NoteInput.fields,
  id: NoteId,
  conversation: optional(ConversationId),
  body: optional(NoteBody)
}).annotations({ identifier: "NoteUpdate" })
/** @since 0.1.0 */
export type NoteUpdate = typeof NoteUpdate.Type
