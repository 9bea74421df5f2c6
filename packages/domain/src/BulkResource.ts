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
import type { Delete, Update, UpdateOf } from "./BulkChange.js"
import { deleteOf, updateOf } from "./BulkChange.js"
import { CompanyInput, CompanyUpdate } from "./Company.js"
import { ConversationInput, ConversationUpdate } from "./Conversation.js"
import { CustomerInput, CustomerUpdate } from "./Customer.js"
import * as LookUp from "./LookUp.js"
import { MessageInput, MessageUpdate } from "./Message.js"
import { NoteInput, NoteUpdate } from "./Note.js"

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
   * How the look-up by external id is spelt — a path segment or a query parameter, see {@link LookUp.ExternalIdLookUp};
   * `undefined` when there is no look-up, as {@link externalIdPath}.
   */
  readonly externalIdLookUp: LookUp.ExternalIdLookUp | undefined
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
  readonly listing: LookUp.Listing | undefined
  /**
   * Path that reads one object by id, `GET /v1/{name}/{id}` (the id URI-encoded): an `ObjectDocument`, or 404 when
   * there is none; role {@link readRoles}.
   */
  readonly objectPath: (id: string) => string
  /**
   * The bulk update (`BulkChange.Update`: `PUT` of an array of `{ id, …fields }`), when Kustomer has one (every
   * resource of {@link all}); `undefined` otherwise.
   */
  readonly update: Update | undefined
  /**
   * The bulk delete (`BulkChange.Delete`: `DELETE …/bulk?ids=a,b,c`), when Kustomer has one (customers);
   * `undefined` otherwise — conversations are marked deleted with their update (`deleted: true`) instead.
   */
  readonly delete: Delete | undefined
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
 * Builds a {@link BulkResource} for a plural resource name such as `conversations`. With `update` (an item schema)
 * it has a bulk update, typed by that schema; with `delete: true`, a bulk delete.
 *
 * @since 0.1.0
 */
export const make = <
  Item extends BulkItemBase,
  ItemEncoded extends BulkItemBase,
  const Name extends string,
  UpdateItem extends Schema.Schema.AnyNoContext | undefined = undefined
>(options: {
  readonly name: Name
  readonly roleName: string
  readonly item: Schema.Schema<Item, ItemEncoded, never>
  readonly findableByEmail?: boolean | undefined
  /** Default `true`. */
  readonly deduplicatesExternalId?: boolean | undefined
  /** The look-up by external id: default the path segment `externalId`; `null` for none. */
  readonly externalIdLookUp?: LookUp.ExternalIdLookUp | undefined | null
  readonly listing?: LookUp.Listing | undefined
  /** The schema of one bulk-update item; absent when the resource has no bulk update. */
  readonly update?: UpdateItem
  /** Whether the resource has a bulk delete. Default `false`. */
  readonly delete?: boolean | undefined
}): BulkResource<Item, ItemEncoded, Name> & { readonly update: UpdateOf<UpdateItem> } => {
  const lookUp = options.externalIdLookUp === undefined ? LookUp.pathSegment("externalId") : options.externalIdLookUp
  const updateItem: Schema.Schema.AnyNoContext | undefined = options.update
  return {
    name: options.name,
    createRoles: [`org.permission.${options.roleName}.create`, `org.user.${options.roleName}.write`],
    readRoles: [`org.permission.${options.roleName}.read`, `org.user.${options.roleName}.read`],
    bulkPath: `/v1/${options.name}/bulk`,
    externalIdPath: lookUp === null ? undefined : (externalId) => LookUp.lookUpPath(options.name, lookUp, externalId),
    externalIdLookUp: lookUp === null ? undefined : lookUp,
    objectPath: (id) => `/v1/${options.name}/${encodeURIComponent(id)}`,
    item: options.item,
    findableByEmail: options.findableByEmail ?? false,
    deduplicatesExternalId: options.deduplicatesExternalId ?? true,
    listing: options.listing,
    // The conditional type cannot be narrowed by a check on a value: the schema given is the one `UpdateItem` names.
    update: (updateItem === undefined ? undefined : updateOf(options.name, options.roleName, updateItem)) as
      & (Update | undefined)
      & UpdateOf<UpdateItem>,
    delete: options.delete === true ? deleteOf(options.name, options.roleName, maxItemsPerRequest) : undefined
  }
}

/** A conversation's children of one kind: `GET /v1/conversations/{id}/{name}`. */
const conversationListing = (name: string): LookUp.Listing => ({
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
  externalIdLookUp: LookUp.queryParameter("externalId"),
  update: CompanyUpdate
})

/**
 * Bulk-created conversations: `POST /v1/conversations/bulk`; updated with `PUT /v1/conversations/bulk`. Kustomer has
 * no bulk delete of conversations: an update with `deleted: true` marks them deleted.
 *
 * @since 0.1.0
 */
export const Conversations = make({
  name: "conversations",
  roleName: "conversation",
  item: ConversationInput,
  update: ConversationUpdate
})

/**
 * Bulk-created customers: `POST /v1/customers/bulk`; updated with `PUT /v1/customers/bulk`, deleted with
 * `DELETE /v1/customers/bulk?ids=a,b,c` (role `customer.delete`).
 *
 * @since 0.1.0
 */
export const Customers = make({
  name: "customers",
  roleName: "customer",
  item: CustomerInput,
  findableByEmail: true,
  update: CustomerUpdate,
  delete: true
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
  externalIdLookUp: LookUp.pathSegment("externalid"),
  listing: conversationListing("messages"),
  update: MessageUpdate
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
  listing: conversationListing("notes"),
  update: NoteUpdate
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
 * Every role the registry names for its resources: create, read, update and delete, in both spellings.
 *
 * @since 0.1.0
 */
export const resourceRoles: ReadonlyArray<string> = all.flatMap((resource) => [
  ...resource.createRoles,
  ...resource.readRoles,
  ...(resource.update?.roles ?? []),
  ...(resource.delete?.roles ?? [])
])

/**
 * The roles that may read bulk jobs (`GET /v1/bulk/{id}` and its batches).
 *
 * @since 0.1.0
 */
export const bulkReadRoles = ["org.permission.bulk.read", "org.user.bulk.read"] as const
