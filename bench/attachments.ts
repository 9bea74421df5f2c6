/**
 * Attachments: `kustomer-bulk migrate` (the built launcher, as users run it; `pnpm build` first) carrying a bundle's
 * files into the standalone simulator — each file's document created (`POST /v1/attachments`, one request of the
 * budget), its bytes streamed to the presigned upload, its message or note sent referencing it.
 *
 *   pnpm bench attachments [--attachments 2000] [--min-kb 10] [--max-mb 5] [--rate-limit 1000/60]
 *     [--capacity-attachments 200] [--large 2] [--large-mb 96] [--scenarios budget,capacity,large] [--seed 7]
 *
 * Scenarios, each on a fresh simulator and generated files (removed afterwards):
 * - `budget`: `--attachments` files of log-uniform sizes between `--min-kb` and `--max-mb` (2,000 files: about
 *   1.6 GB), at the default budget (the simulator's and the CLI's 1000 requests / 60 s; `--rate-limit` states
 *   another, given to both).
 * - `capacity`: `--capacity-attachments` files of the same spread with no budget to speak of: how fast the files go
 *   on loopback when nothing else holds them back, and which process is busy.
 * - `large`: `--large` files of `--large-mb` each (carried at once), no budget: memory when a file is larger than the
 *   CLI's heap.
 *
 * Bundle: conversations of 2 messages and 1 note; the messages carry a file each, the note two. Measured: documents
 * per rate-limit window against the budget (the simulator's counters sampled every 100 ms, bucketed by its windows,
 * which are aligned to the epoch), API and upload requests per attachment, bytes and upload throughput, documents
 * waiting for their bytes at each sample, CPU time of the CLI and of the simulator, and the CLI's peak RSS (`VmHWM`
 * of the heap-capped CLI process, read from /proc every 250 ms; `/usr/bin/time -v` as a cross-check). Targets:
 * documents at the budget's pace, one request each; uploads never the bottleneck; peak RSS ≤ 250 MB whatever the
 * file sizes.
 */
import { type Inspection, Prng } from "@effect-kustomer/simulator"
import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { numberFlag, optionalFlag, scenarioSelected } from "./lib/args.js"
import { type Bundle, writeBundle } from "./lib/attachmentBundle.js"
import { exitWithParentArgs, killGroup, spawnChild } from "./lib/children.js"
import { processes } from "./lib/procfs.js"
import { commandLine, machine, root, round, writeReport } from "./lib/report.js"
import { type RunningSimulator, withSimulator } from "./lib/simulator.js"

const attachments = numberFlag("attachments", 2_000)
const minBytes = numberFlag("min-kb", 10) * 1_000
const maxBytes = numberFlag("max-mb", 5) * 1_000_000
const capacityAttachments = numberFlag("capacity-attachments", 200)
const largeCount = numberFlag("large", 2)
const largeBytes = numberFlag("large-mb", 96) * 1_000_000
const seed = numberFlag("seed", 7)
/** The budget: the simulator's default, which is also where the CLI starts (then it follows the headers). */
const budget = optionalFlag("rate-limit") ?? "1000/60"
const unlimited = "1000000000/60"
const launcher = "packages/cli/bin/kustomer-bulk.mjs"
const workDir = join(root, "bench/results/tmp/attachments")
if (!existsSync(join(root, "packages/cli/dist/kustomer-bulk.mjs"))) {
  throw new Error("the attachments benchmark runs the built CLI: run pnpm build first")
}

/** A `LIMIT/SECONDS` budget (`--rate-limit` takes this form: seconds, no unit). */
const budgetOf = (rateLimit: string) => {
  const [limit, seconds] = rateLimit.split("/").map((part) => Number.parseFloat(part))
  return { limit: limit ?? 0, windowMillis: (seconds ?? 60) * 1000 }
}

interface Sample {
  /** Wall-clock time, to bucket the sample into the simulator's rate-limit windows (aligned to the epoch). */
  readonly atMillis: number
  readonly seconds: number
  readonly created: number
  readonly uploaded: number
  readonly bytes: number
  readonly requests: number
}

const sampleOf = (stats: Inspection.SimulatorStats, seconds: number): Sample => ({
  atMillis: Date.now(),
  seconds,
  created: stats.attachments.created,
  uploaded: stats.attachments.uploaded,
  bytes: stats.attachments.bytes,
  requests: stats.requests.total
})

/** The simulator this process started (its child running the simulator's bin). */
const simulatorProcess = () =>
  processes().find((info) => info.ppid === process.pid && info.cmdline.includes("packages/simulator/src/bin.ts"))

/**
 * Runs the migration: the simulator's counters sampled every 100 ms, the CLI's memory and CPU every 250 ms (its
 * heap-capped process: the launcher's child, in the group of `/usr/bin/time`).
 */
const migrate = async (simulator: RunningSimulator, bundle: Bundle, dir: string, rateLimit: string) => {
  const report = join(dir, "report.json")
  const args = [
    "migrate",
    bundle.path,
    "--base-url",
    simulator.baseUrl,
    "--report",
    report,
    "--rejects",
    join(dir, "rejects.jsonl"),
    ...(rateLimit === budget && optionalFlag("rate-limit") === undefined ? [] : ["--rate-limit", rateLimit])
  ]
  const simulatorCpuBefore = simulatorProcess()?.cpuSeconds
  const nodeArgs = [...exitWithParentArgs, join(root, launcher), ...args]
  const env = { KUSTOMER_API_KEY: simulator.apiKey }
  const child = existsSync("/usr/bin/time")
    ? spawnChild("/usr/bin/time", ["-v", process.execPath, ...nodeArgs], { env })
    : spawnChild(process.execPath, nodeArgs, { env })
  let stderr = ""
  child.stdout.resume()
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000)
  })
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  const samples: Array<Sample> = []
  const cli = { peakKb: 0, cpuSeconds: 0, rss: [] as Array<{ seconds: number; rssMb: number }> }
  const memory = setInterval(() => {
    const group = processes().filter((info) => info.pgrp === child.pid)
    for (const member of group.filter((info) => info.cmdline.includes("--max-old-space-size"))) {
      cli.peakKb = Math.max(cli.peakKb, member.hwmKb)
      cli.cpuSeconds = Math.max(cli.cpuSeconds, member.cpuSeconds)
      cli.rss.push({ seconds: round(seconds(), 2), rssMb: round(member.rssKb / 1024, 1) })
    }
  }, 250)
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      // A sample lost (the simulator busy past a keep-alive timeout) is only a gap in the series.
      await simulator.stats().then((stats) => samples.push(sampleOf(stats, seconds())), () => undefined)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })()
  const timeout = setTimeout(() => killGroup(child, "SIGTERM"), 60 * 60_000)
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)))
  const elapsed = seconds()
  clearTimeout(timeout)
  clearInterval(memory)
  sampling = false
  await sampler
  const stats = await simulator.stats()
  samples.push(sampleOf(stats, elapsed))
  const simulatorCpuAfter = simulatorProcess()?.cpuSeconds
  const timeRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]
  const summary = existsSync(report)
    ? (JSON.parse(readFileSync(report, "utf8")) as { attachments?: Record<string, number> }).attachments
    : undefined
  if (code !== 0 || summary?.["carried"] !== bundle.files || stats.attachments.uploaded !== bundle.files) {
    throw new Error(
      `the migration of ${bundle.files} attachments did not finish cleanly (exit ${code}, ` +
        `${stats.attachments.uploaded} uploaded):\n${stderr.slice(-4_000)}`
    )
  }
  return {
    elapsed,
    samples,
    stats,
    summary,
    cli,
    simulatorCpuSeconds: simulatorCpuBefore === undefined || simulatorCpuAfter === undefined
      ? null
      : simulatorCpuAfter - simulatorCpuBefore,
    timeRssKb: timeRss === undefined ? undefined : Number(timeRss)
  }
}

type Run = Awaited<ReturnType<typeof migrate>>

/**
 * Documents and API requests per rate-limit window, from the samples: each window's count is the counter at its
 * last sample less the counter at the last sample of the window before. `full` marks the windows in which the CLI
 * created documents from start to end (not the first window it created any in, nor the one of its last);
 * `budgetSpentAfterSeconds`, how far into the window its budget was all spent (within a sample's 100 ms).
 */
const perWindow = (samples: ReadonlyArray<Sample>, limit: number, windowMillis: number, files: number) => {
  const windowOf = (sample: Sample) => Math.floor(sample.atMillis / windowMillis)
  const lastOfWindow = new Map<number, Sample>()
  for (const sample of samples) lastOfWindow.set(windowOf(sample), sample)
  const firstWindow = windowOf(samples.find((sample) => sample.created > 0) ?? samples[0]!)
  const lastWindow = windowOf(samples.find((sample) => sample.created >= files) ?? samples.at(-1)!)
  const windows: Array<
    { window: number; documents: number; requests: number; full: boolean; budgetSpentAfterSeconds: number | null }
  > = []
  let before = samples[0]!
  for (const [window, sample] of [...lastOfWindow.entries()].sort(([a], [b]) => a - b)) {
    if (window >= firstWindow && window <= lastWindow) {
      // When the window's whole budget had been spent (then the CLI waited for the next window), from its start.
      const spent = samples.find((each) => windowOf(each) === window && each.requests - before.requests >= limit)
      windows.push({
        window: window - firstWindow + 1,
        documents: sample.created - before.created,
        requests: sample.requests - before.requests,
        full: window > firstWindow && window < lastWindow,
        budgetSpentAfterSeconds: spent === undefined ? null : round((spent.atMillis - window * windowMillis) / 1000, 1)
      })
    }
    before = sample
  }
  return windows
}

/** The figures of a run: documents against the budget, bytes, requests, CPU, RSS. */
const figures = (name: string, bundle: Bundle, run: Run, rateLimit: string) => {
  const { samples, stats } = run
  const { limit, windowMillis } = budgetOf(rateLimit)
  const first = samples.find((sample) => sample.created > 0) ?? samples[0]
  const last = samples.find((sample) => sample.uploaded >= bundle.files) ?? samples.at(-1)
  const span = Math.max(0.001, (last?.seconds ?? 0) - (first?.seconds ?? 0))
  const windows = perWindow(samples, limit, windowMillis, bundle.files)
  const full = windows.filter((window) => window.full)
  const mean = (values: ReadonlyArray<number>) =>
    values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length
  const fullDocuments = mean(full.map((window) => window.documents))
  const fullRequests = mean(full.map((window) => window.requests))
  const backlog = samples.map((sample) => sample.created - sample.uploaded)
  const attachmentRequests = stats.requests.byRoute["POST /v1/attachments"] ?? 0
  return {
    scenario: name,
    rateLimit,
    files: bundle.files,
    conversations: bundle.conversations,
    totalMb: round(bundle.bytes / 1e6, 1),
    sizesKb: {
      min: round(bundle.sizes.min / 1e3, 1),
      median: round(bundle.sizes.median / 1e3, 1),
      max: round(bundle.sizes.max / 1e3, 1)
    },
    seconds: round(run.elapsed, 1),
    /** From the first document created to the last file uploaded. */
    documentsSpanSeconds: round(span, 1),
    documentsPerMinuteOverSpan: round((((last?.created ?? 0) - (first?.created ?? 0)) * 60) / span, 1),
    windows: windows.length > 12 ? null : windows,
    fullWindows: full.length,
    documentsPerFullWindow: fullDocuments === null ? null : round(fullDocuments, 1),
    apiRequestsPerFullWindow: fullRequests === null ? null : round(fullRequests, 1),
    limitPerWindow: limit,
    documentsShareOfBudget: fullDocuments === null ? null : round(fullDocuments / limit, 3),
    apiRequestsShareOfBudget: fullRequests === null ? null : round(fullRequests / limit, 3),
    uploadMbPerSecond: round(((last?.bytes ?? 0) - (first?.bytes ?? 0)) / 1e6 / span, 2),
    documentsWaitingForBytes: {
      max: Math.max(...backlog),
      mean: round(backlog.reduce((sum, value) => sum + value, 0) / Math.max(1, backlog.length), 2)
    },
    requests: {
      api: stats.requests.total,
      documents: attachmentRequests,
      uploads: stats.attachments.uploadRequests,
      documentsPerAttachment: round(attachmentRequests / bundle.files, 3),
      apiPerAttachment: round(stats.requests.total / bundle.files, 3),
      uploadsPerAttachment: round(stats.attachments.uploadRequests / bundle.files, 3),
      rateLimited: stats.requests.rateLimited,
      byRoute: stats.requests.byRoute
    },
    simulator: stats.attachments,
    cliSummary: run.summary,
    cpuSeconds: {
      cli: round(run.cli.cpuSeconds, 1),
      simulator: run.simulatorCpuSeconds === null ? null : round(run.simulatorCpuSeconds, 1)
    },
    peakRssMb: {
      cli: round(run.cli.peakKb / 1024, 1),
      timeV: run.timeRssKb === undefined ? null : round(run.timeRssKb / 1024, 1)
    },
    // About one point a second.
    cliRssMb: run.cli.rss.filter((_, index) => index % 4 === 0)
  }
}

const scenario = async (
  name: string,
  count: number,
  sizeOf: (index: number) => number,
  rateLimit: string
) => {
  const dir = join(workDir, `${name}-${Date.now().toString(36)}`)
  try {
    const bundle = writeBundle(dir, `att-${name}-${Date.now().toString(36)}`, sizeOf, count)
    console.log(`${name}: ${count} files, ${round(bundle.bytes / 1e6, 1)} MB, budget ${rateLimit}`)
    const settings = { rateLimit, workers: 16, jobLatencyMs: 100, itemLatencyMs: 1 }
    const run = await withSimulator(settings, (simulator) => migrate(simulator, bundle, dir, rateLimit))
    const result = figures(name, bundle, run, rateLimit)
    console.log(
      `${name}: ${result.documentsPerFullWindow ?? "-"} documents per full window of ${result.limitPerWindow} ` +
        `(${result.fullWindows} windows), ${result.documentsPerMinuteOverSpan}/min over the span, ` +
        `${result.uploadMbPerSecond} MB/s, CPU ${result.cpuSeconds.cli} s CLI / ${result.cpuSeconds.simulator} s ` +
        `simulator, peak RSS ${result.peakRssMb.cli} MB, ${result.seconds} s`
    )
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const main = async () => {
  const loadBefore = machine().loadAverage
  const next = Prng.make(seed)
  const logUniform = () => Math.round(minBytes * (maxBytes / minBytes) ** next())
  const runs = []
  if (scenarioSelected("budget")) runs.push(await scenario("budget", attachments, () => logUniform(), budget))
  if (scenarioSelected("capacity")) {
    runs.push(await scenario("capacity", capacityAttachments, () => logUniform(), unlimited))
  }
  if (scenarioSelected("large") && largeCount > 0) {
    runs.push(await scenario("large", largeCount, () => largeBytes, unlimited))
  }
  writeReport("attachments", {
    benchmark: "attachments",
    description: "kustomer-bulk migrate (the built launcher) carrying a bundle's files into the standalone " +
      "simulator: one document request each, bytes streamed to the presigned upload",
    command: commandLine("attachments"),
    machine: machine(),
    settings: { attachments, minBytes, maxBytes, capacityAttachments, largeCount, largeBytes, seed, budget },
    runs,
    targets: "documents at the budget's pace, one request each; uploads never the bottleneck; peak RSS ≤ 250 MB",
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
