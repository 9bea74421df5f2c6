/**
 * The simulator's counters: requests by route and responses by status, injected faults, and the snapshot of
 * every counter that `Simulator.stats` and `GET /__admin/stats` report.
 */
import * as Records from "effect/Record"
import type { FaultKind } from "../FaultProfile.js"
import type { SimulatorStats } from "../Inspection.js"
import type { JobBook } from "./jobs.js"
import type { ObjectStore } from "./store.js"

const zeroFaults: Record<FaultKind, number> = {
  server_error_before_acceptance: 0,
  server_error_after_acceptance: 0,
  html_bad_gateway_before_acceptance: 0,
  html_bad_gateway_after_acceptance: 0,
  connection_reset_before_acceptance: 0,
  connection_reset_after_acceptance: 0,
  hang_before_acceptance: 0,
  hang_after_acceptance: 0,
  slow_response: 0,
  stalled_job: 0,
  rate_limit_storm: 0
}

const increment = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

/** Requests, responses and faults counted as they happen. */
export class Counters {
  requestsTotal = 0
  rateLimited = 0
  readonly requestsByRoute = new Map<string, number>()
  readonly responsesByStatus = new Map<string, number>()
  readonly faults: Record<FaultKind, number> = { ...zeroFaults }

  countRequest(route: string): void {
    this.requestsTotal += 1
    increment(this.requestsByRoute, route)
  }

  countResponse(status: number): void {
    increment(this.responsesByStatus, String(status))
    if (status === 429) this.rateLimited += 1
  }

  countFault(kind: FaultKind): void {
    this.faults[kind] += 1
  }
}

/** A snapshot of every counter. */
export const snapshot = (counters: Counters, jobs: JobBook, store: ObjectStore): SimulatorStats => ({
  requests: {
    total: counters.requestsTotal,
    byRoute: Object.fromEntries(counters.requestsByRoute),
    byStatus: Object.fromEntries(counters.responsesByStatus),
    rateLimited: counters.rateLimited
  },
  faults: { ...counters.faults },
  jobs: { created: jobs.byId.size, queued: jobs.queued, running: jobs.running, complete: jobs.complete },
  attachments: store.attachments.stats(),
  ...Records.map(store.collections, (collection) => collection.stats())
})
