/**
 * Ceiling: how close an import gets to the most the API's rate limit allows.
 *
 *   pnpm bench ceiling [--records 100000] [--submit-concurrency 4] [--max-jobs-in-flight 96] [--defaults 1]
 *     [--latencies 0.5,3,10,1-3,3-8,3-8@64] [--latency-records 60000] [--fixed-window 32] [--tuned 1] [--trace FILE]
 *
 * The simulator runs as its own process with a short window (300 requests / 10 s), jobs that take 1.5 s on one of
 * 32 workers (so bursts queue: 1–3 s), and every exchange goes through a loopback proxy adding 50–150 ms. The
 * library imports 100,000 small conversations over Node's HTTP client. Each chunk of 100 records costs a submit
 * and a result read, so the ceiling is limit × 100 / (2 × window) = 1,500 records/s; the figure is records/s over
 * the steady state (whole windows, start-up and tail excluded) divided by it. With `--defaults 1` (the default) a
 * second run uses the pipeline's default options, to show what they leave on the table for such a budget.
 *
 * Then, with the default options, one run per job latency in `--latencies` (seconds; `--latencies none` skips
 * them): every job takes that long (5 ms per item, the rest before its first batch), or with a range `MIN-MAX`
 * (`1-3`) a time each job draws uniformly from it, on a pool of workers large enough that no job waits for one,
 * so the budget, not the API's capacity, is the limit; what differs is how many jobs must be in flight to keep the
 * budget busy (15 jobs/s × the turnaround). An entry `MIN-MAX@N` (`3-8@64`) runs the jobs on a pool of N workers
 * instead: a job waits `queued` for a free worker, then takes its draw, so its turnaround grows with the jobs
 * ahead of it (a burst of submissions queues). With 64 workers of 3–8 s the pool finishes about 11.6 jobs/s,
 * below the budget's 15: the API's capacity, not the budget, sets the pace, and the figure to watch is the
 * requests per 100 records. `--fixed-window 32` adds, per latency, a run with `maxJobsInFlight: 32`: the fixed
 * window of earlier versions, for comparison in the same run.
 * `--tuned 0` skips the tuned and default runs of the standard setup. `--trace FILE` writes every accepted
 * submission and every batch read (time since the start, job, batch statuses, the answer's `x-ratelimit-remaining`
 * and `x-ratelimit-reset`) of each run to FILE, as JSON.
 */
import * as Fs from "node:fs"
import { type ApiSetup, ceilingOf, importOnce, shortWindow, steadyState, timeline } from "./lib/apiRun.js"
import { numberFlag, optionalFlag, stringFlag } from "./lib/args.js"
import { commandLine, machine, round, writeReport } from "./lib/report.js"

const records = numberFlag("records", 100_000)
const tuned = {
  submitConcurrency: numberFlag("submit-concurrency", 4),
  maxJobsInFlight: numberFlag("max-jobs-in-flight", 96)
}
const compareDefaults = numberFlag("defaults", 1) === 1
const setup: ApiSetup = { ...shortWindow, workers: numberFlag("workers", shortWindow.workers) }
/**
 * A job latency in seconds: fixed (`min === max`) or a range each job draws from; with `workers`, on a pool of
 * that many workers that jobs queue for.
 */
interface JobSeconds {
  readonly min: number
  readonly max: number
  readonly workers?: number | undefined
}

/** `3`, `1-3` or `3-8@64`; the bench stops on anything else rather than measure a setup nobody asked for. */
const parseJobSeconds = (text: string): JobSeconds => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?(?:@\s*(\d+)\s*)?$/.exec(text)
  const min = Number(match?.[1])
  const max = match?.[2] === undefined ? min : Number(match[2])
  const workers = match?.[3] === undefined ? undefined : Number(match[3])
  if (match === null || max < min || workers === 0) {
    throw new Error(`--latencies: expected SECONDS, MIN-MAX or MIN-MAX@WORKERS, got ${text}`)
  }
  return { min, max, workers }
}

const jobSecondsText = (seconds: JobSeconds): string =>
  (seconds.min === seconds.max ? `${seconds.min} s` : `${seconds.min}–${seconds.max} s`) +
  (seconds.workers === undefined ? "" : ` queued on ${seconds.workers} workers`)

const latencyList = stringFlag("latencies", "0.5,3,10,1-3,3-8,3-8@64")
const latencies = latencyList === "none" ? [] : latencyList.split(",").map((value) => parseJobSeconds(value))
const latencyRecords = numberFlag("latency-records", 60_000)
const fixedWindow = numberFlag("fixed-window", 0)
const standard = numberFlag("tuned", 1) === 1
const tracePath = optionalFlag("trace")
const traces: Array<unknown> = []

/**
 * Jobs of `seconds` each or drawn from its range (5 ms per item of 100), on workers enough for 15 jobs/s of them,
 * or on the pool it names.
 */
const withJobLatency = (seconds: JobSeconds): ApiSetup => ({
  ...setup,
  workers: seconds.workers ?? Math.max(setup.workers, Math.ceil(seconds.max * 40)),
  itemLatencyMs: 5,
  jobLatencyMs: Math.max(0, seconds.min * 1000 - 500),
  jobLatencyMaxMs: Math.max(0, seconds.max * 1000 - 500)
})

const scenario = async (
  name: string,
  options: { submitConcurrency?: number; maxJobsInFlight?: number },
  api: ApiSetup = setup,
  count: number = records
) => {
  const loadBefore = machine().loadAverage
  const run = await importOnce(api, count, options)
  const steady = steadyState(run.result, api.windowMs, run.requestsByWindow)
  const ceiling = ceilingOf(api)
  const elapsedSeconds = (run.result.endedAt - run.result.startedAt) / 1000
  if (tracePath !== undefined) {
    traces.push({
      scenario: name,
      startedAt: run.result.startedAt,
      entries: run.trace.map((entry) => ({ ...entry, at: entry.at - run.result.startedAt }))
    })
  }
  const outcome = {
    scenario: name,
    options,
    api: {
      workers: api.workers,
      jobLatencyMs: api.jobLatencyMs,
      jobLatencyMaxMs: api.jobLatencyMaxMs ?? api.jobLatencyMs,
      itemLatencyMs: api.itemLatencyMs
    },
    records: count,
    steadyState: { ...steady, ratioToCeiling: round(steady.recordsPerSecond / ceiling, 3) },
    endToEnd: {
      seconds: round(elapsedSeconds, 1),
      recordsPerSecond: round(run.summary.created / elapsedSeconds),
      ratioToCeiling: round(run.summary.created / elapsedSeconds / ceiling, 3)
    },
    jobTurnaroundMs: run.result.turnaroundMs,
    rateLimitPauses: run.result.rateLimitPauses,
    batchReads: run.batchReads,
    summary: run.summary,
    server: {
      requests: run.stats.requests.total,
      rateLimited: run.stats.requests.rateLimited,
      byRoute: run.stats.requests.byRoute,
      conversationsStored: run.stats.conversations.stored,
      jobs: run.stats.jobs
    },
    timeline: timeline(run.result.windows, run.result.startedAt, run.requestsByWindow),
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  }
  console.log(
    `${name}: ${outcome.steadyState.recordsPerSecond} records/s steady (${outcome.steadyState.windows} windows) = ` +
      `${outcome.steadyState.ratioToCeiling} of ${ceiling}; end to end ${outcome.endToEnd.recordsPerSecond} records/s ` +
      `in ${outcome.endToEnd.seconds} s; ${run.summary.requests} requests, ${run.summary.rateLimited} 429s`
  )
  return outcome
}

const main = async () => {
  const scenarios = standard ? [await scenario("tuned", tuned)] : []
  if (standard && compareDefaults) scenarios.push(await scenario("defaults", {}))
  for (const seconds of latencies) {
    const jobs = jobSecondsText(seconds)
    scenarios.push(await scenario(`defaults, jobs of ${jobs}`, {}, withJobLatency(seconds), latencyRecords))
    if (fixedWindow > 0) {
      scenarios.push(
        await scenario(
          `maxJobsInFlight ${fixedWindow}, jobs of ${jobs}`,
          { maxJobsInFlight: fixedWindow },
          withJobLatency(seconds),
          latencyRecords
        )
      )
    }
  }
  writeReport("ceiling", {
    benchmark: "ceiling",
    description: "records/s over the steady state divided by limit × 100 / (2 × window), importing small " +
      "conversations with the library through a latency proxy to the standalone simulator",
    command: commandLine("ceiling"),
    machine: machine(),
    setup: { ...setup, ceilingRecordsPerSecond: ceilingOf(setup) },
    target: "ratio ≥ 0.9",
    scenarios
  })
  if (tracePath !== undefined) Fs.writeFileSync(tracePath, JSON.stringify(traces))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
