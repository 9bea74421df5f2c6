/**
 * The JSON documents the simulator answers with: a bulk job, its batches, and a stored object with its
 * relationships. Pure renderings of the state.
 */
import type { SimulatorConfig } from "../SimulatorConfig.js"
import type { JobRecord } from "./jobs.js"
import type { SimResource } from "./resources.js"
import { isoString } from "./time.js"

/** `{ data: job }`, as a bulk POST's answer and `GET /v1/bulk/{id}`. */
export const jobDocument = (config: SimulatorConfig, job: JobRecord) => ({
  data: {
    type: "bulk",
    id: job.id,
    attributes: {
      ids: [],
      context: job.resource.type,
      status: job.status,
      v2: true,
      payload: {
        api: {
          data: job.items,
          path: job.resource.bulkPath,
          user: {
            id: job.caller.userId,
            userType: "machine",
            roles: job.caller.roles,
            orgName: config.orgName,
            subject: job.caller.userId,
            org: config.orgId
          },
          requestId: job.requestId,
          service: "simulator",
          method: "POST"
        }
      },
      createdAt: isoString(job.createdAtMillis),
      updatedAt: isoString(job.updatedAtMillis),
      completed: job.status === "complete",
      batches: { complete: job.batchesComplete, total: job.batches.length }
    },
    relationships: {
      org: { links: { self: `/v1/orgs/${config.orgId}` }, data: { type: "org", id: config.orgId } },
      createdBy: { links: { self: `/v1/users/${job.caller.userId}` }, data: { type: "user", id: job.caller.userId } }
    },
    links: { self: `/v1/bulk/${job.id}` }
  }
})

/** `{ data: [batch, ...] }`, as `GET /v1/bulk/{id}/batches`. */
export const batchList = (job: JobRecord) => ({
  data: job.batches.map((batch) => ({
    type: "bulk_batch",
    id: batch.id,
    attributes: {
      status: batch.status,
      objectIds: batch.objectIds,
      successCount: batch.successCount,
      failureCount: batch.failureCount,
      completedAt: batch.completedAtMillis === undefined ? null : isoString(batch.completedAtMillis),
      errors: batch.errors,
      ...(batch.results === undefined ? {} : { results: batch.results })
    }
  }))
})

/** `{ data: object }`: a stored object, the fields that name other objects as JSON:API relationships. */
export const objectDocument = (resource: SimResource, id: string, stored: Readonly<Record<string, unknown>>) => {
  const attributes: Record<string, unknown> = { ...stored }
  const relationships: Record<string, unknown> = {}
  for (const relationship of resource.relationships) {
    const target = attributes[relationship.field]
    delete attributes[relationship.field]
    if (typeof target === "string") {
      relationships[relationship.field] = {
        links: { self: relationship.path(target) },
        data: { type: relationship.type, id: target }
      }
    }
  }
  return {
    data: {
      type: resource.type,
      id,
      attributes,
      ...(resource.relationships.length === 0 ? {} : { relationships }),
      links: { self: resource.objectPath(id) }
    }
  }
}
