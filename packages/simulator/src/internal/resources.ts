/**
 * The resources the simulator serves, derived from the domain's registry (`BulkResource.all`): the bulk path, the
 * roles, the spelling of the look-up by external id (a path segment, or a query parameter of the resource's own
 * listing), the listing under a conversation, the look-up by e-mail and
 * whether Kustomer refuses a repeated `externalId` all come from there. What the registry does not say — how the
 * simulator checks and stores an item (the objects it references, its defaults, its relationships) — is the one
 * entry per resource of {@link byName}: a resource added to the registry does not compile here until it has one.
 * Everything past this module is written once, against {@link SimResource}, for every resource.
 */
import { type BulkChange, BulkResource } from "@effect-kustomer/domain"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Records from "effect/Record"
import * as Schema from "effect/Schema"
import type { ObjectType, ResourceName } from "../Inspection.js"

/** A field of an item that names another stored object, which must exist. */
export interface Reference {
  /** The item's field, e.g. `customer`. */
  readonly field: string
  /** Where the referenced object must be stored. */
  readonly collection: ResourceName
  /** The JSON:API type of the referenced object. */
  readonly type: ObjectType
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

/** An update item that passed the resource's update schema: the object's id and the fields to change. */
export interface DecodedUpdate {
  readonly id: string
  /** The item as sent, without `_clientRef` and `id`. */
  readonly changes: Record<string, unknown>
}

/** A resource's bulk update (`PUT {path}`), from the registry. */
export interface SimUpdate {
  readonly path: string
  readonly roles: ReadonlyArray<string>
  /** Decodes one raw update item with the registry's update schema; `Left` carries the schema's message. */
  readonly decode: (raw: unknown) => Either.Either<DecodedUpdate, string>
}

/** A resource's bulk delete (`DELETE {path}?ids=…`), from the registry. */
export interface SimDelete {
  readonly path: string
  readonly roles: ReadonlyArray<string>
  readonly maxIdsPerRequest: number
}

/** A bulk-capable resource as the simulator serves it. */
export interface SimResource {
  readonly name: ResourceName
  /** JSON:API type of one object and the job's `context`. */
  readonly type: ObjectType
  /** The status a bulk create answers with: 201, except messages' 200. */
  readonly createdStatus: 200 | 201
  /**
   * How the path segment of a look-up by external id starts (`GET /v1/{resource}/{segment}`), from the registry:
   * `externalId=` for customers and conversations, the lower-case `externalid=` of Kustomer's generated client for
   * messages, and `undefined` for companies (a query parameter, see {@link externalIdParameter}) and notes (no
   * look-up). Any other spelling is read as an object id.
   */
  readonly externalIdSegment: string | undefined
  /**
   * The query parameter of the resource's listing, `GET /v1/{resource}`, that looks objects up by external id,
   * from the registry (companies: `externalId`); `undefined` for the others, whose listing is not served.
   */
  readonly externalIdParameter: string | undefined
  /**
   * The attribute the listing's `filter` query parameter matches, without case (companies: `name`); `undefined`
   * when the listing has no such filter.
   */
  readonly listingFilter: string | undefined
  /**
   * Whether the objects are listed under the conversation they belong to (their `conversation` attribute), at
   * `GET /v1/conversations/{id}/{resource}`: the resources whose registry listing names `conversation`.
   */
  readonly listedByConversation: boolean
  /** Whether an object can be read by one of its e-mail addresses (`GET /v1/{resource}/email={email}`). */
  readonly findableByEmail: boolean
  /** Whether Kustomer refuses a repeated `externalId`: the default duplicate policy of the resource. */
  readonly deduplicatesExternalId: boolean
  /** Whether creations count against the per-customer creation limit (conversations and messages). */
  readonly perCustomerLimited: boolean
  /**
   * Whether an item names its conversation and customer (messages): a missing customer is the conversation's, a
   * missing conversation is opened for the customer, and one of the two is required.
   */
  readonly linksConversation: boolean
  /**
   * Whether `createdAt` and `createdBy` sent on an item are kept only for a key with the `org.admin` role
   * (messages and notes); for any other key they are silently replaced by the time of creation and the key's user.
   */
  readonly datesNeedOrgAdmin: boolean
  /**
   * Whether items may carry `attachments` (messages and notes): each must name an attachment document that was
   * uploaded, with its uploaded size.
   */
  readonly carriesAttachments: boolean
  readonly bulkPath: string
  readonly createRoles: ReadonlyArray<string>
  readonly readRoles: ReadonlyArray<string>
  readonly objectPath: (id: string) => string
  /**
   * Attributes that name another object (stored in `collection`): served as JSON:API relationships instead of
   * attributes, and checked to exist when an update changes them.
   */
  readonly relationships: ReadonlyArray<
    {
      readonly field: string
      readonly type: ObjectType
      readonly collection: ResourceName
      readonly path: (id: string) => string
    }
  >
  /** The bulk update, `undefined` when the registry has none. */
  readonly update: SimUpdate | undefined
  /** The bulk delete, `undefined` when the registry has none (conversations are marked `deleted` instead). */
  readonly delete: SimDelete | undefined
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

/** How the simulator checks and stores the items of one resource: what the registry does not say. */
interface Behaviour<Item> {
  readonly type: ObjectType
  readonly createdStatus?: SimResource["createdStatus"]
  readonly defaults?: Readonly<Record<string, unknown>>
  readonly relationships?: SimResource["relationships"]
  readonly references?: (item: Item) => ReadonlyArray<Reference>
  /** The id the caller chose for the object, where the resource allows one. */
  readonly objectId?: (item: Item) => string | undefined
  readonly perCustomerLimited?: boolean
  readonly linksConversation?: boolean
  readonly datesNeedOrgAdmin?: boolean
  readonly carriesAttachments?: boolean
  readonly listingFilter?: string
}

const make = <
  Item extends BulkResource.BulkItemBase,
  ItemEncoded extends BulkResource.BulkItemBase,
  Name extends ResourceName
>(
  resource: BulkResource.BulkResource<Item, ItemEncoded, Name>,
  behaviour: Behaviour<Item>
): SimResource & { readonly name: Name } => {
  const decodeItem = Schema.decodeUnknownEither(resource.item)
  const references = behaviour.references ?? (() => [])
  const objectId = behaviour.objectId ?? (() => undefined)
  const toDecoded = (raw: unknown, item: Item): DecodedItem => {
    const attributes: Record<string, unknown> = {}
    if (Predicate.isRecord(raw)) {
      for (const key of Object.keys(raw)) {
        if (key === "_clientRef" || key === "id") continue
        attributes[key] = raw[key]
      }
    }
    const imported = Predicate.isRecord(raw) && raw["importedAt"] !== undefined
    return { externalId: item.externalId, id: objectId(item), references: references(item), imported, attributes }
  }
  const lookUp = resource.externalIdLookUp
  const update = resource.update
  const remove = resource.delete
  return {
    name: resource.name,
    type: behaviour.type,
    createdStatus: behaviour.createdStatus ?? 201,
    externalIdSegment: lookUp?._tag === "PathSegment" ? `${lookUp.segment}=` : undefined,
    externalIdParameter: lookUp?._tag === "QueryParameter" ? lookUp.parameter : undefined,
    listingFilter: behaviour.listingFilter,
    listedByConversation: resource.listing?.parentField === "conversation",
    findableByEmail: resource.findableByEmail,
    deduplicatesExternalId: resource.deduplicatesExternalId,
    perCustomerLimited: behaviour.perCustomerLimited ?? false,
    linksConversation: behaviour.linksConversation ?? false,
    datesNeedOrgAdmin: behaviour.datesNeedOrgAdmin ?? false,
    carriesAttachments: behaviour.carriesAttachments ?? false,
    bulkPath: resource.bulkPath,
    createRoles: resource.createRoles,
    readRoles: resource.readRoles,
    objectPath: (id) => resource.objectPath(id),
    defaults: behaviour.defaults ?? {},
    relationships: behaviour.relationships ?? [],
    decode: (raw) =>
      Either.match(decodeItem(raw), {
        onLeft: (error) => Either.left(formatParseError(error)),
        onRight: (item) => Either.right(toDecoded(raw, item))
      }),
    update: update === undefined ? undefined : simUpdate(update),
    delete: remove === undefined
      ? undefined
      : { path: remove.path, roles: remove.roles, maxIdsPerRequest: remove.maxIdsPerRequest }
  }
}

/** The simulator's side of a registry update: its path, roles, and the decoding of one item. */
const simUpdate = (update: BulkChange.Update): SimUpdate => {
  const decodeItem = Schema.decodeUnknownEither(update.item)
  return {
    path: update.path,
    roles: update.roles,
    decode: (raw) => {
      const decoded = decodeItem(raw)
      if (Either.isLeft(decoded)) return Either.left(formatParseError(decoded.left))
      const changes: Record<string, unknown> = {}
      const id = Predicate.isRecord(raw) ? raw["id"] : undefined
      if (!Predicate.isRecord(raw) || typeof id !== "string") return Either.left("id: is missing")
      for (const key of Object.keys(raw)) {
        if (key === "_clientRef" || key === "id") continue
        changes[key] = raw[key]
      }
      return Either.right({ id, changes })
    }
  }
}

/** A relationship to a top-level object of the registry. */
const relationship = (
  field: string,
  type: ObjectType,
  resource: { readonly name: ResourceName; readonly objectPath: (id: string) => string }
) => ({
  field,
  type,
  collection: resource.name,
  path: (id: string) => resource.objectPath(id)
})

/** Every served resource by name: the registry's descriptor with the simulator's checks of its items. */
export const byName: { readonly [Name in ResourceName]: SimResource & { readonly name: Name } } = {
  /**
   * Companies: no references; any number of them may share an `externalId`. Their listing's `filter` matches the
   * name (Kustomer's "Get companies": "filter this list by the company name"; INFERRED: a part of it, without case).
   */
  companies: make(BulkResource.Companies, { type: "company", listingFilter: "name" }),

  /** Customers: a customer may name its company (by id), which must exist. */
  customers: make(BulkResource.Customers, {
    type: "customer",
    relationships: [relationship("company", "company", BulkResource.Companies)],
    references: (item) =>
      typeof item.company === "string"
        ? [{ field: "company", collection: "companies", type: "company", id: item.company }]
        : []
  }),

  /** Conversations: each references an existing customer and may carry its own id. */
  conversations: make(BulkResource.Conversations, {
    type: "conversation",
    defaults: { status: "open" },
    relationships: [relationship("customer", "customer", BulkResource.Customers)],
    references: (item) => [{ field: "customer", collection: "customers", type: "customer", id: item.customer }],
    objectId: (item) => item.id,
    perCustomerLimited: true
  }),

  /**
   * Messages: each references an existing conversation, and the customer that conversation belongs to. The bulk
   * create answers 200 (Kustomer's documented status for this endpoint).
   */
  messages: make(BulkResource.Messages, {
    type: "message",
    createdStatus: 200,
    relationships: [
      relationship("conversation", "conversation", BulkResource.Conversations),
      relationship("customer", "customer", BulkResource.Customers)
    ],
    references: (item) => {
      const references: Array<Reference> = []
      if (item.customer !== undefined) {
        references.push({ field: "customer", collection: "customers", type: "customer", id: item.customer })
      }
      if (item.conversation !== undefined) {
        references.push({
          field: "conversation",
          collection: "conversations",
          type: "conversation",
          id: item.conversation,
          ...(item.customer === undefined ? {} : { ownedBy: { field: "customer", id: item.customer } })
        })
      }
      return references
    },
    objectId: (item) => item.id,
    perCustomerLimited: true,
    linksConversation: true,
    datesNeedOrgAdmin: true,
    carriesAttachments: true
  }),

  /** Notes: each references an existing conversation. */
  notes: make(BulkResource.Notes, {
    type: "note",
    relationships: [relationship("conversation", "conversation", BulkResource.Conversations)],
    references: (item) => [{
      field: "conversation",
      collection: "conversations",
      type: "conversation",
      id: item.conversation
    }],
    objectId: (item) => item.id,
    datesNeedOrgAdmin: true,
    carriesAttachments: true
  })
}

/** Every served resource, in the registry's order (a migration's: companies first). */
export const all: ReadonlyArray<SimResource> = BulkResource.all.map((resource) => byName[resource.name])

/** One value per served resource, by name. */
export const perResource = <A>(f: (resource: SimResource) => A): { readonly [Name in ResourceName]: A } =>
  Records.map(byName, (resource) => f(resource))
