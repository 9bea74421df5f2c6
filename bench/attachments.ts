/**
 * Attachments: `kustomer-bulk migrate` (the built launcher, as users run it; `pnpm build` first) carrying a bundle's
 * files into the standalone simulator — each file's document created (`POST /v1/attachments`, one request of the
 * budget), its bytes streamed to the presigned upload, its message or note sent referencing it.
 *
 *   pnpm bench attachments [--attachments 2000] [--min-kb 10] [--max-mb 5] [--rate-limit 1000/60]
 *     [--capacity-attachments 200] [--large 8] [--large-mb 64] [--scenarios budget,capacity,large] [--seed 7]
 *
 * Scenarios, each on a fresh simulator and generated files (removed afterwards):
 * - `budget`: `--attachments` files of log-uniform sizes between `--min-kb` and `--max-mb`, at the default budget
 *   (the simulator's and the CLI's 1000 requests / 60 s; `--rate-limit` states another, given to both).
 * - `capacity`: `--capacity-attachments` files of the same spread with no budget to speak of: how fast uploads go on
 *   loopback when nothing else holds them back.
 * - `large`: `--large` files of `--large-mb` each, no budget: memory when every file is far larger than the CLI's
 *   heap.
 *
 * Bundle: conversations of 2 messages and 1 note; each message and note carries files (4 per conversation, the last
 * conversation fewer). Measured: documents per minute against the budget (from the simulator's counters, sampled
 * every second), API and upload requests per attachment, bytes and upload throughput, how many documents waited
 * for their bytes at each sample, and the CLI's peak RSS (`VmHWM` of every process in its group, sampled from
 * /proc every 250 ms, and `/usr/bin/time -v`). Targets: documents at the budget's pace, one request each; uploads
 * never the bottleneck; peak RSS ≤ 250 MB whatever the file sizes.
 */
import { randomBytes } from "node:crypto"
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { numberFlag, optionalFlag, scenarioSelected } from "./lib/args.js"
import { exitWithParentArgs, killGroup, spawnChild } from "./lib/children.js"
import { commandLine, machine, root, round, writeReport } from "./lib/report.js"
import { type RunningSimulator, withSimulator } from "./lib/simulator.js"

const attachments = numberFlag("attachments", 2_000)
const minBytes = numberFlag("min-kb", 10) * 1_000
const maxBytes = numberFlag("max-mb", 5) * 1_000_000
const capacityAttachments = numberFlag("capacity-attachments", 200)
const largeCount = numberFlag("large", 8)
const largeBytes = numberFlag("large-mb", 64) * 1_000_000
const seed = numberFlag("seed", 7)
/** The budget: the simulator's default, which is also where the CLI starts (then it follows the headers). */
const budget = optionalFlag("rate-limit") ?? "1000/60"
const unlimited = "1000000000/60"
const launcher = "packages/cli/bin/kustomer-bulk.mjs"
const workDir = join(root, "bench/results/tmp/attachments")
if (!existsSync(join(root, "packages/cli/dist/kustomer-bulk.mjs"))) {
  throw new Error("the attachments benchmark runs the built CLI: run pnpm build first")
}

/** Requests per minute of a `LIMIT/SECONDS` budget. */
const perMinute = (rateLimit: string) => {
  const [limit, seconds] = rateLimit.split("/").map((part) => Number.parseFloat(part))
  return ((limit ?? 0) * 60) / (seconds ?? 60)
}

/** A seeded generator of numbers in [0, 1) (mulberry32, as the simulator's Prng). */
const prng = (start: number) => {
  let state = start >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Writes `size` bytes (slices of one random block, each file from its own offset) without holding a file. */
const pool = randomBytes(1 << 20)
const writeFile = (path: string, size: number, index: number) => {
  const fd = openSync(path, "w")
  try {
    let written = 0
    let offset = (index * 7_919) % pool.length
    while (written < size) {
      const length = Math.min(size - written, pool.length - offset)
      writeSync(fd, pool, offset, length)
      written += length
      offset = 0
    }
  } finally {
    closeSync(fd)
  }
}

interface Bundle {
  readonly path: string
  readonly files: number
  readonly bytes: number
  readonly sizes: { readonly min: number; readonly median: number; readonly max: number }
  readonly conversations: number
}

/** The files (under `dir/files`) and a bundle referencing them by `path`: 4 files per conversation. */
const writeBundle = (dir: string, run: string, sizeOf: (index: number) => number, count: number): Bundle => {
  mkdirSync(join(dir, "files"), { recursive: true })
  const sizes = Array.from({ length: count }, (_, index) => sizeOf(index))
  sizes.forEach((size, index) => writeFile(join(dir, "files", `file-${index}.bin`), size, index))
  const conversations = Math.ceil(count / 4)
  const fileRef = (index: number) =>
    index < count
      ? [{
        externalId: `${run}-att-${index}`,
        name: `file-${index}.bin`,
        contentType: index % 3 === 0 ? "image/png" : "application/pdf",
        size: sizes[index],
        path: `files/file-${index}.bin`
      }]
      : []
  const lines = Array.from({ length: conversations }, (_, index) => {
    const first = index * 4
    return JSON.stringify({
      externalId: `${run}-c${index}`,
      name: `Ticket ${index} with files`,
      status: "done",
      customer: { externalId: `${run}-u${index % 100}`, name: `Customer ${index % 100}` },
      messages: [0, 1].map((turn) => ({
        externalId: `${run}-c${index}-m${turn}`,
        direction: turn === 0 ? "in" : "out",
        channel: "email",
        app: "postmark",
        preview: `Message ${turn} of ticket ${index}: the files are attached.`,
        attachments: fileRef(first + turn)
      })),
      notes: [{
        externalId: `${run}-c${index}-n`,
        body: `Files of ticket ${index} checked.`,
        attachments: [...fileRef(first + 2), ...fileRef(first + 3)]
      }]
    })
  })
  const path = join(dir, "bundle.jsonl")
  const text = lines.join("\n") + "\n"
  const fd = openSync(path, "w")
  writeSync(fd, text)
  closeSync(fd)
  const sorted = [...sizes].sort((a, b) => a - b)
  return {
    path,
    files: count,
    bytes: sizes.reduce((sum, size) => sum + size, 0),
    sizes: { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 },
    conversations
  }
}

/** The processes of a group, from /proc: pid, whether it is the heap-capped CLI, and its `VmHWM`/`VmRSS` in kB. */
const groupMemory = (groupId: number) => {
  const found: Array<{ pid: number; cli: boolean; hwmKb: number; rssKb: number }> = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      // Fields after the command (in parentheses, which may hold spaces): state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2])
      if (pgrp !== groupId) continue
      const status = readFileSync(`/proc/${entry}/status`, "utf8")
      const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0)
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8")
      if (!cmdline.includes("node")) continue
      found.push({
        pid: Number(entry),
        cli: cmdline.includes("--max-old-space-size"),
        hwmKb: kb("VmHWM"),
        rssKb: kb("VmRSS")
      })
    } catch {
      // the process ended meanwhile
    }
  }
  return found
}

interface Sample {
  readonly seconds: number
  readonly created: number
  readonly uploaded: number
  readonly bytes: number
  readonly requests: number
}

/** Runs the migration, sampling the simulator's counters every second and the group's memory every 250 ms. */
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
  const measured = existsSync("/usr/bin/time")
  const nodeArgs = [...exitWithParentArgs, join(root, launcher), ...args]
  const child = measured
    ? spawnChild("/usr/bin/time", ["-v", process.execPath, ...nodeArgs], {
      env: { KUSTOMER_API_KEY: simulator.apiKey }
    })
    : spawnChild(process.execPath, nodeArgs, { env: { KUSTOMER_API_KEY: simulator.apiKey } })
  let stderr = ""
  child.stdout.resume()
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000)
  })
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  const samples: Array<Sample> = []
  let cliPeakKb = 0
  let launcherPeakKb = 0
  const rss: Array<{ seconds: number; rssMb: number }> = []
  const memory = setInterval(() => {
    for (const member of groupMemory(child.pid ?? -1)) {
      if (member.cli) {
        cliPeakKb = Math.max(cliPeakKb, member.hwmKb)
        rss.push({ seconds: round(seconds(), 2), rssMb: round(member.rssKb / 1024, 1) })
      } else {
        launcherPeakKb = Math.max(launcherPeakKb, member.hwmKb)
      }
    }
  }, 250)
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const stats = await simulator.stats()
      samples.push({
        seconds: seconds(),
        created: stats.attachments.created,
        uploaded: stats.attachments.uploaded,
        bytes: stats.attachments.bytes,
        requests: stats.requests.total
      })
      await new Promise((resolve) => setTimeout(resolve, 1_000))
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
  samples.push({
    seconds: elapsed,
    created: stats.attachments.created,
    uploaded: stats.attachments.uploaded,
    bytes: stats.attachments.bytes,
    requests: stats.requests.total
  })
  const timeRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]
  const summary = existsSync(report)
    ? (JSON.parse(readFileSync(report, "utf8")) as { attachments?: Record<string, number> }).attachments
    : undefined
  if (code !== 0 || summary?.["carried"] !== bundle.files || stats.attachments.uploaded !== bundle.files) {
    throw new Error(
      `the migration of ${bundle.files} attachments did not finish cleanly (exit ${code}, ${stats.attachments.uploaded} uploaded):\n${
        stderr.slice(-4_000)
      }`
    )
  }
  // The CLI's RSS, one point in four (about one a second) for the JSON.
  const rssSeries = rss.filter((_, index) => index % 4 === 0)
  return { code, elapsed, samples, stats, summary, cliPeakKb, launcherPeakKb, timeRssKb: timeRss, rss: rssSeries }
}

type Run = Awaited<ReturnType<typeof migrate>>

/** The figures of a run: documents per minute over the span in which documents were created, bytes, requests, RSS. */
const figures = (name: string, bundle: Bundle, run: Run, rateLimit: string) => {
  const { samples, stats } = run
  const first = samples.find((sample) => sample.created > 0) ?? samples[0]
  const last = samples.find((sample) => sample.uploaded >= bundle.files) ?? samples.at(-1)
  const span = Math.max(0.001, (last?.seconds ?? 0) - (first?.seconds ?? 0))
  const documentsPerMinute = (((last?.created ?? 0) - (first?.created ?? 0)) * 60) / span
  const requestsPerMinute = (((last?.requests ?? 0) - (first?.requests ?? 0)) * 60) / span
  const backlog = samples.map((sample) => sample.created - sample.uploaded)
  const limitPerMinute = perMinute(rateLimit)
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
    documentsSpanSeconds: round(span, 1),
    documentsPerMinute: round(documentsPerMinute, 1),
    apiRequestsPerMinuteInSpan: round(requestsPerMinute, 1),
    budgetPerMinute: limitPerMinute,
    documentsShareOfBudget: round(documentsPerMinute / limitPerMinute, 3),
    apiRequestsShareOfBudget: round(requestsPerMinute / limitPerMinute, 3),
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
    peakRssMb: {
      cli: round(run.cliPeakKb / 1024, 1),
      launcher: round(run.launcherPeakKb / 1024, 1),
      timeV: run.timeRssKb === undefined ? null : round(Number(run.timeRssKb) / 1024, 1)
    },
    rssSeries: run.rss
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
      `${name}: ${result.documentsPerMinute} documents/min (${result.documentsShareOfBudget} of the budget), ` +
        `${result.uploadMbPerSecond} MB/s, peak RSS ${result.peakRssMb.cli} MB, ${result.seconds} s`
    )
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const main = async () => {
  const loadBefore = machine().loadAverage
  const next = prng(seed)
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
