/**
 * The mutable state of one simulated org: its stored objects, its jobs, its counters, the rate limiter, the fault
 * source and the keys. Every method is synchronous; callers run them inside `Effect.sync` with the time read from
 * `Clock`, so nothing here reads the wall clock.
 */
import * as Duration from "effect/Duration"
import type { SimulatorStats } from "../Inspection.js"
import type { ApiKey, SimulatorConfig } from "../SimulatorConfig.js"
import type { FaultDecision } from "./faults.js"
import { makeFaultSource } from "./faults.js"
import { makeIdGenerator } from "./ids.js"
import { JobBook } from "./jobs.js"
import { FixedWindowLimiter } from "./rateLimiter.js"
import * as Stats from "./stats.js"
import { ObjectStore } from "./store.js"

/** Everything one simulator knows. */
export class SimulatorState {
  readonly store: ObjectStore
  readonly jobs: JobBook
  readonly counters = new Stats.Counters()
  readonly limiter: FixedWindowLimiter
  readonly nextFaults: () => FaultDecision
  /** The faults of uploads: a stream of its own, so that uploads leave the faults of API requests as they were. */
  readonly nextUploadFaults: () => FaultDecision
  private readonly keys: Map<string, ApiKey>

  constructor(readonly config: SimulatorConfig) {
    const newId = makeIdGenerator()
    this.store = new ObjectStore(config, newId)
    this.jobs = new JobBook(config, this.store, newId)
    this.limiter = new FixedWindowLimiter(
      config.rateLimit.limit,
      Math.max(1, Duration.toMillis(config.rateLimit.window))
    )
    this.nextFaults = makeFaultSource(config.faults)
    this.nextUploadFaults = makeFaultSource({ ...config.faults, seed: (config.faults.seed ^ 0x2545f491) >>> 0 })
    this.keys = new Map(config.apiKeys.map((key) => [key.key, key]))
  }

  /** The key a bearer `Authorization` header names, if it is one of the org's keys. */
  authenticate(authorization: string | undefined): ApiKey | undefined {
    if (authorization === undefined) return undefined
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)
    return match?.[1] === undefined ? undefined : this.keys.get(match[1])
  }

  stats(): SimulatorStats {
    return Stats.snapshot(this.counters, this.jobs, this.store)
  }
}
