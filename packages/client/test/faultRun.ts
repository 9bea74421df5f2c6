/**
 * The import under every kind of injected fault, at any size: `BulkImportFaults.test.ts` runs 2,000 records in
 * `pnpm check`, `BulkImportFaults.soak.test.ts` 10,000 in `pnpm test:soak`; both check the same promises.
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { recordsWithInvalid } from "./records.js"

/** Every kind of fault the simulator can inject, at rates that make each happen many times in 10,000 records. */
export const faults = {
  seed: 20261127,
  serverErrorRate: 0.08,
  htmlBadGatewayRate: 0.03,
  connectionResetRate: 0.04,
  afterAcceptanceShare: 0.5,
  slowRate: 0.05,
  slowDelay: "3 seconds",
  stallRate: 0.05,
  stallDuration: "40 seconds",
  rateLimitStormRate: 0.01,
  rateLimitStormDuration: "4 seconds"
} as const

export const collect = (records: ReadonlyArray<unknown>) =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records)).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events))
    )
  )

/**
 * Imports `count` records (every 250th invalid) against the simulator under {@link faults} and checks that each
 * valid one was created exactly once and each invalid one rejected with its position. `everyKind` also requires
 * each kind of fault to have happened (a large run meets them all).
 */
export const faultRun = (count: number, everyKind: boolean) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.Simulator
    const { invalid, records } = recordsWithInvalid(count, simulator.customerIds, 250)
    const events = yield* collect(records)
    const summary = yield* BulkImport.summarize(Stream.fromIterable(events))
    const stats = yield* simulator.stats

    // The faults really happened.
    const injected = stats.faults
    const total = Object.values(injected).reduce((sum, n) => sum + n, 0)
    assert.isAbove(total, 0)
    if (everyKind) {
      assert.isAbove(
        injected.server_error_after_acceptance + injected.html_bad_gateway_after_acceptance +
          injected.connection_reset_after_acceptance,
        0
      )
      assert.isAbove(
        injected.server_error_before_acceptance + injected.html_bad_gateway_before_acceptance +
          injected.connection_reset_before_acceptance,
        0
      )
      for (const kind of ["stalled_job", "rate_limit_storm", "slow_response"] as const) {
        assert.isAbove(injected[kind], 0, kind)
      }
    }
    // Exactly once, by the simulator's own counts.
    const valid = count - invalid.length
    assert.strictEqual(stats.conversations.stored, valid)
    assert.strictEqual(stats.conversations.distinctExternalIds, valid)
    assert.lengthOf(stats.conversations.externalIdsStoredMoreThanOnce, 0)
    // Every record accounted for as created: those found as duplicates of what a lost request created included.
    assert.strictEqual(summary.read, count)
    assert.strictEqual(summary.created, valid)
    assert.strictEqual(summary.failed + summary.unknown, 0)
    assert.strictEqual(summary.rejected, invalid.length)
    const rejected = events.filter(ImportEvent.isOutcome).filter((outcome) => outcome._tag === "Rejected")
    assert.deepStrictEqual(rejected.map((outcome) => outcome.position.index).sort((a, b) => a - b), invalid)
    // One outcome per record.
    const indexes = new Set(events.filter(ImportEvent.isOutcome).map((outcome) => outcome.position.index))
    assert.strictEqual(indexes.size, count)
    return summary
  }).pipe(Effect.provide(simulated({ faults, jobLatency: "500 millis", itemLatency: "5 millis", workers: 8 })))
