import { ImportEvent } from "@effect-kustomer/client"
import { Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as RunTimeline from "../src/RunTimeline.js"

const job = (n: number) => Ids.BulkJobId.make(`6b097023c5000000000000${String(n).padStart(2, "0")}`)
const created = (index: number) =>
  new ImportEvent.Created({
    position: { index },
    clientRef: `r${index}`,
    externalId: undefined,
    objectId: "x",
    jobId: job(1)
  })
const rateLimitInfo = (
  options: { readonly limit: number; readonly remaining: number; readonly resetIn: number; readonly now: number }
) => ({
  limit: Option.some(options.limit),
  remaining: Option.some(options.remaining),
  resetAtMillis: Option.some(options.now + options.resetIn),
  retryAfter: Option.none(),
  observedAtMillis: options.now
})
const rejected = (index: number) => new ImportEvent.Rejected({ position: { index }, issues: [], record: {} })

describe("RunTimeline", () => {
  it.effect("puts outcomes, requests, 429 waits and job turnaround in the interval they happened in", () =>
    Effect.gen(function*() {
      const requests = yield* Ref.make(0)
      const recorder = yield* RunTimeline.recorder({ requests: Ref.get(requests) })
      yield* recorder.observe(
        new ImportEvent.ChunkSubmitted({ chunk: 0, jobId: job(1), items: 2, bytes: 10, attempt: 1 })
      )
      yield* Ref.set(requests, 3)
      yield* TestClock.adjust(Duration.millis(2_500))
      // Third interval: the job finished 2.5 s after it was accepted; a 429 makes requests wait 4 s.
      yield* recorder.observe(new ImportEvent.JobProgress({ chunk: 0, jobId: job(1), complete: 1, total: 1 }))
      yield* recorder.observe(created(0))
      yield* recorder.observe(rejected(1))
      yield* recorder.observe(new ImportEvent.RateLimitedUntil({ untilMillis: 6_500, cause: "rejected" }))
      // An overlapping pause adds only what goes beyond the first.
      yield* recorder.observe(new ImportEvent.RateLimitedUntil({ untilMillis: 7_500, cause: "exhausted" }))
      yield* Ref.set(requests, 5)
      yield* recorder.observeRateLimit(rateLimitInfo({ limit: 1000, remaining: 10, resetIn: 20_000, now: 0 }))
      yield* TestClock.adjust(Duration.millis(1_000))
      const timeline = yield* recorder.timeline
      assert.strictEqual(timeline.bucketMillis, 1_000)
      assert.lengthOf(timeline.buckets, 4)
      const third = timeline.buckets[2]
      assert.deepStrictEqual(
        [third?.created, third?.rejected, third?.jobsSettled, third?.turnaroundMillis, third?.rateLimited],
        [1, 1, 1, 2_500, 1]
      )
      assert.strictEqual(third?.waitMillis, 5_000)
      assert.strictEqual(timeline.buckets.reduce((sum, bucket) => sum + bucket.requests, 0), 5)
      // Sampled when an interval begins: what was sent since the last sample is spread over the intervals between.
      assert.deepStrictEqual(timeline.buckets.map((bucket) => bucket.requests), [1, 1, 2, 1])
      // One window seen, which began before the run: its length is not known, Kustomer's minute is drawn.
      assert.deepStrictEqual(timeline.rateLimit, { limit: 1000, windowMillis: 60_000 })
    }))

  it.effect("stays within maxBuckets on a long run: intervals widen, nothing is lost", () =>
    Effect.gen(function*() {
      const recorder = yield* RunTimeline.recorder({ requests: Effect.succeed(0) })
      // 2,000 s: more than maxBuckets intervals of 1 s, and of 2 s.
      const events = 400
      for (let index = 0; index < events; index++) {
        yield* recorder.observe(created(index))
        yield* TestClock.adjust(Duration.seconds(5))
      }
      const timeline = yield* recorder.timeline
      assert.isAtMost(timeline.buckets.length, RunTimeline.maxBuckets)
      assert.strictEqual(timeline.bucketMillis, 4_000)
      assert.strictEqual(timeline.buckets.reduce((sum, bucket) => sum + bucket.created, 0), events)
      assert.deepStrictEqual(timeline.buckets.slice(0, 5).map((bucket) => bucket.created), [1, 1, 1, 1, 0])
    }))

  it.effect("the window's length is inferred from the reset times of a window that began during the run", () =>
    Effect.gen(function*() {
      // Late in a window that began before the run (its 1.5 s left say nothing of its length), then early in the
      // next 10 s window, then later in it; a spent budget's longer reset (a penalty) does not count.
      const latest = yield* Ref.make(Option.some(rateLimitInfo({ limit: 100, remaining: 99, resetIn: 1_500, now: 0 })))
      const recorder = yield* RunTimeline.recorder({ requests: Effect.succeed(0), rateLimit: Ref.get(latest) })
      yield* recorder.observe(created(0))
      yield* TestClock.adjust(Duration.seconds(2))
      yield* Ref.set(latest, Option.some(rateLimitInfo({ limit: 100, remaining: 99, resetIn: 9_400, now: 2_000 })))
      yield* recorder.observe(created(1))
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Ref.set(latest, Option.some(rateLimitInfo({ limit: 100, remaining: 0, resetIn: 45_000, now: 3_000 })))
      yield* recorder.observe(created(2))
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Ref.set(latest, Option.some(rateLimitInfo({ limit: 100, remaining: 40, resetIn: 6_000, now: 4_000 })))
      const timeline = yield* recorder.timeline
      assert.deepStrictEqual(timeline.rateLimit, { limit: 100, windowMillis: 10_000 })
    }))

  it("windowOf snaps up to a usual length, else whole seconds; a minute when nothing was stated", () => {
    assert.strictEqual(RunTimeline.windowOf(undefined), RunTimeline.rateLimitWindowMillis)
    assert.strictEqual(RunTimeline.windowOf(58_400), 60_000)
    assert.strictEqual(RunTimeline.windowOf(8_700), 10_000)
    assert.strictEqual(RunTimeline.windowOf(60_400), 60_000)
    assert.strictEqual(RunTimeline.windowOf(42_300), 43_000)
  })
})
