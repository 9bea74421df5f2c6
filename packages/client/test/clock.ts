/** Running an effect to completion on the `TestClock`: the clock jumps to each pending wake-up in turn. */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"

/**
 * Forks `effect` and advances the test clock to each next scheduled sleep until it finishes. Fails (as a defect)
 * when it would take more than `maxSteps` jumps, so a hung pipeline cannot hang the test.
 */
export const runOnTestClock = <A, E, R>(effect: Effect.Effect<A, E, R>, maxSteps = 200_000) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let step = 0; step < maxSteps; step++) {
      yield* Effect.yieldNow()
      if (Option.isSome(yield* Fiber.poll(fiber))) return yield* Fiber.join(fiber)
      const all = Array.from(yield* TestClock.sleeps())
      // Pending wake-ups are listed in the order they were scheduled: take the earliest.
      const next = all.length === 0 ? undefined : Math.min(...all)
      if (next === undefined) continue
      const now = yield* Clock.currentTimeMillis
      // Jittered delays are fractional: round up so the clock really reaches the wake-up time.
      yield* TestClock.adjust(Duration.millis(Math.max(0, Math.ceil(next - now))))
    }
    yield* Fiber.interrupt(fiber)
    return yield* Effect.dieMessage(`did not finish within ${maxSteps} clock steps`)
  })
