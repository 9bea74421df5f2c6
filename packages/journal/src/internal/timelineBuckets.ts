/**
 * The buckets behind `RunTimeline.recorder`: an interval's counts, how events and samples of the request counter
 * and the rate-limit headers change them, and how intervals double in width when a run outlasts them.
 */
import { ImportEvent } from "@effect-kustomer/client"
import type { RateLimit } from "@effect-kustomer/domain"
import * as Option from "effect/Option"

const emptyBucket = {
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

/** An interval's counts (`RunTimeline.Bucket`). */
export type BucketCounts = { readonly [K in keyof typeof emptyBucket]: number }

const mergeBuckets = (a: BucketCounts, b: BucketCounts): BucketCounts => ({
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

/** What a recorder holds: the intervals so far, the jobs in flight, the latest samples. */
export interface State {
  readonly bucketMillis: number
  readonly buckets: Array<BucketCounts>
  /** Jobs accepted and not settled yet: when each was accepted. */
  readonly inFlight: Map<string, number>
  /** The request counter at the last sample, and the interval it was taken in. */
  readonly sampledRequests: number
  readonly sampledBucket: number
  /** The end of the latest rate-limit pause, so that overlapping pauses count once. */
  readonly pausedUntil: number
  readonly limit: number | undefined
  /** When the first window the run saw resets: that window began before the run, its length is not known. */
  readonly firstResetAtMillis: number | undefined
  /**
   * The longest time to a window's reset a response stated while requests were left, in a window that began
   * during the run (a response in the first one states only what was left of it).
   */
  readonly longestResetMillis: number | undefined
}

/**
 * The state with bucket `index` existing, the intervals widened as often as needed to keep at most `maxBuckets`.
 */
export const withBucket = (
  state: State,
  index: number,
  maxBuckets: number
): { readonly state: State; readonly index: number } => {
  let current = state
  let at = index
  while (at >= maxBuckets) {
    const merged: Array<BucketCounts> = []
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

const updateBucket = (state: State, index: number, change: (bucket: BucketCounts) => BucketCounts): State => {
  state.buckets[index] = change(state.buckets[index] ?? emptyBucket)
  return state
}

/** Attributes the requests sent since the last sample to the intervals since then, evenly. */
export const sample = (state: State, index: number, requests: number): State => {
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

/** The state with `event`, observed at `now`, counted in interval `index`. */
export const applyEvent = (state: State, index: number, event: ImportEvent.ImportEvent, now: number): State => {
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

/** A reset this much later than the first window's is another window's (resets are stated in whole seconds). */
const sameWindowMillis = 1_000

/** The state with a response's rate-limit headers: the limit, and the longest time to a reset. */
export const withRateLimit = (state: State, info: RateLimit.RateLimitInfo): State => {
  const resetAt = Option.getOrUndefined(info.resetAtMillis)
  const firstResetAtMillis = state.firstResetAtMillis ?? resetAt
  const laterWindow = resetAt !== undefined && firstResetAtMillis !== undefined &&
    resetAt > firstResetAtMillis + sameWindowMillis
  const untilReset = laterWindow && Option.exists(info.remaining, (left) => left > 0)
    ? resetAt - info.observedAtMillis
    : undefined
  return {
    ...state,
    limit: Option.getOrElse(info.limit, () => state.limit),
    firstResetAtMillis,
    longestResetMillis: untilReset === undefined
      ? state.longestResetMillis
      : Math.max(untilReset, state.longestResetMillis ?? 0)
  }
}
