/**
 * The org's request budget, shared by every request a client makes — submissions, job polls and look-ups alike —
 * as an `HttpClient` transform: {@link transform} waits for a unit before each request and learns from each
 * response's `x-ratelimit-*` headers after it.
 *
 * The limiter starts from a configured budget (e.g. 1000 requests per 60 s) and the server's count and window
 * always win over the local estimate, because other clients of the same org spend the same budget. After a 429
 * every request waits until the window resets (`Retry-After` when the server sent one, else `x-ratelimit-reset`).
 * A spent budget whose reset time is unusable — already past, or implausibly far ahead — waits for one window
 * (the one the server confirmed earlier, else the configured one), never zero and never without end. A response
 * that belongs to an earlier window — its request went out before the current window began, and its reset is
 * already past — neither spends nor pauses the current one: sent near the end of a nearly spent window and answered
 * after the reset, it says only how little that window had left.
 * Polls never take the last units of a window while submissions are waiting, so polling cannot starve submission.
 * With a cap, the configured budget is also a ceiling: over each of the server's windows when its reset headers have
 * shown windows as long as the cap's (two resets in a row), else over a sliding window of its own.
 *
 * All waiting goes through Effect's `Clock`, so `TestClock` drives it in tests.
 *
 * @since 0.1.0
 */
import { RateBudget, RateLimit } from "@effect-kustomer/domain"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
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
import * as Budget from "./internal/budget.js"

/**
 * What a request is for: `submit` (a bulk write), `poll` (a read of a bulk job) or `lookup` (any other read).
 *
 * @since 0.1.0
 */
export type RequestKind = Budget.RequestKind

/**
 * A wait imposed by the budget: every request waits until `untilMillis` (epoch milliseconds).
 *
 * @since 0.1.0
 */
export type Pause = Budget.Pause

/**
 * A snapshot of the limiter's view of the org budget.
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
 * The limiter.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Completes when a request of this kind may be sent, having spent a unit for it. */
  readonly acquire: (kind: RequestKind) => Effect.Effect<void>
  /**
   * Learns from a response: its status (0 when none arrived), its rate-limit information and, when known, when its
   * request was let through (epoch milliseconds), which tells a response of an earlier window from one of the
   * current window.
   */
  readonly observe: (
    kind: RequestKind,
    status: number,
    info: Option.Option<RateLimit.RateLimitInfo>,
    sentAtMillis?: number
  ) => Effect.Effect<void>
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
  /** Wait after a 429 that carries no rate-limit header at all. Default 5 s. */
  readonly fallbackWait?: Duration.DurationInput | undefined
  /** The share of a window's units that polls leave to waiting submissions. Default 0.1. */
  readonly submitReserve?: number | undefined
  /**
   * Treat `limit` per `window` as a ceiling too, even when the server's headers allow more, leaving the rest of the
   * org's budget to its other integrations: no window of the server's holds more than `limit` requests of this
   * limiter when its reset headers have shown windows as long as `window`, else no span of `window` does. Default
   * false: the server's limit wins.
   */
  readonly cap?: boolean | undefined
}

const millisOf = (input: Duration.DurationInput) => Duration.toMillis(Duration.decode(input))

/**
 * Builds a limiter.
 *
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const limit = options.limit ?? RateBudget.enterprise.limit
    const windowMillis = millisOf(options.window ?? RateBudget.enterprise.window)
    const settings: Budget.Settings = {
      windowMillis,
      marginMillis: millisOf(options.margin ?? Duration.millis(250)),
      fallbackWaitMillis: millisOf(options.fallbackWait ?? Duration.seconds(5)),
      submitReserve: options.submitReserve ?? 0.1,
      cap: options.cap === true ? { limit, windowMillis } : undefined
    }
    const state = yield* SynchronizedRef.make(Budget.initial(settings, limit, yield* Clock.currentTimeMillis))
    const pubsub = yield* Effect.acquireRelease(PubSub.sliding<Pause>(256), (hub) => PubSub.shutdown(hub))
    const lastPause = yield* Ref.make(0)

    const announce = (pause: Pause) =>
      Ref.modify(lastPause, (last): [boolean, number] =>
        pause.untilMillis > last ? [true, pause.untilMillis] : [false, last]).pipe(
          Effect.flatMap((fresh) => (fresh ? PubSub.publish(pubsub, pause) : Effect.void))
        )

    const waiting = (kind: RequestKind, delta: number) =>
      kind === "submit"
        ? SynchronizedRef.update(state, (current) => ({ ...current, waitingSubmits: current.waitingSubmits + delta }))
        : Effect.void

    const acquire = (kind: RequestKind): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        SynchronizedRef.modify(state, (before) =>
          Budget.take(settings, before, kind, now))).pipe(
          Effect.flatMap((pause) =>
            Option.match(pause, {
              onNone: () =>
                Effect.void,
              onSome: (wait) =>
                Effect.gen(function*() {
                  yield* announce(wait)
                  const now = yield* Clock.currentTimeMillis
                  yield* waiting(kind, 1)
                  // Whole milliseconds, at least one: a fractional wait could leave a clock that is a hair short of
                  // the reset waking the request again and again without time moving on.
                  yield* Effect.sleep(Duration.millis(Math.max(1, Math.ceil(wait.untilMillis - now)))).pipe(
                    Effect.ensuring(waiting(kind, -1))
                  )
                  return yield* acquire(kind)
                })
            })
          )
        )

    const observe = (
      _kind: RequestKind,
      status: number,
      info: Option.Option<RateLimit.RateLimitInfo>,
      sentAtMillis?: number
    ) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        SynchronizedRef.update(state, (before) =>
          Budget.observe(settings, before, status, info, now, sentAtMillis)))

    return {
      acquire,
      observe,
      snapshot: Effect.map(SynchronizedRef.get(state), (current) => ({
        limit: current.limit,
        remaining: current.remaining,
        resetAtMillis: current.resetAtMillis,
        confirmed: current.confirmed,
        rejections: current.rejections
      })),
      pauses: Stream.fromPubSub(pubsub)
    }
  })

/**
 * The kind of a request, from its method and URL: a write is a `submit`, a read under `/v1/bulk/` a `poll`, any
 * other read a `lookup`.
 *
 * @since 0.1.0
 */
export const kindOf = (request: HttpClientRequest.HttpClientRequest): RequestKind =>
  request.method !== "GET" && request.method !== "HEAD"
    ? "submit"
    : /(^|\/)v1\/bulk\//.test(request.url)
    ? "poll"
    : "lookup"

/**
 * Puts an `HttpClient` under the limiter: every request waits for a unit first, and every response (or its
 * absence) is reported to the limiter after, with the time its request was let through.
 *
 * @since 0.1.0
 */
export const transform =
  (limiter: Pick<Service, "acquire" | "observe">) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.transform(client, (response, request) => {
      const kind = kindOf(request)
      return Effect.zipRight(limiter.acquire(kind), Clock.currentTimeMillis).pipe(
        Effect.flatMap((sentAt) =>
          response.pipe(
            Effect.tap((received) =>
              Effect.flatMap(
                Clock.currentTimeMillis,
                (now) => limiter.observe(kind, received.status, RateLimit.fromHeaders(received.headers, now), sentAt)
              )
            ),
            Effect.tapError(() => limiter.observe(kind, 0, Option.none(), sentAt))
          )
        )
      )
    })

/**
 * A limiter layer.
 *
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<RateLimiter> => Layer.scoped(RateLimiter, make(options))

/**
 * The budget read from `KUSTOMER_RATE_LIMIT` (e.g. `1000/60`), by default Enterprise's 1000/min.
 *
 * @since 0.1.0
 */
export const budgetConfig: Config.Config<RateBudget.RateBudget> = Config.string("KUSTOMER_RATE_LIMIT").pipe(
  Config.mapOrFail((text) =>
    Either.mapLeft(RateBudget.parse(text), (message) => ConfigError.InvalidData(["KUSTOMER_RATE_LIMIT"], message))
  ),
  Config.withDefault(RateBudget.enterprise)
)

/**
 * A limiter whose budget is read from `Config`, by default {@link budgetConfig}.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  budget: Config.Config<RateBudget.RateBudget> = budgetConfig
): Layer.Layer<RateLimiter, ConfigError.ConfigError> =>
  Layer.scoped(RateLimiter, Effect.flatMap(budget, (value) => make({ limit: value.limit, window: value.window })))
