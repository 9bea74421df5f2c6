/**
 * The Kustomer bulk endpoints as an Effect service over `@effect/platform`'s `HttpClient`.
 *
 * Every method makes one attempt (plus one more after a 401 when the auth layer has a fresh key), runs in a span,
 * and fails with a {@link KustomerError}. Retrying is the caller's choice, with the schedules of
 * `KustomerSchedule`. The rate-limit information of every response is published on `rateLimit` /
 * `rateLimitChanges`, and an optional {@link RequestGate} sees every request before it is sent and every
 * response after — the hook where the import pipeline's shared rate limiter sits.
 *
 * @since 0.1.0
 */
import { BulkJob, BulkResource, type Conversation, Ids, RateLimit } from "@effect-kustomer/domain"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { excerpt, reasonForRequestError, reasonForStatus } from "./internal/responses.js"
import * as KustomerAuthModule from "./KustomerAuth.js"
import { KustomerAuth } from "./KustomerAuth.js"
import * as KustomerConfigModule from "./KustomerConfig.js"
import { KustomerConfig } from "./KustomerConfig.js"
import { Decode, KustomerError, PayloadTooLarge, type Reason, Transport } from "./KustomerError.js"
import * as RateLimiterModule from "./RateLimiter.js"
import { RateLimiter } from "./RateLimiter.js"

/**
 * What a request is for. The rate limiter uses it to keep job polls from starving submissions.
 *
 * @since 0.1.0
 */
export type RequestKind = "submit" | "poll" | "lookup"

/**
 * Sees every request before it is sent and every response after it arrives.
 *
 * @since 0.1.0
 */
export interface RequestGate {
  /** Completes when the request may be sent (e.g. when the rate limiter has a unit for it). */
  readonly acquire: (kind: RequestKind) => Effect.Effect<void>
  /** Reports the outcome: the status (0 when no response arrived) and the response's rate-limit information. */
  readonly observe: (
    kind: RequestKind,
    status: number,
    info: Option.Option<RateLimit.RateLimitInfo>
  ) => Effect.Effect<void>
}

/**
 * A request body made of items already encoded to JSON text, one string per item. The import pipeline encodes
 * each item once, to measure it, and sends those same bytes.
 *
 * @since 0.1.0
 */
export interface PreparedBody {
  readonly json: string
  readonly items: number
  readonly bytes: number
}

/**
 * Joins encoded items into a bulk request body.
 *
 * @since 0.1.0
 */
export const prepareBody = (encodedItems: ReadonlyArray<string>): PreparedBody => {
  const json = `[${encodedItems.join(",")}]`
  return { json, items: encodedItems.length, bytes: Buffer.byteLength(json, "utf8") }
}

/**
 * The service.
 *
 * @since 0.1.0
 */
export interface Service {
  /** `POST {resource.bulkPath}`: submits up to 100 items and returns the bulk job. */
  readonly bulkCreate: <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    items: ReadonlyArray<Item>
  ) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /** Like `bulkCreate`, with a body whose items are already encoded. */
  readonly bulkCreatePrepared: <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    body: PreparedBody
  ) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /** `POST /v1/conversations/bulk`. */
  readonly bulkCreateConversations: (
    items: ReadonlyArray<Conversation.ConversationInput>
  ) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /** `GET /v1/bulk/{id}`: the job's status and batch progress. */
  readonly getBulkJob: (id: Ids.BulkJobId) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /** `GET /v1/bulk/{id}/batches`: per-item outcomes. */
  readonly getBulkJobBatches: (id: Ids.BulkJobId) => Effect.Effect<BulkJob.BatchListDocument, KustomerError>
  /** Finds an object by its external id; `None` when there is none. */
  readonly findByExternalId: <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    externalId: string
  ) => Effect.Effect<Option.Option<ExistingObject>, KustomerError>
  /** `GET /v1/conversations/externalId={externalId}`; `None` when there is none. */
  readonly findConversationByExternalId: (
    externalId: string
  ) => Effect.Effect<Option.Option<ExistingObject>, KustomerError>
  /** The rate-limit information of the latest response that carried any. */
  readonly rateLimit: Effect.Effect<Option.Option<RateLimit.RateLimitInfo>>
  /** Every response's rate-limit information, as it arrives. */
  readonly rateLimitChanges: Stream.Stream<RateLimit.RateLimitInfo>
}

/**
 * An object that already exists, found by its external id.
 *
 * @since 0.1.0
 */
export const ExistingObject = Schema.Struct({
  type: Schema.String,
  id: Schema.String,
  attributes: Schema.optionalWith(
    Schema.Struct({ externalId: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }) }),
    { exact: true }
  )
})
/** @since 0.1.0 */
export type ExistingObject = typeof ExistingObject.Type

const ExistingObjectDocument = Schema.Struct({ data: ExistingObject })

/**
 * The Kustomer client.
 *
 * @since 0.1.0
 */
export class KustomerClient extends Context.Tag("@effect-kustomer/client/KustomerClient")<KustomerClient, Service>() {}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Adjusts the underlying `HttpClient` (e.g. add headers, tracing tweaks). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  /** Sees every request and response; the import pipeline installs its rate limiter here. */
  readonly gate?: RequestGate | undefined
}

/** Requests sent, by method and status class. @since 0.1.0 */
export const requestsCounter = Metric.counter("kustomer_requests_total", {
  description: "HTTP requests sent to the Kustomer API",
  incremental: true
})

const noGate: RequestGate = { acquire: () => Effect.void, observe: () => Effect.void }

const statusClass = (status: number) => (status === 0 ? "none" : `${Math.floor(status / 100)}xx`)

interface Call<A> {
  readonly method: string
  readonly kind: RequestKind
  readonly request: HttpClientRequest.HttpClientRequest
  readonly requiredRoles: ReadonlyArray<string>
  /** Decodes a success body. */
  readonly decode: (body: unknown) => Either.Either<A, ParseResult.ParseError>
  /** A non-success status with its own meaning for this call (e.g. 404 → `None`). */
  readonly onStatus?: ((status: number) => Option.Option<A>) | undefined
}

/**
 * Builds the client from the configured `HttpClient`, auth and base URL.
 *
 * @since 0.1.0
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, never, HttpClient.HttpClient | KustomerAuth | KustomerConfig> =>
  Effect.gen(function*() {
    const config = yield* KustomerConfig
    const auth = yield* KustomerAuth
    const baseClient = yield* HttpClient.HttpClient
    const gate = options.gate ?? noGate
    const httpClient = (options.transformClient ?? ((client: HttpClient.HttpClient) => client))(baseClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(HttpClientRequest.prependUrl(config.baseUrl), HttpClientRequest.acceptJson)
      )
    )
    const latest = yield* SubscriptionRef.make(Option.none<RateLimit.RateLimitInfo>())

    const fail = (method: string, reason: Reason) => new KustomerError({ module: "KustomerClient", method, reason })

    /** One HTTP exchange: the status, the body text, and the rate-limit information. */
    const exchange = (call: Call<unknown>, apiKey: Redacted.Redacted) =>
      Effect.gen(function*() {
        yield* gate.acquire(call.kind)
        const response = yield* httpClient.execute(HttpClientRequest.bearerToken(call.request, apiKey)).pipe(
          Effect.flatMap((response: HttpClientResponse.HttpClientResponse) =>
            Effect.map(response.text, (body) => ({ status: response.status, headers: response.headers, body }))
          ),
          Effect.timeoutFail({
            duration: config.requestTimeout,
            onTimeout: () =>
              fail(
                call.method,
                new Transport({
                  delivery: "maybe-sent",
                  detail: `no complete response within ${Duration.format(config.requestTimeout)}`
                })
              )
          }),
          Effect.catchTag("RequestError", (error) => Effect.fail(fail(call.method, reasonForRequestError(error)))),
          Effect.catchTag("ResponseError", (error) =>
            Effect.fail(
              fail(
                call.method,
                new Transport({
                  delivery: "maybe-sent",
                  detail: `the response body could not be read: ${error.reason}`
                })
              )
            )),
          Effect.tapError(() =>
            Effect.zipRight(
              gate.observe(call.kind, 0, Option.none()),
              Metric.increment(Metric.tagged(Metric.tagged(requestsCounter, "method", call.method), "status", "none"))
            )
          )
        )
        const now = yield* Clock.currentTimeMillis
        const info = RateLimit.fromHeaders(response.headers, now)
        if (Option.isSome(info)) yield* SubscriptionRef.set(latest, info)
        yield* gate.observe(call.kind, response.status, info)
        yield* Metric.increment(
          Metric.tagged(Metric.tagged(requestsCounter, "method", call.method), "status", statusClass(response.status))
        )
        return { ...response, info, now }
      })

    const run = <A>(call: Call<A>): Effect.Effect<A, KustomerError> =>
      Effect.gen(function*() {
        let apiKey = yield* auth.apiKey
        let response = yield* exchange(call, apiKey)
        if (response.status === 401 && (yield* auth.invalidate(apiKey))) {
          apiKey = yield* auth.apiKey
          response = yield* exchange(call, apiKey)
        }
        const { body, info, now, status } = response
        if (status >= 200 && status < 300) {
          let parsed: unknown
          try {
            parsed = body.length === 0 ? undefined : JSON.parse(body)
          } catch {
            return yield* Effect.fail(
              fail(call.method, new Decode({ status, detail: "the body is not JSON", bodyExcerpt: excerpt(body) }))
            )
          }
          return yield* Either.match(call.decode(parsed), {
            onLeft: (error) =>
              Effect.fail(
                fail(
                  call.method,
                  new Decode({
                    status,
                    detail: ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 6).join(" "),
                    bodyExcerpt: excerpt(body)
                  })
                )
              ),
            onRight: (value) => Effect.succeed(value)
          })
        }
        const handled = call.onStatus?.(status) ?? Option.none()
        if (Option.isSome(handled)) return handled.value
        const retryAfter = Option.flatMap(info, (rateLimit) => RateLimit.waitAfterRejection(rateLimit, now))
        return yield* Effect.fail(
          fail(call.method, reasonForStatus({ status, body, requiredRoles: call.requiredRoles, retryAfter }))
        )
      })

    const decodeJob = Schema.decodeUnknownEither(BulkJob.BulkJobDocument)
    const decodeBatches = Schema.decodeUnknownEither(BulkJob.BatchList)
    const decodeExisting = Schema.decodeUnknownEither(ExistingObjectDocument)

    const bulkCreatePrepared = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
      resource: BulkResource.BulkResource<Item, Encoded>,
      body: PreparedBody
    ) => {
      const method = "bulkCreate"
      const submit = body.bytes > BulkResource.maxBodyBytes
        ? Effect.fail(
          fail(
            method,
            new PayloadTooLarge({
              detail: "not sent: the body is over the API's limit",
              bytes: Option.some(body.bytes)
            })
          )
        )
        : run({
          method,
          kind: "submit",
          request: HttpClientRequest.post(resource.bulkPath).pipe(
            HttpClientRequest.bodyText(body.json, "application/json")
          ),
          requiredRoles: resource.createRoles,
          decode: decodeJob
        })
      return submit.pipe(
        Effect.withSpan("KustomerClient.bulkCreate", {
          attributes: { "kustomer.resource": resource.name, "kustomer.items": body.items, "kustomer.bytes": body.bytes }
        })
      )
    }

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
        kind: "poll",
        request: HttpClientRequest.get(`/v1/bulk/${encodeURIComponent(id)}`),
        requiredRoles: BulkResource.bulkReadRoles,
        decode: decodeJob
      }).pipe(Effect.withSpan("KustomerClient.getBulkJob", { attributes: { "kustomer.job": id } }))

    const getBulkJobBatches = (id: Ids.BulkJobId) =>
      run({
        method: "getBulkJobBatches",
        kind: "poll",
        request: HttpClientRequest.get(`/v1/bulk/${encodeURIComponent(id)}/batches`),
        requiredRoles: BulkResource.bulkReadRoles,
        decode: decodeBatches
      }).pipe(Effect.withSpan("KustomerClient.getBulkJobBatches", { attributes: { "kustomer.job": id } }))

    const findByExternalId = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
      resource: BulkResource.BulkResource<Item, Encoded>,
      externalId: string
    ) =>
      run<Option.Option<ExistingObject>>({
        method: "findByExternalId",
        kind: "lookup",
        request: HttpClientRequest.get(resource.externalIdPath(externalId)),
        requiredRoles: readRolesOf(resource),
        decode: (body) => Either.map(decodeExisting(body), (document) => Option.some(document.data)),
        onStatus: (status) => (status === 404 ? Option.some(Option.none()) : Option.none())
      }).pipe(
        Effect.withSpan("KustomerClient.findByExternalId", { attributes: { "kustomer.resource": resource.name } })
      )

    return {
      bulkCreate,
      bulkCreatePrepared,
      bulkCreateConversations: (items) => bulkCreate(BulkResource.Conversations, items),
      getBulkJob,
      getBulkJobBatches,
      findByExternalId,
      findConversationByExternalId: (externalId) => findByExternalId(BulkResource.Conversations, externalId),
      rateLimit: SubscriptionRef.get(latest),
      rateLimitChanges: Stream.filterMap(latest.changes, (info) => info)
    } satisfies Service
  })

/**
 * The roles that may read objects of a resource.
 *
 * @since 0.1.0
 */
export const readRolesOf = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  resource: BulkResource.BulkResource<Item, Encoded>
): ReadonlyArray<string> => {
  const [permission, legacy] = resource.createRoles
  return [permission.replace(/\.create$/, ".read"), legacy.replace(/\.write$/, ".read")]
}

/**
 * The client as a layer. Every request passes through the {@link RateLimiter} in context, so that all users of
 * this client share one budget.
 *
 * @since 0.1.0
 */
export const layer = (
  options: Omit<Options, "gate"> = {}
): Layer.Layer<KustomerClient, never, HttpClient.HttpClient | KustomerAuth | KustomerConfig | RateLimiter> =>
  Layer.effect(KustomerClient, Effect.flatMap(RateLimiter, (limiter) => make({ ...options, gate: limiter })))

/**
 * The client with everything read from `Config` — `KUSTOMER_API_KEY`, `KUSTOMER_BASE_URL` / `KUSTOMER_ORG` /
 * `KUSTOMER_REGION`, `KUSTOMER_REQUEST_TIMEOUT`, `KUSTOMER_RATE_LIMIT` — needing only an `HttpClient`. The
 * rate limiter is provided too, for the import pipeline's progress events.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options: Omit<Options, "gate"> = {}
): Layer.Layer<KustomerClient | RateLimiter, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layer(options).pipe(
    Layer.provideMerge(RateLimiterModule.layerConfig()),
    Layer.provide(Layer.merge(KustomerAuthModule.layerConfig(), KustomerConfigModule.layerConfig()))
  )

/** Parses a job id received from elsewhere (a journal, the command line). @since 0.1.0 */
export const parseJobId = Schema.decodeUnknownEither(Ids.BulkJobId)
