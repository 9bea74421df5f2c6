/**
 * An idle timeout for a streamed transfer: the transfer reports each sign of life (a chunk read or written), and a
 * watcher fails it once none came for the whole timeout. The watcher sleeps until the earliest moment the timeout
 * could pass, through `Clock`, so a test drives it with `TestClock`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

/**
 * Runs `transfer`, giving it `progress` to call on every sign of life; fails with `onIdle()` (and interrupts the
 * transfer) when none came for `idle`, counted from the start.
 */
export const withIdleTimeout = <A, E, R, E2>(
  idle: Duration.DurationInput,
  transfer: (progress: Effect.Effect<void>) => Effect.Effect<A, E, R>,
  onIdle: (idle: Duration.Duration) => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.gen(function*() {
    const timeout = Duration.decode(idle)
    const timeoutMillis = Duration.toMillis(timeout)
    const lastProgress = yield* Ref.make(yield* Clock.currentTimeMillis)
    const progress = Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(lastProgress, now))
    const watcher: Effect.Effect<never, E2> = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const quietFor = now - (yield* Ref.get(lastProgress))
      if (quietFor >= timeoutMillis) return yield* Effect.fail(onIdle(timeout))
      yield* Effect.sleep(Duration.millis(timeoutMillis - quietFor))
      return yield* watcher
    })
    return yield* Effect.raceFirst(transfer(progress), watcher)
  })
