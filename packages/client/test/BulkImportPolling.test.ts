import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { conversationRecord } from "./records.js"

describe("BulkImport first job read", () => {
  it.effect("a burst of jobs queued behind the API's workers does not delay the first read of later jobs", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const customer = simulator.customerIds[0] ?? ""
      const record = (index: number) => conversationRecord(index, customer)
      // 20 chunks at once, 2 workers of 1 s each: most first reads (after 1 s) find the job still queued. Then,
      // with the API idle again, one more chunk: its job takes 1 s, and its first read should come soon after.
      const burst = Array.from({ length: 2_000 }, (_, index) => record(index))
      const later = Array.from({ length: 100 }, (_, index) => record(2_000 + index))
      const source = Stream.concat(
        Stream.concat(Stream.fromIterable(burst), Stream.execute(Effect.sleep("30 seconds"))),
        Stream.fromIterable(later)
      )
      const start = yield* Clock.currentTimeMillis
      const events = yield* runOnTestClock(
        BulkImport.stream(ImportSource.fromStream(source), {
          submitConcurrency: 20,
          maxJobsInFlight: 32,
          firstPollDelay: Duration.seconds(1)
        }).pipe(Stream.runCollect, Effect.map((all) => Chunk.toReadonlyArray(all)))
      )
      const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000
      const summary = yield* BulkImport.summarize(Stream.fromIterable(events))
      assert.strictEqual(summary.created, 2_100)
      const lastJob = events.filter((event) => event._tag === "ChunkSubmitted").at(-1)
      const lastJobReads = events.filter((event) =>
        event._tag === "JobProgress" && event.jobId === lastJob?.jobId && event.complete === event.total
      )
      assert.lengthOf(lastJobReads, 1)
      // Submitted at 30 s, done at 31 s. Its first read waits at most 1.3 × the burst's slowest job (10 s), not the
      // 30 s cap that the burst's misses would reach if each of them lengthened the delay by a factor.
      assert.isAtMost(seconds, 30 + 13 + 1)
      assert.isTrue(events.filter(ImportEvent.isOutcome).every((outcome) => outcome._tag === "Created"))
    }).pipe(Effect.provide(simulated({ workers: 2, jobLatency: "1 second", itemLatency: "0 millis" }))))
})
