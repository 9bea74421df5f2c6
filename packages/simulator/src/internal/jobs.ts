/**
 * Bulk jobs: a job per accepted request — a create, an update or a delete — split into batches of contiguous items,
 * and its life cycle `queued` → `running` → `complete`. Each batch applies its items in order (stores, updates or
 * deletes the objects) and records one `errors` entry per refused item and, when the request carried
 * `_clientRef`s, one `results` entry per item.
 */
import * as Either from "effect/Either"
import type { JobSnapshot } from "../Inspection.js"
import type { ApiKey, SimulatorConfig } from "../SimulatorConfig.js"
import type { IdKind } from "./ids.js"
import type { SimResource } from "./resources.js"
import type { ItemFailure, ObjectStore } from "./store.js"

/** What a job does with its items: `POST` creates objects, `PUT` updates them, `DELETE` deletes them. */
export type Operation = "create" | "update" | "delete"

/** One entry of a batch's `errors`. */
export interface ItemErrorRecord {
  readonly index: number
  readonly _clientRef?: string
  readonly externalId?: string
  /** The object an update or a delete named. */
  readonly id?: string
  readonly code: string
  readonly error: string
}

/** One entry of a batch's `results`. */
export interface ItemResultRecord {
  readonly _clientRef: string
  readonly objectId?: string
  readonly status: "created" | "updated" | "error"
  readonly error?: string
  /** The error's code: rendered only when item errors are objects. */
  readonly code?: string
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
  readonly operation: Operation
  /**
   * The items the batches process: the request body as parsed (creates and updates, echoed in `payload.api.data`),
   * or the ids of a delete's query.
   */
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

/** The state of a job as `Simulator.job` reports it. */
export const snapshot = (job: JobRecord): JobSnapshot => ({
  id: job.id,
  resource: job.resource.name,
  operation: job.operation,
  status: job.status,
  items: job.items.length,
  batches: { complete: job.batchesComplete, total: job.batches.length },
  stalled: job.stalled,
  createdAtMillis: job.createdAtMillis,
  updatedAtMillis: job.updatedAtMillis
})

/** Every job of the org, and how many are in each state. */
export class JobBook {
  readonly byId = new Map<string, JobRecord>()
  queued = 0
  running = 0
  complete = 0

  constructor(
    private readonly config: SimulatorConfig,
    private readonly store: ObjectStore,
    private readonly newId: (kind: IdKind, nowMillis: number) => string
  ) {}

  /** Records an accepted bulk request as a queued job, split into batches. */
  create(options: {
    readonly resource: SimResource
    readonly operation: Operation
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
        id: this.newId("batch", nowMillis),
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
      id: this.newId("job", nowMillis),
      resource: options.resource,
      operation: options.operation,
      items: options.items,
      clientRefs: options.clientRefs,
      caller: options.caller,
      requestId: this.newId("request", nowMillis),
      createdAtMillis: nowMillis,
      updatedAtMillis: nowMillis,
      status: "queued",
      stalled: options.stalled,
      batches,
      batchesComplete: 0
    }
    this.byId.set(job.id, job)
    this.queued += 1
    return job
  }

  /** A worker took the job: it is `running` and its batches are `scheduled`. */
  start(job: JobRecord, nowMillis: number): void {
    job.status = "running"
    job.updatedAtMillis = nowMillis
    for (const batch of job.batches) batch.status = "scheduled"
    this.queued -= 1
    this.running += 1
  }

  /** Applies one item of a job: the id of the object it created, updated or deleted, or why it was refused. */
  private applyItem(job: JobRecord, raw: unknown, nowMillis: number): Either.Either<string, ItemFailure> {
    switch (job.operation) {
      case "create":
        return this.store.storeItem(job.resource, raw, job.id, job.caller, nowMillis)
      case "update":
        return this.store.updateItem(job.resource, raw, nowMillis)
      case "delete":
        return this.store.deleteItem(job.resource, raw)
    }
  }

  /** Processes every item of one batch, in order, and completes it. */
  runBatch(job: JobRecord, batch: BatchRecord, nowMillis: number): void {
    const collection = this.store.collections[job.resource.name]
    const succeeded = job.operation === "update" ? "updated" : "created"
    for (let index = batch.start; index < batch.end; index++) {
      const clientRef = job.clientRefs?.[index]
      const outcome = this.applyItem(job, job.items[index], nowMillis)
      if (Either.isRight(outcome)) {
        batch.objectIds.push(outcome.right)
        batch.successCount += 1
        if (clientRef !== undefined) {
          batch.results?.push({ _clientRef: clientRef, objectId: outcome.right, status: succeeded })
        }
        continue
      }
      const failure = outcome.left
      batch.failureCount += 1
      collection.countFailure(job.operation, failure.code)
      batch.errors.push({
        index,
        ...(clientRef === undefined ? {} : { _clientRef: clientRef }),
        ...(failure.externalId === undefined ? {} : { externalId: failure.externalId }),
        ...(failure.id === undefined ? {} : { id: failure.id }),
        code: failure.code,
        error: failure.error
      })
      if (clientRef !== undefined) {
        batch.results?.push({ _clientRef: clientRef, status: "error", error: failure.error, code: failure.code })
      }
    }
    batch.status = "complete"
    batch.completedAtMillis = nowMillis
    job.batchesComplete += 1
    job.updatedAtMillis = nowMillis
  }

  /** All batches are done. */
  finish(job: JobRecord, nowMillis: number): void {
    job.status = "complete"
    job.updatedAtMillis = nowMillis
    this.running -= 1
    this.complete += 1
  }
}
