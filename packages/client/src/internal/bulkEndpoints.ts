/**
 * The bulk job endpoints of `KustomerClient`: submitting a body of items to create or update, deleting by ids,
 * reading a job and every page of its batches. Built from the request runner.
 */
import { type BulkChange, BulkJob, BulkResource, type Ids } from "@effect-kustomer/domain"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Decode, InvalidRequest, PayloadTooLarge } from "../KustomerError.js"
import { readAllPages } from "./batchPages.js"
import { fail, type Run } from "./request.js"
import { byteLength } from "./utf8.js"

/** A request body made of items already encoded to JSON text (see `KustomerClient.PreparedBody`). */
export interface PreparedBody {
  readonly json: string
  readonly items: number
  readonly bytes: number
}

/** Joins encoded items into a bulk request body. */
export const prepareBody = (encodedItems: ReadonlyArray<string>): PreparedBody => {
  const json = `[${encodedItems.join(",")}]`
  return { json, items: encodedItems.length, bytes: byteLength(json) }
}

const decodeJobDocument = Schema.decodeUnknownEither(BulkJob.BulkJobDocument)

const decodeBatches = Schema.decodeUnknownEither(BulkJob.BatchList)

/**
 * Sends an encoded body to a bulk endpoint (a create's `POST`, an update's `PUT`) and reads the job it answers;
 * a body over the API's limit is refused unsent.
 */
const submitBody = (
  run: Run,
  options: {
    readonly method: "bulkCreate" | "bulkUpdate"
    readonly request: HttpClientRequest.HttpClientRequest
    readonly requiredRoles: ReadonlyArray<string>
    readonly resourceName: string
    readonly body: PreparedBody
  }
) => {
  const { body, method } = options
  const submit = body.bytes > BulkResource.maxBodyBytes
    ? Effect.fail(
      fail(
        method,
        new PayloadTooLarge({ detail: "not sent: the body is over the API's limit", bytes: Option.some(body.bytes) })
      )
    )
    : run({
      method,
      request: options.request.pipe(HttpClientRequest.bodyText(body.json, "application/json")),
      requiredRoles: options.requiredRoles,
      decode: decodeJobDocument
    })
  return submit.pipe(
    Effect.withSpan(`KustomerClient.${method}`, {
      attributes: {
        "kustomer.resource": options.resourceName,
        "kustomer.items": body.items,
        "kustomer.bytes": body.bytes
      }
    })
  )
}

/** `POST` of an encoded body to a resource's bulk endpoint; a body over the API's limit is refused unsent. */
const bulkCreatePreparedWith =
  (run: Run) =>
  <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    body: PreparedBody
  ) =>
    submitBody(run, {
      method: "bulkCreate",
      request: HttpClientRequest.post(resource.bulkPath),
      requiredRoles: resource.createRoles,
      resourceName: resource.name,
      body
    })

/** A resource with a bulk update whose items `ItemSchema` describes (see `KustomerClient.Updatable`). */
export interface Updatable<ItemSchema extends Schema.Schema.AnyNoContext> {
  readonly name: string
  readonly update: BulkChange.Update<ItemSchema> | undefined
}

/** A resource that may have a bulk delete (see `KustomerClient.Deletable`). */
export interface Deletable {
  readonly name: string
  readonly delete: BulkChange.Delete | undefined
}

/** A failure found before anything is sent: the request would be refused. */
const refusedUnsent = (method: string, detail: string) =>
  Effect.fail(fail(method, new InvalidRequest({ status: 0, detail: `not sent: ${detail}` })))

/** Encodes items with `schema` into a body; an item that cannot be encoded fails the call, unsent. */
const encodeBody = <A, I>(method: string, schema: Schema.Schema<A, I, never>, items: ReadonlyArray<A>) =>
  Schema.encode(Schema.Array(schema))(items).pipe(
    Effect.mapError((error) =>
      fail(method, new Decode({ status: 0, detail: `an item cannot be encoded: ${error.message}`, bodyExcerpt: "" }))
    ),
    Effect.map((encoded) => prepareBody(encoded.map((item) => JSON.stringify(item))))
  )

/**
 * `PUT {update.path}`: items `{ id, …fields }`, encoded with the resource's update schema. Refused unsent for a
 * resource without a bulk update, and for a body over the API's limit.
 */
const bulkUpdateWith = (run: Run) =>
<ItemSchema extends Schema.Schema.AnyNoContext>(
  resource: Updatable<ItemSchema>,
  items: ReadonlyArray<Schema.Schema.Type<ItemSchema>>
) => {
  const update = resource.update
  if (update === undefined) return refusedUnsent("bulkUpdate", `Kustomer has no bulk update of ${resource.name}`)
  return encodeBody("bulkUpdate", update.item, items).pipe(
    Effect.flatMap((body) =>
      submitBody(run, {
        method: "bulkUpdate",
        request: HttpClientRequest.put(update.path),
        requiredRoles: update.roles,
        resourceName: resource.name,
        body
      })
    )
  )
}

/**
 * `PUT {update.path}` of a body whose items are already encoded (`{ id, …fields }` each); refused unsent for a
 * resource without a bulk update, and for a body over the API's limit.
 */
const bulkUpdatePreparedWith = (run: Run) => (resource: Updatable<Schema.Schema.AnyNoContext>, body: PreparedBody) => {
  const update = resource.update
  if (update === undefined) return refusedUnsent("bulkUpdate", `Kustomer has no bulk update of ${resource.name}`)
  return submitBody(run, {
    method: "bulkUpdate",
    request: HttpClientRequest.put(update.path),
    requiredRoles: update.roles,
    resourceName: resource.name,
    body
  })
}

/** Why a list of ids cannot be sent as one bulk delete, if it cannot. */
const idsProblem = (remove: BulkChange.Delete, ids: ReadonlyArray<string>): string | undefined => {
  if (ids.length === 0) return "a bulk delete needs at least one id"
  if (ids.length > remove.maxIdsPerRequest) {
    return `at most ${remove.maxIdsPerRequest} ids per bulk delete, got ${ids.length}`
  }
  // The ids travel comma-separated in the query: an id that is empty or holds a comma would name other ids.
  const odd = ids.find((id) => id.length === 0 || id.includes(","))
  return odd === undefined ? undefined : `an id must be neither empty nor contain a comma, got ${JSON.stringify(odd)}`
}

/**
 * The answer of a bulk delete: the job, or `None` for an answer without one — a 404 (none of the ids exists any
 * more, e.g. a first request whose answer was lost deleted them) or a 2xx without a body.
 */
const decodeDeleteAnswer = (body: unknown) =>
  body === undefined ? Either.right(Option.none()) : Either.map(decodeJobDocument(body), (job) => Option.some(job))

/**
 * `DELETE {delete.pathWithIds(ids)}`. Refused unsent for a resource without a bulk delete, and for a list of ids the
 * request cannot carry (none, more than `maxIdsPerRequest`, an empty id or one with a comma).
 */
const bulkDeleteWith = (run: Run) => (resource: Deletable, ids: ReadonlyArray<string>) => {
  const remove = resource.delete
  const method = "bulkDelete"
  const problem = remove === undefined ? `Kustomer has no bulk delete of ${resource.name}` : idsProblem(remove, ids)
  const submit = remove === undefined || problem !== undefined
    ? refusedUnsent(method, problem ?? "")
    : run<Option.Option<BulkJob.BulkJobDocument>>({
      method,
      request: HttpClientRequest.del(remove.pathWithIds(ids)),
      requiredRoles: remove.roles,
      decode: decodeDeleteAnswer,
      onStatus: (status) => (status === 404 ? Option.some(Option.none()) : Option.none())
    })
  return submit.pipe(
    Effect.withSpan("KustomerClient.bulkDelete", {
      attributes: { "kustomer.resource": resource.name, "kustomer.items": ids.length }
    })
  )
}

/** The bulk endpoints over one request runner. */
export const bulkEndpoints = (options: {
  readonly run: Run
  readonly baseUrl: string
  readonly maxBatchPages: number
}) => {
  const { baseUrl, maxBatchPages, run } = options
  const bulkCreatePrepared = bulkCreatePreparedWith(run)

  const bulkCreate = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    items: ReadonlyArray<Item>
  ) =>
    encodeBody("bulkCreate", resource.item, items).pipe(
      Effect.flatMap((body) => bulkCreatePrepared(resource, body))
    )

  const getBulkJob = (id: Ids.BulkJobId) =>
    run({
      method: "getBulkJob",
      request: HttpClientRequest.get(`/v1/bulk/${encodeURIComponent(id)}`),
      requiredRoles: BulkResource.bulkReadRoles,
      decode: decodeJobDocument
    }).pipe(Effect.withSpan("KustomerClient.getBulkJob", { attributes: { "kustomer.job": id } }))

  const batchPage = (url: string) =>
    run({
      method: "getBulkJobBatches",
      request: HttpClientRequest.get(url),
      requiredRoles: BulkResource.bulkReadRoles,
      decode: decodeBatches
    })

  /** Every page of a job's batches: follows `links.next` (same origin only) until there is none. */
  const getBulkJobBatches = (id: Ids.BulkJobId) =>
    readAllPages({
      baseUrl,
      firstPath: `/v1/bulk/${encodeURIComponent(id)}/batches`,
      maxPages: maxBatchPages,
      readPage: batchPage,
      refused: (detail) => fail("getBulkJobBatches", new Decode({ status: 200, detail, bodyExcerpt: "" }))
    }).pipe(Effect.withSpan("KustomerClient.getBulkJobBatches", { attributes: { "kustomer.job": id } }))

  return {
    bulkCreate,
    bulkCreatePrepared,
    bulkUpdate: bulkUpdateWith(run),
    bulkUpdatePrepared: bulkUpdatePreparedWith(run),
    bulkDelete: bulkDeleteWith(run),
    getBulkJob,
    getBulkJobBatches
  }
}
