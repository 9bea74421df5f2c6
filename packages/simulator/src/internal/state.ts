/**
 * The mutable state of one simulated org: stored objects, jobs and their batches, the rate limiter, the fault
 * source and the counters. Every method is synchronous; callers run them inside `Effect.sync` with the time read
 * from `Clock`, so nothing here reads the wall clock.
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { FaultKind } from "../FaultProfile.js"
import type {
  ExternalIdCount,
  JobSnapshot,
  ResourceName,
  ResourceStats,
  SimulatorStats,
  StoredObject
} from "../Inspection.js"
import type { ApiKey, SimulatorConfig } from "../SimulatorConfig.js"
import type { FaultDecision } from "./faults.js"
import { makeFaultSource } from "./faults.js"
import { makeIdGenerator } from "./ids.js"
import type { IdKind } from "./ids.js"
import { FixedWindowLimiter } from "./rateLimiter.js"
import type { SimResource } from "./resources.js"

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

/** One entry of a batch's `errors`. */
export interface ItemErrorRecord {
  readonly index: number
  readonly _clientRef?: string
  readonly externalId?: string
  readonly code: string
  readonly error: string
}

/** One entry of a batch's `results`. */
export interface ItemResultRecord {
  readonly _clientRef: string
  readonly objectId?: string
  readonly status: "created" | "error"
  readonly error?: string
}

/** A batch of a job: a contiguous range of the request's items. */
export interface BatchRecord {
  readonly id: string
  readonly start: number
  readonly end: number
  status: "queued" | "scheduled" | "complete"
  readonly objectIds: Array<string>
  successCount: number
  failureCount: number
  completedAtMillis: number | undefined
  readonly errors: Array<ItemErrorRecord>
  readonly results: Array<ItemResultRecord> | undefined
}

/** A bulk job. */
export interface JobRecord {
  readonly id: string
  readonly resource: SimResource
  /** The request body, as parsed: echoed in `payload.api.data` and processed by the batches. */
  readonly items: ReadonlyArray<unknown>
  /** Each item's `_clientRef`, or `undefined` when the request carried none. */
  readonly clientRefs: ReadonlyArray<string> | undefined
  readonly caller: ApiKey
  readonly requestId: string
  readonly createdAtMillis: number
  updatedAtMillis: number
  status: "queued" | "running" | "complete"
  readonly stalled: boolean
  readonly batches: ReadonlyArray<BatchRecord>
  batchesComplete: number
}

const zeroFaults: Record<FaultKind, number> = {
  server_error_before_acceptance: 0,
  server_error_after_acceptance: 0,
  html_bad_gateway_before_acceptance: 0,
  html_bad_gateway_after_acceptance: 0,
  connection_reset_before_acceptance: 0,
  connection_reset_after_acceptance: 0,
  slow_response: 0,
  stalled_job: 0,
  rate_limit_storm: 0
}

const increment = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

/** Everything one simulator knows. */
export class SimulatorState {
  readonly collections: Record<ResourceName, Collection> = {
    conversations: new Collection(),
    customers: new Collection()
  }
  readonly jobs = new Map<string, JobRecord>()
  readonly limiter: FixedWindowLimiter
  readonly nextFaults: () => FaultDecision
  private readonly nextId = makeIdGenerator()
  private readonly keys: Map<string, ApiKey>

  requestsTotal = 0
  rateLimited = 0
  readonly requestsByRoute = new Map<string, number>()
  readonly responsesByStatus = new Map<string, number>()
  readonly faults: Record<FaultKind, number> = { ...zeroFaults }
  jobsQueued = 0
  jobsRunning = 0
  jobsComplete = 0

  constructor(readonly config: SimulatorConfig) {
    this.limiter = new FixedWindowLimiter(
      config.rateLimit.limit,
      Math.max(1, Duration.toMillis(config.rateLimit.window))
    )
    this.nextFaults = makeFaultSource(config.faults)
    this.keys = new Map(config.apiKeys.map((key) => [key.key, key]))
  }

  id(kind: IdKind, nowMillis: number): string {
    return this.nextId(kind, nowMillis)
  }

  /** The key a bearer `Authorization` header names, if it is one of the org's keys. */
  authenticate(authorization: string | undefined): ApiKey | undefined {
    if (authorization === undefined) return undefined
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)
    return match?.[1] === undefined ? undefined : this.keys.get(match[1])
  }

  countRequest(route: string): void {
    this.requestsTotal += 1
    increment(this.requestsByRoute, route)
  }

  countResponse(status: number): void {
    increment(this.responsesByStatus, String(status))
    if (status === 429) this.rateLimited += 1
  }

  countFault(kind: FaultKind): void {
    this.faults[kind] += 1
  }

  /** Stores a customer that did not come through a bulk job (start-up seeds and test helpers). */
  seedCustomer(attributes: Readonly<Record<string, unknown>>, nowMillis: number): string {
    const id = this.id("customer", nowMillis)
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

  /** Records an accepted bulk request as a queued job, split into batches. */
  createJob(options: {
    readonly resource: SimResource
    readonly items: ReadonlyArray<unknown>
    readonly clientRefs: ReadonlyArray<string> | undefined
    readonly caller: ApiKey
    readonly stalled: boolean
    readonly nowMillis: number
  }): JobRecord {
    const { nowMillis } = options
    const batches: Array<BatchRecord> = []
    for (let start = 0; start < options.items.length; start += this.config.batchSize) {
      batches.push({
        id: this.id("batch", nowMillis),
        start,
        end: Math.min(options.items.length, start + this.config.batchSize),
        status: "queued",
        objectIds: [],
        successCount: 0,
        failureCount: 0,
        completedAtMillis: undefined,
        errors: [],
        results: options.clientRefs === undefined ? undefined : []
      })
    }
    const job: JobRecord = {
      id: this.id("job", nowMillis),
      resource: options.resource,
      items: options.items,
      clientRefs: options.clientRefs,
      caller: options.caller,
      requestId: this.id("request", nowMillis),
      createdAtMillis: nowMillis,
      updatedAtMillis: nowMillis,
      status: "queued",
      stalled: options.stalled,
      batches,
      batchesComplete: 0
    }
    this.jobs.set(job.id, job)
    this.jobsQueued += 1
    return job
  }

  /** A worker took the job: it is `running` and its batches are `scheduled`. */
  startJob(job: JobRecord, nowMillis: number): void {
    job.status = "running"
    job.updatedAtMillis = nowMillis
    for (const batch of job.batches) batch.status = "scheduled"
    this.jobsQueued -= 1
    this.jobsRunning += 1
  }

  /** Processes every item of one batch, in order, and completes it. */
  runBatch(job: JobRecord, batch: BatchRecord, nowMillis: number): void {
    const resource = job.resource
    const collection = this.collections[resource.name]
    const at = isoString(nowMillis)
    for (let index = batch.start; index < batch.end; index++) {
      const clientRef = job.clientRefs?.[index]
      const outcome = this.storeItem(resource, collection, job.items[index], job.id, nowMillis, at)
      if (Either.isRight(outcome)) {
        batch.objectIds.push(outcome.right)
        batch.successCount += 1
        if (clientRef !== undefined) {
          batch.results?.push({ _clientRef: clientRef, objectId: outcome.right, status: "created" })
        }
      } else {
        const failure = outcome.left
        batch.failureCount += 1
        collection.itemsFailed += 1
        if (failure.code === "duplicate") collection.duplicatesRejected += 1
        batch.errors.push({
          index,
          ...(clientRef === undefined ? {} : { _clientRef: clientRef }),
          ...(failure.externalId === undefined ? {} : { externalId: failure.externalId }),
          code: failure.code,
          error: failure.error
        })
        if (clientRef !== undefined) {
          batch.results?.push({ _clientRef: clientRef, status: "error", error: failure.error })
        }
      }
    }
    batch.status = "complete"
    batch.completedAtMillis = nowMillis
    job.batchesComplete += 1
    job.updatedAtMillis = nowMillis
  }

  /** All batches are done. */
  completeJob(job: JobRecord, nowMillis: number): void {
    job.status = "complete"
    job.updatedAtMillis = nowMillis
    this.jobsRunning -= 1
    this.jobsComplete += 1
  }

  private storeItem(
    resource: SimResource,
    collection: Collection,
    raw: unknown,
    jobId: string,
    nowMillis: number,
    at: string
  ): Either.Either<string, { readonly code: string; readonly error: string; readonly externalId?: string }> {
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
      if (!this.collections[reference.collection].byId.has(reference.id)) {
        return Either.left({ code: "not_found", error: `${reference.field} not found`, ...withExternalId })
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
    const id = item.id ?? this.id(resource.type, nowMillis)
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

  jobSnapshot(job: JobRecord): JobSnapshot {
    return {
      id: job.id,
      resource: job.resource.name,
      status: job.status,
      items: job.items.length,
      batches: { complete: job.batchesComplete, total: job.batches.length },
      stalled: job.stalled,
      createdAtMillis: job.createdAtMillis,
      updatedAtMillis: job.updatedAtMillis
    }
  }

  stats(): SimulatorStats {
    return {
      requests: {
        total: this.requestsTotal,
        byRoute: Object.fromEntries(this.requestsByRoute),
        byStatus: Object.fromEntries(this.responsesByStatus),
        rateLimited: this.rateLimited
      },
      faults: { ...this.faults },
      jobs: {
        created: this.jobs.size,
        queued: this.jobsQueued,
        running: this.jobsRunning,
        complete: this.jobsComplete
      },
      conversations: this.collections.conversations.stats(),
      customers: this.collections.customers.stats()
    }
  }
}

/** Formats epoch milliseconds as an ISO 8601 UTC string. */
export const isoString = (millis: number): string => DateTime.formatIso(DateTime.unsafeMake(millis))
