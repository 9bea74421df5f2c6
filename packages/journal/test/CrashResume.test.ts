/**
 * The crash test at a size `pnpm check` can afford on a busy machine: a few SIGKILLs into a 2,000-record import.
 * The full-size run (20,000 records, 24 kills) is `CrashResume.soak.test.ts`; both check the same promises.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { crashTest } from "./fixtures/crashTest.js"

describe("crash and resume", () => {
  it.scopedLive(
    "2,000 records, 4 SIGKILLs at random points: every valid record created once, every invalid one in the rejects",
    () =>
      Effect.gen(function*() {
        const result = yield* crashTest({
          records: 2_000,
          kills: 4,
          seed: 20_261_202,
          // 2,000 records are about 40 milestone lines: kills land in the first half of a run, so each leaves work.
          maxLinesBeforeKill: 8,
          maxDelayBeforeKill: 100,
          // As in the full-size run: duplicates met while resending are counted, not looked up one by one.
          resolveExisting: false,
          // Failed submissions five times as often as in the full-size run, so that a short import meets them too.
          faults: { serverErrorRate: 0.1, connectionResetRate: 0.1 },
          journalAttemptsAbove: 1
        })
        // The submissions met faults too (one in five fails; a run makes dozens).
        const failedSubmissions = Object.entries(result.faults)
          .filter(([kind]) => kind.endsWith("_acceptance"))
          .reduce((sum, [, count]) => sum + count, 0)
        assert.isAbove(failedSubmissions, 0)
      }),
    // Each attempt starts Node with tsx. The whole test takes 10–30 s on a 2-core machine, quiet to busy.
    180_000
  )
})
