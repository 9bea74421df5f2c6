/** Events are Schema classes: each one survives a trip through JSON as the same class with the same values. */
import { Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ImportEvent } from "../src/index.js"

const jobId = Ids.BulkJobId.make("65f0c0ffee0000000000abcd")

const events: ReadonlyArray<ImportEvent.ImportEvent> = [
  new ImportEvent.Created({
    position: { index: 0, line: 1 },
    clientRef: "r0",
    externalId: "t-0",
    objectId: "obj-0",
    jobId
  }),
  new ImportEvent.Created({
    position: { index: 1 },
    clientRef: "r1",
    externalId: undefined,
    objectId: undefined,
    jobId: undefined
  }),
  new ImportEvent.AlreadyExisting({ position: { index: 2 }, clientRef: "r2", externalId: "t-2", objectId: undefined }),
  new ImportEvent.Failed({
    position: { index: 3, line: 4 },
    clientRef: "r3",
    externalId: undefined,
    reason: "customer not found",
    jobId,
    item: "{\"name\":\"x\"}"
  }),
  new ImportEvent.Rejected({
    position: { index: 4, line: 5 },
    issues: [{ path: "status", message: "Expected \"open\"" }],
    record: { status: "bogus", nested: [1, { deep: null }] }
  }),
  new ImportEvent.Unknown({
    position: { index: 5 },
    clientRef: "r5",
    externalId: undefined,
    reason: "in doubt",
    jobId: undefined,
    item: "{}"
  }),
  new ImportEvent.ChunkSubmitted({ chunk: 0, jobId, items: 100, bytes: 51_234, attempt: 1 }),
  new ImportEvent.JobProgress({ chunk: 0, jobId, complete: 1, total: 2 }),
  new ImportEvent.RateLimitedUntil({ untilMillis: 1_700_000_000_000, cause: "rejected" }),
  new ImportEvent.Retrying({ chunk: 3, attempt: 2, reason: "503", delay: Duration.millis(1500) }),
  new ImportEvent.JobTimedOut({ chunk: 4, jobId, waited: Duration.minutes(10) }),
  new ImportEvent.Finished({ jobs: 2, submits: 3, polls: 4, lookups: 0, rateLimited: 1, retries: 1 })
]

describe("ImportEvent", () => {
  it.effect("every event encodes to JSON and decodes back to the same class with the same values", () =>
    Effect.gen(function*() {
      const asJson = Schema.parseJson(ImportEvent.ImportEvent)
      for (const event of events) {
        const text = yield* Schema.encode(asJson)(event)
        const back = yield* Schema.decodeUnknown(asJson)(text)
        assert.strictEqual(back._tag, event._tag)
        assert.strictEqual(back.constructor, event.constructor)
        assert.deepStrictEqual(back, event, text)
      }
      const retrying = yield* Schema.encode(asJson)(events[9] ?? events[0]!)
      assert.include(retrying, "\"delay\":1500")
    }))

  it("refuses a malformed event", () => {
    const decoded = Schema.decodeUnknownEither(ImportEvent.Outcome)({
      _tag: "Created",
      position: { index: "first" },
      clientRef: "r0"
    })
    assert.isTrue(decoded._tag === "Left")
  })

  it("keeps the outcome helpers of the classes", () => {
    const failed = events[3]
    const rejected = events[4]
    assert.isTrue(failed?._tag === "Failed" && failed.final)
    assert.strictEqual(rejected?._tag === "Rejected" ? rejected.reason : "", "status: Expected \"open\"")
  })
})
