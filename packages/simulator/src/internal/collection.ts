/**
 * The objects of one resource as the simulator stores them, and the indexes its routes read them by (id, external
 * id, conversation, e-mail address), kept right through creates, updates and deletions; its counters.
 */
import * as Predicate from "effect/Predicate"
import type { ExternalIdCount, ResourceStats, StoredObject } from "../Inspection.js"

/**
 * A stored object as the store keeps it: an update changes its attributes in place and may change its external id.
 * Readers get it as a `StoredObject` (read-only).
 */
export interface StoredRecord extends StoredObject {
  externalId: string | undefined
  readonly attributes: Record<string, unknown>
}

/**
 * The objects of one resource, indexed by id, by external id, by the conversation they belong to and — for a
 * resource findable by e-mail — by each of their e-mail addresses. Updates and deletions keep every index right.
 */
export class Collection {
  readonly byId = new Map<string, StoredRecord>()
  /** Every object in storage order; deleted ones linger until {@link all} is next read. */
  private stored: Array<StoredRecord> = []
  private removedSinceCompaction = 0
  /** The first object stored under each external id. */
  private readonly firstByExternalId = new Map<string, StoredRecord>()
  /** Objects stored under an external id already taken (only when duplicates are allowed). */
  private readonly extraByExternalId = new Map<string, Array<StoredRecord>>()
  /** Objects whose `conversation` attribute names a conversation, by that id, in storage order. */
  private readonly byConversation = new Map<string, Array<StoredRecord>>()
  /** Objects by each of their e-mail addresses, lower-cased; the first one stored wins. */
  private readonly byEmail = new Map<string, StoredRecord>()
  private withExternalId = 0
  private storedTwice = 0
  private markedDeleted = 0
  duplicatesRejected = 0
  itemsFailed = 0
  private updated = 0
  private updatesFailed = 0
  private deleted = 0
  private deletesFailed = 0

  constructor(private readonly findableByEmail: boolean) {}

  /** Every stored object, in storage order. */
  get all(): ReadonlyArray<StoredRecord> {
    if (this.removedSinceCompaction > 0) {
      this.stored = this.stored.filter((object) => this.byId.get(object.id) === object)
      this.removedSinceCompaction = 0
    }
    return this.stored
  }

  insert(object: StoredRecord): void {
    this.byId.set(object.id, object)
    this.stored.push(object)
    if (this.findableByEmail) this.indexEmails(object)
    this.indexConversation(object)
    if (object.attributes["deleted"] === true) this.markedDeleted += 1
    this.indexExternalId(object, true)
  }

  /**
   * Applies the changes of an update to a stored object, in place: its attributes, its external id, and the
   * indexes of whatever changed (external id, conversation, e-mail addresses).
   */
  update(object: StoredRecord, changes: Readonly<Record<string, unknown>>): void {
    const before = object.attributes
    const externalId = changes["externalId"]
    const externalIdChanges = typeof externalId === "string" && externalId !== object.externalId
    const conversationChanges = "conversation" in changes && changes["conversation"] !== before["conversation"]
    const emailsChange = this.findableByEmail && "emails" in changes
    const wasDeleted = before["deleted"] === true
    if (externalIdChanges) this.unindexExternalId(object)
    if (conversationChanges) this.unindexConversation(object)
    if (emailsChange) this.unindexEmails(object)
    Object.assign(object.attributes, changes)
    if (externalIdChanges) {
      object.externalId = externalId
      this.indexExternalId(object, false)
    }
    if (conversationChanges) this.indexConversation(object)
    if (emailsChange) this.indexEmails(object)
    const isDeleted = object.attributes["deleted"] === true
    if (isDeleted !== wasDeleted) this.markedDeleted += isDeleted ? 1 : -1
    this.updated += 1
  }

  /** Deletes a stored object: it is no longer found by any index. */
  remove(object: StoredRecord): void {
    this.unindexExternalId(object)
    this.unindexConversation(object)
    if (this.findableByEmail) this.unindexEmails(object)
    if (object.attributes["deleted"] === true) this.markedDeleted -= 1
    this.byId.delete(object.id)
    this.removedSinceCompaction += 1
    this.deleted += 1
  }

  /** Counts an item a job could not apply, by what the job does. */
  countFailure(operation: "create" | "update" | "delete", code: string): void {
    switch (operation) {
      case "create":
        this.itemsFailed += 1
        if (code === "duplicate") this.duplicatesRejected += 1
        return
      case "update":
        this.updatesFailed += 1
        return
      case "delete":
        this.deletesFailed += 1
        return
    }
  }

  /** The object that has `email` among its `emails`, compared without case. */
  findByEmail(email: string): StoredObject | undefined {
    return this.byEmail.get(email.toLowerCase())
  }

  private emailsOf(object: StoredRecord): Array<string> {
    const emails = object.attributes["emails"]
    if (!Array.isArray(emails)) return []
    const keys: Array<string> = []
    for (const entry of emails) {
      const email: unknown = Predicate.isRecord(entry) ? entry["email"] : undefined
      if (typeof email === "string") keys.push(email.toLowerCase())
    }
    return keys
  }

  private indexEmails(object: StoredRecord): void {
    for (const key of this.emailsOf(object)) {
      if (!this.byEmail.has(key)) this.byEmail.set(key, object)
    }
  }

  /** Drops an object's addresses; an address another object also has passes to the first such one stored. */
  private unindexEmails(object: StoredRecord): void {
    for (const key of this.emailsOf(object)) {
      if (this.byEmail.get(key) !== object) continue
      this.byEmail.delete(key)
      const next = this.stored.find((other) =>
        other !== object && this.byId.get(other.id) === other && this.emailsOf(other).includes(key)
      )
      if (next !== undefined) this.byEmail.set(key, next)
    }
  }

  private indexConversation(object: StoredRecord): void {
    const conversation = object.attributes["conversation"]
    if (typeof conversation !== "string") return
    const children = this.byConversation.get(conversation)
    if (children === undefined) this.byConversation.set(conversation, [object])
    else children.push(object)
  }

  private unindexConversation(object: StoredRecord): void {
    const conversation = object.attributes["conversation"]
    if (typeof conversation !== "string") return
    const children = this.byConversation.get(conversation) ?? []
    const at = children.indexOf(object)
    if (at >= 0) children.splice(at, 1)
    if (children.length === 0) this.byConversation.delete(conversation)
  }

  /** `storedTwice`: whether an object stored under a taken external id counts as stored twice (a create). */
  private indexExternalId(object: StoredRecord, storedTwice: boolean): void {
    if (object.externalId === undefined) return
    this.withExternalId += 1
    if (!this.firstByExternalId.has(object.externalId)) {
      this.firstByExternalId.set(object.externalId, object)
      return
    }
    if (storedTwice) this.storedTwice += 1
    const extra = this.extraByExternalId.get(object.externalId)
    if (extra === undefined) this.extraByExternalId.set(object.externalId, [object])
    else extra.push(object)
  }

  /** Drops an object's external id; when it was the first under it, the next one stored becomes the first. */
  private unindexExternalId(object: StoredRecord): void {
    const externalId = object.externalId
    if (externalId === undefined) return
    this.withExternalId -= 1
    const extra = this.extraByExternalId.get(externalId) ?? []
    if (this.firstByExternalId.get(externalId) === object) {
      const next = extra.shift()
      if (next === undefined) this.firstByExternalId.delete(externalId)
      else this.firstByExternalId.set(externalId, next)
    } else {
      const at = extra.indexOf(object)
      if (at >= 0) extra.splice(at, 1)
    }
    if (extra.length === 0) this.extraByExternalId.delete(externalId)
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
      stored: this.byId.size,
      withExternalId: this.withExternalId,
      distinctExternalIds: this.firstByExternalId.size,
      storedTwice: this.storedTwice,
      externalIdsStoredMoreThanOnce: storedMoreThanOnce,
      duplicatesRejected: this.duplicatesRejected,
      itemsFailed: this.itemsFailed,
      updated: this.updated,
      updatesFailed: this.updatesFailed,
      deleted: this.deleted,
      deletesFailed: this.deletesFailed,
      markedDeleted: this.markedDeleted
    }
  }
}
