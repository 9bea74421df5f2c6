import { BulkJob } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as JobReport from "../src/JobReport.js"

const job = Schema.decodeUnknownSync(BulkJob.BulkJobDocument)({
  data: {
    type: "bulk",
    id: "6b097023c5000000000000aa",
    attributes: {
      status: "complete",
      context: "conversation",
      createdAt: "2026-11-27T10:00:00.000Z",
      updatedAt: "2026-11-27T10:00:01.500Z",
      batches: { complete: 1, total: 1 }
    }
  }
})

const withResults = Schema.decodeUnknownSync(BulkJob.BatchList)({
  data: [{
    type: "bulk_batch",
    id: "b1",
    attributes: {
      status: "complete",
      results: [
        { _clientRef: "r0", status: "created", objectId: "6b097023c5000000000000c0" },
        { _clientRef: "r1", status: "error", error: "customer not found" }
      ]
    }
  }]
})

const withoutRefs = Schema.decodeUnknownSync(BulkJob.BatchList)({
  data: [{
    attributes: {
      status: "complete",
      objectIds: ["6b097023c5000000000000c0", "6b097023c5000000000000c1"],
      successCount: 2,
      failureCount: 1,
      errors: [{ index: 2, code: "duplicate", error: "duplicate detected" }]
    }
  }]
})

describe("job <id> report", () => {
  it("lists each item's result from the batches' results", () => {
    const text = JobReport.render(job, withResults)
    assert.include(text, "Bulk job 6b097023c5000000000000aa: complete (conversation)")
    assert.match(text, /batches complete\s+1\/1/)
    assert.match(text, /errors\s+1/)
    assert.match(text, /0 {2}r0 {9}created {2}6b097023c5000000000000c0/)
    assert.match(text, /1 {2}r1 {9}error {4}customer not found/)
    assert.strictEqual(JobReport.exitCode(withResults), 2)
  })

  it("falls back to object ids and errors by index when items carried no _clientRef", () => {
    assert.deepStrictEqual(JobReport.itemRows(withoutRefs).map((row) => [row.index, row.result, row.detail]), [
      [0, "created", "6b097023c5000000000000c0"],
      [1, "created", "6b097023c5000000000000c1"],
      [2, "already existing", "duplicate detected"]
    ])
    // A duplicate is an object that exists already, as an import reports it: not a failure.
    assert.strictEqual(JobReport.exitCode(withoutRefs), 0)
  })

  it("exits 0 when no item failed", () => {
    assert.strictEqual(JobReport.exitCode(Schema.decodeUnknownSync(BulkJob.BatchList)({ data: [] })), 0)
  })
})
