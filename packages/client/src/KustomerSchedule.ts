/**
 * The named schedules of the library: how failed requests are retried and how bulk jobs are polled. They are
 * plain `Schedule`s, exported so that applications can use, combine or replace them.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"

/**
 * Caps every delay of a schedule at `max`.
 *
 * @since 0.1.0
 */
export const capDelay =
  (max: Duration.DurationInput) => <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
    Schedule.modifyDelay(self, (_out, delay) => Duration.min(delay, Duration.decode(max)))

/**
 * Options of {@link backoff}.
 *
 * @since 0.1.0
 */
export interface BackoffOptions {
  /** The first delay. */
  readonly base: Duration.DurationInput
  /** The growth factor between attempts. */
  readonly factor: number
  /** The longest single delay. */
  readonly maxDelay: Duration.DurationInput
  /** The most retries (not counting the first attempt). */
  readonly maxRetries: number
}

/**
 * Capped, jittered exponential backoff with a maximum number of retries. Outputs the retry count.
 *
 * @since 0.1.0
 */
export const backoff = (options: BackoffOptions): Schedule.Schedule<number> =>
  Schedule.exponential(options.base, options.factor).pipe(
    Schedule.jittered,
    capDelay(options.maxDelay),
    Schedule.intersect(Schedule.recurs(options.maxRetries)),
    Schedule.map(([, retries]) => retries)
  )

/**
 * The default retry of a transient failure (server error, transport failure): 0.5 s, 1 s, 2 s … jittered, each
 * delay at most 30 s, at most 6 retries.
 *
 * @since 0.1.0
 */
export const retryTransient: Schedule.Schedule<number> = backoff({
  base: Duration.millis(500),
  factor: 2,
  maxDelay: Duration.seconds(30),
  maxRetries: 6
})

/**
 * The default cadence of job polls after the first one: 1 s, growing by half each time, at most 15 s apart.
 * It recurs forever; bound it with a total time limit.
 *
 * @since 0.1.0
 */
export const pollJob: Schedule.Schedule<Duration.Duration> = Schedule.exponential(Duration.seconds(1), 1.5).pipe(
  capDelay(Duration.seconds(15))
)
