import { NodeContext } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { crashAndResume } from "./fixtures/crashHarness.js"

describe("crash and resume", () => {
  it.scopedLive(
    "20,000 records, 24 SIGKILLs at random points: every valid record created once, every invalid one in the rejects",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "crash-resume-" })
        const result = yield* crashAndResume({
          dir,
          records: 20_000,
          kills: 24,
          seed: 20_261_127,
          maxLinesBeforeKill: 16,
          maxDelayBeforeKill: 100,
          // Duplicates met while resending in-doubt chunks are counted, not looked up one by one: it keeps the
          // test's request count (and time) down; the bench script runs with look-ups.
          lookupExisting: false
        })
        yield* Console.log(
          `crash test: ${result.kills} kills over ${result.attempts.length} attempts in ${result.elapsedMillis} ms; ` +
            `${result.valid} valid records, ${result.stored} stored, ${result.externalIdsStoredMoreThanOnce} ` +
            `duplicated, ${result.lost} lost; ${result.duplicatesRejected} resends caught as duplicates; ` +
            `faults ${JSON.stringify(result.faults)}`
        )
        assert.strictEqual(result.kills, 24)
        assert.isFalse(result.attempts[result.attempts.length - 1]?.killed)
        // The simulator's own counts: exactly one conversation per valid record.
        assert.strictEqual(result.stored, result.valid)
        assert.strictEqual(result.distinctExternalIds, result.valid)
        assert.strictEqual(result.externalIdsStoredMoreThanOnce, 0)
        assert.strictEqual(result.lost, 0)
        // Every invalid record is in the rejects file, once, by its line; no valid record is.
        assert.deepStrictEqual(result.rejectLines, [...result.invalidLines].sort((a, b) => a - b))
        assert.strictEqual(result.rejectsWrittenTwice, 0)
        assert.strictEqual(result.invalidMissingFromRejects, 0)
        assert.strictEqual(result.validInRejects, 0)
        // The last report covers every attempt.
        assert.strictEqual(result.report.status, "finished")
        assert.isTrue(result.report.resumed)
        // Attempts killed before they opened the journal are not in it.
        assert.isAtMost(result.report.attempt, result.attempts.length)
        assert.isAbove(result.report.attempt, 10)
        const cumulative = result.report.cumulative
        assert.strictEqual((cumulative?.created ?? 0) + (cumulative?.alreadyExisting ?? 0), result.valid)
        assert.strictEqual(cumulative?.unknown, 0)
        assert.strictEqual((cumulative?.rejected ?? 0) + (cumulative?.failed ?? 0), result.invalidLines.length)
      }).pipe(Effect.provide(NodeContext.layer)),
    240_000
  )
})
