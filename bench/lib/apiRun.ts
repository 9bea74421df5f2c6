/**
 * One library import against a fresh simulator behind the latency proxy: the setup shared by the ceiling, budget
 * and side-by-side benchmarks, and the figures they derive from it.
 */
import type { Inspection } from "@effect-kustomer/simulator"
import { type LatencyProxy, startLatencyProxy } from "./latencyProxy.js"
import { fromValues, libraryImport, type LibraryImportResult, summaryJson, type WindowCounts } from "./libraryImport.js"
import { smallConversations } from "./records.js"
import { round } from "./report.js"
import { type Faults, type RunningSimulator, type SimulatorSettings, withSimulator } from "./simulator.js"

/** The API's behaviour: budget, latency, job timing, faults. */
export interface ApiSetup {
  readonly limit: number
  readonly windowMs: number
  readonly latencyMs: readonly [number, number]
  readonly workers: number
  readonly jobLatencyMs: number
  /** With a longer value, each job draws its latency uniformly from `jobLatencyMs`–`jobLatencyMaxMs`. */
  readonly jobLatencyMaxMs?: number | undefined
  readonly itemLatencyMs: number
  readonly faults?: Faults | undefined
}

/** The short window of the ceiling benchmark: 300 requests / 10 s, 50–150 ms per exchange, jobs of 1–3 s. */
export const shortWindow: ApiSetup = {
  limit: 300,
  windowMs: 10_000,
  latencyMs: [50, 150],
  workers: 32,
  jobLatencyMs: 1000,
  itemLatencyMs: 5
}

/** The seeded fault profile shared by the budget and side-by-side benchmarks. */
export const faultProfile: Faults = {
  seed: 7,
  failRate: 0.02,
  resetRate: 0.01,
  html502Rate: 0.01,
  slowRate: 0.02,
  slowMs: 2000,
  stallRate: 0.01,
  stallMs: 10_000,
  stormRate: 0.004,
  stormMs: 5000
}

/** The simulator's flags for a setup. */
export const simulatorSettings = (setup: ApiSetup): SimulatorSettings => ({
  rateLimit: `${setup.limit}/${setup.windowMs / 1000}s`,
  workers: setup.workers,
  jobLatencyMs: setup.jobLatencyMs,
  jobLatencyMaxMs: setup.jobLatencyMaxMs,
  itemLatencyMs: setup.itemLatencyMs,
  faults: setup.faults
})

/** The most records per second the budget allows when each chunk of 100 costs a submit and a result read. */
export const ceilingOf = (setup: ApiSetup): number => (setup.limit * 100) / (2 * (setup.windowMs / 1000))

/** A simulator and the latency proxy in front of it; both stop afterwards. */
export const withApi = <A>(
  setup: ApiSetup,
  body: (api: { readonly simulator: RunningSimulator; readonly proxy: LatencyProxy }) => Promise<A>
): Promise<A> =>
  withSimulator(simulatorSettings(setup), async (simulator) => {
    const proxy = await startLatencyProxy({
      target: simulator.baseUrl,
      minMs: setup.latencyMs[0],
      maxMs: setup.latencyMs[1],
      windowMs: setup.windowMs,
      seed: setup.faults?.seed ?? 1
    })
    try {
      return await body({ simulator, proxy })
    } finally {
      await proxy.stop()
    }
  })

/** What the simulator says about a run. */
export const serverView = (stats: Inspection.SimulatorStats) => ({
  requests: stats.requests.total,
  rateLimited: stats.requests.rateLimited,
  byRoute: stats.requests.byRoute,
  byStatus: stats.requests.byStatus,
  faults: stats.faults as Readonly<Record<string, number>>,
  jobs: stats.jobs,
  conversations: {
    stored: stats.conversations.stored,
    distinctExternalIds: stats.conversations.distinctExternalIds,
    storedMoreThanOnce: stats.conversations.externalIdsStoredMoreThanOnce.reduce(
      (extra, entry) => extra + entry.count - 1,
      0
    ),
    duplicatesRejected: stats.conversations.duplicatesRejected,
    itemsFailed: stats.conversations.itemsFailed
  }
})

/**
 * Records/s over the steady state: the whole rate-limit windows after the first one the import saw entirely
 * (the start-up transient: polls of the partial first window's jobs pile into it) and before the window of the
 * last submission (the tail, where only polls remain and the rate looks better than it can be).
 */
export const steadyState = (
  result: LibraryImportResult,
  windowMs: number,
  requestsByWindow: ReadonlyMap<number, number>
) => {
  const lastSubmission = result.windows.filter((window) => window.submitted > 0).at(-1)?.start ?? result.endedAt
  const full = result.windows.filter((window) =>
    window.start >= result.startedAt && window.start + windowMs <= result.endedAt
  )
  const steady = full.slice(1).filter((window) => window.start < lastSubmission)
  const settled = steady.reduce((total, window) => total + window.created, 0)
  const seconds = (steady.length * windowMs) / 1000
  return {
    windows: steady.length,
    seconds,
    recordsCreated: settled,
    recordsPerSecond: seconds === 0 ? 0 : round(settled / seconds),
    requestsPerWindow: steady.map((window) => requestsByWindow.get(window.start) ?? 0)
  }
}

/** The per-window timeline, relative to the start. */
export const timeline = (
  windows: ReadonlyArray<WindowCounts>,
  startedAt: number,
  requestsByWindow: ReadonlyMap<number, number>
) =>
  windows.map((window) => ({
    fromSecond: round((window.start - startedAt) / 1000, 1),
    created: window.created,
    settled: window.settled,
    chunksSubmitted: window.submitted,
    requests: requestsByWindow.get(window.start) ?? 0
  }))

/** Runs a library import of `records` small conversations (every `invalidEvery`-th invalid) on a fresh setup. */
export const importOnce = (
  setup: ApiSetup,
  records: number,
  options: {
    readonly submitConcurrency?: number
    readonly maxJobsInFlight?: number
    readonly resolveExisting?: boolean
  },
  invalidEvery = 0
) =>
  withApi(setup, async ({ proxy, simulator }) => {
    const values = smallConversations(`run-${Date.now()}`, records, simulator.customerIds, invalidEvery)
    const result = await libraryImport(
      { baseUrl: proxy.url, apiKey: simulator.apiKey, limit: setup.limit, windowMs: setup.windowMs },
      fromValues(values),
      options
    )
    const stats = await simulator.stats()
    return {
      result,
      stats,
      requestsByWindow: proxy.requestsByWindow,
      batchReads: {
        total: proxy.batchReads.total,
        unfinished: proxy.batchReads.unfinished,
        unfinishedBySecondOfWindow: Array.from({ length: setup.windowMs / 1000 }, (_, second) =>
          proxy.batchReads.unfinishedAtMs.filter((at) =>
            Math.floor((at % setup.windowMs) / 1000) === second
          ).length)
      },
      summary: summaryJson(result.summary),
      simulatorArgs: simulator.args,
      trace: proxy.trace
    }
  })

/**
 * Imports `records` small conversations, then the same records again on the same simulator without a journal (a
 * re-run of a finished file): the figures of the second import, and the simulator's requests during it.
 */
export const rerunOnce = (
  setup: ApiSetup,
  records: number,
  options: { readonly resolveExisting?: boolean }
) =>
  withApi(setup, async ({ proxy, simulator }) => {
    const values = smallConversations(`rerun-${Date.now()}`, records, simulator.customerIds, 0)
    const target = { baseUrl: proxy.url, apiKey: simulator.apiKey, limit: setup.limit, windowMs: setup.windowMs }
    await libraryImport(target, fromValues(values), {})
    const before = await simulator.stats()
    const result = await libraryImport(target, fromValues(values), options)
    const after = await simulator.stats()
    return {
      summary: summaryJson(result.summary),
      serverRequests: after.requests.total - before.requests.total,
      serverRateLimited: after.requests.rateLimited - before.requests.rateLimited,
      stored: after.conversations.distinctExternalIds,
      storedMoreThanOnce: serverView(after).conversations.storedMoreThanOnce
    }
  })
