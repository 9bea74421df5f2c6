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

/** The most intervals kept. @since 0.1.0 */
export const maxBuckets = 600

/** The width of an interval until the run outlasts {@link maxBuckets} of them. @since 0.1.0 */
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
 * budget was not spent (`x-ratelimit-reset − observed`; a spent budget's reset can be a longer penalty):
 * responses early in a window state nearly its whole length (slightly less: the headers are read as the run's
 * events arrive, and the reset is stated in whole seconds). Snapped up to a usual length when within 15 % below
 * it, else whole seconds; Kustomer's minute when no response stated a reset.
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

const emptyBucket: Bucket = {
  created: 0,
  alreadyExisting: 0,
  failed: 0,
  rejected: 0,
  unknown: 0,
  requests: 0,
  rateLimited: 0,
  waitMillis: 0,
  jobsSettled: 0,
  turnaroundMillis: 0,
  longestTurnaroundMillis: 0
}

const mergeBuckets = (a: Bucket, b: Bucket): Bucket => ({
  created: a.created + b.created,
  alreadyExisting: a.alreadyExisting + b.alreadyExisting,
  failed: a.failed + b.failed,
  rejected: a.rejected + b.rejected,
  unknown: a.unknown + b.unknown,
  requests: a.requests + b.requests,
  rateLimited: a.rateLimited + b.rateLimited,
  waitMillis: a.waitMillis + b.waitMillis,
  jobsSettled: a.jobsSettled + b.jobsSettled,
  turnaroundMillis: a.turnaroundMillis + b.turnaroundMillis,
  longestTurnaroundMillis: Math.max(a.longestTurnaroundMillis, b.longestTurnaroundMillis)
})

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

interface State {
  readonly bucketMillis: number
  readonly buckets: Array<Bucket>
  /** Jobs accepted and not settled yet: when each was accepted. */
  readonly inFlight: Map<string, number>
  /** The request counter at the last sample, and the interval it was taken in. */
  readonly sampledRequests: number
  readonly sampledBucket: number
  /** The end of the latest rate-limit pause, so that overlapping pauses count once. */
  readonly pausedUntil: number
  readonly limit: number | undefined
  /** The longest time to a window's reset a response stated while requests were left. */
  readonly longestResetMillis: number | undefined
}

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

/** The state with bucket `index` existing, the intervals widened as often as needed to keep it. */
const withBucket = (state: State, index: number): { readonly state: State; readonly index: number } => {
  let current = state
  let at = index
  while (at >= maxBuckets) {
    const merged: Array<Bucket> = []
    for (let i = 0; i < current.buckets.length; i += 2) {
      merged.push(mergeBuckets(current.buckets[i] ?? emptyBucket, current.buckets[i + 1] ?? emptyBucket))
    }
    current = {
      ...current,
      bucketMillis: current.bucketMillis * 2,
      buckets: merged,
      sampledBucket: Math.floor(current.sampledBucket / 2)
    }
    at = Math.floor(at / 2)
  }
  while (current.buckets.length <= at) current.buckets.push(emptyBucket)
  return { state: current, index: at }
}

const updateBucket = (state: State, index: number, change: (bucket: Bucket) => Bucket): State => {
  state.buckets[index] = change(state.buckets[index] ?? emptyBucket)
  return state
}

/** Attributes the requests sent since the last sample to the intervals since then, evenly. */
const sample = (state: State, index: number, requests: number): State => {
  const delta = requests - state.sampledRequests
  if (delta <= 0) return { ...state, sampledRequests: requests, sampledBucket: index }
  const from = Math.min(state.sampledBucket, index)
  const spread = index - from + 1
  const share = Math.floor(delta / spread)
  for (let at = from; at <= index; at++) {
    const extra = at === index ? delta - share * (spread - 1) : share
    updateBucket(state, at, (bucket) => ({ ...bucket, requests: bucket.requests + extra }))
  }
  return { ...state, sampledRequests: requests, sampledBucket: index }
}

const applyEvent = (state: State, index: number, event: ImportEvent.ImportEvent, now: number): State => {
  if (ImportEvent.isOutcome(event)) {
    const key = ({
      Created: "created",
      AlreadyExisting: "alreadyExisting",
      Failed: "failed",
      Rejected: "rejected",
      Unknown: "unknown"
    } as const)[event._tag]
    return updateBucket(state, index, (bucket) => ({ ...bucket, [key]: bucket[key] + 1 }))
  }
  switch (event._tag) {
    case "ChunkSubmitted":
      state.inFlight.set(event.jobId, now)
      return state
    case "JobProgress": {
      const submittedAt = state.inFlight.get(event.jobId)
      if (event.complete < event.total || submittedAt === undefined) return state
      state.inFlight.delete(event.jobId)
      const took = Math.max(0, now - submittedAt)
      return updateBucket(state, index, (bucket) => ({
        ...bucket,
        jobsSettled: bucket.jobsSettled + 1,
        turnaroundMillis: bucket.turnaroundMillis + took,
        longestTurnaroundMillis: Math.max(bucket.longestTurnaroundMillis, took)
      }))
    }
    case "JobTimedOut":
      state.inFlight.delete(event.jobId)
      return state
    case "RateLimitedUntil": {
      const added = Math.max(0, event.untilMillis - Math.max(now, state.pausedUntil))
      return updateBucket({ ...state, pausedUntil: Math.max(state.pausedUntil, event.untilMillis) }, index, (
        bucket
      ) => ({
        ...bucket,
        waitMillis: bucket.waitMillis + added,
        rateLimited: bucket.rateLimited + (event.cause === "rejected" ? 1 : 0)
      }))
    }
    default:
      return state
  }
}

const withRateLimit = (state: State, info: RateLimit.RateLimitInfo): State => {
  const untilReset = Option.isSome(info.resetAtMillis) && Option.exists(info.remaining, (left) => left > 0)
    ? info.resetAtMillis.value - info.observedAtMillis
    : undefined
  return {
    ...state,
    limit: Option.getOrElse(info.limit, () => state.limit),
    longestResetMillis: untilReset === undefined
      ? state.longestResetMillis
      : Math.max(untilReset, state.longestResetMillis ?? 0)
  }
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
        const placed = withBucket(current, Math.floor(Math.max(0, now - startedAt) / current.bucketMillis))
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
