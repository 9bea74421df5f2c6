/**
 * A run's time series, for the report's charts: per interval, the outcomes, the HTTP requests sent, the 429
 * answers, the time requests waited for the rate limit, and the turnaround of the jobs that finished. Recorded
 * from the run's events in bounded memory: at most {@link maxBuckets} intervals (when a run outlasts them, the
 * intervals double in width and neighbours merge) and one entry per job in flight.
 *
 * @since 0.1.0
 */
import { ImportEvent } from "@effect-kustomer/client"
import type { RateLimit } from "@effect-kustomer/domain"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { applyEvent, sample, type State, withBucket, withRateLimit } from "./internal/timelineBuckets.js"

/**
 * One interval of the run.
 *
 * @since 0.1.0
 */
export const Bucket = Schema.Struct({
  created: Schema.Number,
  alreadyExisting: Schema.Number,
  failed: Schema.Number,
  rejected: Schema.Number,
  unknown: Schema.Number,
  /** HTTP requests sent (submissions, job reads, look-ups), sampled from the client's request counter. */
  requests: Schema.Number,
  /** 429 answers. */
  rateLimited: Schema.Number,
  /** Time requests were held back for the rate limit, counted in the interval where the pause began. */
  waitMillis: Schema.Number,
  /** Jobs whose results arrived in this interval, and the sum and longest of their turnarounds. */
  jobsSettled: Schema.Number,
  turnaroundMillis: Schema.Number,
  longestTurnaroundMillis: Schema.Number
})

/** @since 0.1.0 */
export type Bucket = typeof Bucket.Type

/**
 * The time series of a run.
 *
 * @since 0.1.0
 */
export const RunTimeline = Schema.Struct({
  /** The width of each interval; the first starts when the run started. */
  bucketMillis: Schema.Number,
  buckets: Schema.Array(Bucket),
  /**
   * The org's budget as the API's `x-ratelimit-limit` last stated it, per window; the window's length is inferred
   * from `x-ratelimit-reset` (see {@link windowOf}).
   */
  rateLimit: Schema.optional(Schema.Struct({ limit: Schema.Number, windowMillis: Schema.Number }))
})

/** @since 0.1.0 */
export type RunTimeline = typeof RunTimeline.Type

/**
 * The most intervals kept.
 *
 * @since 0.1.0
 */
export const maxBuckets = 600

/**
 * The width of an interval until the run outlasts {@link maxBuckets} of them.
 *
 * @since 0.1.0
 */
export const initialBucketMillis = 1_000

/**
 * Kustomer's rate-limit window: the org-wide budget is per minute (rate-limit docs); the headers state the
 * limit and the reset time, not the window's length.
 *
 * @since 0.1.0
 */
export const rateLimitWindowMillis = 60_000

/** Window lengths an API is likely to use; an inferred length within 15 % below one of them is taken as it. */
const usualWindowsMillis = [1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 300_000, 900_000, 3_600_000]

/**
 * The window's length, inferred from the longest time to the window's reset that a response stated while the
 * budget was not spent (`x-ratelimit-reset − observed`; a spent budget's reset can be a longer penalty), in a
 * window that began during the run — the first window a run sees began before it, and its responses state only
 * what was left of it (a short run would otherwise draw a 60 s window as 17 s): responses early in a window state
 * nearly its whole length (slightly less: the headers are read as the run's events arrive, and the reset is stated
 * in whole seconds). Snapped up to a usual length when within 15 % below it, else whole seconds; Kustomer's
 * minute when no window began during the run.
 *
 * @since 0.1.0
 */
export const windowOf = (longestResetMillis: number | undefined): number => {
  if (longestResetMillis === undefined || longestResetMillis <= 0) return rateLimitWindowMillis
  const usual = usualWindowsMillis.find((window) =>
    longestResetMillis <= window * 1.02 && longestResetMillis >= window * 0.85
  )
  return usual ?? Math.max(1_000, Math.ceil(longestResetMillis / 1_000) * 1_000)
}

/** The name of the client's request counter (`KustomerClient.requestsCounter`). */
const requestsMetricName = "kustomer_requests_total"

/**
 * The HTTP requests this process has sent so far: the sum of the client's `kustomer_requests_total` counters.
 *
 * @since 0.1.0
 */
export const requestsSent: Effect.Effect<number> = Effect.map(
  Metric.snapshot,
  (pairs) =>
    pairs.reduce(
      (sum, pair) =>
        pair.metricKey.name === requestsMetricName && MetricState.isCounterState(pair.metricState)
          ? sum + Number(pair.metricState.count)
          : sum,
      0
    )
)

/**
 * The HTTP requests this process has sent so far, by the value of one of the request counter's labels (requests
 * without that label left out): say, by `migration_phase`, the phase each request was made for.
 *
 * @since 0.1.0
 */
export const requestsSentBy = (label: string): Effect.Effect<ReadonlyMap<string, number>> =>
  Effect.map(Metric.snapshot, (pairs) => {
    const counts = new Map<string, number>()
    for (const pair of pairs) {
      if (pair.metricKey.name !== requestsMetricName || !MetricState.isCounterState(pair.metricState)) continue
      const value = pair.metricKey.tags.find((tag) => tag.key === label)?.value
      if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + Number(pair.metricState.count))
    }
    return counts
  })

/**
 * Records a run's time series from its events.
 *
 * @since 0.1.0
 */
export interface Recorder {
  readonly observe: (event: ImportEvent.ImportEvent) => Effect.Effect<void>
  /** Takes a response's rate-limit headers into account: the limit, and the window's length (see {@link windowOf}). */
  readonly observeRateLimit: (info: RateLimit.RateLimitInfo) => Effect.Effect<void>
  /** The series so far (the requests counter is sampled once more). */
  readonly timeline: Effect.Effect<RunTimeline>
}

/**
 * Where a recorder reads what is not an event.
 *
 * @since 0.1.0
 */
export interface Sources {
  /** The requests sent so far (default {@link requestsSent}). */
  readonly requests?: Effect.Effect<number> | undefined
  /** The latest response's rate-limit headers (`KustomerClient.rateLimit`), read once per interval. */
  readonly rateLimit?: Effect.Effect<Option.Option<RateLimit.RateLimitInfo>> | undefined
}

/**
 * A recorder for a run starting now.
 *
 * @since 0.1.0
 */
export const recorder = (sources: Sources = {}): Effect.Effect<Recorder> =>
  Effect.gen(function*() {
    const requests = sources.requests ?? requestsSent
    const rateLimit = sources.rateLimit ?? Effect.succeed(Option.none())
    const startedAt = yield* Clock.currentTimeMillis
    const state = yield* Ref.make<State>({
      bucketMillis: initialBucketMillis,
      buckets: [],
      inFlight: new Map(),
      sampledRequests: yield* requests,
      sampledBucket: 0,
      pausedUntil: 0,
      limit: undefined,
      firstResetAtMillis: undefined,
      longestResetMillis: undefined
    })
    const initial = yield* rateLimit
    if (Option.isSome(initial)) yield* Ref.update(state, (current) => withRateLimit(current, initial.value))
    /** The state with the counters sampled: the requests, and the rate-limit headers. */
    const sampleAll = (current: State, index: number) =>
      Effect.gen(function*() {
        const sampled = sample(current, index, yield* requests)
        const info = yield* rateLimit
        return Option.isSome(info) ? withRateLimit(sampled, info.value) : sampled
      })
    /** Brings the state to `now`, sampling the request counter when a new interval began. */
    const advance = (now: number) =>
      Effect.gen(function*() {
        const current = yield* Ref.get(state)
        const placed = withBucket(
          current,
          Math.floor(Math.max(0, now - startedAt) / current.bucketMillis),
          maxBuckets
        )
        if (placed.index > placed.state.sampledBucket || placed.state.buckets.length === 0) {
          const sampled = yield* sampleAll(placed.state, placed.index)
          yield* Ref.set(state, sampled)
          return { state: sampled, index: placed.index }
        }
        yield* Ref.set(state, placed.state)
        return placed
      })
    return {
      observe: (event) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const placed = yield* advance(now)
          let next = applyEvent(placed.state, placed.index, event, now)
          // Progress events follow responses: their headers are read then too, not only once per interval.
          if (!ImportEvent.isOutcome(event)) {
            const info = yield* rateLimit
            if (Option.isSome(info)) next = withRateLimit(next, info.value)
          }
          yield* Ref.set(state, next)
        }),
      observeRateLimit: (info) => Ref.update(state, (current) => withRateLimit(current, info)),
      timeline: Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const placed = yield* advance(now)
        const sampled = yield* sampleAll(placed.state, placed.index)
        yield* Ref.set(state, sampled)
        return {
          bucketMillis: sampled.bucketMillis,
          buckets: [...sampled.buckets],
          ...(sampled.limit === undefined
            ? {}
            : { rateLimit: { limit: sampled.limit, windowMillis: windowOf(sampled.longestResetMillis) } })
        }
      })
    }
  })
