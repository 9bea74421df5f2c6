/**
 * The Kustomer bulk endpoints as an Effect service over `@effect/platform`'s `HttpClient`.
 *
 * Every method makes one attempt (plus one more after a 401 when the auth layer has a fresh key), runs in a span,
 * and fails with a {@link KustomerError}. Besides bulk creates, it updates (`bulkUpdate`), deletes (`bulkDelete`)
 * and reads objects by id (`getById`), each resource's paths and roles taken from the domain's registry. Retrying is the caller's choice, with the schedules of
 * `KustomerSchedule`. Every request passes through the {@link RateLimiter} given to {@link make} (the layers use
 * the one in context), and the rate-limit information of every response is published on `rateLimit` /
 * `rateLimitChanges`. The request machinery lives in `internal/request.ts`; this module is the endpoints.
 *
 * @since 0.1.0
 */
import {
  type Attachment,
  type BulkJob,
  BulkResource,
  type Conversation,
  Ids,
  type ObjectDocument,
  type RateLimit,
  Token,
  type User
} from "@effect-kustomer/domain"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Attachments from "./internal/attachmentsEndpoint.js"
import * as Bulk from "./internal/bulkEndpoints.js"
import { listings } from "./internal/listings.js"
import * as Lookups from "./internal/lookups.js"
import { makeRunner, requestsCounter as requests, type Run, stack } from "./internal/request.js"
import * as KustomerAuthModule from "./KustomerAuth.js"
import { KustomerAuth } from "./KustomerAuth.js"
import * as KustomerConfigModule from "./KustomerConfig.js"
import { KustomerConfig } from "./KustomerConfig.js"
import type { KustomerError } from "./KustomerError.js"
import * as RateLimiterModule from "./RateLimiter.js"
import { RateLimiter } from "./RateLimiter.js"

/**
 * A request body made of items already encoded to JSON text, one string per item. The import pipeline encodes
 * each item once, to measure it, and sends those same bytes.
 *
 * @since 0.1.0
 */
export interface PreparedBody extends Bulk.PreparedBody {}

/**
 * Joins encoded items into a bulk request body.
 *
 * @since 0.1.0
 */
export const prepareBody: (encodedItems: ReadonlyArray<string>) => PreparedBody = Bulk.prepareBody

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
  /**
   * `PUT {resource.update.path}`: submits up to 100 items `{ id, …fields }` (encoded with the resource's update
   * schema, `_clientRef` allowed) and returns the bulk job; each item's outcome is in its batches (`updated`, or an
   * error such as an unknown id). Refused unsent (`InvalidRequest`) for a resource without a bulk update, and
   * (`PayloadTooLarge`) for a body over the API's limit. Safe to send again after a lost answer — it sets the same
   * fields again (unless it names a `rev`) — so retry it as a read: `RetryPolicy.retry(…, { write: false })`.
   */
  readonly bulkUpdate: <ItemSchema extends Schema.Schema.AnyNoContext>(
    resource: Updatable<ItemSchema>,
    items: ReadonlyArray<Schema.Schema.Type<ItemSchema>>
  ) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /** Like `bulkUpdate`, with a body whose items are already encoded (the import pipeline's updates). */
  readonly bulkUpdatePrepared: (
    resource: Updatable<Schema.Schema.AnyNoContext>,
    body: PreparedBody
  ) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /**
   * `DELETE {resource.delete.pathWithIds(ids)}` (customers): deletes up to `maxIdsPerRequest` (100) objects and
   * returns the bulk job (whose request record, `payload.api.data`, is an object); each id's outcome is in its
   * batches. `None` when the API answers without a job: a 404 — none of the ids exists any more — or a 2xx without
   * a body; read the ids back (`getById`) to see what is left. Safe to send again after a lost answer: an id deleted
   * already comes back as a `not_found` item error (as the simulator answers; INFERRED for Kustomer) or the whole
   * request as `None` — read both as "gone". Retry it as a read: `RetryPolicy.retry(…, { write: false })`. Refused
   * unsent (`InvalidRequest`) for a resource without a bulk delete (conversations: `bulkUpdate` with
   * `deleted: true`), and for ids the query cannot carry (none, too many, an empty one or one with a comma).
   */
  readonly bulkDelete: (
    resource: Deletable,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<Option.Option<BulkJob.BulkJobDocument>, KustomerError>
  /**
   * `GET {resource.objectPath(id)}`: the object with every attribute (a conversation marked deleted shows
   * `deleted: true`) and its relationships; `None` when there is none (404). Role `resource.readRoles`.
   */
  readonly getById: (
    resource: Readable,
    id: string
  ) => Effect.Effect<Option.Option<ObjectDocument.ObjectResource>, KustomerError>
  /** `POST /v1/conversations/bulk`. */
  readonly bulkCreateConversations: (
    items: ReadonlyArray<Conversation.ConversationInput>
  ) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /** `GET /v1/bulk/{id}`: the job's status and batch progress. */
  readonly getBulkJob: (id: Ids.BulkJobId) => Effect.Effect<BulkJob.BulkJobDocument, KustomerError>
  /** `GET /v1/bulk/{id}/batches`: per-item outcomes. */
  readonly getBulkJobBatches: (id: Ids.BulkJobId) => Effect.Effect<BulkJob.BatchListDocument, KustomerError>
  /**
   * Finds an object by its external id, as the resource's look-up is spelt (`GET /v1/customers/externalId={id}`,
   * or the listing `GET /v1/companies?externalId={id}`, whose first matching object is the one); `None` when there
   * is none (a 404 or an empty list). Fails with `InvalidRequest` for a resource without a look-up (notes).
   */
  readonly findByExternalId: <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    externalId: string
  ) => Effect.Effect<Option.Option<ExistingObject>, KustomerError>
  /**
   * Every object of one parent: `GET {resource.listing.path(parentId)}` (a conversation's messages or notes),
   * following `links.next` page by page; `onPage` runs before each page is requested (to count them). Fails with
   * `InvalidRequest` for a resource that has no listing, `NotFound` when the parent does not exist.
   */
  readonly listChildren: <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>,
    parentId: string,
    options?: { readonly onPage?: Effect.Effect<void> | undefined }
  ) => Effect.Effect<ReadonlyArray<ExistingObject>, KustomerError>
  /**
   * `GET /v1/users`: every user of the org (agents and machine users), following `links.next` page by page;
   * `onPage` runs before each page is requested. Role `user.read`.
   */
  readonly listUsers: (
    options?: { readonly onPage?: Effect.Effect<void> | undefined }
  ) => Effect.Effect<ReadonlyArray<User.UserSummary>, KustomerError>
  /**
   * `GET /v1/customers/email={email}`: the customer with this e-mail address; `None` when there is none (404).
   * Not in the bulk guides; the path is the one Kustomer's own app snippets and public integrations use.
   */
  readonly findCustomerByEmail: (email: string) => Effect.Effect<Option.Option<ExistingObject>, KustomerError>
  /** `GET /v1/conversations/externalId={externalId}`; `None` when there is none. */
  readonly findConversationByExternalId: (
    externalId: string
  ) => Effect.Effect<Option.Option<ExistingObject>, KustomerError>
  /**
   * `GET /v1/auth/tokens/current`: the calling key's roles (permission-set and legacy names alike), its user's id
   * and its org's id, read from the token document (`Token.CurrentTokenFromDocument`: unknown fields ignored,
   * missing roles read as none, a missing id as `undefined`). Read it before creating anything, to know what the
   * key may do (`Token.grants`, `Token.keepsCreatedAtAndBy`). Any valid key may read its own token; an invalid one
   * fails with `Unauthorized`. It spends one request of the org's budget.
   */
  readonly currentToken: Effect.Effect<Token.CurrentToken, KustomerError>
  /**
   * `POST /v1/attachments`: creates an attachment document (role `message.create` or `note.create`) and returns
   * its id and the presigned POST its bytes go to (send them with `Attachments.upload`). Spends one request of the
   * org's budget, like every API call; a body that fails `Attachment.AttachmentCreate` is refused unsent.
   */
  readonly createAttachment: (
    attachment: Attachment.AttachmentCreate
  ) => Effect.Effect<CreatedAttachment, KustomerError>
  /** The rate-limit information of the latest response that carried any. */
  readonly rateLimit: Effect.Effect<Option.Option<RateLimit.RateLimitInfo>>
  /** Every response's rate-limit information, as it arrives. */
  readonly rateLimitChanges: Stream.Stream<RateLimit.RateLimitInfo>
  /** Every pause of the client's rate limiter, as it starts (none without a limiter). */
  readonly pauses: Stream.Stream<RateLimiterModule.Pause>
}

/**
 * A created attachment document: its id (the `_id` of the reference a message or note carries) and where its
 * bytes go.
 *
 * @since 0.1.0
 */
export interface CreatedAttachment extends Attachments.CreatedAttachment {}

/**
 * An object that already exists, found by its external id.
 *
 * @since 0.1.0
 */
export const ExistingObject = Lookups.ExistingObject
/** @since 0.1.0 */
export type ExistingObject = typeof ExistingObject.Type

/**
 * A resource with a bulk update (every value of `BulkResource.all`): its items are typed by its update schema.
 *
 * @since 0.1.0
 */
export interface Updatable<ItemSchema extends Schema.Schema.AnyNoContext> extends Bulk.Updatable<ItemSchema> {}

/**
 * A resource that may have a bulk delete (any value of `BulkResource.all`; only customers have one).
 *
 * @since 0.1.0
 */
export interface Deletable extends Bulk.Deletable {}

/**
 * A resource whose objects can be read by id (any value of `BulkResource.all`).
 *
 * @since 0.1.0
 */
export interface Readable extends Lookups.Readable {}

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
  /** The rate limiter every request passes through; its pauses are published on `pauses`. Default: none. */
  readonly rateLimiter?: Pick<RateLimiterModule.Service, "acquire" | "observe" | "pauses"> | undefined
  /** The most pages of batch results one read follows. Default 1000. */
  readonly maxBatchPages?: number | undefined
}

/**
 * Requests sent, by method and status class.
 *
 * @since 0.1.0
 */
export const requestsCounter = requests

const decodeToken = Schema.decodeUnknownEither(Token.CurrentTokenFromDocument)

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
    const httpClient = stack({
      base: yield* HttpClient.HttpClient,
      config,
      transformClient: options.transformClient,
      rateLimit: options.rateLimiter === undefined ? undefined : RateLimiterModule.transform(options.rateLimiter)
    })
    const latest = yield* SubscriptionRef.make(Option.none<RateLimit.RateLimitInfo>())
    const run: Run = makeRunner({ httpClient, auth, config, latest })
    const maxBatchPages = Math.max(1, options.maxBatchPages ?? 1000)

    const bulk = Bulk.bulkEndpoints({ run, baseUrl: config.baseUrl, maxBatchPages })
    const { findByExternalId, findCustomerByEmail, getById } = Lookups.lookups(run)
    const { listChildren, listUsers } = listings({ run, baseUrl: config.baseUrl, maxPages: maxBatchPages })
    const createAttachment = Attachments.createAttachmentWith(run)

    const currentToken = run({
      method: "currentToken",
      request: HttpClientRequest.get(Token.currentPath),
      requiredRoles: [],
      decode: decodeToken
    }).pipe(Effect.withSpan("KustomerClient.currentToken"))

    return {
      ...bulk,
      createAttachment,
      getById,
      findCustomerByEmail,
      bulkCreateConversations: (items) => bulk.bulkCreate(BulkResource.Conversations, items),
      findByExternalId,
      listChildren,
      listUsers,
      findConversationByExternalId: (externalId) => findByExternalId(BulkResource.Conversations, externalId),
      currentToken,
      rateLimit: SubscriptionRef.get(latest),
      rateLimitChanges: Stream.filterMap(latest.changes, (info) => info),
      pauses: options.rateLimiter?.pauses ?? Stream.empty
    } satisfies Service
  })

/**
 * The client as a layer. Every request passes through the {@link RateLimiter} in context, so that all users of
 * this client share one budget.
 *
 * @since 0.1.0
 */
export const layer = (
  options: Omit<Options, "rateLimiter"> = {}
): Layer.Layer<KustomerClient, never, HttpClient.HttpClient | KustomerAuth | KustomerConfig | RateLimiter> =>
  Layer.effect(KustomerClient, Effect.flatMap(RateLimiter, (limiter) => make({ ...options, rateLimiter: limiter })))

/**
 * The client with everything read from `Config` — `KUSTOMER_API_KEY`, `KUSTOMER_BASE_URL` / `KUSTOMER_ORG` /
 * `KUSTOMER_REGION`, `KUSTOMER_REQUEST_TIMEOUT`, `KUSTOMER_RATE_LIMIT` — needing only an `HttpClient`. The
 * rate limiter is provided too, for the import pipeline's progress events.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options: Omit<Options, "rateLimiter"> = {}
): Layer.Layer<KustomerClient | RateLimiter, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layer(options).pipe(
    Layer.provideMerge(RateLimiterModule.layerConfig()),
    Layer.provide(Layer.merge(KustomerAuthModule.layerConfig(), KustomerConfigModule.layerConfig()))
  )

/**
 * Parses a job id received from elsewhere (a journal, the command line).
 *
 * @since 0.1.0
 */
export const parseJobId = Schema.decodeUnknownEither(Ids.BulkJobId)
