/**
 * The bulk update and the bulk delete of a resource, as data: where each is sent, the roles it needs, and — for an
 * update — the schema of one item. `BulkResource` gives every resource of its registry the ones Kustomer documents:
 * an update for each, a delete for customers (conversations are marked `deleted: true` with their update instead).
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"

/**
 * A resource's bulk update: `PUT {path}` with a JSON array of up to 100 items (`BulkResource.maxItemsPerRequest`), each the `id` of
 * an existing object and the fields to change (`_clientRef` allowed, with the rules of a create); the answer is the
 * same bulk job as a create's, and each item's outcome is in its batches (`updated` or an error). Kustomer's
 * `?ids=a,b` form (one object applied to every listed id) is not described here. An update is safe to send again:
 * it sets the same fields to the same values (unless it names a `rev`, which a first delivery has moved on).
 *
 * @since 0.1.0
 */
export interface Update<ItemSchema extends Schema.Schema.AnyNoContext = Schema.Schema.AnyNoContext> {
  /** Path of the bulk-update endpoint, e.g. `/v1/conversations/bulk`. */
  readonly path: string
  /** The permission a key needs to update these objects, in both spellings (`….update` / legacy `….write`). */
  readonly roles: readonly [permission: string, legacy: string]
  /** Schema of one update item: the object's `id` (required) and the fields to change (each optional). */
  readonly item: ItemSchema
}

/**
 * A resource's bulk delete: `DELETE {pathWithIds(ids)}`, no body, the ids in the query (`/v1/customers/bulk?ids=a,b,c`).
 * The answer is a bulk job whose request record (`payload.api.data`) is an object, not an array; each id's outcome
 * is in its batches.
 *
 * @since 0.1.0
 */
export interface Delete {
  /** Path of the bulk-delete endpoint, without its query, e.g. `/v1/customers/bulk`. */
  readonly path: string
  /** The path and query that delete these ids, each URI-encoded, comma-separated: `/v1/customers/bulk?ids=a,b`. */
  readonly pathWithIds: (ids: ReadonlyArray<string>) => string
  /** The permission a key needs to delete these objects, in both spellings (`….delete` / legacy `….delete`). */
  readonly roles: readonly [permission: string, legacy: string]
  /** The most ids one request may name: 100, the limit of every bulk endpoint (`BulkResource.maxItemsPerRequest`). */
  readonly maxIdsPerRequest: number
}

/**
 * The bulk update of the resource `name` (`PUT /v1/{name}/bulk`) with its item schema; roles
 * `org.permission.{roleName}.update` / `org.user.{roleName}.write`.
 *
 * @since 0.1.0
 */
export const updateOf = <ItemSchema extends Schema.Schema.AnyNoContext>(
  name: string,
  roleName: string,
  item: ItemSchema
): Update<ItemSchema> => ({
  path: `/v1/${name}/bulk`,
  roles: [`org.permission.${roleName}.update`, `org.user.${roleName}.write`],
  item
})

/**
 * The bulk delete of the resource `name` (`DELETE /v1/{name}/bulk?ids=…`), at most `maxIdsPerRequest` ids a request;
 * roles `org.permission.{roleName}.delete` / `org.user.{roleName}.delete`.
 *
 * @since 0.1.0
 */
export const deleteOf = (name: string, roleName: string, maxIdsPerRequest: number): Delete => ({
  path: `/v1/${name}/bulk`,
  pathWithIds: (ids) => `/v1/${name}/bulk?ids=${ids.map((id) => encodeURIComponent(id)).join(",")}`,
  roles: [`org.permission.${roleName}.delete`, `org.user.${roleName}.delete`],
  maxIdsPerRequest
})

/**
 * The type of a resource's `update`: the {@link Update} of its item schema, or `undefined` when it has none.
 *
 * @since 0.1.0
 */
export type UpdateOf<ItemSchema extends Schema.Schema.AnyNoContext | undefined> = ItemSchema extends
  Schema.Schema.AnyNoContext ? Update<ItemSchema> : undefined
