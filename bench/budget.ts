/**
 * Budget: requests spent per 100 records created — submits, job reads, look-ups, and every retry and 429 among
 * them — from the import's summary, cross-checked with the simulator's own request count.
 *
 *   pnpm bench budget [--records 30000] [--rerun-records 2000]
 *     [--scenarios healthy,faults,faults-resolve-existing,rerun,rerun-resolve-existing]
 *
 * Same setup as `pnpm bench ceiling` (300 requests / 10 s, 50–150 ms per exchange, 1.5 s jobs on 32 workers), each
 * run on a fresh simulator: a healthy API; the seeded fault profile of `bench/lib/apiRun.ts` (5xx, HTML 502s,
 * connection resets before and after the job is stored, slow responses, stalled jobs, 429 storms) with the defaults
 * and with `resolveExisting` (a look-up per existing record, the default before); and a re-run of a finished file
 * without a journal (every record already exists), likewise both ways. The floor is 2 (a submit and a result read
 * per chunk of 100); the targets are ≤ 2.2 on a healthy API and ≤ 2.5 under faults and on a re-run.
 */
import { type ApiSetup, faultProfile, importOnce, rerunOnce, serverView, shortWindow } from "./lib/apiRun.js"
import { numberFlag, scenarioSelected } from "./lib/args.js"
import type { summaryJson } from "./lib/libraryImport.js"
import { commandLine, machine, round, writeReport } from "./lib/report.js"

const records = numberFlag("records", 30_000)
const rerunRecords = numberFlag("rerun-records", 2000)

/** What the import's own summary says: its requests by kind, its outcomes and its time. */
const clientView = (summary: ReturnType<typeof summaryJson>) => ({
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
})

const scenario = async (name: string, setup: ApiSetup, resolveExisting = false) => {
  const run = await importOnce(setup, records, { resolveExisting })
  const summary = run.summary
  const server = serverView(run.stats)
  // Records that exist because of this import: every externalId stored (each record has one, all distinct).
  const stored = server.conversations.distinctExternalIds
  const per100 = (requests: number) => (stored === 0 ? 0 : round((requests / stored) * 100, 3))
  const outcome = {
    scenario: name,
    faults: setup.faults ?? null,
    resolveExisting,
    records,
    recordsStored: stored,
    requestsPer100Records: {
      client: per100(summary.requests),
      server: per100(server.requests),
      serverExcluding429s: per100(server.requests - server.rateLimited)
    },
    client: clientView(summary),
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

/** A finished file imported again without a journal: requests per 100 records of the file (all already exist). */
const rerun = async (name: string, resolveExisting: boolean) => {
  const run = await rerunOnce(shortWindow, rerunRecords, { resolveExisting })
  const summary = run.summary
  const per100 = (requests: number) => round((requests / rerunRecords) * 100, 3)
  const outcome = {
    scenario: name,
    resolveExisting,
    records: rerunRecords,
    requestsPer100Records: { client: per100(summary.requests), server: per100(run.serverRequests) },
    client: clientView(summary),
    server: { requests: run.serverRequests, rateLimited: run.serverRateLimited, stored: run.stored },
    storedMoreThanOnce: run.storedMoreThanOnce
  }
  console.log(
    `${name}: ${outcome.requestsPer100Records.client} requests per 100 records re-run (server count ` +
      `${outcome.requestsPer100Records.server}); ${summary.alreadyExisting} already existing, ${summary.lookups} ` +
      `look-ups, ${outcome.client.elapsedSeconds} s`
  )
  return outcome
}

const main = async () => {
  const loadBefore = machine().loadAverage
  const scenarios = []
  if (scenarioSelected("healthy")) scenarios.push(await scenario("healthy", shortWindow))
  if (scenarioSelected("faults")) scenarios.push(await scenario("faults", { ...shortWindow, faults: faultProfile }))
  // Looking up the id of every record found existing (the default before): a request per such record.
  if (scenarioSelected("faults-resolve-existing")) {
    scenarios.push(await scenario("faults-resolve-existing", { ...shortWindow, faults: faultProfile }, true))
  }
  if (scenarioSelected("rerun")) scenarios.push(await rerun("rerun", false))
  if (scenarioSelected("rerun-resolve-existing")) scenarios.push(await rerun("rerun-resolve-existing", true))
  writeReport("budget", {
    benchmark: "budget",
    description: "requests spent per 100 records created (submits + job reads + look-ups, retries and 429s " +
      "included), from the import's summary and from the simulator's request count",
    command: commandLine("budget"),
    machine: machine(),
    setup: shortWindow,
    floor: 2,
    target: "≤ 2.2 on a healthy API; ≤ 2.5 under faults and on a re-run of a finished file",
    scenarios,
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
