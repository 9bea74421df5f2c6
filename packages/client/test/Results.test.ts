/** Reading per-item verdicts from batches of any plausible shape. */
import { BulkJob } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as BatchResults from "../src/BatchResults.js"
import type { ChunkItem } from "../src/ImportCheckpoint.js"

const decode = Schema.decodeUnknownSync(BulkJob.BatchList)

const item = (index: number): ChunkItem => ({
  position: { index, line: index + 1 },
  clientRef: `r${index}`,
  externalId: `e${index}`,
  json: "{}"
})

const items = [item(0), item(1), item(2), item(3)]

describe("BatchResults.read", () => {
  it("settles items from results with object errors, null objectIds and one unreadable entry", () => {
    const reading = BatchResults.read(
      decode({
        data: [{
          attributes: {
            status: "complete",
            objectIds: null,
            results: [
              { _clientRef: "r0", status: "created", objectId: null },
              { _clientRef: "r1", status: "error", error: { code: "duplicate", message: "exists" } },
              { _clientRef: "r2", status: "error", error: { code: "not_found", message: "customer not found" } },
              { _clientRef: "r3", status: 7 }
            ]
          }
        }]
      }),
      items
    )
    assert.deepStrictEqual(reading.verdicts.get("r0"), { _tag: "Created", objectId: undefined })
    assert.deepStrictEqual(reading.verdicts.get("r1"), { _tag: "Duplicate", error: "exists" })
    assert.deepStrictEqual(reading.verdicts.get("r2"), { _tag: "Failed", error: "customer not found" })
    assert.strictEqual(reading.verdicts.get("r3")?._tag, "Strange")
    assert.isTrue(reading.allComplete)
  })

  it("an unreadable errors entry that names its item makes it strange, not silently created", () => {
    const reading = BatchResults.read(
      decode({
        data: [{
          attributes: {
            status: "complete",
            successCount: 3,
            failureCount: 1,
            errors: [{ _clientRef: "r2", index: "two", error: "bad" }]
          }
        }]
      }),
      items
    )
    const verdict = reading.verdicts.get("r2")
    assert.strictEqual(verdict?._tag, "Strange")
    assert.include(verdict?._tag === "Strange" ? verdict.detail : "", "two")
  })
})
