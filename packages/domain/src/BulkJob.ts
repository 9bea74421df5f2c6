/**
 * The bulk job ("bulk operation") resource: the descriptor a bulk POST answers with, the job status read from
 * `GET /v1/bulk/{id}`, and the per-item outcomes read from `GET /v1/bulk/{id}/batches`.
 *
 * Responses are decoded tolerantly: unknown fields are ignored, an unknown status is an explicit `Unknown` case,
 * and the optional parts of a 201 that look odd are kept raw instead of failing — the job id must always come
 * through, or a caller would resubmit and duplicate data.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BulkJobId } from "./Ids.js"
import { lenient, openLiterals, optional } from "./internal/schema.js"

/**
 * Status of a bulk job: `queued` → `running` → `complete`, or a status this library does not know yet.
 *
 * @since 0.1.0
 */
export const JobStatus = openLiterals("queued", "running", "complete")
/** @since 0.1.0 */
export type JobStatus = typeof JobStatus.Type

/** Status of one batch of a job: `queued` → `scheduled` → `complete`, or unknown. @since 0.1.0 */
export const BatchStatus = openLiterals("queued", "scheduled", "complete")
/** @since 0.1.0 */
export type BatchStatus = typeof BatchStatus.Type

/** How many of a job's batches have finished. @since 0.1.0 */
export const BatchProgress = Schema.Struct({
  complete: Schema.NonNegativeInt,
  total: Schema.NonNegativeInt
})
/** @since 0.1.0 */
export type BatchProgress = typeof BatchProgress.Type

/** The identity behind the request that created a job (`payload.api.user`). @since 0.1.0 */
export const JobRequestUser = Schema.Struct({
  id: optional(Schema.String),
  userType: optional(Schema.String),
  roles: optional(Schema.Array(Schema.String)),
  orgName: optional(Schema.String),
  subject: optional(Schema.String),
  org: optional(Schema.String)
})

/** A record of the API request that created a job (`payload.api`). @since 0.1.0 */
export const JobRequestRecord = Schema.Struct({
  data: optional(Schema.Array(Schema.Unknown)),
  path: optional(Schema.String),
  user: optional(JobRequestUser),
  requestId: optional(Schema.String),
  service: optional(Schema.String),
  method: optional(Schema.String)
})

/** The attributes of a bulk job. Every field is optional: only the job id is essential. @since 0.1.0 */
export const BulkJobAttributes = Schema.Struct({
  ids: optional(Schema.Array(Schema.Unknown)),
  context: optional(Schema.String),
  status: optional(JobStatus),
  v2: optional(Schema.Boolean),
  payload: optional(Schema.Struct({ api: optional(JobRequestRecord) })),
  createdAt: optional(Schema.String),
  updatedAt: optional(Schema.String),
  completed: optional(Schema.Boolean),
  batches: optional(BatchProgress)
}).annotations({ identifier: "BulkJobAttributes" })
/** @since 0.1.0 */
export type BulkJobAttributes = typeof BulkJobAttributes.Type

const RelationshipLink = Schema.Struct({
  links: optional(Schema.Struct({ self: optional(Schema.String) })),
  data: optional(Schema.Struct({ type: Schema.String, id: Schema.String }))
})

/** The org and the user or key that created a job. @since 0.1.0 */
export const BulkJobRelationships = Schema.Struct({
  org: optional(RelationshipLink),
  createdBy: optional(RelationshipLink)
})

/** @since 0.1.0 */
export const BulkJobLinks = Schema.Struct({ self: optional(Schema.String) })

/**
 * A bulk job resource, as in the 201 of a bulk POST and in `GET /v1/bulk/{id}`. `attributes`, `relationships`
 * and `links` decode to `Either.right(value)` when well-formed and `Either.left(raw)` otherwise.
 *
 * @since 0.1.0
 */
export const BulkJobResource = Schema.Struct({
  type: optional(Schema.String),
  id: BulkJobId,
  attributes: optional(lenient(BulkJobAttributes)),
  relationships: optional(lenient(BulkJobRelationships)),
  links: optional(lenient(BulkJobLinks))
}).annotations({ identifier: "BulkJobResource" })
/** @since 0.1.0 */
export type BulkJobResource = typeof BulkJobResource.Type

/**
 * `{ data: job }`: the body of a bulk POST's 201 and of `GET /v1/bulk/{id}`.
 *
 * @since 0.1.0
 */
export const BulkJobDocument = Schema.Struct({ data: BulkJobResource }).annotations({
  identifier: "BulkJobDocument"
})
/** @since 0.1.0 */
export type BulkJobDocument = typeof BulkJobDocument.Type

/**
 * The well-formed attributes of a job, or `undefined` when they were missing or odd.
 *
 * @since 0.1.0
 */
export const attributesOf = (job: BulkJobResource): BulkJobAttributes | undefined =>
  job.attributes === undefined ? undefined : Either.getOrUndefined(job.attributes)

/**
 * Whether a job has finished: status `complete`, or the `completed` flag set.
 *
 * @since 0.1.0
 */
export const isComplete = (job: BulkJobResource): boolean => {
  const attributes = attributesOf(job)
  return attributes?.status === "complete" || attributes?.completed === true
}

// ---------------------------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------------------------

/** The outcome of one item in a batch. @since 0.1.0 */
export const ItemResultStatus = openLiterals("created", "updated", "error")
/** @since 0.1.0 */
export type ItemResultStatus = typeof ItemResultStatus.Type

/**
 * One entry of a batch's `results`, present when the request's items carried `_clientRef`.
 *
 * @since 0.1.0
 */
export const ItemResult = Schema.Struct({
  _clientRef: Schema.String,
  objectId: optional(Schema.String),
  status: ItemResultStatus,
  error: optional(Schema.String)
}).annotations({ identifier: "ItemResult" })
/** @since 0.1.0 */
export type ItemResult = typeof ItemResult.Type

/**
 * One entry of a batch's `errors`. Its shape is not documented, so every field is optional and unknown fields
 * are ignored; `index` is the item's position in the request.
 *
 * @since 0.1.0
 */
export const BatchItemError = Schema.Struct({
  index: optional(Schema.NonNegativeInt),
  _clientRef: optional(Schema.String),
  externalId: optional(Schema.String),
  code: optional(Schema.String),
  error: optional(Schema.String),
  message: optional(Schema.String)
}).annotations({ identifier: "BatchItemError" })
/** @since 0.1.0 */
export type BatchItemError = typeof BatchItemError.Type

/** What a batch reports. @since 0.1.0 */
export const BatchAttributes = Schema.Struct({
  status: BatchStatus,
  objectIds: optional(Schema.Array(Schema.String)),
  successCount: optional(Schema.NonNegativeInt),
  failureCount: optional(Schema.NonNegativeInt),
  completedAt: optional(Schema.NullOr(Schema.String)),
  errors: optional(Schema.Array(lenient(BatchItemError))),
  results: optional(Schema.Array(ItemResult))
}).annotations({ identifier: "BatchAttributes" })
/** @since 0.1.0 */
export type BatchAttributes = typeof BatchAttributes.Type

/** A batch as a JSON:API resource. @since 0.1.0 */
export const BatchResource = Schema.Struct({
  type: optional(Schema.String),
  id: optional(Schema.String),
  attributes: BatchAttributes
}).annotations({ identifier: "BatchResource" })
/** @since 0.1.0 */
export type BatchResource = typeof BatchResource.Type

/**
 * The body of `GET /v1/bulk/{id}/batches`: `{ data: [batch, ...] }`. Whether the real API wraps the list is not
 * documented; {@link BatchList} also accepts a bare array and flat batch objects.
 *
 * @since 0.1.0
 */
export const BatchListDocument = Schema.Struct({
  data: Schema.Array(BatchResource),
  links: optional(Schema.Struct({ next: optional(Schema.NullOr(Schema.String)) }))
}).annotations({ identifier: "BatchListDocument" })
/** @since 0.1.0 */
export type BatchListDocument = typeof BatchListDocument.Type

const FlatBatch = Schema.Struct({ id: optional(Schema.String), ...BatchAttributes.fields })

const batchFromFlat = Schema.transform(FlatBatch, Schema.typeSchema(BatchResource), {
  strict: true,
  decode: ({ id, ...attributes }) => (id === undefined ? { attributes } : { id, attributes }),
  encode: ({ attributes, id }) => (id === undefined ? attributes : { id, ...attributes })
})

const AnyBatch = Schema.Union(BatchResource, batchFromFlat)

/**
 * Decodes any plausible shape of the batches response — `{ data: [...] }` or a bare array, of JSON:API or flat
 * batch objects — into one {@link BatchListDocument}.
 *
 * @since 0.1.0
 */
export const BatchList = Schema.Union(
  Schema.Struct({
    data: Schema.Array(AnyBatch),
    links: optional(Schema.Struct({ next: optional(Schema.NullOr(Schema.String)) }))
  }),
  Schema.transform(Schema.Array(AnyBatch), Schema.typeSchema(BatchListDocument), {
    strict: true,
    decode: (data) => ({ data }),
    encode: (document) => document.data
  })
).annotations({ identifier: "BatchList" })
