/**
 * The bulk job endpoints of `KustomerClient`: submitting a body of items, reading a job and every page of its
 * batches. Built from the request runner.
 */
import { BulkJob, BulkResource, type Ids } from "@effect-kustomer/domain"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Decode, PayloadTooLarge } from "../KustomerError.js"
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

/** `POST` of an encoded body to a resource's bulk endpoint; a body over the API's limit is refused unsent. */
const bulkCreatePreparedWith =
  (run: Run) =>
  <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    body: PreparedBody
  ) => {
    const method = "bulkCreate"
    const submit = body.bytes > BulkResource.maxBodyBytes
      ? Effect.fail(
        fail(
          method,
          new PayloadTooLarge({ detail: "not sent: the body is over the API's limit", bytes: Option.some(body.bytes) })
        )
      )
      : run({
        method,
        request: HttpClientRequest.post(resource.bulkPath).pipe(
          HttpClientRequest.bodyText(body.json, "application/json")
        ),
        requiredRoles: resource.createRoles,
        decode: decodeJobDocument
      })
    return submit.pipe(
      Effect.withSpan("KustomerClient.bulkCreate", {
        attributes: { "kustomer.resource": resource.name, "kustomer.items": body.items, "kustomer.bytes": body.bytes }
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
    Schema.encode(Schema.Array(resource.item))(items).pipe(
      Effect.mapError((error) =>
        fail(
          "bulkCreate",
          new Decode({ status: 0, detail: `an item cannot be encoded: ${error.message}`, bodyExcerpt: "" })
        )
      ),
      Effect.flatMap((encoded) =>
        bulkCreatePrepared(resource, prepareBody(encoded.map((item) => JSON.stringify(item))))
      )
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

  return { bulkCreate, bulkCreatePrepared, getBulkJob, getBulkJobBatches }
}
