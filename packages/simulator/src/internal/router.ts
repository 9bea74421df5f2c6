/**
 * The simulator's HTTP app: one router for every route, each API route behind the same guard (see `guard.ts`).
 */
import { BulkResource } from "@effect-kustomer/domain"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as BulkCreate from "./bulkCreate.js"
import * as Documents from "./documents.js"
import * as Guard from "./guard.js"
import type { JobRecord } from "./jobs.js"
import type { SimResource } from "./resources.js"
import * as Resources from "./resources.js"
import type { ConnectionReset } from "./responses.js"
import * as Responses from "./responses.js"
import { json } from "./responses.js"
import type { SimulatorState } from "./state.js"

const isPathInput = (path: string): path is `/${string}` => path.startsWith("/")

/** A domain path as a router path (they all start with `/`). */
const routePath = (path: string): HttpRouter.PathInput => (isPathInput(path) ? path : `/${path}`)

/** `externalId=`, and the lower-case `externalid=` Kustomer's generated client uses for messages. */
const externalIdOf = (segment: string): string | undefined =>
  segment.startsWith("externalId=") || segment.startsWith("externalid=")
    ? segment.slice("externalId=".length)
    : undefined

/**
 * `email=` of a customer look-up by e-mail, `GET /v1/customers/email={email}` (INFERRED from the single-customer
 * API family, like the look-up by external id).
 */
const emailOf = (resource: SimResource, segment: string): string | undefined =>
  resource.name === "customers" && segment.startsWith("email=") ? segment.slice("email=".length) : undefined

/** The `page` query parameter (from 1) of a request URL; 1 when absent or not a positive integer. */
const pageOf = (url: string): number => {
  const query = url.indexOf("?")
  if (query < 0) return 1
  const page = Number(new URLSearchParams(url.slice(query + 1)).get("page"))
  return Number.isInteger(page) && page >= 1 ? page : 1
}

/** The app of one simulator. `enqueue` hands an accepted job to the worker pool. */
export const make = (
  state: SimulatorState,
  enqueue: (job: JobRecord) => Effect.Effect<void>
): HttpApp.Default<ConnectionReset> => {
  const guarded = Guard.make(state)
  const error = (status: number, code: string, detail: string) =>
    Responses.error(status, code, detail, state.config.answers.errorBody)
  const bulkCreate = BulkCreate.make(state, enqueue)

  const readJob = (route: string, render: (job: JobRecord) => unknown) =>
    Effect.flatMap(HttpRouter.params, (params) => {
      const id = params["id"] ?? ""
      return guarded(route, BulkResource.bulkReadRoles, () =>
        Effect.sync(() => {
          const job = state.jobs.byId.get(id)
          return job === undefined
            ? error(404, "not_found", `no bulk operation with id ${id}`)
            : json(200, render(job))
        }))
    })

  const byId = (resource: SimResource, id: string): Guard.Response => {
    const object = state.store.collections[resource.name].byId.get(id)
    if (object === undefined) return error(404, "not_found", `no ${resource.type} with id ${id}`)
    return json(200, Documents.objectDocument(resource, object.id, object.attributes))
  }

  const byExternalId = (resource: SimResource, externalId: string): Guard.Response => {
    const first = state.store.collections[resource.name].findByExternalId(externalId)[0]
    if (first === undefined) {
      return error(404, "not_found", `no ${resource.type} with externalId ${JSON.stringify(externalId)}`)
    }
    return json(200, Documents.objectDocument(resource, first.id, first.attributes))
  }

  const byEmail = (resource: SimResource, email: string): Guard.Response => {
    const customer = state.store.customerByEmail(email)
    if (customer === undefined) return error(404, "not_found", `no customer with email ${JSON.stringify(email)}`)
    return json(200, Documents.objectDocument(resource, customer.id, customer.attributes))
  }

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
        const email = emailOf(resource, segment)
        if (email !== undefined) {
          return guarded(
            `GET /v1/${resource.name}/email={email}`,
            resource.readRoles,
            () => Effect.sync(() => byEmail(resource, email))
          )
        }
        const externalId = resource.readableByExternalId ? externalIdOf(segment) : undefined
        if (externalId !== undefined) {
          return guarded(
            `GET /v1/${resource.name}/externalId={externalId}`,
            resource.readRoles,
            () => Effect.sync(() => byExternalId(resource, externalId))
          )
        }
        return guarded(
          `GET /v1/${resource.name}/{id}`,
          resource.readRoles,
          () => Effect.sync(() => byId(resource, segment))
        )
      })
    )
  ]

  const router = HttpRouter.fromIterable([
    HttpRouter.makeRoute("GET", "/__admin/stats", Effect.sync(() => json(200, state.stats()))),
    HttpRouter.makeRoute(
      "GET",
      "/v1/bulk/:id",
      readJob("GET /v1/bulk/{id}", (job) => Documents.jobDocument(state.config, job))
    ),
    HttpRouter.makeRoute(
      "GET",
      "/v1/bulk/:id/batches",
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const page = pageOf(request.url)
        return readJob("GET /v1/bulk/{id}/batches", (job) => Documents.batchList(state.config.answers, job, page))
      })
    ),
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
