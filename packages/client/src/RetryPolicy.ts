/**
 * The one retry policy of the library: a pure {@link decide} on a failed request's `reason`, and `Effect.retry`
 * driven by a named `Schedule` for the delays.
 *
 * - `retry`: transient (server error, transport failure): send again after the schedule's next delay.
 * - `waitForWindow`: 429: send again at once — the rate limiter makes the request wait for the window.
 * - `reconcile`: a write that may have taken effect (a 5xx, a reset, an unreadable 201): it is *in doubt*; it is
 *   sent again only for items the API can recognise as duplicates (by `externalId`), on the schedule.
 * - `giveUp`: sending it again cannot help (400, 404, 413 …).
 * - `fatal`: no later request can succeed either (401, 403, no key).
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { isFatal, KustomerError } from "./KustomerError.js"

const isKustomerError = (error: unknown): error is KustomerError => error instanceof KustomerError

/**
 * What to do about a failed request.
 *
 * @since 0.1.0
 */
export type Decision = "retry" | "waitForWindow" | "reconcile" | "giveUp" | "fatal"

/**
 * The decision for `error`. `write`: the request creates objects, so an answer that may have taken effect makes
 * it in doubt rather than simply retryable. A bulk update or delete is not a `write` in this sense: sent again, it
 * sets the same fields or deletes the same ids (an id deleted already is reported `not found`), so it is retried
 * like a read.
 *
 * @since 0.1.0
 */
export const decide = (error: KustomerError, context: { readonly write: boolean }): Decision => {
  if (isFatal(error)) return "fatal"
  if (error.reason._tag === "RateLimited") return "waitForWindow"
  if (context.write && error.reason.mayHaveTakenEffect) return "reconcile"
  return error.retryable ? "retry" : "giveUp"
}

/**
 * Whether a decision sends the request again after the schedule's delay.
 *
 * @since 0.1.0
 */
export const resends = (decision: Decision): boolean => decision === "retry" || decision === "reconcile"

/**
 * Options of {@link retry}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Delays between attempts after transient failures. */
  readonly schedule: Schedule.Schedule<unknown, KustomerError>
  /** How many 429s in a row one attempt may meet before it gives up (the rate limiter makes each wait). */
  readonly maxRateLimitRetries: number
  /**
   * Whether the request creates objects (see {@link decide}): `true` for bulk creates; `false` for reads and for
   * bulk updates and deletes, which are safe to send again.
   */
  readonly write: boolean
  /** Every failure, with its decision, before anything else happens (e.g. to mark a write in doubt). */
  readonly onFailure?: ((error: KustomerError, decision: Decision) => Effect.Effect<void>) | undefined
  /** Before each resend after a transient failure: the attempt that failed (from 1), its error and the delay. */
  readonly onRetry?:
    | ((attempt: number, error: KustomerError, delay: Duration.Duration) => Effect.Effect<void>)
    | undefined
}

/**
 * Runs `request` under the policy: 429s are sent again at once (up to `maxRateLimitRetries` in a row), transient
 * and in-doubt failures on `schedule`; anything else, or an exhausted schedule, fails with the last error.
 *
 * @since 0.1.0
 */
export const retry = <A, E, R>(
  request: Effect.Effect<A, KustomerError | E, R>,
  options: Options
): Effect.Effect<A, KustomerError | E, R> =>
  request.pipe(
    // Only the API's errors are retried: any other error of `request` is carried past the retries as a value.
    Effect.map(Either.right),
    Effect.catchAll((error) => isKustomerError(error) ? Effect.fail(error) : Effect.succeed(Either.left(error))),
    (attempt) => retryApiErrors(attempt, options),
    Effect.flatMap((result) => Either.match(result, { onLeft: (error) => Effect.fail(error), onRight: Effect.succeed }))
  )

const retryApiErrors = <A, R>(
  request: Effect.Effect<A, KustomerError, R>,
  options: Options
): Effect.Effect<A, KustomerError, R> =>
  Effect.gen(function*() {
    const attempts = yield* Ref.make(0)
    const lastError = yield* Ref.make<KustomerError | undefined>(undefined)
    const context = { write: options.write }
    const observed = request.pipe(
      Effect.tapError((error) =>
        Effect.zipRight(
          Effect.zipRight(Ref.update(attempts, (count) => count + 1), Ref.set(lastError, error)),
          options.onFailure === undefined ? Effect.void : options.onFailure(error, decide(error, context))
        )
      )
    )
    const throughWindows = Effect.retry(observed, {
      times: Math.max(0, options.maxRateLimitRetries),
      while: (error) => decide(error, context) === "waitForWindow"
    })
    // The decision is checked before the delay is announced: a failure that is not retried announces nothing.
    const announced = options.schedule.pipe(
      Schedule.whileInput((error: KustomerError) => resends(decide(error, context))),
      Schedule.modifyDelayEffect((_out, delay) =>
        Effect.gen(function*() {
          const error = yield* Ref.get(lastError)
          if (options.onRetry !== undefined && error !== undefined) {
            yield* options.onRetry(yield* Ref.get(attempts), error, delay)
          }
          return delay
        })
      )
    )
    return yield* Effect.retry(throughWindows, announced)
  })
