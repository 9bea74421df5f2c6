/**
 * Side by side: a naive importer (`bench/baselines/naive-import.ts`) against this repository's CLI
 * (`kustomer-bulk import`), each as a command a person would run, on the same simulator setup.
 *
 *   pnpm bench side-by-side [--records 20000] [--invalid-every 100] [--scenarios healthy,faults]
 *
 * Each tool gets a fresh simulator (so its counters are its own) with the ceiling benchmark's setup (300 requests
 * / 10 s, 50–150 ms per exchange, 1.5 s jobs on 32 workers), duplicates of an `externalId` rejected as usual, and
 * the same JSON Lines file: small conversations, each with its own `externalId`, one in 100 invalid. Two runs:
 * a healthy API, and the seeded fault profile of `bench/lib/apiRun.ts`. From the simulator's stats: wall time,
 * requests spent, 429s, valid records lost (not stored), records stored more than once; and what each tool
 * believes it imported against what exists.
 */
import { mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { type ApiSetup, faultProfile, serverView, shortWindow, withApi } from "./lib/apiRun.js"
import { numberFlag, scenarioSelected } from "./lib/args.js"
import { lastJsonLine, runTypeScript } from "./lib/processes.js"
import { isInvalid, smallConversations, writeJsonLines } from "./lib/records.js"
import { commandLine, machine, root, round, writeReport } from "./lib/report.js"

const records = numberFlag("records", 20_000)
const invalidEvery = numberFlag("invalid-every", 100)
const valid =
  Array.from({ length: records }, (_, index) => index).filter((index) => !isInvalid(index, invalidEvery)).length
const workDir = join(root, "bench/results/tmp/side-by-side")

type Tool = "naive" | "kustomer-bulk"

const runTool = (tool: Tool, setup: ApiSetup, scenario: string) =>
  withApi(setup, async ({ proxy, simulator }) => {
    mkdirSync(workDir, { recursive: true })
    const file = join(workDir, `${scenario}-${tool}.jsonl`)
    const values = smallConversations(`${scenario}-${Date.now()}`, records, simulator.customerIds, invalidEvery)
    await writeJsonLines(file, values.length, (index) => values[index])
    const env = { KUSTOMER_API_KEY: simulator.apiKey, KUSTOMER_BASE_URL: proxy.url }
    const report = join(workDir, `${scenario}-report.json`)
    const run = tool === "naive"
      ? await runTypeScript("bench/baselines/naive-import.ts", [file], env, 30 * 60_000)
      : await runTypeScript(
        "packages/cli/src/bin.ts",
        [
          "import",
          file,
          "--base-url",
          proxy.url,
          "--rate-limit",
          `${setup.limit}/${setup.windowMs / 1000}s`,
          "--report",
          report
        ],
        env,
        30 * 60_000
      )
    const stats = serverView(await simulator.stats())
    let believed: number | undefined
    if (tool === "naive") {
      const line = lastJsonLine(run.stdout)
      believed = typeof line?.["imported"] === "number" ? line["imported"] : undefined
    } else {
      const summary = (JSON.parse(readFileSync(report, "utf8")) as { summary: Record<string, number> }).summary
      believed = (summary["created"] ?? 0) + (summary["alreadyExisting"] ?? 0)
    }
    const stored = stats.conversations.distinctExternalIds
    return {
      tool,
      exitCode: run.code,
      wallSeconds: round(run.seconds, 1),
      requests: stats.requests,
      rateLimited: stats.rateLimited,
      requestsPer100Stored: stored === 0 ? null : round((stats.requests / stored) * 100, 2),
      validRecords: valid,
      stored,
      lost: valid - stored,
      storedMoreThanOnce: stats.conversations.storedMoreThanOnce,
      believedImported: believed ?? null,
      believedMinusStored: believed === undefined ? null : believed - stored,
      duplicatesRejectedByTheApi: stats.conversations.duplicatesRejected,
      byRoute: stats.byRoute,
      faults: stats.faults,
      maxRssMb: run.maxRssKb === undefined ? null : round(run.maxRssKb / 1024, 0)
    }
  })

const scenario = async (name: string, setup: ApiSetup) => {
  const results = []
  for (const tool of ["naive", "kustomer-bulk"] as const) {
    const result = await runTool(tool, setup, name)
    console.log(
      `${name} ${tool}: ${result.wallSeconds} s, ${result.requests} requests, ${result.rateLimited} 429s, ` +
        `${result.lost} lost, ${result.storedMoreThanOnce} duplicated, believes ${result.believedImported} ` +
        `of ${result.stored} stored`
    )
    results.push(result)
  }
  return { scenario: name, faults: setup.faults ?? null, results }
}

const main = async () => {
  const loadBefore = machine().loadAverage
  const scenarios = []
  if (scenarioSelected("healthy")) scenarios.push(await scenario("healthy", shortWindow))
  if (scenarioSelected("faults")) scenarios.push(await scenario("faults", { ...shortWindow, faults: faultProfile }))
  writeReport("side-by-side", {
    benchmark: "side-by-side",
    description: "a naive importer (read all, slice by 100, fetch POST with 3 attempts, poll each job every second, " +
      "no rate-limit handling) versus kustomer-bulk import, same simulator setup and seeded faults",
    command: commandLine("side-by-side"),
    machine: machine(),
    setup: shortWindow,
    input: { records, invalidEvery, validRecords: valid },
    scenarios,
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
