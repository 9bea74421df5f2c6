/**
 * A bulk-capable Kustomer resource: where its bulk endpoint lives and what one item looks like.
 *
 * The import pipeline and the simulator are written against this descriptor, so adding a resource is one more
 * value of this type (plus its item schema) in {@link all}, not a copy of the conversation code: its name joins
 * {@link ResourceName}, {@link byName} finds it, and the simulator serves it.
 *
 * @since 0.1.0
 */
import * as Arr from "effect/Array"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { CompanyInput } from "./Company.js"
import { ConversationInput } from "./Conversation.js"
import { CustomerInput } from "./Customer.js"
import { MessageInput } from "./Message.js"
import { NoteInput } from "./Note.js"

/**
 * The most items one bulk request may carry.
 *
 * @since 0.1.0
 */
export const maxItemsPerRequest = 100

/**
 * The largest request body the API accepts, in bytes (its general 100 kB limit).
 *
 * @since 0.1.0
 */
export const maxBodyBytes = 100_000

/**
 * What every bulk item can carry: an optional `externalId` (the key for finding it again) and an optional
 * `_clientRef` (the key for matching its result).
 *
 * @since 0.1.0
 */
export interface BulkItemBase {
  readonly externalId?: string
  readonly _clientRef?: string
}

/**
 * Describes one bulk-capable resource. `Name` is its plural name as a literal type for the values of
 * {@link all}, so that {@link ResourceName} is derived from them.
 *
 * @since 0.1.0
 */
export interface BulkResource<
  Item extends BulkItemBase,
  ItemEncoded extends BulkItemBase,
  Name extends string = string
> {
  /** Plural name used in paths, logs, metrics and errors, e.g. `conversations`. */
  readonly name: Name
  /** The permission a key needs to create these objects, in both the role-set and the legacy spelling. */
  readonly createRoles: readonly [permission: string, legacy: string]
  /** The permission a key needs to read these objects (e.g. a look-up by external id), in both spellings. */
  readonly readRoles: readonly [permission: string, legacy: string]
  /** Path of the bulk-create endpoint, e.g. `/v1/conversations/bulk`. */
  readonly bulkPath: string
  /**
   * The request that reads an object by its external id, path and query (`/v1/customers/externalId=c%201`,
   * `/v1/companies?externalId=c%201`), built from {@link externalIdLookUp}; `undefined` when Kustomer has no such
   * look-up (notes).
   */
  readonly externalIdPath: ((externalId: string) => string) | undefined
  /**
   * How the look-up by external id is spelt — a path segment or a query parameter, see {@link ExternalIdLookUp};
   * `undefined` when there is no look-up, as {@link externalIdPath}.
   */
  readonly externalIdLookUp: ExternalIdLookUp | undefined
  /**
   * Whether Kustomer refuses a second object with the same `externalId` ("duplicate detected"). Documented for
   * customers and conversations only: companies, messages and notes with a repeated `externalId` are stored
   * again, so a client must never resend them blindly — it reads what exists first (where it can).
   */
  readonly deduplicatesExternalId: boolean
  /**
   * Where the objects of one parent are listed (messages and notes: `GET /v1/conversations/{id}/messages`),
   * and which field of an item names that parent; `undefined` for top-level resources.
   */
  readonly listing: Listing | undefined
  /** Path that reads one object by id. */
  readonly objectPath: (id: string) => string
  /** Schema of one item: decodes unknown input, encodes the exact wire JSON. */
  readonly item: Schema.Schema<Item, ItemEncoded, never>
  /**
   * Whether an object without an `externalId` can be found by its first e-mail address (customers:
   * `GET /v1/customers/email={email}`). Kustomer reports no duplicate for an e-mail, so this is how a client
   * checks whether such an object exists before it sends it again.
   */
  readonly findableByEmail: boolean
}

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

/**
 * Builds a {@link BulkResource} for a plural resource name such as `conversations`.
 *
 * @since 0.1.0
 */
export const make = <Item extends BulkItemBase, ItemEncoded extends BulkItemBase, const Name extends string>(options: {
  readonly name: Name
  readonly roleName: string
  readonly item: Schema.Schema<Item, ItemEncoded, never>
  readonly findableByEmail?: boolean | undefined
  /** Default `true`. */
  readonly deduplicatesExternalId?: boolean | undefined
  /** The look-up by external id: default the path segment `externalId`; `null` for none. */
  readonly externalIdLookUp?: ExternalIdLookUp | undefined | null
  readonly listing?: Listing | undefined
}): BulkResource<Item, ItemEncoded, Name> => {
  const lookUp = options.externalIdLookUp === undefined ? pathSegment("externalId") : options.externalIdLookUp
  return {
    name: options.name,
    createRoles: [`org.permission.${options.roleName}.create`, `org.user.${options.roleName}.write`],
    readRoles: [`org.permission.${options.roleName}.read`, `org.user.${options.roleName}.read`],
    bulkPath: `/v1/${options.name}/bulk`,
    externalIdPath: lookUp === null ? undefined : (externalId) => lookUpPath(options.name, lookUp, externalId),
    externalIdLookUp: lookUp === null ? undefined : lookUp,
    objectPath: (id) => `/v1/${options.name}/${encodeURIComponent(id)}`,
    item: options.item,
    findableByEmail: options.findableByEmail ?? false,
    deduplicatesExternalId: options.deduplicatesExternalId ?? true,
    listing: options.listing
  }
}

/** A conversation's children of one kind: `GET /v1/conversations/{id}/{name}`. */
const conversationListing = (name: string): Listing => ({
  parentField: "conversation",
  path: (conversationId) => `/v1/conversations/${encodeURIComponent(conversationId)}/${name}`
})

/**
 * Bulk-created companies: `POST /v1/companies/bulk` (`name` required). Kustomer documents no duplicate detection:
 * a company sent twice is stored twice, so one whose answer was lost is read back, never resent blindly. The
 * look-up by `externalId` is a query parameter of the listing, not a path segment: `GET /v1/companies?externalId=…`
 * answers a list document of the matching companies (empty when there is none), role `company.read` (Kustomer's
 * API reference, "Get companies", https://developer.kustomer.com/api/core-resources/get-companies; its `filter`
 * parameter filters by name, and the request ignores both when both are given). Customers name their company by
 * id, so companies are created first.
 *
 * @since 0.1.0
 */
export const Companies = make({
  name: "companies",
  roleName: "company",
  item: CompanyInput,
  deduplicatesExternalId: false,
  externalIdLookUp: queryParameter("externalId")
})

/**
 * Bulk-created conversations: `POST /v1/conversations/bulk`.
 *
 * @since 0.1.0
 */
export const Conversations = make({ name: "conversations", roleName: "conversation", item: ConversationInput })

/**
 * Bulk-created customers: `POST /v1/customers/bulk`.
 *
 * @since 0.1.0
 */
export const Customers = make({
  name: "customers",
  roleName: "customer",
  item: CustomerInput,
  findableByEmail: true
})

/**
 * Bulk-created messages: `POST /v1/messages/bulk` (answers 200, not 201). Kustomer does not deduplicate their
 * `externalId`. Their look-up is spelt `/v1/messages/externalid={id}` in Kustomer's generated client
 * (lower-case); a conversation's messages are listed at `GET /v1/conversations/{id}/messages`.
 *
 * @since 0.1.0
 */
export const Messages = make({
  name: "messages",
  roleName: "message",
  item: MessageInput,
  deduplicatesExternalId: false,
  externalIdLookUp: pathSegment("externalid"),
  listing: conversationListing("messages")
})

/**
 * Bulk-created notes: `POST /v1/notes/bulk`. Kustomer does not deduplicate their `externalId` and has no look-up
 * by it: a conversation's notes are listed at `GET /v1/conversations/{id}/notes`.
 *
 * @since 0.1.0
 */
export const Notes = make({
  name: "notes",
  roleName: "note",
  item: NoteInput,
  deduplicatesExternalId: false,
  externalIdLookUp: null,
  listing: conversationListing("notes")
})

/**
 * Every bulk resource, in the order a migration creates them: a company before the customers that name it, a
 * customer before its conversations, a conversation before its messages and notes.
 *
 * @since 0.1.0
 */
export const all = [Companies, Customers, Conversations, Messages, Notes] as const

/**
 * Any resource of {@link all}.
 *
 * @since 0.1.0
 */
export type Any = (typeof all)[number]

/**
 * Calls `use` with `resource` typed as itself. A resource's schema is invariant in its item types, so a resource
 * chosen at run time (a union of {@link all}'s) cannot be handed to a generic stage as is; this one switch does it.
 *
 * @since 0.1.0
 */
export const withItemTypes = <A>(
  resource: Any,
  use: <Item extends BulkItemBase, Encoded extends BulkItemBase>(resource: BulkResource<Item, Encoded>) => A
): A => {
  switch (resource.name) {
    case "companies":
      return use(resource)
    case "customers":
      return use(resource)
    case "conversations":
      return use(resource)
    case "messages":
      return use(resource)
    case "notes":
      return use(resource)
  }
}

/**
 * The name of a resource of {@link all} (`companies`, `customers`, `conversations`, `messages`, `notes`), as a
 * Schema — e.g. for a command-line flag — derived from the registry.
 *
 * @since 0.1.0
 */
export const ResourceName = Schema.Literal(...Arr.map(all, (resource) => resource.name)).annotations({
  identifier: "ResourceName"
})
/** @since 0.1.0 */
export type ResourceName = typeof ResourceName.Type

/**
 * The resource of {@link all} with this name, if any.
 *
 * @since 0.1.0
 */
export const byName = (name: string): Option.Option<Any> =>
  Option.fromNullable(all.find((resource) => resource.name === name))

/**
 * The roles that may read bulk jobs (`GET /v1/bulk/{id}` and its batches).
 *
 * @since 0.1.0
 */
export const bulkReadRoles = ["org.permission.bulk.read", "org.user.bulk.read"] as const
