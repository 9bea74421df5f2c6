/**
 * Ceiling: how close an import gets to the most the API's rate limit allows.
 *
 *   pnpm bench ceiling [--records 100000] [--submit-concurrency 4] [--max-jobs-in-flight 96] [--defaults 1]
 *
 * The simulator runs as its own process with a short window (300 requests / 10 s), jobs that take 1.5 s on one of
 * 32 workers (so bursts queue: 1–3 s), and every exchange goes through a loopback proxy adding 50–150 ms. The
 * library imports 100,000 small conversations over Node's HTTP client. Each chunk of 100 records costs a submit
 * and a result read, so the ceiling is limit × 100 / (2 × window) = 1,500 records/s; the figure is records/s over
 * the steady state (whole windows, start-up and tail excluded) divided by it. With `--defaults 1` (the default) a
 * second run uses the pipeline's default options, to show what they leave on the table for such a budget.
 */
import { ceilingOf, importOnce, shortWindow, steadyState, timeline } from "./lib/apiRun.js"
import { numberFlag } from "./lib/args.js"
import { commandLine, machine, round, writeReport } from "./lib/report.js"

const records = numberFlag("records", 100_000)
const tuned = {
  submitConcurrency: numberFlag("submit-concurrency", 4),
  maxJobsInFlight: numberFlag("max-jobs-in-flight", 96)
}
const compareDefaults = numberFlag("defaults", 1) === 1
const setup = { ...shortWindow, workers: numberFlag("workers", shortWindow.workers) }

const scenario = async (name: string, options: { submitConcurrency?: number; maxJobsInFlight?: number }) => {
  const loadBefore = machine().loadAverage
  const run = await importOnce(setup, records, options)
  const steady = steadyState(run.result, setup.windowMs, run.requestsByWindow)
  const ceiling = ceilingOf(setup)
  const elapsedSeconds = (run.result.endedAt - run.result.startedAt) / 1000
  const outcome = {
    scenario: name,
    options,
    records,
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
  const scenarios = [await scenario("tuned", tuned)]
  if (compareDefaults) scenarios.push(await scenario("defaults", {}))
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
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
