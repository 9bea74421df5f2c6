/**
 * Kustomer's per-customer creation limit: at most `limit` objects of one resource created for one customer per
 * fixed window (120 per minute for conversations and messages). Items that carry `importedAt` are exempt; the
 * caller leaves them out. Whether the limit applies inside bulk jobs is not documented (INFERRED); here an item
 * over it fails in its batch with code `rate_limited`.
 */
import * as Duration from "effect/Duration"
import type { RateLimitConfig } from "../SimulatorConfig.js"

/** Creations per resource and customer within the current window. */
export class CreationLimit {
  private readonly counts = new Map<string, { windowStart: number; count: number }>()

  constructor(private readonly limit: RateLimitConfig | undefined) {}

  /** Counts one creation, or returns why it is over the limit (and counts nothing). */
  take(resourceName: string, customer: string, nowMillis: number): string | undefined {
    const limit = this.limit
    if (limit === undefined) return undefined
    const windowMillis = Math.max(1, Duration.toMillis(limit.window))
    const windowStart = Math.floor(nowMillis / windowMillis) * windowMillis
    const key = `${resourceName}/${customer}`
    const current = this.counts.get(key)
    const entry = current === undefined || current.windowStart !== windowStart ? { windowStart, count: 0 } : current
    if (entry.count >= limit.limit) {
      return `more than ${limit.limit} ${resourceName} created for customer ${customer} within ` +
        `${Duration.format(limit.window)}; set importedAt on imported history to waive the limit`
    }
    entry.count += 1
    this.counts.set(key, entry)
    return undefined
  }
}
