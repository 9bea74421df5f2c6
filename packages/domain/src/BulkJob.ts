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
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { BulkJobId } from "./Ids.js"
import { lenient, Link, LooseId, nullable, openLiterals, optional } from "./internal/schema.js"
import * as ItemError from "./ItemError.js"

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

/**
 * A record of the API request that created a job (`payload.api`). `data` echoes the request body: an array for
 * creates and array-body updates, an object for bulk deletes and `?ids=` updates.
 *
 * @since 0.1.0
 */
export const JobRequestRecord = Schema.Struct({
  data: optional(
    Schema.Union(Schema.Array(Schema.Unknown), Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  ),
  path: optional(Schema.String),
  user: optional(JobRequestUser),
  requestId: optional(Schema.String),
  service: optional(Schema.String),
  method: optional(Schema.String)
})

/** What a job keeps of the request that created it. @since 0.1.0 */
export const JobPayload = Schema.Struct({ api: optional(JobRequestRecord) })
/** @since 0.1.0 */
export type JobPayload = typeof JobPayload.Type

/**
 * The attributes of a bulk job. Every field is optional: only the job id is essential. The request record in
 * `payload` is informational, so an odd one is kept raw (`Either.left`) rather than hiding the job's status.
 *
 * @since 0.1.0
 */
export const BulkJobAttributes = Schema.Struct({
  ids: optional(Schema.Array(Schema.Unknown)),
  context: optional(Schema.String),
  status: optional(JobStatus),
  v2: optional(Schema.Boolean),
  payload: optional(lenient(JobPayload)),
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
 * The request record of a job, when its attributes and their `payload` are well-formed.
 *
 * @since 0.1.0
 */
export const payloadOf = (job: BulkJobResource): JobPayload | undefined => {
  const payload = attributesOf(job)?.payload
  return payload === undefined ? undefined : Either.getOrUndefined(payload)
}

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
 * One entry of a batch's `results`, present when the request's items carried `_clientRef`. A `null` `objectId`
 * or `error` reads as absent; `error` is a string or an object (see {@link ItemError}).
 *
 * @since 0.1.0
 */
export const ItemResult = Schema.Struct({
  _clientRef: Schema.String,
  objectId: nullable(Schema.String),
  status: ItemResultStatus,
  error: nullable(ItemError.ItemError)
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
  index: nullable(Schema.NonNegativeInt),
  _clientRef: nullable(Schema.String),
  externalId: nullable(Schema.String),
  code: nullable(Schema.String),
  error: nullable(ItemError.ItemError),
  message: nullable(Schema.String)
}).annotations({ identifier: "BatchItemError" })
/** @since 0.1.0 */
export type BatchItemError = typeof BatchItemError.Type

/**
 * The error a batch's `errors[]` entry describes, its `code`, `message` and `error` parts taken together.
 *
 * @since 0.1.0
 */
export const itemErrorOf = (entry: BatchItemError): ItemError.ItemError => ItemError.fromParts(entry)

/**
 * When a batch finished: an ISO 8601 string or, as some JSON APIs send it, epoch milliseconds. Kustomer documents
 * the field without its format (INFERRED: ISO like every other date of the API; numbers accepted as well).
 *
 * @since 0.1.0
 */
export const CompletedAt = Schema.Union(Schema.String, Schema.Number).annotations({ identifier: "CompletedAt" })

/**
 * What a batch reports. A `null` list or count reads as absent (an empty list). Each entry of `errors` and
 * `results` decodes on its own: an entry that does not match is kept as `Either.left(raw)` — never dropped, and
 * never failing its neighbours.
 *
 * @since 0.1.0
 */
export const BatchAttributes = Schema.Struct({
  status: BatchStatus,
  objectIds: nullable(Schema.Array(Schema.String)),
  successCount: nullable(Schema.NonNegativeInt),
  failureCount: nullable(Schema.NonNegativeInt),
  completedAt: optional(Schema.NullOr(CompletedAt)),
  errors: nullable(Schema.Array(lenient(BatchItemError))),
  results: nullable(Schema.Array(lenient(ItemResult)))
}).annotations({ identifier: "BatchAttributes" })
/** @since 0.1.0 */
export type BatchAttributes = typeof BatchAttributes.Type

/** A batch as a JSON:API resource (a numeric id reads as a string). @since 0.1.0 */
export const BatchResource = Schema.Struct({
  type: optional(Schema.String),
  id: optional(LooseId),
  attributes: BatchAttributes
}).annotations({ identifier: "BatchResource" })
/** @since 0.1.0 */
export type BatchResource = typeof BatchResource.Type

/** `links` of a batches page: `next` as a URL or a JSON:API link object `{ href }`, read as the URL. */
const BatchListLinks = Schema.Struct({ next: optional(Schema.NullOr(Link)) })

/**
 * The body of `GET /v1/bulk/{id}/batches`: `{ data: [batch, ...] }`. Whether the real API wraps the list is not
 * documented; {@link BatchList} also accepts a bare array and flat batch objects.
 *
 * @since 0.1.0
 */
export const BatchListDocument = Schema.Struct({
  data: Schema.Array(BatchResource),
  links: optional(BatchListLinks)
}).annotations({ identifier: "BatchListDocument" })
/** @since 0.1.0 */
export type BatchListDocument = typeof BatchListDocument.Type

const FlatBatch = Schema.Struct({ id: optional(LooseId), ...BatchAttributes.fields })

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
    links: optional(BatchListLinks)
  }),
  Schema.transform(Schema.Array(AnyBatch), Schema.typeSchema(BatchListDocument), {
    strict: true,
    decode: (data) => ({ data }),
    encode: (document) => document.data
  })
).annotations({ identifier: "BatchList" })

/**
 * The link to the next page of batches, when the response has one (`links.next`; `null` or absent at the end).
 *
 * @since 0.1.0
 */
export const nextPage = (document: BatchListDocument): string | undefined => {
  const next = document.links?.next
  return next === undefined || next === null || next.length === 0 ? undefined : next
}

/**
 * A batch's `completedAt` as a UTC date-time, whichever form it came in; `undefined` when absent or unreadable.
 *
 * @since 0.1.0
 */
export const completedAtOf = (attributes: BatchAttributes): DateTime.Utc | undefined => {
  const value = attributes.completedAt
  if (value === undefined || value === null) return undefined
  return Option.getOrUndefined(Option.map(DateTime.make(value), (parsed) => DateTime.toUtc(parsed)))
}

/**
 * The `_clientRef` of a results entry that did not decode, when its raw JSON still names one — so the item it
 * belongs to can be reported as unreadable rather than left without an answer.
 *
 * @since 0.1.0
 */
export const rawClientRef = (raw: unknown): string | undefined =>
  typeof raw === "object" && raw !== null && "_clientRef" in raw && typeof raw._clientRef === "string" &&
    raw._clientRef.length > 0
    ? raw._clientRef
    : undefined

/**
 * The entries of a batch's `results` that decoded, in order; the unreadable ones are left out (read
 * `attributes.results` itself to see them).
 *
 * @since 0.1.0
 */
export const readableResults = (attributes: BatchAttributes): ReadonlyArray<ItemResult> =>
  (attributes.results ?? []).flatMap((entry) => Either.isRight(entry) ? [entry.right] : [])
