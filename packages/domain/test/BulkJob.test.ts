import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BulkJob } from "../src/index.js"
import { acceptedJob } from "./fixtures.js"

const decodeJob = Schema.decodeUnknownEither(BulkJob.BulkJobDocument)
const encodeJob = Schema.encodeEither(BulkJob.BulkJobDocument)
const decodeBatches = Schema.decodeUnknownEither(BulkJob.BatchList)

describe("BulkJobDocument", () => {
  it("decodes every seed field with its real type and re-encodes identical wire JSON", () => {
    const job = Either.getOrThrow(decodeJob(acceptedJob))
    const attributes = BulkJob.attributesOf(job.data)
    assert.strictEqual(job.data.id, "6543a1b7c9e77c0013e5f2aa")
    assert.strictEqual(attributes?.status, "queued")
    assert.strictEqual(attributes?.v2, true)
    assert.strictEqual(attributes?.completed, false)
    assert.deepStrictEqual(attributes?.payload?.api?.user?.roles, ["org.permission.conversation.create"])
    assert.isFalse(BulkJob.isComplete(job.data))
    assert.deepStrictEqual(Either.getOrThrow(encodeJob(job)), acceptedJob)
  })

  it("still yields the job id when the optional parts look odd, and keeps them raw", () => {
    const odd = {
      data: {
        type: "bulk",
        id: "job-1",
        attributes: { status: "queued", v2: "yes", completed: "no", ids: "none" },
        relationships: "n/a",
        links: 7,
        extra: { anything: true }
      }
    }
    const job = Either.getOrThrow(decodeJob(odd))
    assert.strictEqual(job.data.id, "job-1")
    assert.isUndefined(BulkJob.attributesOf(job.data))
    assert.isTrue(job.data.attributes !== undefined && Either.isLeft(job.data.attributes))
    const { extra: _extra, ...withoutExtra } = odd.data
    assert.deepStrictEqual(Either.getOrThrow(encodeJob(job)), { data: withoutExtra })
  })

  it("fails only without a usable job id", () => {
    assert.isTrue(Either.isLeft(decodeJob({ data: { type: "bulk" } })))
    assert.isTrue(Either.isLeft(decodeJob({ data: { id: "" } })))
    assert.isTrue(Either.isLeft(decodeJob([])))
  })

  it("decodes a poll: status, batch progress, unknown statuses as an explicit case", () => {
    const running = Either.getOrThrow(decodeJob({
      data: { type: "bulk", id: "j", attributes: { status: "running", batches: { complete: 1, total: 3 } } }
    }))
    assert.deepStrictEqual(BulkJob.attributesOf(running.data)?.batches, { complete: 1, total: 3 })

    const surprising = Either.getOrThrow(decodeJob({ data: { id: "j", attributes: { status: "paused" } } }))
    assert.deepStrictEqual(BulkJob.attributesOf(surprising.data)?.status, { _tag: "Unknown", value: "paused" })
    assert.deepStrictEqual(
      Either.getOrThrow(encodeJob(surprising)),
      { data: { id: "j", attributes: { status: "paused" } } }
    )

    const done = Either.getOrThrow(decodeJob({ data: { id: "j", attributes: { completed: true } } }))
    assert.isTrue(BulkJob.isComplete(done.data))
  })
})

describe("BatchList", () => {
  const batch = {
    status: "complete",
    objectIds: ["58228e05d4e96711004eccb7"],
    successCount: 1,
    failureCount: 1,
    completedAt: "2026-10-21T14:02:13.000Z",
    errors: [{ index: 1, _clientRef: "crm-002", error: "duplicate detected" }],
    results: [
      { _clientRef: "crm-001", objectId: "58228e05d4e96711004eccb7", status: "created" },
      { _clientRef: "crm-002", status: "error", error: "duplicate detected" }
    ]
  } as const

  it("round-trips the JSON:API shape", () => {
    const wire = { data: [{ type: "bulk_batch", id: "b1", attributes: batch }] }
    const decoded = Either.getOrThrow(decodeBatches(wire))
    assert.strictEqual(decoded.data[0]?.attributes.results?.[1]?.error, "duplicate detected")
    assert.deepStrictEqual(Either.getOrThrow(Schema.encodeEither(BulkJob.BatchList)(decoded)), wire)
  })

  it("accepts a bare array of flat batches", () => {
    const decoded = Either.getOrThrow(decodeBatches([{ id: "b1", ...batch }]))
    assert.strictEqual(decoded.data[0]?.id, "b1")
    assert.strictEqual(decoded.data[0]?.attributes.successCount, 1)
  })

  it("keeps error entries of an unexpected shape raw instead of failing", () => {
    const decoded = Either.getOrThrow(
      decodeBatches({ data: [{ attributes: { status: "scheduled", errors: ["boom"] } }] })
    )
    const entry = decoded.data[0]?.attributes.errors?.[0]
    assert.isTrue(entry !== undefined && Either.isLeft(entry))
  })

  it("decodes an unknown batch or item status as the explicit unknown case", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [{ attributes: { status: "archived", results: [{ _clientRef: "a", status: "skipped" }] } }]
    }))
    assert.deepStrictEqual(decoded.data[0]?.attributes.status, { _tag: "Unknown", value: "archived" })
    assert.deepStrictEqual(decoded.data[0]?.attributes.results?.[0]?.status, { _tag: "Unknown", value: "skipped" })
  })

  it("rejects a batch without a status", () => {
    assert.isTrue(Either.isLeft(decodeBatches({ data: [{ attributes: { successCount: 1 } }] })))
  })
})
