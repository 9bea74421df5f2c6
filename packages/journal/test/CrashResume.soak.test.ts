/** The full-size crash test (`pnpm test:soak`); `CrashResume.test.ts` is its small twin in `pnpm check`. */
import { describe, it } from "@effect/vitest"
import { crashTest } from "./fixtures/crashTest.js"

describe("crash and resume (full size)", () => {
  it.scopedLive(
    "20,000 records, 24 SIGKILLs at random points: every valid record created once, every invalid one in the rejects",
    () =>
      crashTest({
        records: 20_000,
        kills: 24,
        seed: 20_261_127,
        maxLinesBeforeKill: 16,
        maxDelayBeforeKill: 100,
        // Duplicates met while resending in-doubt chunks are counted, not looked up one by one: it keeps the
        // test's request count (and time) down; the bench script runs with look-ups.
        resolveExisting: false,
        journalAttemptsAbove: 10
      }),
    // About 65 s on a quiet 2-core machine.
    600_000
  )
})
