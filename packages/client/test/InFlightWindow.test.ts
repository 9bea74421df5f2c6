/** The window of jobs in flight: sized from the rate and turnaround the import observes, bounded by memory. */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as InFlightWindow from "../src/internal/import/inFlightWindow.js"

const options: InFlightWindow.WindowOptions = { initial: 8, max: 200, headroom: 1.25, horizonMillis: 10_000 }

/**
 * Feeds the window jobs at `jobsPerSecond` (one submission every 1/rate seconds) that each take `turnaroundMillis`,
 * for `seconds`, on the TestClock, and returns the largest number of jobs that were in flight at once.
 */
const drive = (
  window: InFlightWindow.InFlightWindow,
  jobsPerSecond: number,
  turnaroundMillis: number,
  seconds: number
) =>
  Effect.gen(function*() {
    const gap = 1000 / jobsPerSecond
    const fibers: Array<Fiber.RuntimeFiber<void>> = []
    let peak = 0
    for (let job = 0; job < jobsPerSecond * seconds; job++) {
      const acquired = yield* Effect.fork(window.acquire)
      yield* TestClock.adjust(Duration.millis(0))
      assert.isTrue(Option.isSome(yield* Fiber.poll(acquired)), `job ${job} waited for a slot`)
      fibers.push(
        yield* Effect.fork(
          Effect.zipRight(Effect.sleep(Duration.millis(turnaroundMillis)), window.release(turnaroundMillis))
        )
      )
      peak = Math.max(peak, (yield* window.snapshot).inFlight)
      yield* TestClock.adjust(Duration.millis(gap))
    }
    yield* TestClock.adjust(Duration.millis(turnaroundMillis))
    yield* Fiber.joinAll(fibers)
    return peak
  })

describe("InFlightWindow", () => {
  it.effect("fast jobs: the window stays at its start and Little's law matches what was in flight", () =>
    Effect.gen(function*() {
      const window = yield* InFlightWindow.make(options)
      // 10 jobs/s of 0.5 s: 5 in flight.
      const peak = yield* drive(window, 10, 500, 12)
      const snapshot = yield* window.snapshot
      assert.isAtMost(peak, 6)
      assert.strictEqual(snapshot.size, 8)
      assert.strictEqual(snapshot.inFlight, 0)
      assert.closeTo(snapshot.jobsPerSecond, 10, 0.6)
      assert.closeTo(snapshot.meanTurnaroundMillis, 500, 1)
    }))

  it.effect("slow jobs: the window grows so that no submission waits, up to rate × turnaround with headroom", () =>
    Effect.gen(function*() {
      const window = yield* InFlightWindow.make(options)
      // 15 jobs/s of 10 s: 150 in flight, far above the start of 8.
      const peak = yield* drive(window, 15, 10_000, 20)
      assert.isAtLeast(peak, 150)
      const snapshot = yield* window.snapshot
      assert.isAtLeast(snapshot.size, 150)
      assert.isAtMost(snapshot.size, Math.ceil(151 * 1.25))
      // Little's law from what was observed: 15 jobs/s × 10 s × 1.25.
      assert.closeTo(
        InFlightWindow.littleSize(options, snapshot.jobsPerSecond, snapshot.meanTurnaroundMillis),
        188,
        10
      )
    }))

  it.effect("after the jobs speed up, the window shrinks back towards rate × turnaround, never below its start", () =>
    Effect.gen(function*() {
      const window = yield* InFlightWindow.make(options)
      yield* drive(window, 15, 10_000, 12)
      const grown = (yield* window.snapshot).size
      assert.isAtLeast(grown, 150)
      // 15 s later (beyond the horizon since it was last full), 10 jobs/s of 1 s: 10 in flight.
      yield* TestClock.adjust(Duration.seconds(15))
      yield* drive(window, 10, 1000, 15)
      const snapshot = yield* window.snapshot
      assert.isBelow(snapshot.size, grown)
      assert.isAtMost(snapshot.size, Math.ceil(10 * 1 * 1.25) + 2)
      assert.isAtLeast(snapshot.size, options.initial)
    }))

  it.effect("the memory bound holds: at max, a submission waits until a job settles", () =>
    Effect.gen(function*() {
      const window = yield* InFlightWindow.make({ ...options, initial: 2, max: 3 })
      yield* window.acquire
      yield* window.acquire
      yield* window.acquire
      const waiting = yield* Effect.fork(window.acquire)
      yield* TestClock.adjust(Duration.seconds(60))
      assert.isTrue(Option.isNone(yield* Fiber.poll(waiting)))
      assert.strictEqual((yield* window.snapshot).size, 3)
      yield* window.release(1000)
      yield* Fiber.join(waiting)
      assert.strictEqual((yield* window.snapshot).inFlight, 3)
      // A submission that came to nothing frees its slot too; a resumed job takes one without waiting.
      yield* window.release(undefined)
      yield* window.occupy
      assert.strictEqual((yield* window.snapshot).inFlight, 3)
    }))
})
