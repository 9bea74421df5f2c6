/**
 * Any stored object as a read by id answers it, `GET /v1/{name}/{id}` (`BulkResource.objectPath`): the one shape
 * every resource shares, with every attribute kept, so that a caller can check what an update or a delete did.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { absentIfOdd, nullable } from "./internal/schema.js"

/**
 * One stored object as a single-object read answers it (`GET /v1/{name}/{id}`, a look-up by external id), in the
 * JSON:API envelope: its `type`, `id`, every attribute (unknown ones kept, e.g. a conversation's `deleted`) and its
 * relationships (the ids it names). `null` attributes read as absent; relationships of an odd shape are left out.
 *
 * @since 0.1.0
 */
export const ObjectResource = Schema.Struct({
  type: Schema.String,
  id: Schema.String,
  attributes: nullable(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  relationships: absentIfOdd(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}).annotations({ identifier: "ObjectResource" })
/** @since 0.1.0 */
export type ObjectResource = typeof ObjectResource.Type

/**
 * `{ data: object }`, the body of `GET /v1/{name}/{id}` for any resource.
 *
 * @since 0.1.0
 */
export const ObjectDocument = Schema.Struct({ data: ObjectResource }).annotations({ identifier: "ObjectDocument" })
/** @since 0.1.0 */
export type ObjectDocument = typeof ObjectDocument.Type
