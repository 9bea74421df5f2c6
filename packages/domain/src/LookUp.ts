/**
 * How existing objects of a resource are found again: a look-up by external id — a path segment
 * (`/v1/customers/externalId=…`) or a query parameter of the listing (`/v1/companies?externalId=…`) — and the
 * listing of the objects under one parent (a conversation's messages and notes).
 *
 * @since 0.1.0
 */

/**
 * How the objects of one parent are listed: `path(parentId)` answers pages of objects (JSON:API, `links.next`),
 * and `parentField` is the item field that holds the parent's id.
 *
 * @since 0.1.0
 */
export interface Listing {
  readonly parentField: string
  readonly path: (parentId: string) => string
}

/**
 * How a resource's objects are read by their external id:
 *
 * - `PathSegment`: `GET /v1/{name}/{segment}={externalId}` answers the one object (`{ data: object }`), or 404 —
 *   customers and conversations (`externalId`), messages (the lower-case `externalid` of Kustomer's generated
 *   client).
 * - `QueryParameter`: `GET /v1/{name}?{parameter}={externalId}` answers a list document (`{ data: [...] }`, paged
 *   with `links`) of the matching objects, empty when there is none — companies (`externalId`).
 *
 * @since 0.1.0
 */
export type ExternalIdLookUp =
  | { readonly _tag: "PathSegment"; readonly segment: string }
  | { readonly _tag: "QueryParameter"; readonly parameter: string }

/**
 * A look-up by external id spelt as a path segment before `=`: `GET /v1/{name}/{segment}={externalId}`.
 *
 * @since 0.1.0
 */
export const pathSegment = (segment: string): ExternalIdLookUp => ({ _tag: "PathSegment", segment })

/**
 * A look-up by external id spelt as a query parameter of the resource's listing: `GET /v1/{name}?{parameter}=…`.
 *
 * @since 0.1.0
 */
export const queryParameter = (parameter: string): ExternalIdLookUp => ({ _tag: "QueryParameter", parameter })

/**
 * The path and query of a look-up of `externalId` (URI-encoded) among the objects of the resource `name`.
 *
 * @since 0.1.0
 */
export const lookUpPath = (name: string, lookUp: ExternalIdLookUp, externalId: string): string =>
  lookUp._tag === "PathSegment"
    ? `/v1/${name}/${lookUp.segment}=${encodeURIComponent(externalId)}`
    : `/v1/${name}?${lookUp.parameter}=${encodeURIComponent(externalId)}`
