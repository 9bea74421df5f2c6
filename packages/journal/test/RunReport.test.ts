import { ImportEvent } from "@effect-kustomer/client"
import { Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { RunReport } from "../src/index.js"

describe("RunReport", () => {
  it.effect("counts rate-limit pauses, and overlapping pauses once in the waited time", () =>
    Effect.gen(function*() {
      const tracker = yield* RunReport.tracker
      yield* TestClock.setTime(10_000)
      yield* tracker.observe(new ImportEvent.RateLimitedUntil({ untilMillis: 12_000, cause: "exhausted" }))
      yield* TestClock.setTime(11_000)
      // Overlaps the first pause by a second.
      yield* tracker.observe(new ImportEvent.RateLimitedUntil({ untilMillis: 14_000, cause: "rejected" }))
      yield* TestClock.setTime(20_000)
      yield* tracker.observe(new ImportEvent.RateLimitedUntil({ untilMillis: 20_500, cause: "rejected" }))
      const jobId = Schema.decodeSync(Ids.BulkJobId)("job-1")
      yield* tracker.observe(new ImportEvent.ChunkSubmitted({ chunk: 0, jobId, items: 1, bytes: 10, attempt: 1 }))
      yield* tracker.observe(
        new ImportEvent.Created({
          position: { index: 0 },
          clientRef: "r0",
          externalId: undefined,
          objectId: undefined,
          jobId
        })
      )
      const observed = yield* tracker.observed
      assert.deepStrictEqual(observed.rateLimitWaits, { count: 3, totalMillis: 4_500, longestMillis: 3_000 })
      assert.deepStrictEqual(observed.jobIds, ["job-1"])
      assert.strictEqual(observed.counts.created, 1)
    }))
})
