/**
 * Migration: `kustomer-bulk migrate` (as users run it) on a generated bundle — by default 10,000 conversations of
 * 2,000 customers with 5 messages and 1 note each (72,000 objects) — against the standalone simulator at a
 * 300 / 10 s rate limit, and the same on a bundle a tenth of the size for memory.
 *
 *   pnpm bench migration [--conversations 10000] [--customers 2000] [--small 1000] [--heap-mb 128]
 *
 * The CLI runs from its sources (tsx) with the V8 heap cap the installed launcher sets (`--heap-mb`, default 128;
 * 0 for none).
 *
 * Measures, from the CLI's report and the simulator: requests per 100 objects created, each phase's throughput
 * as a share of the ceiling (L × 100 / (2 W) objects/s: one submission and one job read per full request), and
 * the CLI's peak RSS on both bundles. Targets: ≤ 2.2 requests per 100 objects; ≥ 0.9 of the ceiling in each phase;
 * peak memory of the large bundle within 20 % of the small one.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { numberFlag } from "./lib/args.js"
import { runTypeScript } from "./lib/processes.js"
import { commandLine, machine, root, round, writeReport } from "./lib/report.js"
import { type RunningSimulator, withSimulator } from "./lib/simulator.js"

const conversations = numberFlag("conversations", 10_000)
const customers = numberFlag("customers", 2_000)
const smallConversations = numberFlag("small", 1_000)
const heapMb = numberFlag("heap-mb", 128)
const nodeArgs = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : []
const limit = 300
const windowSeconds = 10
const workDir = join(root, "bench/results/tmp/migration")
const simulatorSettings = { rateLimit: `${limit}/${windowSeconds}s`, workers: 64, jobLatencyMs: 300, itemLatencyMs: 0 }
const ceiling = (limit * 100) / (2 * windowSeconds)

/** A bundle line: a conversation with its customer, 5 messages and a note, all with external ids. */
const line = (run: string, index: number, customerCount: number) => {
  const who = index % customerCount
  return JSON.stringify({
    externalId: `${run}-c${index}`,
    name: `Ticket ${index}`,
    status: index % 3 === 0 ? "open" : "done",
    createdAt: "2025-06-01T10:00:00Z",
    customer: { externalId: `${run}-u${who}`, name: `Customer ${who}`, emails: [{ email: `u${who}@example.com` }] },
    messages: Array.from({ length: 5 }, (_, turn) => ({
      externalId: `${run}-c${index}-m${turn}`,
      direction: turn % 2 === 0 ? "in" : "out",
      channel: "email",
      app: "postmark",
      preview: `Message ${turn} of ticket ${index}: where is my order, and when will it arrive?`
    })),
    notes: [{ externalId: `${run}-c${index}-n`, body: `Checked ticket ${index} with the warehouse.` }]
  })
}

interface PhaseReport {
  readonly resource: string
  readonly created: number
  readonly alreadyExisting: number
  readonly requests: number
  readonly elapsedMillis: number
}

const migrateOnce = async (simulator: RunningSimulator, count: number, customerCount: number) => {
  mkdirSync(workDir, { recursive: true })
  const run = `mig${count}x${Date.now().toString(36)}`
  const bundle = join(workDir, `${run}.jsonl`)
  const report = join(workDir, `${run}.report.json`)
  writeFileSync(bundle, Array.from({ length: count }, (_, index) => line(run, index, customerCount)).join("\n") + "\n")
  const result = await runTypeScript(
    "packages/cli/src/bin.ts",
    [
      "migrate",
      bundle,
      "--base-url",
      simulator.baseUrl,
      "--rate-limit",
      `${limit}/${windowSeconds}s`,
      "--report",
      report
    ],
    { KUSTOMER_API_KEY: simulator.apiKey },
    60 * 60_000,
    nodeArgs
  )
  const phases = (JSON.parse(readFileSync(report, "utf8")) as { phases: ReadonlyArray<PhaseReport> }).phases
  rmSync(bundle)
  if (result.code !== 0) throw new Error(`the migration of ${count} conversations failed:\n${result.stderr}`)
  const objects = phases.reduce((sum, phase) => sum + phase.created + phase.alreadyExisting, 0)
  const requests = phases.reduce((sum, phase) => sum + phase.requests, 0)
  return {
    conversations: count,
    objects,
    requests,
    requestsPer100Objects: round((requests * 100) / objects, 2),
    seconds: round(result.seconds, 1),
    peakRssMb: result.maxRssKb === undefined ? null : round(result.maxRssKb / 1024, 1),
    phases: phases.map((phase) => {
      const perSecond = (phase.created * 1000) / Math.max(1, phase.elapsedMillis)
      return {
        resource: phase.resource,
        created: phase.created,
        requests: phase.requests,
        seconds: round(phase.elapsedMillis / 1000, 1),
        objectsPerSecond: Math.round(perSecond),
        shareOfCeiling: round(perSecond / ceiling, 3)
      }
    })
  }
}

const main = async () => {
  const loadBefore = machine().loadAverage
  const [small, large] = await withSimulator(simulatorSettings, async (simulator) => {
    const small = await migrateOnce(simulator, smallConversations, Math.max(1, Math.round(customers / 10)))
    console.log(`${smallConversations} conversations: ${small.objects} objects in ${small.seconds} s`)
    const large = await migrateOnce(simulator, conversations, customers)
    console.log(`${conversations} conversations: ${large.objects} objects in ${large.seconds} s`)
    return [small, large] as const
  })
  writeReport("migration", {
    benchmark: "migration",
    description: "kustomer-bulk migrate on a generated bundle (5 messages and 1 note per conversation) against the " +
      "standalone simulator",
    command: commandLine("migration"),
    machine: machine(),
    simulator: simulatorSettings,
    cliNodeArgs: nodeArgs,
    ceilingObjectsPerSecond: ceiling,
    runs: [small, large],
    memoryGrowthLargeOverSmall: small.peakRssMb === null || large.peakRssMb === null
      ? null
      : round((large.peakRssMb - small.peakRssMb) / small.peakRssMb, 3),
    targets: "≤ 2.2 requests per 100 objects; ≥ 0.9 of the ceiling per phase; large within 20 % of small in memory",
    loadAverage: { before: loadBefore, after: machine().loadAverage }
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
