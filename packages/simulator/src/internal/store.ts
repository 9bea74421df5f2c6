/**
 * The stored objects of one simulated org, by resource, and the rules an item must pass to be stored: its schema,
 * the objects it references, and the uniqueness of its id and — in the resources whose duplicates are refused —
 * of its `externalId`. Messages and notes keep the `createdAt`/`createdBy` they were sent with only when the key
 * has `org.admin`.
 */
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { ExternalIdCount, ResourceName, ResourceStats, StoredObject } from "../Inspection.js"
import { type ApiKey, orgAdminRole, type SimulatorConfig } from "../SimulatorConfig.js"
import { AttachmentBook } from "./attachments.js"
import { CreationLimit } from "./creationLimit.js"
import type { IdKind } from "./ids.js"
import * as Resources from "./resources.js"
import type { SimResource } from "./resources.js"
import { isoString } from "./time.js"

/**
 * The objects of one resource, indexed by id, by external id, by the conversation they belong to and — for a
 * resource findable by e-mail — by each of their e-mail addresses.
 */
export class Collection {
  readonly byId = new Map<string, StoredObject>()
  readonly all: Array<StoredObject> = []
  /** The first object stored under each external id. */
  private readonly firstByExternalId = new Map<string, StoredObject>()
  /** Objects stored under an external id already taken (only when duplicates are allowed). */
  private readonly extraByExternalId = new Map<string, Array<StoredObject>>()
  /** Objects whose `conversation` attribute names a conversation, by that id, in storage order. */
  private readonly byConversation = new Map<string, Array<StoredObject>>()
  /** Objects by each of their e-mail addresses, lower-cased; the first one stored wins. */
  private readonly byEmail = new Map<string, StoredObject>()
  private withExternalId = 0
  private storedTwice = 0
  duplicatesRejected = 0
  itemsFailed = 0

  constructor(private readonly findableByEmail: boolean) {}

  insert(object: StoredObject): void {
    this.byId.set(object.id, object)
    this.all.push(object)
    if (this.findableByEmail) this.indexEmails(object)
    const conversation = object.attributes["conversation"]
    if (typeof conversation === "string") {
      const children = this.byConversation.get(conversation)
      if (children === undefined) this.byConversation.set(conversation, [object])
      else children.push(object)
    }
    if (object.externalId === undefined) return
    this.withExternalId += 1
    if (!this.firstByExternalId.has(object.externalId)) {
      this.firstByExternalId.set(object.externalId, object)
      return
    }
    this.storedTwice += 1
    const extra = this.extraByExternalId.get(object.externalId)
    if (extra === undefined) this.extraByExternalId.set(object.externalId, [object])
    else extra.push(object)
  }

  /** The object that has `email` among its `emails`, compared without case. */
  findByEmail(email: string): StoredObject | undefined {
    return this.byEmail.get(email.toLowerCase())
  }

  private indexEmails(object: StoredObject): void {
    const emails = object.attributes["emails"]
    if (!Array.isArray(emails)) return
    for (const entry of emails) {
      const email: unknown = Predicate.isRecord(entry) ? entry["email"] : undefined
      if (typeof email !== "string") continue
      const key = email.toLowerCase()
      if (!this.byEmail.has(key)) this.byEmail.set(key, object)
    }
  }

  /** The objects that belong to a conversation, oldest first. */
  ofConversation(conversation: string): ReadonlyArray<StoredObject> {
    return this.byConversation.get(conversation) ?? []
  }

  hasExternalId(externalId: string): boolean {
    return this.firstByExternalId.has(externalId)
  }

  /** Every object stored under `externalId`, first one first. */
  findByExternalId(externalId: string): ReadonlyArray<StoredObject> {
    const first = this.firstByExternalId.get(externalId)
    if (first === undefined) return []
    return [first, ...(this.extraByExternalId.get(externalId) ?? [])]
  }

  /** How many objects are stored under each external id. */
  externalIdCounts(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const externalId of this.firstByExternalId.keys()) {
      counts.set(externalId, 1 + (this.extraByExternalId.get(externalId)?.length ?? 0))
    }
    return counts
  }

  stats(): ResourceStats {
    const storedMoreThanOnce: Array<ExternalIdCount> = []
    for (const [externalId, extra] of this.extraByExternalId) {
      storedMoreThanOnce.push({ externalId, count: 1 + extra.length })
    }
    return {
      stored: this.all.length,
      withExternalId: this.withExternalId,
      distinctExternalIds: this.firstByExternalId.size,
      storedTwice: this.storedTwice,
      externalIdsStoredMoreThanOnce: storedMoreThanOnce,
      duplicatesRejected: this.duplicatesRejected,
      itemsFailed: this.itemsFailed
    }
  }
}

/** Why one item was not stored: the `code` and `error` of its entry in the batch's `errors`. */
export interface ItemFailure {
  readonly code: string
  readonly error: string
  readonly externalId?: string
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

  private insert(name: ResourceName, object: StoredObject): void {
    this.collections[name].insert(object)
  }
}
