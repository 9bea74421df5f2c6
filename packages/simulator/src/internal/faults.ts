/**
 * Turns a fault profile and its seeded PRNGs into one decision per request. Every request draws exactly the same
 * number of values, whatever happens to it, so a decision depends only on the seed and the request's position.
 */
import type * as Duration from "effect/Duration"
import type { FaultProfile } from "../FaultProfile.js"
import * as Prng from "../Prng.js"

/** When a bulk-POST fault strikes: before the job is stored, or after. */
export type FaultPhase = "before_acceptance" | "after_acceptance"

/** A fault that replaces the response of a bulk request (a create's POST, an update's PUT, a delete's DELETE). */
export type BulkFault =
  | { readonly kind: "server_error"; readonly phase: FaultPhase; readonly status: 500 | 502 | 503 }
  | { readonly kind: "html_bad_gateway"; readonly phase: FaultPhase }
  | { readonly kind: "connection_reset"; readonly phase: FaultPhase }

/** What the fault profile decided for one request. */
export interface FaultDecision {
  /** Applies when the request is a bulk POST, PUT or DELETE. */
  readonly bulk: BulkFault | undefined
  /** Delay the response by this long, or not at all. */
  readonly slowBy: Duration.Duration | undefined
  /** Applies when the request creates a job: the job stalls. */
  readonly stall: boolean
  /** A 429 storm starts with this request (if none is going on). */
  readonly stormStarts: boolean
  /** The request is never answered: held before anything is done, or after the work instead of its answer. */
  readonly hang: FaultPhase | undefined
}

const serverErrorStatuses = [500, 502, 503] as const

/** Makes the per-request decision source of a profile. */
export const makeFaultSource = (profile: FaultProfile): () => FaultDecision => {
  const next = Prng.make(profile.seed)
  // Hangs draw from a stream of their own, so that adding them left the faults of every seed as they were.
  const nextForHang = Prng.make((profile.seed ^ 0x5bd1e995) >>> 0)
  const serverErrorEnd = profile.serverErrorRate
  const htmlEnd = serverErrorEnd + profile.htmlBadGatewayRate
  const resetEnd = htmlEnd + profile.connectionResetRate
  return () => {
    const bulkDraw = next()
    const phaseDraw = next()
    const statusDraw = next()
    const slowDraw = next()
    const stallDraw = next()
    const stormDraw = next()
    const hangDraw = nextForHang()
    const hangPhaseDraw = nextForHang()
    const phase: FaultPhase = phaseDraw < profile.afterAcceptanceShare ? "after_acceptance" : "before_acceptance"
    const status = serverErrorStatuses[Math.min(2, Math.floor(statusDraw * 3))] ?? 500
    const bulk: BulkFault | undefined = bulkDraw < serverErrorEnd
      ? { kind: "server_error", phase, status }
      : bulkDraw < htmlEnd
      ? { kind: "html_bad_gateway", phase }
      : bulkDraw < resetEnd
      ? { kind: "connection_reset", phase }
      : undefined
    return {
      bulk,
      slowBy: slowDraw < profile.slowRate ? profile.slowDelay : undefined,
      stall: stallDraw < profile.stallRate,
      stormStarts: stormDraw < profile.rateLimitStormRate,
      hang: hangDraw < profile.hangRate
        ? hangPhaseDraw < profile.afterAcceptanceShare ? "after_acceptance" : "before_acceptance"
        : undefined
    }
  }
}
