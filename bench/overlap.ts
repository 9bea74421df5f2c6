/**
 * The whole migration at the ceiling: `kustomer-bulk migrate` (the built launcher, as users run it; `pnpm build`
 * first) with its phases one after another (`--sequential-phases`) and overlapped (the default), side by side in one run, each on a
 * fresh standalone simulator: by default a bundle of 12,000 conversations of 2,400 customers with 3 messages and 1
 * note each (62,400 objects), 300 requests / 10 s, jobs of 1–3 s.
 *
 *   pnpm bench overlap [--conversations 12000] [--customers 2400] [--messages 3] [--notes 1]
 *                      [--job-latency 1000-3000] [--rounds 1] [--cap 0]
 *
 * The CLI learns the budget from the simulator's headers, as for a user who does not cap it; `--cap 1` also passes
 * `--rate-limit 300/10s`, the CLI's own ceiling over a sliding window (stricter than the simulator's fixed one).
 * The simulator's windows are aligned to the clock (every 10 s), so where a run starts in its first window
 * (`windowPhaseSeconds`) decides how much of that window the start-up leaves unused.
 *
 * Measures, for each mode: the wall time from the process's start to its exit, against the ideal (objects ÷ the
 * ceiling of L × 100 / (2 W) objects/s: one submission and one job read per request of 100); the requests the
 * simulator received per 100 objects stored (every request: role check, submissions, job reads, look-ups); objects
 * stored twice; and the CLI's peak RSS. Targets of issue 27: overlapped ≥ 0.93 of the ideal, ≤ 2.1 requests per 100
 * objects, peak RSS ≤ 250 MB.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { numberFlag, stringFlag } from "./lib/args.js"
import { runNode } from "./lib/processes.js"
import { commandLine, machine, root, round, writeReport } from "./lib/report.js"
import { type RunningSimulator, withSimulator } from "./lib/simulator.js"

const conversations = numberFlag("conversations", 12_000)
const customers = numberFlag("customers", 2_400)
const messages = numberFlag("messages", 3)
const notes = numberFlag("notes", 1)
const rounds = numberFlag("rounds", 1)
const cap = numberFlag("cap", 0) === 1
const [latencyMin, latencyMax] = stringFlag("job-latency", "1000-3000").split("-").map((part) => Number(part))
const limit = 300
const windowSeconds = 10
const launcher = "packages/cli/bin/kustomer-bulk.mjs"
const workDir = join(root, "bench/results/tmp/overlap")
const simulatorSettings = {
  rateLimit: `${limit}/${windowSeconds}s`,
  workers: 10_000,
  jobLatencyMs: latencyMin ?? 1000,
  jobLatencyMaxMs: latencyMax ?? latencyMin ?? 3000,
  itemLatencyMs: 0,
  // No seeded customers: what is stored is what the migration created.
  customers: 0
}
const ceiling = (limit * 100) / (2 * windowSeconds)

/** A bundle line: a conversation with its customer, its messages and notes, all with external ids. */
const line = (index: number) => {
  const who = index % customers
  return JSON.stringify({
    externalId: `c${index}`,
    name: `Ticket ${index}`,
    status: index % 3 === 0 ? "open" : "done",
    createdAt: "2025-06-01T10:00:00Z",
    customer: { externalId: `u${who}`, name: `Customer ${who}`, emails: [{ email: `u${who}@example.com` }] },
    messages: Array.from({ length: messages }, (_, turn) => ({
      externalId: `c${index}-m${turn}`,
      direction: turn % 2 === 0 ? "in" : "out",
      channel: "email",
      app: "postmark",
      preview: `Message ${turn} of ticket ${index}: where is my order, and when will it arrive?`
    })),
    notes: Array.from({ length: notes }, (_, turn) => ({
      externalId: `c${index}-n${turn}`,
      body: `Checked ticket ${index} with the warehouse (${turn}).`
    }))
  })
}

type Mode = "overlapped" | "sequential"

const resources = ["customers", "conversations", "messages", "notes"] as const

const migrateOnce = async (simulator: RunningSimulator, bundle: string, mode: Mode) => {
  const report = join(workDir, `${mode}.report.json`)
  const windowPhaseSeconds = round((Date.now() % (windowSeconds * 1000)) / 1000, 1)
  const result = await runNode(
    launcher,
    [
      "migrate",
      bundle,
      "--base-url",
      simulator.baseUrl,
      // With --cap, the budget is also the CLI's own ceiling (`--rate-limit`: a sliding window of its own);
      // without, the server's headers set it, as for a user who does not cap.
      ...(cap ? ["--rate-limit", `${limit}/${windowSeconds}s`] : []),
      "--report",
      report,
      ...(mode === "sequential" ? ["--sequential-phases"] : [])
    ],
    { KUSTOMER_API_KEY: simulator.apiKey },
    60 * 60_000
  )
  if (result.code !== 0) throw new Error(`the ${mode} migration failed:\n${result.stderr.slice(-4000)}`)
  const stats = await simulator.stats()
  const stored = resources.reduce((sum, resource) => sum + stats[resource].stored, 0)
  const storedTwice = resources.reduce((sum, resource) => sum + stats[resource].storedTwice, 0)
  const phases = (JSON.parse(readFileSync(report, "utf8")) as {
    phases: ReadonlyArray<{ resource: string; created: number; requests: number; elapsedMillis: number }>
  }).phases
  const ideal = stored / ceiling
  return {
    mode,
    windowPhaseSeconds,
    objects: stored,
    storedTwice,
    requests: stats.requests.total,
    rateLimited: stats.requests.rateLimited,
    requestsPer100Objects: round((stats.requests.total * 100) / Math.max(1, stored), 3),
    seconds: round(result.seconds, 1),
    idealSeconds: round(ideal, 1),
    shareOfIdeal: round(ideal / result.seconds, 3),
    peakRssMb: result.maxRssKb === undefined ? null : round(result.maxRssKb / 1024, 1),
    phases: phases.map((phase) => ({
      resource: phase.resource,
      created: phase.created,
      requests: phase.requests,
      seconds: round(phase.elapsedMillis / 1000, 1)
    }))
  }
}

const main = async () => {
  const loadBefore = machine().loadAverage
  mkdirSync(workDir, { recursive: true })
  const bundle = join(workDir, "bundle.jsonl")
  writeFileSync(bundle, Array.from({ length: conversations }, (_, index) => line(index)).join("\n") + "\n")
  const runs: Array<Awaited<ReturnType<typeof migrateOnce>>> = []
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternated, so that neither mode always runs on the busier half of the run.
      const order: ReadonlyArray<Mode> = round % 2 === 0 ? ["sequential", "overlapped"] : ["overlapped", "sequential"]
      for (const mode of order) {
        const run = await withSimulator(simulatorSettings, (simulator) => migrateOnce(simulator, bundle, mode))
        console.log(
          `${mode}: ${run.objects} objects in ${run.seconds} s (${run.shareOfIdeal} of the ideal ${run.idealSeconds} s), ` +
            `${run.requestsPer100Objects} requests per 100 objects, peak RSS ${run.peakRssMb} MB`
        )
        runs.push(run)
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
  writeReport("overlap", {
    benchmark: "overlap",
    description: "kustomer-bulk migrate (built launcher), phases overlapped and one after another, each on a fresh " +
      "standalone simulator",
    command: commandLine("overlap"),
    machine: machine(),
    simulator: simulatorSettings,
    bundle: { conversations, customers, messagesPerConversation: messages, notesPerConversation: notes },
    ceilingObjectsPerSecond: ceiling,
    cappedByTheCli: cap,
    runs,
    targets: "overlapped: wall time ≥ 0.93 of the ideal, ≤ 2.1 requests per 100 objects, peak RSS ≤ 250 MB",
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
