/**
 * The simulator's HTTP app: one router for every route, each API route behind the same guard (see `guard.ts`).
 */
import { Attachment, BulkResource, Token, User } from "@effect-kustomer/domain"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as BulkChanges from "./bulkChanges.js"
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
import * as Uploads from "./uploads.js"

const isPathInput = (path: string): path is `/${string}` => path.startsWith("/")

/** A domain path as a router path (they all start with `/`). */
const routePath = (path: string): HttpRouter.PathInput => (isPathInput(path) ? path : `/${path}`)

/**
 * The external id a path segment looks up, in the resource's one spelling from the registry (`externalId=` for
 * customers and conversations, `externalid=` for messages); `undefined` for any other segment, which is then read
 * as an id, and always for companies (looked up by a query parameter instead) and notes (no look-up).
 */
const externalIdOf = (
  resource: SimResource,
  segment: string
): { readonly prefix: string; readonly externalId: string } | undefined => {
  const prefix = resource.externalIdSegment
  return prefix !== undefined && segment.startsWith(prefix)
    ? { prefix, externalId: segment.slice(prefix.length) }
    : undefined
}

/**
 * `email=` of a look-up by e-mail of a resource findable by e-mail (customers), `GET /v1/customers/email={email}`
 * (INFERRED from the single-customer API family, like the look-up by external id).
 */
const emailOf = (resource: SimResource, segment: string): string | undefined =>
  resource.findableByEmail && segment.startsWith("email=") ? segment.slice("email=".length) : undefined

/** The query parameters of a request URL. */
const queryOf = (url: string): URLSearchParams => {
  const query = url.indexOf("?")
  return new URLSearchParams(query < 0 ? "" : url.slice(query + 1))
}

/** A positive integer query parameter of a request URL, or `fallback` when absent or not a positive integer. */
const positiveParam = (url: string, name: string, fallback: number): number => {
  const value = queryOf(url).get(name)
  const number = value === null || value.trim() === "" ? Number.NaN : Number(value)
  return Number.isInteger(number) && number >= 1 ? number : fallback
}

/** The `page` query parameter (from 1) of a request URL; 1 when absent or not a positive integer. */
const pageOf = (url: string): number => positiveParam(url, "page", 1)

/** Objects per page of a list (a conversation's messages or notes, the companies) when `pageSize` is absent. */
const defaultListPageSize = 10

/** The largest `pageSize` of a list; a larger one is served as this. */
const maxListPageSize = 100

/** The `pageSize` query parameter: default {@link defaultListPageSize}, at most {@link maxListPageSize}. */
const pageSizeOf = (url: string): number =>
  Math.min(maxListPageSize, positiveParam(url, "pageSize", defaultListPageSize))

/**
 * What a resource's listing (`GET /v1/companies`) is asked: the external id its look-up parameter names, the
 * `filter` of its `listingFilter` attribute, or neither. Kustomer's "Get companies": "If you use both the
 * `externalId` and `filter` query params, the request ignores both" — so both is neither.
 */
const listingQueryOf = (
  resource: SimResource,
  parameter: string,
  url: string
): { readonly externalId: string } | { readonly filter: string } | undefined => {
  const query = queryOf(url)
  const externalId = query.get(parameter)
  const filter = resource.listingFilter === undefined ? null : query.get("filter")
  if (externalId !== null && filter === null) return { externalId }
  if (filter !== null && externalId === null) return { filter }
  return undefined
}

/**
 * The app of one simulator. `enqueue` hands an accepted job to the worker pool; `stopped` completes when the
 * simulator stops (see `Guard.make`).
 */
export const make = (
  state: SimulatorState,
  enqueue: (job: JobRecord) => Effect.Effect<void>,
  stopped: Deferred.Deferred<void>
): HttpApp.Default<ConnectionReset> => {
  const guarded = Guard.make(state, stopped)
  const error = (status: number, code: string, detail: string) =>
    Responses.error(status, code, detail, state.config.answers.errorBody)
  const bulkCreate = BulkCreate.make(state, enqueue)
  const bulkChanges = BulkChanges.make(state, enqueue)

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
    const found = state.store.collections[resource.name].findByEmail(email)
    if (found === undefined) return error(404, "not_found", `no ${resource.type} with email ${JSON.stringify(email)}`)
    return json(200, Documents.objectDocument(resource, found.id, found.attributes))
  }

  const childList = (resource: SimResource, conversationId: string, url: string): Guard.Response => {
    const conversation = state.store.collections.conversations.byId.get(conversationId)
    if (conversation === undefined) return error(404, "not_found", `no conversation with id ${conversationId}`)
    const children = state.store.collections[resource.name].ofConversation(conversation.id)
    return json(
      200,
      Documents.conversationChildList(resource, conversation.id, children, pageOf(url), pageSizeOf(url))
    )
  }

  /**
   * A page of the listing of a resource looked up by a query parameter (`GET /v1/companies`): the objects stored
   * under the external id asked for, or whose `listingFilter` attribute contains the filter (without case), or
   * every object; oldest first. An unknown external id is an empty list, not a 404.
   */
  const objectListing = (resource: SimResource, parameter: string, url: string): Guard.Response => {
    const asked = listingQueryOf(resource, parameter, url)
    const collection = state.store.collections[resource.name]
    const field = resource.listingFilter
    const objects = asked === undefined
      ? collection.all
      : "externalId" in asked
      ? collection.findByExternalId(asked.externalId)
      : collection.all.filter((object) => {
        const value = field === undefined ? undefined : object.attributes[field]
        return typeof value === "string" && value.toLowerCase().includes(asked.filter.toLowerCase())
      })
    const query = asked === undefined
      ? ""
      : new URLSearchParams("externalId" in asked ? { [parameter]: asked.externalId } : { filter: asked.filter })
        .toString()
    return json(
      200,
      Documents.objectList(resource, `/v1/${resource.name}`, objects, pageOf(url), pageSizeOf(url), query)
    )
  }

  /**
   * `GET /v1/{resource}` of a resource looked up by the query parameter `parameter` (companies, `externalId`),
   * behind its read role; a look-up is counted apart from a listing, as the path look-ups are.
   */
  const listingRoute = (resource: SimResource, parameter: string) =>
    HttpRouter.makeRoute(
      "GET",
      routePath(`/v1/${resource.name}`),
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const asked = listingQueryOf(resource, parameter, request.url)
        const route = asked !== undefined && "externalId" in asked
          ? `GET /v1/${resource.name}?${parameter}={externalId}`
          : `GET /v1/${resource.name}`
        return guarded(
          route,
          resource.readRoles,
          () => Effect.sync(() => objectListing(resource, parameter, request.url))
        )
      })
    )

  /** `GET /v1/conversations/{id}/messages` or `…/notes`: a page of the conversation's objects, oldest first. */
  const childListRoute = (resource: SimResource) =>
    HttpRouter.makeRoute(
      "GET",
      `/v1/conversations/:id/${resource.name}`,
      Effect.flatMap(HttpRouter.params, (params) => {
        const conversationId = params["id"] ?? ""
        return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          guarded(
            `GET /v1/conversations/{id}/${resource.name}`,
            resource.readRoles,
            () => Effect.sync(() => childList(resource, conversationId, request.url))
          ))
      })
    )

  /** `PUT {path}` and `DELETE {path}?ids=…` of the resources whose registry entry has a bulk update or delete. */
  const changeRoutes = (resource: SimResource) => [
    ...(resource.update === undefined ? [] : [
      HttpRouter.makeRoute(
        "PUT",
        routePath(resource.update.path),
        guarded(`PUT ${resource.update.path}`, resource.update.roles, bulkChanges.update(resource))
      )
    ]),
    ...(resource.delete === undefined ? [] : [
      HttpRouter.makeRoute(
        "DELETE",
        routePath(resource.delete.path),
        guarded(`DELETE ${resource.delete.path}`, resource.delete.roles, bulkChanges.remove(resource, resource.delete))
      )
    ])
  ]

  const objectRoutes = (resource: SimResource) => [
    HttpRouter.makeRoute(
      "POST",
      routePath(resource.bulkPath),
      guarded(`POST ${resource.bulkPath}`, resource.createRoles, bulkCreate(resource))
    ),
    ...changeRoutes(resource),
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
        const lookUp = externalIdOf(resource, segment)
        if (lookUp !== undefined) {
          return guarded(
            `GET /v1/${resource.name}/${lookUp.prefix}{externalId}`,
            resource.readRoles,
            () => Effect.sync(() => byExternalId(resource, lookUp.externalId))
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

  /** The calling key's token: any key may read its own (no role needed); it counts against the budget. */
  const currentToken = HttpRouter.makeRoute(
    "GET",
    routePath(Token.currentPath),
    guarded(
      `GET ${Token.currentPath}`,
      [],
      (call) => Effect.succeed(json(200, Documents.tokenDocument(state.config, call.caller)))
    )
  )

  /** The org's users, a page at a time (role `user.read`). */
  const users = HttpRouter.makeRoute(
    "GET",
    routePath(User.listPath),
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      guarded(
        `GET ${User.listPath}`,
        User.readRoles,
        () =>
          Effect.sync(() => json(200, Documents.userList(state.config, pageOf(request.url), pageSizeOf(request.url))))
      ))
  )

  /** `POST /v1/attachments`: an API request like any other (key, roles, rate limit, faults). */
  const createAttachment = HttpRouter.makeRoute(
    "POST",
    routePath(Attachment.createPath),
    guarded(`POST ${Attachment.createPath}`, Attachment.createRoles, Uploads.makeCreate(state))
  )

  /** The storage host's presigned POST: outside the guard, so no key is needed and the rate limit is not spent. */
  const upload = HttpRouter.makeRoute(
    "POST",
    "/__uploads/:id",
    Effect.flatMap(
      HttpRouter.params,
      (params) =>
        Effect.flatMap(
          HttpServerRequest.HttpServerRequest,
          (request) => Uploads.upload(state, request, params["id"] ?? "")
        )
    )
  )

  const router = HttpRouter.fromIterable([
    HttpRouter.makeRoute("GET", "/__admin/stats", Effect.sync(() => json(200, state.stats()))),
    createAttachment,
    upload,
    currentToken,
    users,
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
    ...Resources.all.flatMap((resource) => objectRoutes(resource)),
    ...Resources.all.flatMap((resource) =>
      resource.externalIdParameter === undefined ? [] : [listingRoute(resource, resource.externalIdParameter)]
    ),
    ...Resources.all.filter((resource) => resource.listedByConversation).map((resource) => childListRoute(resource))
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
