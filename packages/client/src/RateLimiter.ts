/**
 * The org's request budget, shared by every request a client makes — submissions, job polls and look-ups alike.
 *
 * It starts from a configured budget (e.g. 1000 requests per 60 s), spends one unit before each request, and
 * learns from each response's `x-ratelimit-*` headers: the server's count and window always win over the local
 * estimate, because other clients of the same org spend the same budget. After a 429 every request waits until
 * the window resets (`Retry-After` when the server sent one, else `x-ratelimit-reset`). Polls never take the last
 * units of a window while submissions are waiting, so polling cannot starve submission.
 *
 * All waiting goes through Effect's `Clock`, so `TestClock` drives it in tests.
 *
 * @since 0.1.0
 */
import { RateLimit } from "@effect-kustomer/domain"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type { RequestGate, RequestKind } from "./KustomerClient.js"

/**
 * A budget of `limit` requests per `window`.
 *
 * @since 0.1.0
 */
export interface Budget {
  readonly limit: number
  readonly window: Duration.Duration
}

/** Kustomer's Enterprise plan: 1000 requests per minute. @since 0.1.0 */
export const defaultBudget: Budget = { limit: 1000, window: Duration.minutes(1) }

/**
 * Parses `1000/60` (requests per seconds), `1000/60s`, `1000/1m` or `300/10s`.
 *
 * @since 0.1.0
 */
export const parseBudget = (text: string): Either.Either<Budget, string> => {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (match === null) return Either.left(`"${text}" is not a rate limit; expected e.g. 1000/60 (requests per seconds)`)
  const limit = Number(match[1])
  const amount = Number(match[2])
  const unit = match[3] ?? "s"
  const window = unit === "ms"
    ? Duration.millis(amount)
    : unit === "s"
    ? Duration.seconds(amount)
    : unit === "m"
    ? Duration.minutes(amount)
    : Duration.hours(amount)
  if (limit < 1 || Duration.toMillis(window) <= 0) {
    return Either.left(`"${text}": the limit and window must be positive`)
  }
  return Either.right({ limit, window })
}

/**
 * A wait imposed by the budget: every request waits until `untilMillis` (epoch milliseconds).
 *
 * @since 0.1.0
 */
export interface Pause {
  readonly untilMillis: number
  /** `exhausted`: the local count ran out; `rejected`: the server answered 429. */
  readonly cause: "exhausted" | "rejected"
}

/**
 * A snapshot of the limiter.
 *
 * @since 0.1.0
 */
export interface Snapshot {
  readonly limit: number
  readonly remaining: number
  readonly resetAtMillis: number
  /** Whether `resetAtMillis` came from the server (else it is the local estimate). */
  readonly confirmed: boolean
  readonly rejections: number
}

/**
 * The limiter: a {@link RequestGate} for `KustomerClient`, plus what it is doing.
 *
 * @since 0.1.0
 */
export interface Service extends RequestGate {
  readonly snapshot: Effect.Effect<Snapshot>
  /** Every pause, as it starts. */
  readonly pauses: Stream.Stream<Pause>
}

/**
 * The shared rate limiter.
 *
 * @since 0.1.0
 */
export class RateLimiter extends Context.Tag("@effect-kustomer/client/RateLimiter")<RateLimiter, Service>() {}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Requests per window. Default 1000. */
  readonly limit?: number | undefined
  /** The window. Default 1 minute. */
  readonly window?: Duration.DurationInput | undefined
  /** Extra wait after a window's reset time, against clock differences. Default 250 ms. */
  readonly margin?: Duration.DurationInput | undefined
  /** Wait after a 429 that says nothing about when to retry. Default 5 s. */
  readonly fallbackWait?: Duration.DurationInput | undefined
  /** The share of a window's units that polls leave to waiting submissions. Default 0.1. */
  readonly submitReserve?: number | undefined
  /**
   * Treat `limit` as a ceiling: never spend more than `limit` per window even when the server's headers allow
   * more, leaving the rest of the org's budget to its other integrations. Default false: the server's limit wins.
   */
  readonly cap?: boolean | undefined
}

interface State extends Snapshot {
  readonly waitingSubmits: number
  /** Until when the current pause is the server's doing (a 429). */
  readonly rejectedUntilMillis: number
}

/**
 * Builds a limiter.
 *
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const windowMillis = Duration.toMillis(Duration.decode(options.window ?? defaultBudget.window))
    const margin = Duration.toMillis(Duration.decode(options.margin ?? Duration.millis(250)))
    const fallbackWait = Duration.toMillis(Duration.decode(options.fallbackWait ?? Duration.seconds(5)))
    const reserveShare = options.submitReserve ?? 0.1
    const start = yield* Clock.currentTimeMillis
    const limit = options.limit ?? defaultBudget.limit
    const ceiling = options.cap === true ? limit : undefined
    const state = yield* SynchronizedRef.make<State>({
      limit,
      remaining: limit,
      resetAtMillis: start + windowMillis,
      confirmed: false,
      rejections: 0,
      waitingSubmits: 0,
      rejectedUntilMillis: 0
    })
    const pubsub = yield* Effect.acquireRelease(PubSub.sliding<Pause>(256), (hub) => PubSub.shutdown(hub))
    const lastPause = yield* Ref.make(0)

    /** A fresh window when the current one has passed. */
    const rolled = (current: State, now: number): State =>
      now < current.resetAtMillis ? current : {
        ...current,
        remaining: current.limit,
        resetAtMillis: now + windowMillis,
        confirmed: false
      }

    const take = (kind: RequestKind) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        SynchronizedRef.modify(state, (before): [Option.Option<Pause>, State] => {
          const current = rolled(before, now)
          const reserve = kind === "poll" && current.waitingSubmits > 0 ? Math.ceil(current.limit * reserveShare) : 0
          if (current.remaining > reserve) {
            return [Option.none(), { ...current, remaining: current.remaining - 1 }]
          }
          const untilMillis = current.remaining > 0 && reserve > 0
            ? now + Math.min(1000, Math.max(1, current.resetAtMillis - now))
            : current.resetAtMillis + margin
          const cause = now < current.rejectedUntilMillis ? "rejected" : "exhausted"
          return [Option.some({ untilMillis, cause }), current]
        }))

    const announce = (pause: Pause) =>
      Ref.modify(lastPause, (last): [boolean, number] =>
        pause.untilMillis > last ? [true, pause.untilMillis] : [false, last]).pipe(
          Effect.flatMap((fresh) => (fresh ? PubSub.publish(pubsub, pause) : Effect.void))
        )

    const acquire = (kind: RequestKind): Effect.Effect<void> =>
      Effect.flatMap(take(kind), (pause) =>
        Option.match(pause, {
          onNone: () =>
            Effect.void,
          onSome: (wait) =>
            Effect.gen(function*() {
              yield* announce(wait)
              const now = yield* Clock.currentTimeMillis
              if (kind === "submit") {
                yield* SynchronizedRef.update(state, (s) => ({ ...s, waitingSubmits: s.waitingSubmits + 1 }))
              }
              // Whole milliseconds, at least one: a fractional wait could leave a clock that is a hair short of
              // the reset waking the request again and again without time moving on.
              yield* Effect.sleep(Duration.millis(Math.max(1, Math.ceil(wait.untilMillis - now)))).pipe(
                Effect.ensuring(
                  kind === "submit"
                    ? SynchronizedRef.update(state, (s) => ({ ...s, waitingSubmits: s.waitingSubmits - 1 }))
                    : Effect.void
                )
              )
              return yield* acquire(kind)
            })
        }))

    const observe = (_kind: RequestKind, status: number, info: Option.Option<RateLimit.RateLimitInfo>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        SynchronizedRef.update(state, (before) => {
          let current = rolled(before, now)
          if (Option.isSome(info)) {
            const reported = Option.getOrElse(info.value.limit, () =>
              current.limit)
            const serverLimit = ceiling === undefined ? reported : Math.min(reported, ceiling)
            const serverReset = Option.getOrUndefined(info.value.resetAtMillis)
            const reportedRemaining = Option.getOrUndefined(info.value.remaining)
            // With a ceiling, a fresh window holds at most `ceiling` units for this limiter.
            const serverRemaining = reportedRemaining === undefined || ceiling === undefined
              ? reportedRemaining
              : Math.min(reportedRemaining, ceiling)
            current = { ...current, limit: serverLimit }
            if (serverReset !== undefined && serverReset > now) {
              const newer = serverReset > current.resetAtMillis
              const correction = !current.confirmed && serverReset !== current.resetAtMillis
              if (newer || correction) {
                current = {
                  ...current,
                  resetAtMillis: serverReset,
                  confirmed: true,
                  remaining: newer ? serverRemaining ?? current.remaining : Math.min(
                    current.remaining,
                    serverRemaining ?? current.remaining
                  )
                }
              } else if (serverReset === current.resetAtMillis && serverRemaining !== undefined) {
                current = { ...current, confirmed: true, remaining: Math.min(current.remaining, serverRemaining) }
              }
            } else if (serverRemaining !== undefined && serverReset === undefined) {
              current = { ...current, remaining: Math.min(current.remaining, serverRemaining) }
            }
          }
          if (status === 429) {
            const wait = Option.flatMap(info, (rateLimit) =>
              RateLimit.waitAfterRejection(rateLimit, now))
            const resumeAt = Option.match(wait, {
              onNone: () =>
                now + fallbackWait,
              onSome: (duration) => now + Duration.toMillis(duration)
            })
            current = {
              ...current,
              remaining: 0,
              resetAtMillis: Math.max(resumeAt, now + 1),
              confirmed: true,
              rejections: current.rejections + 1,
              rejectedUntilMillis: Math.max(resumeAt, now + 1)
            }
          }
          return current
        }))

    return {
      acquire,
      observe,
      snapshot: Effect.map(
        SynchronizedRef.get(state),
        ({ rejectedUntilMillis: _until, waitingSubmits: _waiting, ...snapshot }) => snapshot
      ),
      pauses: Stream.fromPubSub(pubsub)
    }
  })

/** A limiter layer. @since 0.1.0 */
export const layer = (options: Options = {}): Layer.Layer<RateLimiter> => Layer.scoped(RateLimiter, make(options))

/**
 * A limiter whose budget is read from `KUSTOMER_RATE_LIMIT` (e.g. `1000/60`), by default Enterprise's 1000/min.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  budget: Config.Config<Budget> = Config.string("KUSTOMER_RATE_LIMIT").pipe(
    Config.mapOrFail((text) =>
      Either.mapLeft(parseBudget(text), (message) => ConfigError.InvalidData(["KUSTOMER_RATE_LIMIT"], message))
    ),
    Config.withDefault(defaultBudget)
  )
): Layer.Layer<RateLimiter, ConfigError.ConfigError> =>
  Layer.scoped(RateLimiter, Effect.flatMap(budget, (value) => make(value)))
