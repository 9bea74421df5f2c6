import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { faultRun } from "./faultRun.js"

describe("BulkImport under injected faults, full size", () => {
  it.effect(
    "creates each of 10,000 valid records exactly once, through every kind of fault; rejects every invalid one",
    () =>
      Effect.gen(function*() {
        const summary = yield* faultRun(10_000, true)
        // In-doubt submissions were sent again and found as duplicates: they count as created, since this run
        // created them (nothing existed before it).
        assert.isAbove(summary.retries, 0)
        assert.strictEqual(summary.alreadyExisting, 0)
      }),
    { timeout: 300_000 }
  )
})
