/**
 * Throughput of the standalone simulator: how many bulk POSTs of 100 small conversations per second it accepts.
 *
 *   pnpm bench simulator-throughput [--requests 8000] [--seconds 15] [--concurrency 32] [--out file.json]
 *
 * Two scenarios, each against a fresh simulator:
 * - `full-speed-jobs`: job and item latency 0, so the 16 workers store every item as fast as they can while the
 *   server accepts requests — the harder case, and the headline figure;
 * - `default-timing`: the simulator's default job timing (100 ms per job, 1 ms per item), where a backlog of
 *   queued jobs builds up and the server mostly accepts.
 *
 * Each starts `packages/simulator/src/bin.ts` as a child process on a free loopback port (so the server has a
 * process of its own, as with `pnpm simulator`), drives it from this process over keep-alive connections, and the
 * figures go to `bench/results/simulator-throughput.json`. Bounded in requests and in time; loopback only.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import { cpus } from "node:os"
import { dirname, join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { startSimulator } from "./lib/simulator.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

const flag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`)
  const value = index === -1 ? undefined : process.argv[index + 1]
  const parsed = value === undefined ? Number.NaN : Number(value)
  return Number.isFinite(parsed) ? parsed : fallback
}

const settings = {
  requests: flag("requests", 8_000),
  seconds: flag("seconds", 15),
  concurrency: flag("concurrency", 32),
  itemsPerRequest: 100,
  workers: 16
}

interface Scenario {
  readonly name: string
  readonly jobLatencyMs: number
  readonly itemLatencyMs: number
}

const scenarios: ReadonlyArray<Scenario> = [
  { name: "full-speed-jobs", jobLatencyMs: 0, itemLatencyMs: 0 },
  { name: "default-timing", jobLatencyMs: 100, itemLatencyMs: 1 }
]

interface Reply {
  readonly status: number
  readonly body: string
}

const request = (
  agent: Http.Agent,
  base: URL,
  method: "GET" | "POST",
  path: string,
  headers: Record<string, string>,
  body?: string
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = Http.request({
      agent,
      hostname: base.hostname,
      port: base.port,
      method,
      path,
      headers: body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) }
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

const bodyFor = (customer: string, requestIndex: number): string => {
  const items: Array<string> = []
  for (let index = 0; index < settings.itemsPerRequest; index++) {
    items.push(
      `{"customer":"${customer}","externalId":"bench-${requestIndex}-${index}","name":"Bench conversation ${index}"}`
    )
  }
  return `[${items.join(",")}]`
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits

const runScenario = async (scenario: Scenario) => {
  const running = await startSimulator({
    rateLimit: "1000000000/60",
    customers: 1,
    workers: settings.workers,
    jobLatencyMs: scenario.jobLatencyMs,
    itemLatencyMs: scenario.itemLatencyMs
  })
  const simulator = { ...running, baseUrl: new URL(running.baseUrl), customerId: running.customerIds[0] ?? "" }
  const agent = new Http.Agent({ keepAlive: true, maxSockets: settings.concurrency })
  const headers = { authorization: `Bearer ${simulator.apiKey}`, "content-type": "application/json" }
  const post = (index: number) =>
    request(agent, simulator.baseUrl, "POST", "/v1/conversations/bulk", headers, bodyFor(simulator.customerId, index))
  try {
    // Warm-up: JIT, connections.
    for (let index = 0; index < 200; index++) await post(-1 - index)
    const latencies: Array<number> = []
    const statuses = new Map<number, number>()
    let next = 0
    const started = performance.now()
    const deadline = started + settings.seconds * 1000
    const loop = async () => {
      while (next < settings.requests && performance.now() < deadline) {
        const index = next++
        const sent = performance.now()
        const reply = await post(index)
        latencies.push(performance.now() - sent)
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
      }
    }
    await Promise.all(Array.from({ length: settings.concurrency }, () => loop()))
    const elapsedSeconds = (performance.now() - started) / 1000
    const accepted = statuses.get(201) ?? 0
    latencies.sort((a, b) => a - b)
    const stats = JSON.parse((await request(agent, simulator.baseUrl, "GET", "/__admin/stats", {})).body)
    return {
      scenario: scenario.name,
      jobLatencyMs: scenario.jobLatencyMs,
      itemLatencyMs: scenario.itemLatencyMs,
      requestsSent: latencies.length,
      accepted,
      statuses: Object.fromEntries(statuses),
      elapsedSeconds: round(elapsedSeconds, 2),
      requestsPerSecond: round(accepted / elapsedSeconds),
      itemsPerSecond: Math.round((accepted * settings.itemsPerRequest) / elapsedSeconds),
      latencyMs: {
        p50: round(percentile(latencies, 50), 2),
        p95: round(percentile(latencies, 95), 2),
        p99: round(percentile(latencies, 99), 2),
        max: round(latencies[latencies.length - 1] ?? 0, 2)
      },
      serverAtEnd: { jobs: stats.jobs, conversationsStored: stats.conversations.stored }
    }
  } finally {
    agent.destroy()
    await simulator.stop()
  }
}

const main = async () => {
  const results = []
  for (const scenario of scenarios) {
    const result = await runScenario(scenario)
    console.log(
      `${result.scenario}: ${result.requestsPerSecond} bulk requests/s (${result.itemsPerSecond} items/s), ` +
        `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`
    )
    results.push(result)
  }
  const sample = bodyFor("0123456789abcdef01234567", 0)
  const report = {
    benchmark: "simulator-throughput",
    description: "bulk POSTs of 100 small conversations to the standalone simulator over loopback HTTP/1.1 keep-alive",
    command: "pnpm bench simulator-throughput",
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      node: process.version,
      platform: process.platform
    },
    settings: { ...settings, bodyBytes: Buffer.byteLength(sample) },
    scenarios: results
  }
  const out = process.argv.indexOf("--out")
  const file = out === -1 || process.argv[out + 1] === undefined
    ? join(root, "bench/results/simulator-throughput.json")
    : resolve(process.argv[out + 1] ?? "")
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`written to ${file}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
