/**
 * An attachment as messages and notes reference it: created beforehand (`POST /v1/attachments`), its bytes
 * uploaded, then referenced by id with its name, type and size.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { optional } from "./internal/schema.js"

/** A reference to an uploaded attachment. @since 0.1.0 */
export const Attachment = Schema.Struct({
  _id: Schema.String,
  name: Schema.String,
  contentType: Schema.String,
  contentLength: Schema.Number,
  sourceId: optional(Schema.String)
}).annotations({ identifier: "Attachment" })
/** @since 0.1.0 */
export type Attachment = typeof Attachment.Type
