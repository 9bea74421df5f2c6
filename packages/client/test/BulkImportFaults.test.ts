import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { recordsWithInvalid } from "./records.js"

/** Every kind of fault the simulator can inject, at rates that make each happen many times in 10,000 records. */
const faults = {
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

const collect = (records: ReadonlyArray<unknown>) =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records)).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events))
    )
  )

describe("BulkImport under injected faults", () => {
  it.effect(
    "creates each of 10,000 valid records exactly once; rejects every invalid one with its position",
    () =>
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const { invalid, records } = recordsWithInvalid(10_000, simulator.customerIds, 250)
        const events = yield* collect(records)
        const summary = yield* BulkImport.summarize(Stream.fromIterable(events))
        const stats = yield* simulator.stats

        // The faults really happened.
        const injected = stats.faults
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
        // Exactly once, by the simulator's own counts.
        const valid = 10_000 - invalid.length
        assert.strictEqual(stats.conversations.stored, valid)
        assert.strictEqual(stats.conversations.distinctExternalIds, valid)
        assert.lengthOf(stats.conversations.externalIdsStoredMoreThanOnce, 0)
        // Every record accounted for: created, or found existing after an in-doubt attempt.
        assert.strictEqual(summary.read, 10_000)
        assert.strictEqual(summary.created + summary.alreadyExisting, valid)
        assert.isAbove(summary.alreadyExisting, 0)
        assert.strictEqual(summary.failed + summary.unknown, 0)
        assert.strictEqual(summary.rejected, invalid.length)
        const rejected = events.filter(ImportEvent.isOutcome).filter((outcome) => outcome._tag === "Rejected")
        assert.deepStrictEqual(rejected.map((outcome) => outcome.position.index).sort((a, b) => a - b), invalid)
        // One outcome per record.
        const indexes = new Set(events.filter(ImportEvent.isOutcome).map((outcome) => outcome.position.index))
        assert.strictEqual(indexes.size, 10_000)
      }).pipe(Effect.provide(simulated({ faults, jobLatency: "500 millis", itemLatency: "5 millis", workers: 8 }))),
    { timeout: 120_000 }
  )

  it.effect(
    "never sends an in-doubt record without externalId twice: it is reported unknown",
    () =>
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const { records } = recordsWithInvalid(2_000, simulator.customerIds, 0, false)
        const events = yield* collect(records)
        const summary = yield* BulkImport.summarize(Stream.fromIterable(events))
        const stored = yield* simulator.conversations
        const byName = new Map<string, number>()
        for (const conversation of stored) {
          const name = String(conversation.attributes["name"] ?? "")
          byName.set(name, (byName.get(name) ?? 0) + 1)
        }
        assert.isTrue([...byName.values()].every((count) => count === 1))
        assert.isAbove(summary.unknown, 0)
        assert.strictEqual(summary.created + summary.unknown, 2_000)
        // Every created record is stored; unknown ones may or may not be.
        assert.isAtLeast(stored.length, summary.created)
        assert.isAtMost(stored.length, summary.created + summary.unknown)
      }).pipe(Effect.provide(simulated({ faults: { ...faults, seed: 7 }, jobLatency: "300 millis" }))),
    { timeout: 60_000 }
  )
})
