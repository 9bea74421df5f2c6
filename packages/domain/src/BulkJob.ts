/**
 * The bulk job ("bulk operation") resource: the descriptor a bulk POST answers with, the job status read from
 * `GET /v1/bulk/{id}`, and the per-item outcomes read from `GET /v1/bulk/{id}/batches`.
 *
 * Responses are decoded tolerantly: unknown fields are ignored, an unknown status is an explicit `Unknown` case,
 * and the optional parts of a 201 that look odd are kept raw instead of failing — the job id must always come
 * through, or a caller would resubmit and duplicate data. A batches page is read field by field: one batch field of
 * an unexpected shape is kept raw in that batch's `unreadable` and never fails the page, so every other item
 * still gets its answer.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { BulkJobId } from "./Ids.js"
import * as BatchReading from "./internal/batchReading.js"
import * as BatchSchemas from "./internal/batchSchemas.js"
import * as JobSchemas from "./internal/jobSchemas.js"
import { absentIfOdd, lenient, nullable, openLiterals, optional } from "./internal/schema.js"
import * as ItemError from "./ItemError.js"

/**
 * Status of a bulk job: `queued` → `running` → `complete`, or a status this library does not know yet.
 *
 * @since 0.1.0
 */
export const JobStatus = openLiterals("queued", "running", "complete")
/** @since 0.1.0 */
export type JobStatus = typeof JobStatus.Type

/**
 * Status of one batch of a job: `queued` → `scheduled` → `complete`, or unknown.
 *
 * @since 0.1.0
 */
export const BatchStatus = BatchSchemas.BatchStatus
/** @since 0.1.0 */
export type BatchStatus = typeof BatchStatus.Type

/**
 * A count: a non-negative integer, or one written as a string (`"3"`), as some JSON APIs send numbers.
 *
 * @since 0.1.0
 */
export const Count = BatchSchemas.Count

/**
 * How many of a job's batches have finished.
 *
 * @since 0.1.0
 */
export const BatchProgress = Schema.Struct({
  complete: Count,
  total: Count
})
/** @since 0.1.0 */
export type BatchProgress = typeof BatchProgress.Type

/**
 * The identity behind the request that created a job (`payload.api.user`).
 *
 * @since 0.1.0
 */
export const JobRequestUser = JobSchemas.JobRequestUser

/**
 * A record of the API request that created a job (`payload.api`). `data` echoes the request body: an array for
 * creates and array-body updates, an object for bulk deletes and `?ids=` updates.
 *
 * @since 0.1.0
 */
export const JobRequestRecord = JobSchemas.JobRequestRecord

/**
 * What a job keeps of the request that created it.
 *
 * @since 0.1.0
 */
export const JobPayload = Schema.Struct({ api: optional(JobRequestRecord) })
/** @since 0.1.0 */
export type JobPayload = typeof JobPayload.Type

/**
 * The attributes of a bulk job. Every field is optional: only the job id is essential. The request record in
 * `payload` is informational, so an odd one is kept raw (`Either.left`) rather than hiding the job's status; a
 * `null` status or flag reads as absent, and batch progress that cannot be read (counts as `"3"` are read) is left
 * out rather than hiding the status.
 *
 * @since 0.1.0
 */
export const BulkJobAttributes = Schema.Struct({
  ids: optional(Schema.Array(Schema.Unknown)),
  context: optional(Schema.String),
  status: nullable(JobStatus),
  v2: optional(Schema.Boolean),
  payload: optional(lenient(JobPayload)),
  createdAt: optional(Schema.String),
  updatedAt: optional(Schema.String),
  completed: nullable(Schema.Boolean),
  batches: absentIfOdd(BatchProgress)
}).annotations({ identifier: "BulkJobAttributes" })
/** @since 0.1.0 */
export type BulkJobAttributes = typeof BulkJobAttributes.Type

/**
 * The org and the user or key that created a job.
 *
 * @since 0.1.0
 */
export const BulkJobRelationships = Schema.Struct({
  org: optional(JobSchemas.RelationshipLink),
  createdBy: optional(JobSchemas.RelationshipLink)
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

/**
 * The outcome of one item in a batch.
 *
 * @since 0.1.0
 */
export const ItemResultStatus = BatchSchemas.ItemResultStatus
/** @since 0.1.0 */
export type ItemResultStatus = typeof ItemResultStatus.Type

/**
 * One entry of a batch's `results`, present when the request's items carried `_clientRef`. A `null` `objectId`
 * or `error` reads as absent; `error` is a string or an object (see {@link ItemError}).
 *
 * @since 0.1.0
 */
export const ItemResult = BatchSchemas.ItemResult
/** @since 0.1.0 */
export type ItemResult = typeof ItemResult.Type

/**
 * One entry of a batch's `errors`. Its shape is not documented, so every field is optional and unknown fields
 * are ignored; `index` is the item's position in the request (a numeric string is read too), and a numeric `code`
 * reads as a string.
 *
 * @since 0.1.0
 */
export const BatchItemError = BatchSchemas.BatchItemError
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
export const CompletedAt = BatchSchemas.CompletedAt

/**
 * What a batch reports. Its format is only partly documented, so each field is read on its own: absent or `null`
 * reads as absent, an empty object `{}` in place of a list as an empty list, a count written as `"3"` as 3, and a
 * field of any other unexpected shape is left out and kept raw in `unreadable` (by field name; `attributes` when
 * the batch itself is not an object) — never failing the page. A missing `status` means the batch's progress is
 * unknown. Each entry of `errors` and `results` decodes on its own: an entry that does not match is kept as
 * `Either.left(raw)` — never dropped, and never failing its neighbours.
 *
 * @since 0.1.0
 */
export interface BatchAttributes extends BatchReading.BatchAttributes {}

/**
 * A batch's attributes (see {@link BatchAttributes}). Decoding never fails; encoding writes the readable fields and
 * puts the unreadable ones back as they came.
 *
 * @since 0.1.0
 */
export const BatchAttributes: Schema.Schema<BatchAttributes, unknown> = BatchReading.BatchAttributes

/**
 * A batch as a JSON:API resource (a numeric id reads as a string).
 *
 * @since 0.1.0
 */
export const BatchResource = BatchReading.BatchResource
/** @since 0.1.0 */
export type BatchResource = typeof BatchResource.Type

/**
 * The body of `GET /v1/bulk/{id}/batches`: `{ data: [batch, ...], links: { next } }`. Whether the real API wraps
 * the list is not documented, so a bare array and flat batch objects are accepted too. `data` that is `null`,
 * absent or `{}` reads as an empty page, `links` that is `null` or absent as the last page; a `data` or `links` of
 * another shape is kept raw in `unreadable` (and then there is no next page). Only a body that is neither an object
 * nor an array fails.
 *
 * @since 0.1.0
 */
export interface BatchListDocument extends BatchReading.BatchListDocument {}

/**
 * The batches response (see {@link BatchListDocument}). Encoding writes `{ data, links }`, with the unreadable parts
 * put back as they came.
 *
 * @since 0.1.0
 */
export const BatchListDocument: Schema.Schema<BatchListDocument, unknown> = BatchReading.BatchListDocument

/**
 * Decodes any plausible shape of the batches response — `{ data: [...] }` or a bare array, of JSON:API or flat
 * batch objects — into one {@link BatchListDocument}.
 *
 * @since 0.1.0
 */
export const BatchList: Schema.Schema<BatchListDocument, unknown> = BatchListDocument.annotations({
  identifier: "BatchList"
})

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
