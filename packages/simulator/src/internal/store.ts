/**
 * The stored objects of one simulated org, by resource, and the rules an item must pass to be stored: its schema,
 * the objects it references, and the uniqueness of its id and — in the resources whose duplicates are refused —
 * of its `externalId`. Messages and notes keep the `createdAt`/`createdBy` they were sent with only when the key
 * has `org.admin`. An update item must pass the resource's update schema and name a stored object (and the objects
 * its changed fields name must exist); a delete item must name a stored object.
 */
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { ResourceName } from "../Inspection.js"
import { type ApiKey, orgAdminRole, type SimulatorConfig } from "../SimulatorConfig.js"
import { AttachmentBook } from "./attachments.js"
import { Collection, type StoredRecord } from "./collection.js"
import { CreationLimit } from "./creationLimit.js"
import type { IdKind } from "./ids.js"
import * as Resources from "./resources.js"
import type { SimResource } from "./resources.js"
import { isoString } from "./time.js"

/** Why one item was not stored, updated or deleted: the `code` and `error` of its entry in the batch's `errors`. */
export interface ItemFailure {
  readonly code: string
  readonly error: string
  readonly externalId?: string
  /** The object an update or a delete named. */
  readonly id?: string
}

/** Every stored object of the org. */
export class ObjectStore {
  readonly collections: { readonly [Name in ResourceName]: Collection } = Resources.perResource((resource) =>
    new Collection(resource.findableByEmail)
  )
  /** The attachment documents that messages and notes may reference. */
  readonly attachments: AttachmentBook
  private readonly creationLimit: CreationLimit

  constructor(
    private readonly config: SimulatorConfig,
    private readonly newId: (kind: IdKind, nowMillis: number) => string
  ) {
    this.creationLimit = new CreationLimit(config.perCustomerCreateLimit)
    this.attachments = new AttachmentBook(`simulator-upload-secret-${config.answers.seed}`, newId)
  }

  /** Stores a customer that did not come through a bulk job (start-up seeds and test helpers). */
  seedCustomer(attributes: Readonly<Record<string, unknown>>, nowMillis: number): string {
    const id = this.newId("customer", nowMillis)
    const externalId = attributes["externalId"]
    this.insert("customers", {
      id,
      type: "customer",
      externalId: typeof externalId === "string" ? externalId : undefined,
      attributes: { ...attributes, createdAt: isoString(nowMillis), updatedAt: isoString(nowMillis) },
      jobId: undefined,
      storedAtMillis: nowMillis
    })
    return id
  }

  /**
   * Checks one raw item of a job sent with `caller`'s key and stores it: its new object id, or why it was refused.
   */
  storeItem(
    resource: SimResource,
    raw: unknown,
    jobId: string,
    caller: ApiKey,
    nowMillis: number
  ): Either.Either<string, ItemFailure> {
    const collection = this.collections[resource.name]
    const decoded = resource.decode(raw)
    if (Either.isLeft(decoded)) {
      const rawExternalId = Predicate.isRecord(raw) ? raw["externalId"] : undefined
      return Either.left({
        code: "invalid",
        error: decoded.left,
        ...(typeof rawExternalId === "string" ? { externalId: rawExternalId } : {})
      })
    }
    const item = decoded.right
    const refuse = (code: string, error: string): Either.Either<string, ItemFailure> =>
      Either.left({ code, error, ...(item.externalId === undefined ? {} : { externalId: item.externalId }) })
    for (const reference of item.references) {
      const target = this.collections[reference.collection].byId.get(reference.id)
      if (target === undefined) return refuse("not_found", `${reference.field} not found`)
      const owner = reference.ownedBy
      if (owner !== undefined && target.attributes[owner.field] !== owner.id) {
        return refuse("invalid", `${reference.field} ${reference.id} does not belong to ${owner.field} ${owner.id}`)
      }
    }
    const attributes = item.attributes
    if (resource.carriesAttachments) {
      const problem = this.attachments.referenceProblem(attributes["attachments"])
      if (problem !== undefined) return refuse("invalid", problem)
    }
    if (resource.linksConversation) {
      const missing = this.fillCustomerFromConversation(attributes)
      if (missing !== undefined) return refuse("invalid", missing)
    }
    if (
      item.externalId !== undefined && this.config.duplicateExternalIds[resource.name] === "reject" &&
      collection.hasExternalId(item.externalId)
    ) {
      return refuse("duplicate", "duplicate detected")
    }
    if (item.id !== undefined && collection.byId.has(item.id)) {
      return refuse("duplicate", "duplicate detected: id already exists")
    }
    const customer = attributes["customer"]
    if (resource.perCustomerLimited && !item.imported && typeof customer === "string") {
      const over = this.creationLimit.take(resource.name, customer, nowMillis)
      if (over !== undefined) return refuse("rate_limited", over)
    }
    if (resource.linksConversation && typeof customer === "string" && attributes["conversation"] === undefined) {
      attributes["conversation"] = this.openConversation(customer, jobId, nowMillis)
    }
    const id = item.id ?? this.newId(resource.type, nowMillis)
    const at = isoString(nowMillis)
    // `item.attributes` is a fresh copy made by the decoder: completed in place rather than copied again.
    for (const key in resource.defaults) {
      if (!(key in attributes)) attributes[key] = resource.defaults[key]
    }
    if (resource.datesNeedOrgAdmin && !caller.roles.includes(orgAdminRole)) {
      // Kustomer keeps these only for an `org.admin` key; for any other it uses the key's own, without an error.
      attributes["createdAt"] = at
      attributes["createdBy"] = caller.userId
    }
    if (!("createdAt" in attributes)) attributes["createdAt"] = at
    attributes["updatedAt"] = at
    this.insert(resource.name, {
      id,
      type: resource.type,
      externalId: item.externalId,
      attributes,
      jobId,
      storedAtMillis: nowMillis
    })
    if (resource.carriesAttachments) this.attachments.reference(id, attributes["attachments"])
    return Either.right(id)
  }

  /**
   * A message without `customer` belongs to its conversation's customer (as Kustomer's create-message-from-
   * conversation does); one with neither a conversation nor a customer cannot be placed (INFERRED for bulk).
   */
  private fillCustomerFromConversation(attributes: Record<string, unknown>): string | undefined {
    const conversation = attributes["conversation"]
    if (attributes["customer"] !== undefined) return undefined
    if (typeof conversation !== "string") return "a message needs a conversation or a customer"
    const owner = this.collections.conversations.byId.get(conversation)?.attributes["customer"]
    if (typeof owner === "string") attributes["customer"] = owner
    return undefined
  }

  /** A message for a customer without a conversation opens a new one (Kustomer's create-message-by-customer). */
  private openConversation(customer: string, jobId: string, nowMillis: number): string {
    const id = this.newId("conversation", nowMillis)
    const at = isoString(nowMillis)
    this.insert("conversations", {
      id,
      type: "conversation",
      externalId: undefined,
      attributes: { customer, status: "open", createdAt: at, updatedAt: at },
      jobId,
      storedAtMillis: nowMillis
    })
    return id
  }

  /**
   * Checks one raw item of an update job and applies it to the object it names: that object's id, or why it was
   * refused — the item fails the update schema (`invalid`), names no stored object or a missing object in a changed
   * relationship (`not_found`), or, in a resource whose duplicates are refused, takes an `externalId` another object
   * has (`duplicate`). `updatedAt` moves to `nowMillis`.
   */
  updateItem(resource: SimResource, raw: unknown, nowMillis: number): Either.Either<string, ItemFailure> {
    const rawId = Predicate.isRecord(raw) && typeof raw["id"] === "string" ? raw["id"] : undefined
    const decoded = resource.update === undefined
      ? Either.left(`${resource.name} have no bulk update`)
      : resource.update.decode(raw)
    if (Either.isLeft(decoded)) {
      return Either.left({ code: "invalid", error: decoded.left, ...(rawId === undefined ? {} : { id: rawId }) })
    }
    const { changes, id } = decoded.right
    const refuse = (code: string, error: string): Either.Either<string, ItemFailure> => Either.left({ code, error, id })
    const collection = this.collections[resource.name]
    const object = collection.byId.get(id)
    if (object === undefined) return refuse("not_found", `${resource.type} ${id} not found`)
    for (const relationship of resource.relationships) {
      const target = changes[relationship.field]
      if (typeof target === "string" && !this.collections[relationship.collection].byId.has(target)) {
        return refuse("not_found", `${relationship.field} not found`)
      }
    }
    const externalId = changes["externalId"]
    if (
      typeof externalId === "string" && externalId !== object.externalId &&
      this.config.duplicateExternalIds[resource.name] === "reject" && collection.hasExternalId(externalId)
    ) {
      return refuse("duplicate", "duplicate detected")
    }
    changes["updatedAt"] = isoString(nowMillis)
    collection.update(object, changes)
    return Either.right(id)
  }

  /** Deletes the object one id of a delete job names: its id, or `not_found` when no such object is stored. */
  deleteItem(resource: SimResource, raw: unknown): Either.Either<string, ItemFailure> {
    const id = typeof raw === "string" ? raw : String(raw)
    const collection = this.collections[resource.name]
    const object = collection.byId.get(id)
    if (object === undefined) return Either.left({ code: "not_found", error: `${resource.type} ${id} not found`, id })
    collection.remove(object)
    return Either.right(id)
  }

  private insert(name: ResourceName, object: StoredRecord): void {
    this.collections[name].insert(object)
  }
}
