/**
 * Attachments of messages and notes, in three steps: create the attachment document (`POST /v1/attachments` with
 * {@link AttachmentCreate}), upload its bytes to the presigned POST the 201 answer carries ({@link Upload}), then
 * reference it by id from a message or a note ({@link Attachment}).
 *
 * A source's attachment (a migration bundle's `{ externalId, name, contentType, size, path | url }`) is a different
 * thing: it says where the bytes are, not which Kustomer document holds them, and it never goes on the wire.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"

/**
 * A reference to an uploaded attachment, as a message or a note carries it in `attachments`.
 *
 * @since 0.1.0
 */
export const Attachment = Schema.Struct({
  _id: Schema.String,
  name: Schema.String,
  contentType: Schema.String,
  contentLength: Schema.Number,
  sourceId: optional(Schema.String)
}).annotations({ identifier: "Attachment" })
/** @since 0.1.0 */
export type Attachment = typeof Attachment.Type

/**
 * The path of the attachment create.
 *
 * @since 0.1.0
 */
export const createPath = "/v1/attachments"

/**
 * The roles that may create an attachment: those that create messages, or those that create notes.
 *
 * @since 0.1.0
 */
export const createRoles: ReadonlyArray<string> = [
  "org.permission.message.create",
  "org.user.message.write",
  "org.permission.note.create",
  "org.user.note.write"
]

/**
 * The body of `POST /v1/attachments`: what the file is called, its media type and its exact size in bytes.
 *
 * @since 0.1.0
 */
export const AttachmentCreate = Schema.Struct({
  name: Schema.NonEmptyString,
  contentType: Schema.NonEmptyString,
  contentLength: Schema.Int.pipe(Schema.nonNegative())
}).annotations({ identifier: "AttachmentCreate" })
/** @since 0.1.0 */
export type AttachmentCreate = typeof AttachmentCreate.Type

/**
 * An S3-style presigned POST: send `multipart/form-data` to `url` with every pair of `fields` as a form field and
 * the file last, under the name `file`. The URL is on the storage host, not the API: send no API key there.
 *
 * @since 0.1.0
 */
export const Upload = Schema.Struct({
  url: Schema.String,
  fields: Schema.Record({ key: Schema.String, value: Schema.String })
}).annotations({ identifier: "Upload" })
/** @since 0.1.0 */
export type Upload = typeof Upload.Type

/**
 * The 201 answer of `POST /v1/attachments`: the attachment document and, in `meta.upload`, where its bytes go.
 * Extra fields anywhere are ignored.
 *
 * @since 0.1.0
 */
export const AttachmentDocument = Schema.Struct({
  data: Schema.Struct({
    type: Schema.Literal("attachment"),
    id: Schema.String,
    attributes: Schema.Struct({
      name: Schema.String,
      contentType: Schema.String,
      contentLength: Schema.Number
    })
  }),
  meta: Schema.Struct({ upload: Upload })
}).annotations({ identifier: "AttachmentDocument" })
/** @since 0.1.0 */
export type AttachmentDocument = typeof AttachmentDocument.Type

/**
 * The reference a message or a note carries for a created (and uploaded) attachment.
 *
 * @since 0.1.0
 */
export const referenceOf = (id: string, created: AttachmentCreate): Attachment => ({
  _id: id,
  name: created.name,
  contentType: created.contentType,
  contentLength: created.contentLength
})
