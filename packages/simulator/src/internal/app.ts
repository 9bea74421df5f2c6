/**
 * The simulator's HTTP app: one router for every route, each API route behind the same guard (count, fault
 * draw, authentication, rate limit, role check, rate-limit headers).
 */
import { BulkResource, ClientRef, RateLimit } from "@effect-kustomer/domain"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { ApiKey } from "../SimulatorConfig.js"
import type { BulkFault, FaultDecision } from "./faults.js"
import type { RateSnapshot } from "./rateLimiter.js"
import type { SimResource } from "./resources.js"
import * as Resources from "./resources.js"
import { ConnectionReset, error, htmlBadGateway, json, serverError } from "./responses.js"
import type { JobRecord, SimulatorState } from "./state.js"
import { isoString } from "./state.js"

/** What a guarded handler knows about its request. */
interface Call {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly caller: ApiKey
  readonly faults: FaultDecision
}

type Response = HttpServerResponse.HttpServerResponse

type Handler = (call: Call) => Effect.Effect<Response, ConnectionReset>

const withRateHeaders = (response: Response, snapshot: RateSnapshot): Response =>
  HttpServerResponse.setHeaders(response, RateLimit.toHeaders(snapshot))

const hasAnyRole = (caller: ApiKey, roles: ReadonlyArray<string>): boolean =>
  roles.length === 0 || roles.some((role) => caller.roles.includes(role))

const decoder = new TextDecoder()

const isPathInput = (path: string): path is `/${string}` => path.startsWith("/")

/** A domain path as a router path (they all start with `/`). */
const routePath = (path: string): HttpRouter.PathInput => (isPathInput(path) ? path : `/${path}`)

/** The app of one simulator. `enqueue` hands an accepted job to the worker pool. */
export const make = (
  state: SimulatorState,
  enqueue: (job: JobRecord) => Effect.Effect<void>
): HttpApp.Default<ConnectionReset> => {
  const config = state.config
  const stormMillis = Duration.toMillis(config.faults.rateLimitStormDuration)

  const rateLimited = (snapshot: RateSnapshot, nowMillis: number): Response => {
    const windowSeconds = Duration.toSeconds(config.rateLimit.window)
    const response = withRateHeaders(
      error(
        429,
        "rate_limited",
        `rate limit of ${config.rateLimit.limit} requests per ${windowSeconds} seconds exceeded; ` +
          `try again after ${isoString(snapshot.resetAtMillis)}`
      ),
      snapshot
    )
    if (!config.retryAfterHeader) return response
    const seconds = Math.max(0, Math.ceil((snapshot.resetAtMillis - nowMillis) / 1000))
    return HttpServerResponse.setHeader(response, "retry-after", String(seconds))
  }

  /** Every API route runs behind this: count, draw faults, authenticate, rate-limit, check roles. */
  const guarded = (route: string, roles: ReadonlyArray<string>, handler: Handler) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      state.countRequest(route)
      const faults = state.nextFaults()
      const nowMillis = yield* Clock.currentTimeMillis
      const authorization = request.headers["authorization"]
      const caller = state.authenticate(authorization)
      if (caller === undefined) {
        const detail = authorization === undefined
          ? "missing Authorization header; send Authorization: Bearer <API key>"
          : "unknown or malformed API key"
        return withRateHeaders(error(401, "unauthorized", detail), state.limiter.peek(nowMillis))
      }
      if (faults.stormStarts && !state.limiter.inStorm(nowMillis)) {
        state.limiter.startStorm(nowMillis, stormMillis)
        state.countFault("rate_limit_storm")
      }
      const decision = state.limiter.take(nowMillis)
      if (!decision.allowed) return rateLimited(decision.snapshot, nowMillis)
      if (!hasAnyRole(caller, roles)) {
        const status = config.forbiddenStatus
        const code = status === 403 ? "forbidden" : "unauthorized"
        return withRateHeaders(error(status, code, `requires ${roles.join(" or ")}`), decision.snapshot)
      }
      const response = yield* handler({ request, caller, faults })
      // A slow response is delayed after the work is done: a client that gives up has still changed the data.
      if (faults.slowBy !== undefined) {
        state.countFault("slow_response")
        yield* Effect.sleep(faults.slowBy)
      }
      return withRateHeaders(response, decision.snapshot)
    }).pipe(Effect.tap((response) => Effect.sync(() => state.countResponse(response.status))))

  const injectBulkFault = (fault: BulkFault): Effect.Effect<Response, ConnectionReset> =>
    Effect.suspend(() => {
      state.countFault(`${fault.kind}_${fault.phase}`)
      switch (fault.kind) {
        case "server_error":
          return Effect.succeed(serverError(fault.status))
        case "html_bad_gateway":
          return Effect.succeed(htmlBadGateway())
        case "connection_reset":
          return Effect.fail(new ConnectionReset({ phase: fault.phase }))
      }
    })

  const readItems = (resource: SimResource, request: HttpServerRequest.HttpServerRequest) =>
    Effect.gen(function*() {
      const tooLarge = (bytes: number) =>
        Either.left(error(
          413,
          "payload_too_large",
          `request body is ${bytes} bytes; the limit is ${config.maxBodyBytes} bytes`
        ))
      const declared = Number(request.headers["content-length"] ?? "0")
      if (declared > config.maxBodyBytes) return tooLarge(declared)
      const body = yield* Effect.either(request.arrayBuffer)
      if (Either.isLeft(body)) return Either.left(error(400, "bad_request", "could not read the request body"))
      if (body.right.byteLength > config.maxBodyBytes) return tooLarge(body.right.byteLength)
      let parsed: unknown
      try {
        parsed = JSON.parse(decoder.decode(body.right))
      } catch {
        return Either.left(error(400, "bad_request", "request body is not valid JSON"))
      }
      if (!Array.isArray(parsed)) {
        return Either.left(error(400, "bad_request", `request body must be a JSON array of ${resource.name}`))
      }
      const items: ReadonlyArray<unknown> = parsed
      if (items.length === 0) return Either.left(error(400, "bad_request", "request body must not be an empty array"))
      if (items.length > config.maxItemsPerRequest) {
        return Either.left(error(
          400,
          "bad_request",
          `at most ${config.maxItemsPerRequest} items per request, got ${items.length}`
        ))
      }
      return Either.right(items)
    })

  const clientRefsOf = (items: ReadonlyArray<unknown>): Either.Either<ReadonlyArray<string> | undefined, string> => {
    const refs: Array<string | undefined> = []
    for (const item of items) {
      if (!Predicate.isRecord(item) || !("_clientRef" in item)) {
        refs.push(undefined)
        continue
      }
      const ref = item["_clientRef"]
      if (typeof ref !== "string") return Either.left("_clientRef must be a string")
      refs.push(ref)
    }
    const problem = ClientRef.clientRefProblem(refs)
    if (problem !== undefined) return Either.left(problem)
    const present = refs.filter((ref): ref is string => ref !== undefined)
    return Either.right(present.length === 0 ? undefined : present)
  }

  const bulkCreate = (resource: SimResource): Handler => (call) =>
    Effect.gen(function*() {
      const fault = call.faults.bulk
      if (fault !== undefined && fault.phase === "before_acceptance") return yield* injectBulkFault(fault)
      const items = yield* readItems(resource, call.request)
      if (Either.isLeft(items)) return items.left
      const clientRefs = clientRefsOf(items.right)
      if (Either.isLeft(clientRefs)) return error(400, "bad_request", clientRefs.left)
      const nowMillis = yield* Clock.currentTimeMillis
      const job = yield* Effect.uninterruptible(
        Effect.sync(() =>
          state.createJob({
            resource,
            items: items.right,
            clientRefs: clientRefs.right,
            caller: call.caller,
            stalled: call.faults.stall,
            nowMillis
          })
        ).pipe(Effect.tap((job) => enqueue(job)))
      )
      if (job.stalled) state.countFault("stalled_job")
      if (fault !== undefined) return yield* injectBulkFault(fault)
      return json(201, jobDocument(job))
    })

  const jobDocument = (job: JobRecord) => ({
    data: {
      type: "bulk",
      id: job.id,
      attributes: {
        ids: [],
        context: job.resource.type,
        status: job.status,
        v2: true,
        payload: {
          api: {
            data: job.items,
            path: job.resource.bulkPath,
            user: {
              id: job.caller.userId,
              userType: "machine",
              roles: job.caller.roles,
              orgName: config.orgName,
              subject: job.caller.userId,
              org: config.orgId
            },
            requestId: job.requestId,
            service: "simulator",
            method: "POST"
          }
        },
        createdAt: isoString(job.createdAtMillis),
        updatedAt: isoString(job.updatedAtMillis),
        completed: job.status === "complete",
        batches: { complete: job.batchesComplete, total: job.batches.length }
      },
      relationships: {
        org: { links: { self: `/v1/orgs/${config.orgId}` }, data: { type: "org", id: config.orgId } },
        createdBy: { links: { self: `/v1/users/${job.caller.userId}` }, data: { type: "user", id: job.caller.userId } }
      },
      links: { self: `/v1/bulk/${job.id}` }
    }
  })

  const batchList = (job: JobRecord) => ({
    data: job.batches.map((batch) => ({
      type: "bulk_batch",
      id: batch.id,
      attributes: {
        status: batch.status,
        objectIds: batch.objectIds,
        successCount: batch.successCount,
        failureCount: batch.failureCount,
        completedAt: batch.completedAtMillis === undefined ? null : isoString(batch.completedAtMillis),
        errors: batch.errors,
        ...(batch.results === undefined ? {} : { results: batch.results })
      }
    }))
  })

  const jobNotFound = (id: string) => error(404, "not_found", `no bulk operation with id ${id}`)

  const readJob = (route: string, render: (job: JobRecord) => unknown) =>
    Effect.flatMap(HttpRouter.params, (params) => {
      const id = params["id"] ?? ""
      return guarded(route, BulkResource.bulkReadRoles, () =>
        Effect.sync(() => {
          const job = state.jobs.get(id)
          return job === undefined ? jobNotFound(id) : json(200, render(job))
        }))
    })

  const objectDocument = (resource: SimResource, id: string): Response => {
    const object = state.collections[resource.name].byId.get(id)
    if (object === undefined) return error(404, "not_found", `no ${resource.type} with id ${id}`)
    return renderObject(resource, object.id, object.attributes)
  }

  const renderObject = (resource: SimResource, id: string, stored: Readonly<Record<string, unknown>>): Response => {
    const attributes: Record<string, unknown> = { ...stored }
    const relationships: Record<string, unknown> = {}
    for (const relationship of resource.relationships) {
      const target = attributes[relationship.field]
      delete attributes[relationship.field]
      if (typeof target === "string") {
        relationships[relationship.field] = {
          links: { self: relationship.path(target) },
          data: { type: relationship.type, id: target }
        }
      }
    }
    return json(200, {
      data: {
        type: resource.type,
        id,
        attributes,
        ...(resource.relationships.length === 0 ? {} : { relationships }),
        links: { self: resource.objectPath(id) }
      }
    })
  }

  const byExternalId = (resource: SimResource, externalId: string): Response => {
    const first = state.collections[resource.name].findByExternalId(externalId)[0]
    if (first === undefined) {
      return error(404, "not_found", `no ${resource.type} with externalId ${JSON.stringify(externalId)}`)
    }
    return renderObject(resource, first.id, first.attributes)
  }

  const externalIdPrefix = "externalId="

  const objectRoutes = (resource: SimResource) => [
    HttpRouter.makeRoute(
      "POST",
      routePath(resource.bulkPath),
      guarded(`POST ${resource.bulkPath}`, resource.createRoles, bulkCreate(resource))
    ),
    HttpRouter.makeRoute(
      "GET",
      `/v1/${resource.name}/:id`,
      Effect.flatMap(HttpRouter.params, (params) => {
        const segment = params["id"] ?? ""
        if (segment.startsWith(externalIdPrefix)) {
          const externalId = segment.slice(externalIdPrefix.length)
          return guarded(
            `GET /v1/${resource.name}/externalId={externalId}`,
            resource.readRoles,
            () => Effect.sync(() => byExternalId(resource, externalId))
          )
        }
        return guarded(
          `GET /v1/${resource.name}/{id}`,
          resource.readRoles,
          () => Effect.sync(() => objectDocument(resource, segment))
        )
      })
    )
  ]

  const router = HttpRouter.fromIterable([
    HttpRouter.makeRoute("GET", "/__admin/stats", Effect.sync(() => json(200, state.stats()))),
    HttpRouter.makeRoute("GET", "/v1/bulk/:id", readJob("GET /v1/bulk/{id}", jobDocument)),
    HttpRouter.makeRoute("GET", "/v1/bulk/:id/batches", readJob("GET /v1/bulk/{id}/batches", batchList)),
    ...Resources.all.flatMap((resource) => objectRoutes(resource))
  ])

  return router.pipe(
    Effect.catchTag(
      "RouteNotFound",
      (notFound) =>
        guarded(
          "unmatched",
          [],
          () =>
            Effect.succeed(error(404, "not_found", `no route for ${notFound.request.method} ${notFound.request.url}`))
        )
    )
  )
}
