/**
 * Budget: requests spent per 100 records created — submits, job reads, look-ups, and every retry and 429 among
 * them — from the import's summary, cross-checked with the simulator's own request count.
 *
 *   pnpm bench budget [--records 30000] [--scenarios healthy,faults,faults-without-lookups]
 *
 * Same setup as `pnpm bench ceiling` (300 requests / 10 s, 50–150 ms per exchange, 1.5 s jobs on 32 workers), two
 * runs on fresh simulators: a healthy API, and the seeded fault profile of `bench/lib/apiRun.ts` (5xx, HTML 502s,
 * connection resets before and after the job is stored, slow responses, stalled jobs, 429 storms), once with the
 * default `lookupExisting` and once without. The floor is 2 (a submit and a result read per chunk of 100); the
 * target on a healthy API is ≤ 2.2.
 */
import { type ApiSetup, faultProfile, importOnce, serverView, shortWindow } from "./lib/apiRun.js"
import { numberFlag, scenarioSelected } from "./lib/args.js"
import { commandLine, machine, round, writeReport } from "./lib/report.js"

const records = numberFlag("records", 30_000)

const scenario = async (name: string, setup: ApiSetup, lookupExisting = true) => {
  const run = await importOnce(setup, records, { lookupExisting })
  const summary = run.summary
  const server = serverView(run.stats)
  // Records that exist because of this import: every externalId stored (each record has one, all distinct).
  const stored = server.conversations.distinctExternalIds
  const per100 = (requests: number) => (stored === 0 ? 0 : round((requests / stored) * 100, 3))
  const outcome = {
    scenario: name,
    faults: setup.faults ?? null,
    lookupExisting,
    records,
    recordsStored: stored,
    requestsPer100Records: {
      client: per100(summary.requests),
      server: per100(server.requests),
      serverExcluding429s: per100(server.requests - server.rateLimited)
    },
    client: {
      submits: summary.submits,
      polls: summary.polls,
      lookups: summary.lookups,
      requests: summary.requests,
      retries: summary.retries,
      rateLimited: summary.rateLimited,
      jobs: summary.jobs,
      created: summary.created,
      alreadyExisting: summary.alreadyExisting,
      failed: summary.failed,
      unknown: summary.unknown,
      elapsedSeconds: round(summary.elapsedMs / 1000, 1)
    },
    jobReadsThatFoundTheJobUnfinished: run.batchReads.unfinished,
    server: {
      requests: server.requests,
      rateLimited: server.rateLimited,
      byRoute: server.byRoute,
      faults: server.faults,
      storedMoreThanOnce: server.conversations.storedMoreThanOnce,
      duplicatesRejected: server.conversations.duplicatesRejected
    }
  }
  console.log(
    `${name}: ${outcome.requestsPer100Records.client} requests per 100 records (server count ` +
      `${outcome.requestsPer100Records.server}); ${stored} of ${records} stored, ${summary.requests} requests, ` +
      `${summary.rateLimited} 429s, ${summary.retries} retries, ${summary.lookups} look-ups`
  )
  return outcome
}

const main = async () => {
  const loadBefore = machine().loadAverage
  const scenarios = []
  if (scenarioSelected("healthy")) scenarios.push(await scenario("healthy", shortWindow))
  if (scenarioSelected("faults")) scenarios.push(await scenario("faults", { ...shortWindow, faults: faultProfile }))
  // Without looking up the id of records an in-doubt resend found existing: 100 look-ups fewer per such chunk.
  if (scenarioSelected("faults-without-lookups")) {
    scenarios.push(await scenario("faults-without-lookups", { ...shortWindow, faults: faultProfile }, false))
  }
  writeReport("budget", {
    benchmark: "budget",
    description: "requests spent per 100 records created (submits + job reads + look-ups, retries and 429s " +
      "included), from the import's summary and from the simulator's request count",
    command: commandLine("budget"),
    machine: machine(),
    setup: shortWindow,
    floor: 2,
    target: "≤ 2.2 on a healthy API",
    scenarios,
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
