/**
 * The org-wide rate limit: one fixed window, aligned to multiples of its length since the epoch (a 60-second
 * window resets on the minute), plus 429 storms that refuse every request until they end.
 */

/** What the rate-limit headers of a response report. */
export interface RateSnapshot {
  readonly limit: number
  readonly remaining: number
  readonly resetAtMillis: number
}

/** The limiter's answer to one request. */
export interface RateDecision {
  readonly allowed: boolean
  readonly snapshot: RateSnapshot
}

/** A fixed-window counter. Not thread-safe, and it needs not be: the simulator runs on one JavaScript thread. */
export class FixedWindowLimiter {
  private windowStart = Number.NEGATIVE_INFINITY
  private count = 0
  private stormUntil = Number.NEGATIVE_INFINITY

  constructor(readonly limit: number, readonly windowMillis: number) {}

  private roll(nowMillis: number): void {
    const start = Math.floor(nowMillis / this.windowMillis) * this.windowMillis
    if (start !== this.windowStart) {
      this.windowStart = start
      this.count = 0
    }
  }

  /** The current state, without counting a request. */
  peek(nowMillis: number): RateSnapshot {
    this.roll(nowMillis)
    if (nowMillis < this.stormUntil) return { limit: this.limit, remaining: 0, resetAtMillis: this.stormUntil }
    return {
      limit: this.limit,
      remaining: this.limit - this.count,
      resetAtMillis: this.windowStart + this.windowMillis
    }
  }

  /** Counts one request if the budget allows it; refused requests do not use up budget. */
  take(nowMillis: number): RateDecision {
    this.roll(nowMillis)
    if (nowMillis < this.stormUntil) {
      return { allowed: false, snapshot: { limit: this.limit, remaining: 0, resetAtMillis: this.stormUntil } }
    }
    const resetAtMillis = this.windowStart + this.windowMillis
    if (this.count >= this.limit) {
      return { allowed: false, snapshot: { limit: this.limit, remaining: 0, resetAtMillis } }
    }
    this.count += 1
    return { allowed: true, snapshot: { limit: this.limit, remaining: this.limit - this.count, resetAtMillis } }
  }

  /** Whether a storm is going on. */
  inStorm(nowMillis: number): boolean {
    return nowMillis < this.stormUntil
  }

  /** Refuses every request from now until `nowMillis + durationMillis`. */
  startStorm(nowMillis: number, durationMillis: number): void {
    this.stormUntil = Math.max(this.stormUntil, nowMillis + durationMillis)
  }
}
