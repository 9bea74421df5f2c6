import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport } from "../src/index.js"
import { collect, faultRun, faults } from "./faultRun.js"
import { simulated } from "./importHarness.js"
import { recordsWithInvalid } from "./records.js"

describe("BulkImport under injected faults", () => {
  it.effect(
    "creates each of 2,000 valid records exactly once; rejects every invalid one with its position",
    () => Effect.asVoid(faultRun(2_000, false)),
    // The full-size run (10,000 records, every kind of fault) is BulkImportFaults.soak.test.ts.
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
