/**
 * The resources the simulator serves, each built from the domain's `BulkResource` descriptor. Everything past
 * this module is written once, against {@link SimResource}, for every resource.
 */
import { BulkResource } from "@effect-kustomer/domain"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { ResourceName } from "../Inspection.js"
import { readRoles } from "../SimulatorConfig.js"

/** A field of an item that names another stored object, which must exist. */
export interface Reference {
  /** The item's field, e.g. `customer`. */
  readonly field: string
  /** Where the referenced object must be stored. */
  readonly collection: ResourceName
  /** The JSON:API type of the referenced object. */
  readonly type: string
  /** The referenced id. */
  readonly id: string
  /** The referenced object must belong to this one: its attribute `field` must be `id`. */
  readonly ownedBy?: { readonly field: string; readonly id: string }
}

/** An item that passed its schema, reduced to what storing it needs. */
export interface DecodedItem {
  readonly externalId: string | undefined
  /** An id the caller chose for the object, if the resource allows one. */
  readonly id: string | undefined
  readonly references: ReadonlyArray<Reference>
  /** Whether the item carries `importedAt`, which waives the per-customer creation limit. */
  readonly imported: boolean
  /** The item as sent, without `_clientRef` and `id`. */
  readonly attributes: Record<string, unknown>
}

/** A bulk-capable resource as the simulator serves it. */
export interface SimResource {
  readonly name: ResourceName
  /** JSON:API type of one object and the job's `context`. */
  readonly type: "conversation" | "customer" | "message" | "note"
  /** The status a bulk create answers with: 201, except messages' 200. */
  readonly createdStatus: 200 | 201
  /**
   * How the path segment of a look-up by external id starts (`GET /v1/{resource}/{segment}`): `externalId=` for
   * customers and conversations, the lower-case `externalid=` of Kustomer's generated client for messages, and
   * `undefined` for notes, which have no such look-up. Any other spelling is read as an object id.
   */
  readonly externalIdSegment: "externalId=" | "externalid=" | undefined
  /**
   * Whether the objects are listed under the conversation they belong to (their `conversation` attribute), at
   * `GET /v1/conversations/{id}/{resource}`: messages and notes.
   */
  readonly listedByConversation: boolean
  /** Whether creations count against the per-customer creation limit (conversations and messages). */
  readonly perCustomerLimited: boolean
  /**
   * Whether an item names its conversation and customer (messages): a missing customer is the conversation's, a
   * missing conversation is opened for the customer, and one of the two is required.
   */
  readonly linksConversation: boolean
  readonly bulkPath: string
  readonly createRoles: ReadonlyArray<string>
  readonly readRoles: ReadonlyArray<string>
  readonly objectPath: (id: string) => string
  /** Attributes that name another object: served as JSON:API relationships instead of attributes. */
  readonly relationships: ReadonlyArray<
    { readonly field: string; readonly type: string; readonly path: (id: string) => string }
  >
  /** Attributes an object gets when its item does not set them. */
  readonly defaults: Readonly<Record<string, unknown>>
  /** Decodes one raw item with the resource's schema; `Left` carries the schema's message. */
  readonly decode: (raw: unknown) => Either.Either<DecodedItem, string>
}

/** A one-line description of why an item failed its schema: `path: message` for each issue. */
export const formatParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.map(String).join(".")}: ${issue.message}`))
    .join("; ")

const make = <Item extends BulkResource.BulkItemBase, ItemEncoded extends BulkResource.BulkItemBase>(
  resource: BulkResource.BulkResource<Item, ItemEncoded>,
  options: {
    readonly name: ResourceName
    readonly type: SimResource["type"]
    readonly createdStatus?: SimResource["createdStatus"]
    readonly externalIdSegment?: SimResource["externalIdSegment"] | null
    readonly listedByConversation?: boolean
    readonly roleName: string
    readonly defaults: Readonly<Record<string, unknown>>
    readonly relationships: SimResource["relationships"]
    readonly references: (item: Item) => ReadonlyArray<Reference>
    readonly objectId: (item: Item) => string | undefined
    readonly perCustomerLimited?: boolean
    readonly linksConversation?: boolean
  }
): SimResource => {
  const decodeItem = Schema.decodeUnknownEither(resource.item)
  const toDecoded = (raw: unknown, item: Item): DecodedItem => {
    const references = options.references(item)
    const attributes: Record<string, unknown> = {}
    if (Predicate.isRecord(raw)) {
      for (const key of Object.keys(raw)) {
        if (key === "_clientRef" || key === "id") continue
        attributes[key] = raw[key]
      }
    }
    const imported = Predicate.isRecord(raw) && raw["importedAt"] !== undefined
    return { externalId: item.externalId, id: options.objectId(item), references, imported, attributes }
  }
  return {
    name: options.name,
    type: options.type,
    createdStatus: options.createdStatus ?? 201,
    externalIdSegment: options.externalIdSegment === null ? undefined : options.externalIdSegment ?? "externalId=",
    listedByConversation: options.listedByConversation ?? false,
    perCustomerLimited: options.perCustomerLimited ?? false,
    linksConversation: options.linksConversation ?? false,
    bulkPath: resource.bulkPath,
    createRoles: resource.createRoles,
    readRoles: readRoles(options.roleName),
    objectPath: (id) => resource.objectPath(id),
    defaults: options.defaults,
    relationships: options.relationships,
    decode: (raw) =>
      Either.match(decodeItem(raw), {
        onLeft: (error) => Either.left(formatParseError(error)),
        onRight: (item) => Either.right(toDecoded(raw, item))
      })
  }
}

/** Conversations: each references an existing customer and may carry its own id. */
export const conversations: SimResource = make(BulkResource.Conversations, {
  name: "conversations",
  type: "conversation",
  roleName: "conversation",
  defaults: { status: "open" },
  relationships: [{ field: "customer", type: "customer", path: (id) => BulkResource.Customers.objectPath(id) }],
  references: (item) => [{ field: "customer", collection: "customers", type: "customer", id: item.customer }],
  objectId: (item) => item.id,
  perCustomerLimited: true
})

/** Customers: no references. */
export const customers: SimResource = make(BulkResource.Customers, {
  name: "customers",
  type: "customer",
  roleName: "customer",
  defaults: {},
  relationships: [],
  references: () => [],
  objectId: () => undefined
})

/**
 * Messages: each references an existing conversation, and the customer that conversation belongs to. The bulk
 * create answers 200 (Kustomer's documented status for this endpoint); the look-up by external id is spelt
 * `externalid=`, as in Kustomer's generated client, and only so.
 */
export const messages: SimResource = make(BulkResource.Messages, {
  name: "messages",
  type: "message",
  createdStatus: 200,
  externalIdSegment: "externalid=",
  listedByConversation: true,
  roleName: "message",
  defaults: {},
  relationships: [
    { field: "conversation", type: "conversation", path: (id) => BulkResource.Conversations.objectPath(id) },
    { field: "customer", type: "customer", path: (id) => BulkResource.Customers.objectPath(id) }
  ],
  references: (item) => [
    ...(item.customer === undefined ? [] : [
      { field: "customer", collection: "customers" as const, type: "customer", id: item.customer }
    ]),
    ...(item.conversation === undefined ? [] : [{
      field: "conversation",
      collection: "conversations" as const,
      type: "conversation",
      id: item.conversation,
      ...(item.customer === undefined ? {} : { ownedBy: { field: "customer", id: item.customer } })
    }])
  ],
  objectId: (item) => item.id,
  perCustomerLimited: true,
  linksConversation: true
})

/** Notes: each references an existing conversation; Kustomer has no look-up of notes by external id. */
export const notes: SimResource = make(BulkResource.Notes, {
  name: "notes",
  type: "note",
  externalIdSegment: null,
  listedByConversation: true,
  roleName: "note",
  defaults: {},
  relationships: [
    { field: "conversation", type: "conversation", path: (id) => BulkResource.Conversations.objectPath(id) }
  ],
  references: (item) => [{
    field: "conversation",
    collection: "conversations",
    type: "conversation",
    id: item.conversation
  }],
  objectId: (item) => item.id
})

/** Every served resource. */
export const all: ReadonlyArray<SimResource> = [conversations, customers, messages, notes]
