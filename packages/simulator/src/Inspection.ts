/**
 * What tests and benchmarks can read back from a simulator: counters, stored objects and jobs. The same stats are
 * served, unauthenticated and uncounted, at `GET /__admin/stats`.
 *
 * @since 0.1.0
 */
import type { BulkResource } from "@effect-kustomer/domain"
import type { FaultKind } from "./FaultProfile.js"

/**
 * The resources the simulator stores: every resource of the domain's registry (`BulkResource.all`).
 *
 * @since 0.1.0
 */
export type ResourceName = BulkResource.ResourceName

/**
 * The JSON:API type of a stored object (and the `context` of its bulk jobs).
 *
 * @since 0.1.0
 */
export type ObjectType = "company" | "conversation" | "customer" | "message" | "note"

/**
 * An `externalId` held by more than one stored object, and how many.
 *
 * @since 0.1.0
 */
export interface ExternalIdCount {
  readonly externalId: string
  readonly count: number
}

/**
 * Counters of one stored resource.
 *
 * @since 0.1.0
 */
export interface ResourceStats {
  /** Objects stored now (seeded ones included, deleted ones not; those only marked `deleted` still count). */
  readonly stored: number
  /** Stored objects that carry an `externalId`. */
  readonly withExternalId: number
  /** Distinct `externalId`s among the stored objects. */
  readonly distinctExternalIds: number
  /**
   * Objects stored although an object with the same `externalId` was already stored in this resource: an object
   * stored a third time counts 2. `0` when no client sent an object twice (or when duplicates are refused, see
   * `SimulatorConfig.duplicateExternalIds`).
   */
  readonly storedTwice: number
  /** Every `externalId` stored more than once, and how many times (empty when {@link storedTwice} is 0). */
  readonly externalIdsStoredMoreThanOnce: ReadonlyArray<ExternalIdCount>
  /** Items refused with `duplicate detected` (only in resources whose duplicates are refused). */
  readonly duplicatesRejected: number
  /** Items of bulk creates that failed for any reason (invalid, reference not found, duplicate). */
  readonly itemsFailed: number
  /** Items of bulk updates applied to a stored object (`deleted: true` marks included). */
  readonly updated: number
  /** Items of bulk updates refused (invalid, unknown id, reference not found, duplicate `externalId`). */
  readonly updatesFailed: number
  /** Objects removed by bulk deletes. */
  readonly deleted: number
  /** Ids of bulk deletes refused (no such object — e.g. deleted already). */
  readonly deletesFailed: number
  /** Stored objects marked `deleted: true` by an update (conversations): still stored, still read by id. */
  readonly markedDeleted: number
}

/**
 * The counters of every stored resource, by name (`companies`, `customers`, `conversations`, …).
 *
 * @since 0.1.0
 */
export type ResourceStatsByName = { readonly [Name in ResourceName]: ResourceStats }

/**
 * A snapshot of every counter of a simulator, with one {@link ResourceStats} per resource.
 *
 * @since 0.1.0
 */
export interface SimulatorStats extends ResourceStatsByName {
  readonly requests: {
    /** API requests received (the admin route excepted), whatever their outcome. */
    readonly total: number
    /** API requests by route, e.g. `POST /v1/conversations/bulk` or `GET /v1/bulk/{id}`. */
    readonly byRoute: Readonly<Record<string, number>>
    /** Responses by HTTP status (connection resets are not responses and are counted under faults). */
    readonly byStatus: Readonly<Record<string, number>>
    /** 429s sent, storms included. */
    readonly rateLimited: number
  }
  /** Faults injected, by kind (every kind present). */
  readonly faults: Readonly<Record<FaultKind, number>>
  readonly jobs: {
    readonly created: number
    readonly queued: number
    readonly running: number
    readonly complete: number
  }
  /** Attachment documents and their uploads. */
  readonly attachments: AttachmentStats
}

/**
 * Counters of attachments: documents created by `POST /v1/attachments`, the uploads to their presigned URLs (the
 * storage route, which the rate limit does not count) and the messages and notes that reference them.
 *
 * @since 0.1.0
 */
export interface AttachmentStats {
  /** Attachment documents created. */
  readonly created: number
  /** Documents whose bytes were uploaded (an upload sent again counts once). */
  readonly uploaded: number
  /** Bytes held by the uploaded documents (the latest upload of each). */
  readonly bytes: number
  /** Documents referenced by at least one stored message or note. */
  readonly referenced: number
  /** Documents referenced by more than one stored message or note: a client that attached a file twice. */
  readonly referencedTwice: number
  /** Requests to the upload route, whatever their outcome. */
  readonly uploadRequests: number
  /** Uploads refused (bad form, changed field, wrong size, an `Authorization` header, unknown document). */
  readonly uploadsRefused: number
  /** Uploads answered with an injected fault (5xx, HTML 502 or a connection reset). */
  readonly uploadFaults: number
}

/**
 * One attachment document as the simulator keeps it: what was declared, and what was uploaded (its size and
 * SHA-256, `undefined` until an upload succeeds).
 *
 * @since 0.1.0
 */
export interface StoredAttachment {
  readonly id: string
  readonly name: string
  readonly contentType: string
  /** The size declared when the document was created. */
  readonly contentLength: number
  /** The size of the uploaded bytes. */
  readonly size: number | undefined
  /** The SHA-256 of the uploaded bytes, lowercase hex. */
  readonly sha256: string | undefined
  readonly uploaded: boolean
  /** Ids of the messages and notes that reference it. */
  readonly referencedBy: ReadonlyArray<string>
}

/**
 * One stored object, as the simulator keeps it.
 *
 * @since 0.1.0
 */
export interface StoredObject {
  readonly id: string
  readonly type: ObjectType
  readonly externalId: string | undefined
  /**
   * The item as it was sent (without `_clientRef`), plus `createdAt`/`updatedAt`, with the changes of every bulk
   * update applied since (`deleted: true` when an update marked it deleted).
   */
  readonly attributes: Readonly<Record<string, unknown>>
  /** The bulk job that created it, or `undefined` for seeded objects. */
  readonly jobId: string | undefined
  /** When it was stored, in epoch milliseconds of the simulator's `Clock`. */
  readonly storedAtMillis: number
}

/**
 * The state of one bulk job.
 *
 * @since 0.1.0
 */
export interface JobSnapshot {
  readonly id: string
  readonly resource: ResourceName
  /** What the job does with its items: `create` (`POST`), `update` (`PUT`) or `delete` (`DELETE`). */
  readonly operation: "create" | "update" | "delete"
  readonly status: "queued" | "running" | "complete"
  readonly items: number
  readonly batches: { readonly complete: number; readonly total: number }
  /** Whether the fault profile made this job stall. */
  readonly stalled: boolean
  readonly createdAtMillis: number
  readonly updatedAtMillis: number
}
