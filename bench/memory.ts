/**
 * Memory: peak resident set size of the CLI (`kustomer-bulk import`, run as users run it: the built launcher
 * `packages/cli/bin/kustomer-bulk.mjs` with its default heap cap, which starts `dist/bin.js`) importing a
 * 1,000,000-record JSON Lines file, against a 100,000-record one. Needs `pnpm build` first.
 *
 *   pnpm bench memory [--records 1000000] [--small-records 100000] [--heap-mb 96]
 *
 * Both imports go to one standalone simulator with a generous rate limit (so they finish in reasonable time) and
 * quick jobs, reached directly on loopback. The peak RSS comes from `/usr/bin/time -v`. Targets: under 250 MB, and
 * the large import within 20 % of the small one (memory flat in the input's size).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { numberFlag } from "./lib/args.js"
import { runNode } from "./lib/processes.js"
import { smallConversation, writeJsonLines } from "./lib/records.js"
import { commandLine, machine, root, round, writeReport } from "./lib/report.js"
import { type RunningSimulator, withSimulator } from "./lib/simulator.js"

const large = numberFlag("records", 1_000_000)
const small = numberFlag("small-records", 100_000)
const workDir = join(root, "bench/results/tmp/memory")
// `--heap-mb N` sets the launcher's V8 heap ceiling (KUSTOMER_BULK_HEAP_MB) instead of its default of 128 MB: the
// ceiling tells retained memory from garbage that V8 has not yet needed to collect.
const heapMb = numberFlag("heap-mb", 0)
const heapEnv: Record<string, string> = heapMb > 0 ? { KUSTOMER_BULK_HEAP_MB: String(heapMb) } : {}
const launcher = "packages/cli/bin/kustomer-bulk.mjs"
if (!existsSync(join(root, "packages/cli/dist/bin.js"))) {
  throw new Error("the memory benchmark runs the built CLI: run pnpm build first")
}
const simulatorSettings = { rateLimit: "1000000000/60s", workers: 64, jobLatencyMs: 20, itemLatencyMs: 0 }

const importOnce = async (simulator: RunningSimulator, records: number) => {
  mkdirSync(workDir, { recursive: true })
  const file = join(workDir, `records-${records}.jsonl`)
  const report = join(workDir, `report-${records}.json`)
  const run = `memory-${records}-${Date.now()}`
  const customers = simulator.customerIds
  await writeJsonLines(
    file,
    records,
    (index) => smallConversation(run, index, customers[index % customers.length] ?? "")
  )
  const fileBytes = statSync(file).size
  const storedBefore = (await simulator.stats()).conversations.stored
  const result = await runNode(
    launcher,
    [
      "import",
      file,
      "--base-url",
      simulator.baseUrl,
      "--rate-limit",
      "1000000000/60",
      "--report",
      report
    ],
    { KUSTOMER_API_KEY: simulator.apiKey, ...heapEnv },
    60 * 60_000
  )
  const stored = (await simulator.stats()).conversations.stored - storedBefore
  const summary = existsSync(report)
    ? (JSON.parse(readFileSync(report, "utf8")) as { summary: Record<string, number> }).summary
    : {}
  rmSync(file)
  if (result.code !== 0 || summary["created"] !== records || stored !== records) {
    throw new Error(
      `the import of ${records} records did not finish cleanly (exit ${result.code}, ${stored} stored):\n` +
        result.stderr.slice(-4000)
    )
  }
  return {
    records,
    fileMb: round(fileBytes / 2 ** 20, 1),
    exitCode: result.code,
    peakRssMb: result.maxRssKb === undefined ? null : round(result.maxRssKb / 1024, 1),
    seconds: round(result.seconds, 1),
    recordsPerSecond: Math.round(records / result.seconds),
    created: summary["created"],
    requests: summary["requests"],
    stored
  }
}

const main = async () => {
  const loadBefore = machine().loadAverage
  // One simulator for both imports (each with its own externalIds): its memory is not what is measured.
  const [smallRun, largeRun] = await withSimulator(simulatorSettings, async (simulator) => {
    const smallRun = await importOnce(simulator, small)
    console.log(`${small} records: peak RSS ${smallRun.peakRssMb} MB in ${smallRun.seconds} s`)
    const largeRun = await importOnce(simulator, large)
    console.log(`${large} records: peak RSS ${largeRun.peakRssMb} MB in ${largeRun.seconds} s`)
    return [smallRun, largeRun] as const
  })
  const growth = smallRun.peakRssMb === null || largeRun.peakRssMb === null
    ? null
    : round((largeRun.peakRssMb - smallRun.peakRssMb) / smallRun.peakRssMb, 3)
  writeReport("memory", {
    benchmark: "memory",
    description: "peak RSS of kustomer-bulk import (the built launcher and CLI) on a large versus a " +
      "small JSON Lines file of small conversations, against the standalone simulator",
    command: commandLine("memory"),
    machine: machine(),
    simulator: simulatorSettings,
    cliHeapMb: heapMb > 0 ? heapMb : "launcher default (128)",
    runs: [smallRun, largeRun],
    growthLargeOverSmall: growth,
    targets: "peak RSS < 250 MB; large within 20 % of small",
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
