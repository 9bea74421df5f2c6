import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BulkJob, ItemError } from "../src/index.js"
import { acceptedJob } from "./fixtures.js"

const decodeJob = Schema.decodeUnknownEither(BulkJob.BulkJobDocument)
const encodeJob = Schema.encodeEither(BulkJob.BulkJobDocument)
const decodeBatches = Schema.decodeUnknownEither(BulkJob.BatchList)
const results = (document: BulkJob.BatchListDocument) => {
  const first = document.data[0]
  return first === undefined ? [] : BulkJob.readableResults(first.attributes)
}

describe("BulkJobDocument", () => {
  it("decodes every seed field with its real type and re-encodes identical wire JSON", () => {
    const job = Either.getOrThrow(decodeJob(acceptedJob))
    const attributes = BulkJob.attributesOf(job.data)
    assert.strictEqual(job.data.id, "6543a1b7c9e77c0013e5f2aa")
    assert.strictEqual(attributes?.status, "queued")
    assert.strictEqual(attributes?.v2, true)
    assert.strictEqual(attributes?.completed, false)
    assert.deepStrictEqual(BulkJob.payloadOf(job.data)?.api?.user?.roles, ["org.permission.conversation.create"])
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
    assert.strictEqual(results(decoded)[1]?.error, "duplicate detected")
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
    assert.deepStrictEqual(results(decoded)[0]?.status, { _tag: "Unknown", value: "skipped" })
  })

  it("reads a batch without a status as one whose progress is unknown, not as a failed page", () => {
    const decoded = Either.getOrThrow(decodeBatches({ data: [{ attributes: { successCount: 1 } }] }))
    assert.isUndefined(decoded.data[0]?.attributes.status)
    assert.strictEqual(decoded.data[0]?.attributes.successCount, 1)
  })
})

describe("BatchList: odd but plausible answers", () => {
  it("carries links.next when present, and reads a null or absent link as the last page", () => {
    const page = Either.getOrThrow(decodeBatches({
      data: [{ attributes: { status: "complete" } }],
      links: { next: "/v1/bulk/j/batches?page=2" }
    }))
    assert.strictEqual(BulkJob.nextPage(page), "/v1/bulk/j/batches?page=2")
    const last = Either.getOrThrow(decodeBatches({ data: [], links: { next: null } }))
    assert.isUndefined(BulkJob.nextPage(last))
    assert.isUndefined(BulkJob.nextPage(Either.getOrThrow(decodeBatches([]))))
    const linkObject = Either.getOrThrow(
      decodeBatches({ data: [], links: { next: { href: "/v1/bulk/j/batches?page=3" } } })
    )
    assert.strictEqual(BulkJob.nextPage(linkObject), "/v1/bulk/j/batches?page=3")
  })

  it("reads a numeric batch id as a string", () => {
    const decoded = Either.getOrThrow(decodeBatches({ data: [{ id: 7, attributes: { status: "complete" } }] }))
    assert.strictEqual(decoded.data[0]?.id, "7")
    assert.strictEqual(Either.getOrThrow(decodeBatches([{ id: 8, status: "queued" }])).data[0]?.id, "8")
  })

  it("reads null errors, objectIds, results and counts as empty", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [{
        attributes: {
          status: "complete",
          objectIds: null,
          errors: null,
          results: null,
          successCount: null,
          failureCount: null,
          completedAt: null
        }
      }]
    }))
    const attributes = decoded.data[0]?.attributes
    assert.isUndefined(attributes?.objectIds)
    assert.isUndefined(attributes?.errors)
    assert.isUndefined(attributes?.results)
    assert.isUndefined(attributes?.successCount)
    assert.deepStrictEqual(results(decoded), [])
  })

  it("decodes an item error given as an object, and a null objectId", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [{
        attributes: {
          status: "complete",
          results: [
            { _clientRef: "a", status: "error", error: { code: "duplicate", message: "externalId exists" } },
            { _clientRef: "b", status: "created", objectId: null },
            { _clientRef: "c", status: "error", error: null }
          ],
          errors: [{ index: 0, _clientRef: "a", error: { code: "duplicate", message: "externalId exists" } }]
        }
      }]
    }))
    const [first, second, third] = results(decoded)
    assert.deepStrictEqual(first?.error, { code: "duplicate", message: "externalId exists" })
    assert.isTrue(first?.error !== undefined && ItemError.isDuplicate(first.error))
    assert.strictEqual(second?.status, "created")
    assert.isUndefined(second?.objectId)
    assert.isUndefined(third?.error)
    const entry = decoded.data[0]?.attributes.errors?.[0]
    assert.isTrue(entry !== undefined && Either.isRight(entry))
    if (entry !== undefined && Either.isRight(entry)) {
      assert.strictEqual(ItemError.text(BulkJob.itemErrorOf(entry.right)), "externalId exists")
    }
  })

  it("reads completedAt as an ISO string or as epoch milliseconds", () => {
    const millis = Date.UTC(2026, 9, 21, 14, 2, 13)
    const decoded = Either.getOrThrow(decodeBatches({
      data: [
        { attributes: { status: "complete", completedAt: millis } },
        { attributes: { status: "complete", completedAt: "2026-10-21T14:02:13.000Z" } },
        { attributes: { status: "complete", completedAt: "not a date" } }
      ]
    }))
    const instants = decoded.data.map((batch) => BulkJob.completedAtOf(batch.attributes))
    assert.strictEqual(instants[0]?.epochMillis, millis)
    assert.strictEqual(instants[1]?.epochMillis, millis)
    assert.isUndefined(instants[2])
  })

  it("keeps one undecodable result raw, with its clientRef, and decodes its neighbours", () => {
    const odd = { _clientRef: "b", status: 42 }
    const decoded = Either.getOrThrow(decodeBatches({
      data: [{
        attributes: {
          status: "complete",
          results: [
            { _clientRef: "a", status: "created", objectId: "58228e05d4e96711004eccb7" },
            odd,
            "garbage",
            { _clientRef: "c", status: "error", error: "customer not found" }
          ]
        }
      }]
    }))
    const entries = decoded.data[0]?.attributes.results ?? []
    assert.strictEqual(entries.length, 4)
    assert.deepStrictEqual(entries.map((entry) => Either.isRight(entry)), [true, false, false, true])
    const unreadable = entries[1]
    assert.isTrue(unreadable !== undefined && Either.isLeft(unreadable))
    if (unreadable !== undefined && Either.isLeft(unreadable)) {
      assert.deepStrictEqual(unreadable.left, odd)
      assert.strictEqual(BulkJob.rawClientRef(unreadable.left), "b")
    }
    assert.isUndefined(BulkJob.rawClientRef("garbage"))
    assert.deepStrictEqual(results(decoded).map((result) => result._clientRef), ["a", "c"])
  })
})

describe("BulkJobDocument: request records of deletes and ?ids= updates", () => {
  it("decodes payload.api.data given as an object and keeps the status readable", () => {
    const job = Either.getOrThrow(decodeJob({
      data: {
        type: "bulk",
        id: "6543a1b7c9e77c0013e5f2ab",
        attributes: {
          status: "complete",
          ids: ["58228e05d4e96711004eccb7"],
          payload: { api: { data: { ids: ["58228e05d4e96711004eccb7"] }, method: "DELETE" } }
        }
      }
    }))
    assert.isTrue(BulkJob.isComplete(job.data))
    assert.deepStrictEqual(BulkJob.payloadOf(job.data)?.api?.data, { ids: ["58228e05d4e96711004eccb7"] })
  })

  it("keeps an odd payload raw without hiding the job's status", () => {
    const job = Either.getOrThrow(decodeJob({
      data: { id: "j", attributes: { status: "complete", payload: { api: { data: "text", user: [] } } } }
    }))
    assert.isTrue(BulkJob.isComplete(job.data))
    assert.isUndefined(BulkJob.payloadOf(job.data))
  })
})

describe("BatchList: batch fields of an unexpected shape cost at most that field", () => {
  const created = { _clientRef: "a", status: "created", objectId: "58228e05d4e96711004eccb7" }
  const refsOf = (document: BulkJob.BatchListDocument) =>
    document.data.map((batch) => BulkJob.readableResults(batch.attributes).map((result) => result._clientRef))

  it("a null or missing status: the batch's progress is unknown, its results still read", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [
        { id: "b1", attributes: { status: null, results: [created] } },
        { id: "b2", attributes: { results: [{ _clientRef: "b", status: "error", error: "duplicate detected" }] } },
        { id: "b3", attributes: { status: "complete", results: [{ _clientRef: "c", status: "created" }] } }
      ]
    }))
    assert.deepStrictEqual(decoded.data.map((batch) => batch.attributes.status), [undefined, undefined, "complete"])
    assert.deepStrictEqual(refsOf(decoded), [["a"], ["b"], ["c"]])
    assert.isUndefined(decoded.data[0]?.attributes.unreadable)
  })

  it("a status that is not a string is kept raw; the batch and its neighbours still read", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [{ attributes: { status: 3, results: [created] } }, { attributes: { status: "complete" } }]
    }))
    assert.isUndefined(decoded.data[0]?.attributes.status)
    assert.deepStrictEqual(decoded.data[0]?.attributes.unreadable, { status: 3 })
    assert.deepStrictEqual(refsOf(decoded), [["a"], []])
    assert.strictEqual(decoded.data[1]?.attributes.status, "complete")
  })

  it("counts given as numeric strings read as numbers; other odd counts are kept raw", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [
        { attributes: { status: "complete", successCount: "3", failureCount: "0" } },
        { attributes: { status: "complete", successCount: "three", failureCount: -1 } }
      ]
    }))
    assert.strictEqual(decoded.data[0]?.attributes.successCount, 3)
    assert.strictEqual(decoded.data[0]?.attributes.failureCount, 0)
    assert.isUndefined(decoded.data[0]?.attributes.unreadable)
    assert.isUndefined(decoded.data[1]?.attributes.successCount)
    assert.deepStrictEqual(decoded.data[1]?.attributes.unreadable, { successCount: "three", failureCount: -1 })
  })

  it("errors as {} or null mean no errors; errors of another shape are kept raw", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [
        { attributes: { status: "complete", errors: {}, results: [created] } },
        { attributes: { status: "complete", errors: null } },
        { attributes: { status: "complete", errors: { r1: "duplicate detected" } } }
      ]
    }))
    assert.isUndefined(decoded.data[0]?.attributes.errors)
    assert.isUndefined(decoded.data[0]?.attributes.unreadable)
    assert.deepStrictEqual(refsOf(decoded)[0], ["a"])
    assert.isUndefined(decoded.data[1]?.attributes.errors)
    assert.deepStrictEqual(decoded.data[2]?.attributes.unreadable, { errors: { r1: "duplicate detected" } })
  })

  it("odd objectIds, completedAt and results are kept raw without failing the batch", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: [{
        attributes: {
          status: "complete",
          objectIds: "58228e05d4e96711004eccb7",
          completedAt: { at: "yesterday" },
          results: "see errors",
          successCount: 1
        }
      }]
    }))
    const attributes = decoded.data[0]?.attributes
    assert.strictEqual(attributes?.successCount, 1)
    assert.deepStrictEqual(attributes?.unreadable, {
      objectIds: "58228e05d4e96711004eccb7",
      completedAt: { at: "yesterday" },
      results: "see errors"
    })
  })

  it("links null or missing is the last page; links of another shape is kept raw, with no next page", () => {
    const nullLinks = Either.getOrThrow(decodeBatches({ data: [{ attributes: { status: "complete" } }], links: null }))
    assert.isUndefined(BulkJob.nextPage(nullLinks))
    assert.strictEqual(nullLinks.data.length, 1)
    assert.isUndefined(BulkJob.nextPage(Either.getOrThrow(decodeBatches({ data: [] }))))
    const odd = Either.getOrThrow(decodeBatches({ data: [], links: { next: 2 } }))
    assert.isUndefined(BulkJob.nextPage(odd))
    assert.deepStrictEqual(odd.unreadable, { links: { next: 2 } })
  })

  it("data null, missing or {} is an empty page; data of another shape is kept raw", () => {
    for (const body of [{ data: null }, {}, { data: {} }, { data: null, links: null }]) {
      const page = Either.getOrThrow(decodeBatches(body))
      assert.deepStrictEqual(page.data, [])
      assert.isUndefined(page.unreadable)
    }
    const odd = Either.getOrThrow(decodeBatches({ data: "none yet" }))
    assert.deepStrictEqual(odd.data, [])
    assert.deepStrictEqual(odd.unreadable, { data: "none yet" })
    // Only a body that is neither an object nor a list is no page at all.
    assert.isTrue(Either.isLeft(decodeBatches("not batches")))
    assert.isTrue(Either.isLeft(decodeBatches(null)))
  })

  it("a batch that is not an object, or whose attributes are not, is kept raw beside readable neighbours", () => {
    const decoded = Either.getOrThrow(decodeBatches({
      data: ["garbage", { id: "b2", attributes: null }, {
        id: "b3",
        attributes: { status: "complete", results: [created] }
      }]
    }))
    assert.deepStrictEqual(decoded.data.map((batch) => batch.attributes.unreadable), [
      { attributes: "garbage" },
      { attributes: null },
      undefined
    ])
    assert.strictEqual(decoded.data[1]?.id, "b2")
    assert.deepStrictEqual(refsOf(decoded), [[], [], ["a"]])
  })

  it("puts the unreadable parts back as they came when encoding", () => {
    const wire = {
      data: [{
        type: "bulk_batch",
        id: "b1",
        attributes: { status: "complete", successCount: 1, errors: { odd: true }, results: [created] }
      }],
      links: { next: 7 }
    }
    const decoded = Either.getOrThrow(decodeBatches(wire))
    assert.deepStrictEqual(Either.getOrThrow(Schema.encodeEither(BulkJob.BatchList)(decoded)), wire)
  })
})

describe("BulkJobDocument: odd batch progress never hides the job's status", () => {
  it("reads counts given as strings, and a missing progress", () => {
    const job = Either.getOrThrow(decodeJob({
      data: { id: "j", attributes: { status: "complete", batches: { complete: "2", total: "2" } } }
    }))
    assert.deepStrictEqual(BulkJob.attributesOf(job.data)?.batches, { complete: 2, total: 2 })
    assert.isTrue(BulkJob.isComplete(job.data))
    const without = Either.getOrThrow(decodeJob({ data: { id: "j", attributes: { status: "running" } } }))
    assert.strictEqual(BulkJob.attributesOf(without.data)?.status, "running")
    assert.isUndefined(BulkJob.attributesOf(without.data)?.batches)
  })

  it("leaves out progress it cannot read, and reads a null status or flag as absent", () => {
    for (const batches of [{ complete: "some", total: 2 }, { done: 1 }, "1/2", null]) {
      const job = Either.getOrThrow(decodeJob({ data: { id: "j", attributes: { status: "complete", batches } } }))
      assert.isTrue(BulkJob.isComplete(job.data), JSON.stringify(batches))
      assert.isUndefined(BulkJob.attributesOf(job.data)?.batches)
    }
    const flagged = Either.getOrThrow(decodeJob({ data: { id: "j", attributes: { status: null, completed: true } } }))
    assert.isTrue(BulkJob.isComplete(flagged.data))
    const noFlag = Either.getOrThrow(
      decodeJob({ data: { id: "j", attributes: { status: "complete", completed: null } } })
    )
    assert.isTrue(BulkJob.isComplete(noFlag.data))
  })
})
