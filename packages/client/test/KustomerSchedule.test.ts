import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { KustomerSchedule } from "../src/index.js"

/**
 * The virtual times at which an always-failing effect is attempted under `schedule` until it gives up. The test
 * clock jumps to each pending wake-up in turn, so every delay is observed exactly.
 */
const attemptTimes = (schedule: Schedule.Schedule<unknown, unknown>) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Clock.currentTimeMillis.pipe(
      Effect.flatMap((now) => Ref.update(times, (all) => [...all, now])),
      Effect.zipRight(Effect.fail("transient"))
    )
    const fiber = yield* Effect.fork(Effect.retry(attempt, schedule))
    for (let step = 0; step < 100 && Option.isNone(yield* Fiber.poll(fiber)); step++) {
      const [next] = yield* TestClock.sleeps()
      const now = yield* Clock.currentTimeMillis
      yield* TestClock.adjust(Duration.millis(next === undefined ? 0 : next - now))
    }
    const exit = yield* Fiber.await(fiber)
    return { times: yield* Ref.get(times), exit }
  })

describe("KustomerSchedule", () => {
  it.effect("backoff grows exponentially, caps each delay, and stops after the maximum", () =>
    Effect.gen(function*() {
      const noJitter = Schedule.exponential(Duration.seconds(1), 2).pipe(
        KustomerSchedule.capDelay(Duration.seconds(5)),
        Schedule.intersect(Schedule.recurs(5))
      )
      const { exit, times } = yield* attemptTimes(noJitter)
      assert.deepStrictEqual(times, [0, 1_000, 3_000, 7_000, 12_000, 17_000])
      assert.isTrue(exit._tag === "Failure")
    }))

  it.effect("retryTransient makes 7 attempts in all, each delay jittered around the exponential and at most 30 s", () =>
    Effect.gen(function*() {
      const { exit, times } = yield* attemptTimes(KustomerSchedule.retryTransient)
      assert.lengthOf(times, 7)
      assert.isTrue(exit._tag === "Failure")
      const delays = times.slice(1).map((time, index) => time - (times[index] ?? 0))
      delays.forEach((delay, index) => {
        const nominal = Math.min(500 * 2 ** index, 30_000)
        assert.isAtLeast(delay, Math.min(nominal * 0.8, 30_000), `delay ${index}`)
        assert.isAtMost(delay, Math.min(nominal * 1.2, 30_000), `delay ${index}`)
      })
    }))

  it.effect("pollJob spaces polls from 1 s up to 15 s", () =>
    Effect.gen(function*() {
      const delays = yield* Schedule.run(
        Schedule.delays(KustomerSchedule.pollJob),
        0,
        Array.from({ length: 12 }, (_, index) => index)
      )
      const millis = Array.from(delays, (delay) => Duration.toMillis(delay))
      assert.strictEqual(millis[0], 1_000)
      assert.strictEqual(millis[1], 1_500)
      assert.strictEqual(millis.at(-1), 15_000)
      assert.isTrue(millis.every((delay, index) => index === 0 || delay >= (millis[index - 1] ?? 0)))
    }))
})
