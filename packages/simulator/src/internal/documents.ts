/**
 * The JSON documents the simulator answers with: a bulk job, its batches, a stored object with its relationships,
 * a page of a list of objects (a conversation's messages or notes, the companies), and the calling key's token. Pure renderings of the state.
 */
import { BulkResource, Token, User } from "@effect-kustomer/domain"
import type { StoredObject } from "../Inspection.js"
import * as Prng from "../Prng.js"
import type { AnswerStyle, ApiKey, SimulatorConfig } from "../SimulatorConfig.js"
import type { BatchRecord, ItemErrorRecord, ItemResultRecord, JobRecord } from "./jobs.js"
import type { SimResource } from "./resources.js"
import { isoString } from "./time.js"

/** The HTTP method of the request behind each kind of job. */
const methods = { create: "POST", update: "PUT", delete: "DELETE" } as const

/**
 * `{ data: job }`, as a bulk POST's, PUT's or DELETE's answer and `GET /v1/bulk/{id}`. A delete's job lists its ids
 * in `ids` and records its request's data as an object, `{ ids }`; the others echo their body (an array).
 */
export const jobDocument = (config: SimulatorConfig, job: JobRecord) => ({
  data: {
    type: "bulk",
    id: job.id,
    attributes: {
      ids: job.operation === "delete" ? job.items : [],
      context: job.resource.type,
      status: job.status,
      v2: true,
      payload: {
        api: {
          data: job.operation === "delete" ? { ids: job.items } : job.items,
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
          method: methods[job.operation]
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

/** A draw in [0, 1) fixed by the seed and the object id, so every read of a batch answers the same. */
const drawFor = (seed: number, objectId: string): number => {
  let hash = seed >>> 0
  for (let index = 0; index < objectId.length; index++) hash = Math.imul(hash ^ objectId.charCodeAt(index), 16777619)
  return Prng.make(hash)()
}

const itemError = (style: AnswerStyle, code: string, message: string) =>
  style.itemErrors === "object" ? { code, message } : message

const errorEntry = (style: AnswerStyle, entry: ItemErrorRecord) =>
  style.itemErrors === "object" ? { ...entry, error: itemError(style, entry.code, entry.error) } : entry

const resultEntry = (style: AnswerStyle, result: ItemResultRecord) => {
  if (result.status === "error") {
    const { code, ...rest } = result
    return result.error === undefined ? rest : { ...rest, error: itemError(style, code ?? "error", result.error) }
  }
  if (result.objectId !== undefined && style.nullObjectIdRate > 0) {
    if (drawFor(style.seed, result.objectId) < style.nullObjectIdRate) return { ...result, objectId: null }
  }
  return result
}

/** A list, or `null` in its place when it is empty and the style says so. */
const listOrNull = <A>(style: AnswerStyle, list: ReadonlyArray<A>): ReadonlyArray<A> | null =>
  style.nullLists && list.length === 0 ? null : list

const batchDocument = (style: AnswerStyle, batch: BatchRecord) => {
  const completedAt = batch.completedAtMillis === undefined
    ? null
    : style.completedAt === "epochMillis"
    ? batch.completedAtMillis
    : isoString(batch.completedAtMillis)
  const results = batch.results?.map((result) => resultEntry(style, result))
  return {
    type: "bulk_batch",
    id: batch.id,
    attributes: {
      status: batch.status,
      objectIds: listOrNull(style, batch.objectIds),
      successCount: batch.successCount,
      failureCount: batch.failureCount,
      completedAt,
      errors: listOrNull(style, batch.errors.map((entry) => errorEntry(style, entry))),
      ...(results === undefined ? style.nullLists ? { results: null } : {} : { results })
    }
  }
}

/**
 * One page of a list: the items of page `page` (from 1) of `pageSize`, and whether a page follows. Every paged
 * list of the simulator links its pages with paths relative to the host, `{path}?page=N…`.
 */
const pageOf = <A>(items: ReadonlyArray<A>, page: number, pageSize: number) => {
  const start = (page - 1) * pageSize
  return { items: items.slice(start, start + pageSize), hasNext: start + pageSize < items.length }
}

/**
 * `{ data: [batch, ...] }`, as `GET /v1/bulk/{id}/batches`: page `page` (from 1) of the job's batches, with
 * `links.next` when the style pages them.
 */
export const batchList = (style: AnswerStyle, job: JobRecord, page: number) => {
  const perPage = style.batchesPerPage
  if (perPage === 0) return { data: job.batches.map((batch) => batchDocument(style, batch)) }
  const { hasNext, items } = pageOf(job.batches, page, perPage)
  const path = `/v1/bulk/${job.id}/batches`
  return {
    data: items.map((batch) => batchDocument(style, batch)),
    links: { self: `${path}?page=${page}`, next: hasNext ? `${path}?page=${page + 1}` : null }
  }
}

/** A stored object as a JSON:API resource object: the fields that name other objects as relationships. */
const objectResource = (resource: SimResource, id: string, stored: Readonly<Record<string, unknown>>) => {
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
  return {
    type: resource.type,
    id,
    attributes,
    ...(resource.relationships.length === 0 ? {} : { relationships }),
    links: { self: resource.objectPath(id) }
  }
}

/** `{ data: object }`: a stored object, the fields that name other objects as JSON:API relationships. */
export const objectDocument = (resource: SimResource, id: string, stored: Readonly<Record<string, unknown>>) => ({
  data: objectResource(resource, id, stored)
})

/**
 * `{ data: [object, ...], links, meta }`: page `page` (from 1) of `pageSize` of `objects`, listed at `path`. The
 * links keep the listing's `query` (its look-up or filter, already encoded) before `page` and `pageSize`;
 * `links.next` is `null` on the last page, `links.prev` on the first.
 */
export const objectList = (
  resource: SimResource,
  path: string,
  objects: ReadonlyArray<StoredObject>,
  page: number,
  pageSize: number,
  query = ""
) => {
  const { hasNext, items } = pageOf(objects, page, pageSize)
  const pagePath = (number: number) => `${path}?${query === "" ? "" : `${query}&`}page=${number}&pageSize=${pageSize}`
  return {
    data: items.map((object) => objectResource(resource, object.id, object.attributes)),
    links: {
      self: pagePath(page),
      first: pagePath(1),
      prev: page > 1 ? pagePath(page - 1) : null,
      next: hasNext ? pagePath(page + 1) : null
    },
    meta: { pageSize, page }
  }
}

/**
 * {@link objectList} of `GET /v1/conversations/{id}/messages` and `…/notes`: the objects that belong to the
 * conversation, oldest first.
 */
export const conversationChildList = (
  resource: SimResource,
  conversationId: string,
  children: ReadonlyArray<StoredObject>,
  page: number,
  pageSize: number
) =>
  objectList(
    resource,
    `${BulkResource.Conversations.objectPath(conversationId)}/${resource.name}`,
    children,
    page,
    pageSize
  )

/** A key's token id: 24-hex, fixed by the key's place in the configuration. */
const tokenId = (config: SimulatorConfig, key: ApiKey): string =>
  `5e1ec7ed7000000000${(config.apiKeys.indexOf(key) + 1).toString(16).padStart(6, "0")}`

/**
 * `{ data: token }`, as `GET /v1/auth/tokens/current`: the calling key's roles, its machine user and the org
 * (the fields Kustomer's generated client names; the others are INFERRED).
 */
export const tokenDocument = (config: SimulatorConfig, key: ApiKey) => ({
  data: {
    type: "token",
    id: tokenId(config, key),
    attributes: { roles: key.roles, userType: "machine", orgName: config.orgName },
    relationships: {
      user: { links: { self: `/v1/users/${key.userId}` }, data: { type: "user", id: key.userId } },
      org: { links: { self: `/v1/orgs/${config.orgId}` }, data: { type: "org", id: config.orgId } }
    },
    links: { self: Token.currentPath }
  }
})

/**
 * `{ data: [user, ...], links, meta }`, as `GET /v1/users`: page `page` (from 1) of `pageSize` of the org's users —
 * the keys' machine users (without an e-mail), then the configured agents.
 */
export const userList = (config: SimulatorConfig, page: number, pageSize: number) => {
  const machines = config.apiKeys.map((key) => ({ type: "user", id: key.userId, attributes: { userType: "machine" } }))
  const agents = config.users.map((user) => ({
    type: "user",
    id: user.id,
    attributes: { email: user.email, name: user.name ?? null, userType: "user" }
  }))
  const { hasNext, items } = pageOf([...machines, ...agents], page, pageSize)
  const pagePath = (number: number) => `${User.listPath}?page=${number}&pageSize=${pageSize}`
  return {
    data: items,
    links: {
      self: pagePath(page),
      prev: page > 1 ? pagePath(page - 1) : null,
      next: hasNext ? pagePath(page + 1) : null
    },
    meta: { pageSize, page }
  }
}
