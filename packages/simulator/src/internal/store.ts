/**
 * The stored objects of one simulated org, by resource, and the rules an item must pass to be stored: its schema,
 * the objects it references, and the uniqueness of its `externalId` and id.
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { ExternalIdCount, ResourceName, ResourceStats, StoredObject } from "../Inspection.js"
import type { SimulatorConfig } from "../SimulatorConfig.js"
import type { IdKind } from "./ids.js"
import type { SimResource } from "./resources.js"
import { isoString } from "./time.js"

/** The objects of one resource, indexed by id and by external id. */
export class Collection {
  readonly byId = new Map<string, StoredObject>()
  readonly all: Array<StoredObject> = []
  /** The first object stored under each external id. */
  private readonly firstByExternalId = new Map<string, StoredObject>()
  /** Objects stored under an external id already taken (only when duplicates are allowed). */
  private readonly extraByExternalId = new Map<string, Array<StoredObject>>()
  private withExternalId = 0
  duplicatesRejected = 0
  itemsFailed = 0

  insert(object: StoredObject): void {
    this.byId.set(object.id, object)
    this.all.push(object)
    if (object.externalId === undefined) return
    this.withExternalId += 1
    if (!this.firstByExternalId.has(object.externalId)) {
      this.firstByExternalId.set(object.externalId, object)
      return
    }
    const extra = this.extraByExternalId.get(object.externalId)
    if (extra === undefined) this.extraByExternalId.set(object.externalId, [object])
    else extra.push(object)
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
  readonly collections: Record<ResourceName, Collection> = {
    conversations: new Collection(),
    customers: new Collection(),
    messages: new Collection(),
    notes: new Collection()
  }
  /** Creations per resource and customer in the current fixed window of the per-customer limit. */
  private readonly creations = new Map<string, { windowStart: number; count: number }>()

  constructor(
    private readonly config: SimulatorConfig,
    private readonly newId: (kind: IdKind, nowMillis: number) => string
  ) {}

  /** Stores a customer that did not come through a bulk job (start-up seeds and test helpers). */
  seedCustomer(attributes: Readonly<Record<string, unknown>>, nowMillis: number): string {
    const id = this.newId("customer", nowMillis)
    const externalId = attributes["externalId"]
    this.collections.customers.insert({
      id,
      type: "customer",
      externalId: typeof externalId === "string" ? externalId : undefined,
      attributes: { ...attributes, createdAt: isoString(nowMillis), updatedAt: isoString(nowMillis) },
      jobId: undefined,
      storedAtMillis: nowMillis
    })
    return id
  }

  /** Checks one raw item of a job and stores it: its new object id, or why it was refused. */
  storeItem(
    resource: SimResource,
    raw: unknown,
    jobId: string,
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
    const withExternalId = item.externalId === undefined ? {} : { externalId: item.externalId }
    for (const reference of item.references) {
      const target = this.collections[reference.collection].byId.get(reference.id)
      if (target === undefined) {
        return Either.left({ code: "not_found", error: `${reference.field} not found`, ...withExternalId })
      }
      const owner = reference.ownedBy
      if (owner !== undefined && target.attributes[owner.field] !== owner.id) {
        return Either.left({
          code: "invalid",
          error: `${reference.field} ${reference.id} does not belong to ${owner.field} ${owner.id}`,
          ...withExternalId
        })
      }
    }
    if (
      item.externalId !== undefined && this.config.duplicateExternalIds === "reject" &&
      collection.hasExternalId(item.externalId)
    ) {
      return Either.left({ code: "duplicate", error: "duplicate detected", ...withExternalId })
    }
    if (item.id !== undefined && collection.byId.has(item.id)) {
      return Either.left({ code: "duplicate", error: "duplicate detected: id already exists", ...withExternalId })
    }
    if (item.countsAgainst !== undefined) {
      const refused = this.countCreation(resource, item.countsAgainst, nowMillis)
      if (refused !== undefined) return Either.left({ ...refused, ...withExternalId })
    }
    const id = item.id ?? this.newId(resource.type, nowMillis)
    const at = isoString(nowMillis)
    // `item.attributes` is a fresh copy made by the decoder: completed in place rather than copied again.
    const attributes = item.attributes
    for (const key in resource.defaults) {
      if (!(key in attributes)) attributes[key] = resource.defaults[key]
    }
    if (!("createdAt" in attributes)) attributes["createdAt"] = at
    attributes["updatedAt"] = at
    collection.insert({
      id,
      type: resource.type,
      externalId: item.externalId,
      attributes,
      jobId,
      storedAtMillis: nowMillis
    })
    return Either.right(id)
  }

  /** Counts one creation for `customer` under the per-customer limit, or says why it is over the limit. */
  private countCreation(resource: SimResource, customer: string, nowMillis: number): ItemFailure | undefined {
    const limit = this.config.perCustomerCreateLimit
    if (limit === undefined) return undefined
    const windowMillis = Math.max(1, Duration.toMillis(limit.window))
    const windowStart = Math.floor(nowMillis / windowMillis) * windowMillis
    const key = `${resource.name}/${customer}`
    const current = this.creations.get(key)
    const entry = current === undefined || current.windowStart !== windowStart ? { windowStart, count: 0 } : current
    if (entry.count >= limit.limit) {
      return {
        code: "rate_limited",
        error: `more than ${limit.limit} ${resource.name} created for customer ${customer} within ` +
          `${Duration.format(limit.window)}; set importedAt on imported history to waive the limit`
      }
    }
    entry.count += 1
    this.creations.set(key, entry)
    return undefined
  }
}
