/**
 * The wire schemas of a bulk job's batches (`GET /v1/bulk/{id}/batches`): statuses, counts, per-item results and
 * errors, and the readable fields of a batch. Documented and exported by `BulkJob.ts`.
 */
import * as Schema from "effect/Schema"
import * as ItemError from "../ItemError.js"
import { lenient, Link, LooseId, nullable, openLiterals, optional } from "./schema.js"

/** A count, also written as a string (`"3"`). */
export const Count = Schema.Union(
  Schema.NonNegativeInt,
  Schema.compose(Schema.NumberFromString, Schema.NonNegativeInt)
).annotations({ identifier: "Count" })

/** Status of one batch of a job. */
export const BatchStatus = openLiterals("queued", "scheduled", "complete")

/** The outcome of one item in a batch. */
export const ItemResultStatus = openLiterals("created", "updated", "error")

/** One entry of a batch's `results`. */
export const ItemResult = Schema.Struct({
  _clientRef: Schema.String,
  objectId: nullable(Schema.String),
  status: ItemResultStatus,
  error: nullable(ItemError.ItemError)
}).annotations({ identifier: "ItemResult" })

/** One entry of a batch's `errors`. */
export const BatchItemError = Schema.Struct({
  index: nullable(Count),
  _clientRef: nullable(Schema.String),
  externalId: nullable(Schema.String),
  code: nullable(LooseId),
  error: nullable(ItemError.ItemError),
  message: nullable(Schema.String)
}).annotations({ identifier: "BatchItemError" })

/** When a batch finished: ISO 8601 or epoch milliseconds. */
export const CompletedAt = Schema.Union(Schema.String, Schema.Number).annotations({ identifier: "CompletedAt" })

export const ObjectIds = Schema.Array(Schema.String)
export const BatchErrors = Schema.Array(lenient(BatchItemError))
export const BatchResults = Schema.Array(lenient(ItemResult))

/** The readable fields of a batch, as they are written on the wire. */
export const WellFormedBatch = Schema.Struct({
  status: optional(BatchStatus),
  objectIds: optional(ObjectIds),
  successCount: optional(Count),
  failureCount: optional(Count),
  completedAt: optional(Schema.NullOr(CompletedAt)),
  errors: optional(BatchErrors),
  results: optional(BatchResults)
})

export const BatchAttributesShape = Schema.Struct({
  ...WellFormedBatch.fields,
  unreadable: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/** `links` of a batches page: `next` as a URL or a JSON:API link object `{ href }`, read as the URL. */
export const BatchListLinks = Schema.Struct({ next: optional(Schema.NullOr(Link)) })
