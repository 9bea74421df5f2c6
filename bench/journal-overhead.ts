/**
 * What the SQLite journal costs an import: 100,000 records imported into an in-process simulator (no sockets, no
 * job latency, so the pipeline and the journal are the bottleneck if anything is), with and without the journal.
 *
 *   pnpm tsx --conditions=source bench/journal-overhead.ts [--records 100000] [--rounds 1] [--only journal,…]
 *
 * Scenarios, each against a fresh simulator:
 * - `no-journal`: `BulkImport.run` over the file, no checkpoint;
 * - `journal`: the same with `SqliteJournal` (WAL, `synchronous = NORMAL`), every call timed;
 * - `journal-fsync`: the same with `durability: "system"` (`synchronous = FULL`, a flush per commit);
 * - `durable-import`: `DurableImport.run` end to end (fingerprint pass, journal, rejects file, report).
 *
 * The figures go to `bench/results/journal-overhead.json`. Loopback only: nothing leaves the process.
 */
import {
  BulkImport,
  type ImportCheckpoint,
  ImportSource,
  KustomerAuth,
  KustomerClient,
  KustomerConfig,
  RateLimiter
} from "@effect-kustomer/client"
import { Simulator, SimulatorClient } from "@effect-kustomer/simulator"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import { DurableImport, ImportInput, SqliteJournal } from "../packages/journal/src/index.js"

const root = NodePath.join(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "..")

const flag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`)
  const parsed = index === -1 ? Number.NaN : Number(process.argv[index + 1])
  return Number.isFinite(parsed) ? parsed : fallback
}

const settings = { records: flag("records", 100_000), rounds: flag("rounds", 1) }

const allScenarios = ["no-journal", "journal", "journal-fsync", "durable-import"]
const onlyIndex = process.argv.indexOf("--only")
const chosen = onlyIndex === -1 ? allScenarios : (process.argv[onlyIndex + 1] ?? "").split(",")

const pipeline = {
  linger: "20 millis",
  firstPollDelay: "50 millis",
  pollSchedule: Schedule.spaced("50 millis"),
  submitConcurrency: 4,
  maxJobsInFlight: 32
} as const

/** A fresh in-process simulator with no job latency, and a client aimed at it. */
const simulated = () => {
  const simulator = SimulatorClient.layerSimulator({
    jobLatency: "0 millis",
    itemLatency: "0 millis",
    rateLimit: { limit: 10_000_000, window: "60 seconds" }
  })
  const client = KustomerClient.layer().pipe(
    Layer.provideMerge(RateLimiter.layer({ limit: 10_000_000, window: "1 minute", margin: 0 })),
    Layer.provide(Layer.mergeAll(
      KustomerConfig.layer({ baseUrl: "http://localhost:4010" }),
      Layer.unwrapEffect(Effect.map(Simulator.Simulator, (sim) => KustomerAuth.layer(Redacted.make(sim.apiKey))))
    ))
  )
  return Layer.provideMerge(client, simulator)
}

interface CallTimes {
  calls: number
  nanos: bigint
}

/** A journal whose every call is timed. */
const timed = (journal: ImportCheckpoint.ImportCheckpoint, times: Map<string, CallTimes>) => {
  const measure = <A, E>(name: string, effect: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeNanos
      const result = yield* effect
      const entry = times.get(name) ?? { calls: 0, nanos: 0n }
      entry.calls++
      entry.nanos += (yield* Clock.currentTimeNanos) - start
      times.set(name, entry)
      return result
    })
  const wrapped: ImportCheckpoint.ImportCheckpoint = {
    begin: (run) => measure("begin", journal.begin(run)),
    prepared: (chunk) => measure("prepared", journal.prepared(chunk)),
    sending: (chunk) => measure("sending", journal.sending(chunk)),
    submitted: (chunk, jobId) => measure("submitted", journal.submitted(chunk, jobId)),
    settled: (outcomes, chunk) => measure("settled", journal.settled(outcomes, chunk)),
    finished: measure("finished", journal.finished)
  }
  return wrapped
}

const millisSince = (start: number) => Effect.map(Clock.currentTimeMillis, (now) => now - start)

/** The input file, naming a customer of the simulator in context. */
const writeInput = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const customer = (yield* Simulator.Simulator).customerIds[0] ?? ""
    const lines: Array<string> = []
    for (let index = 0; index < settings.records; index++) {
      lines.push(JSON.stringify({
        customer,
        externalId: `bench-${index}`,
        name: `Ticket ${index}`,
        status: "open",
        priority: (index % 5) + 1,
        tags: ["imported"]
      }))
    }
    yield* fs.writeFileString(path, `${lines.join("\n")}\n`)
  })

const scenario = (name: string, dir: string, round: number) =>
  Effect.gen(function*() {
    const input = NodePath.join(dir, `${name}-${round}.jsonl`)
    yield* writeInput(input)
    const start = yield* Clock.currentTimeMillis
    const times = new Map<string, CallTimes>()
    let created = 0
    if (name === "durable-import") {
      const result = yield* DurableImport.run({
        input,
        journal: NodePath.join(dir, `${name}-${round}.journal`),
        rejects: NodePath.join(dir, `${name}-${round}.rejects.jsonl`),
        report: NodePath.join(dir, `${name}-${round}.report.json`),
        pipeline
      })
      created = result.summary.created
    } else {
      const records = ImportInput.records(ImportSource.fileBytes(input), "jsonl").records
      const checkpoint = name === "no-journal"
        ? undefined
        : timed(
          yield* SqliteJournal.make(NodePath.join(dir, `${name}-${round}.journal`), {
            durability: name === "journal-fsync" ? "system" : "process"
          }),
          times
        )
      const summary = yield* BulkImport.run(records, {
        ...pipeline,
        checkpoint,
        source: { name: input, fingerprint: "bench" }
      })
      created = summary.created
    }
    const elapsed = yield* millisSince(start)
    const stats = yield* Effect.flatMap(Simulator.Simulator, (simulator) => simulator.stats)
    const journalMillis = [...times.values()].reduce((total, entry) => total + Number(entry.nanos) / 1e6, 0)
    const result = {
      scenario: name,
      records: settings.records,
      created,
      stored: stats.conversations.stored,
      elapsedSeconds: Math.round(elapsed / 10) / 100,
      recordsPerSecond: Math.round(settings.records / (elapsed / 1000)),
      ...(times.size === 0 ? {} : {
        journalMillis: Math.round(journalMillis),
        journalShareOfElapsed: Math.round((journalMillis / elapsed) * 1000) / 1000,
        journalCalls: Object.fromEntries(
          [...times.entries()].map(([call, entry]) => [call, {
            calls: entry.calls,
            totalMillis: Math.round(Number(entry.nanos) / 1e5) / 10,
            meanMicros: Math.round(Number(entry.nanos) / entry.calls / 1e3)
          }])
        )
      })
    }
    yield* Console.log(JSON.stringify(result))
    return result
  }).pipe(Effect.scoped, Effect.provide(simulated()))

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "journal-overhead-" })
  const scenarios = []
  for (let round = 0; round < settings.rounds; round++) {
    for (const name of chosen) {
      scenarios.push(yield* scenario(name, dir, round))
    }
  }
  const results = {
    benchmark: "journal-overhead",
    description: "100,000 conversations imported into an in-process simulator with no job latency, " +
      "with and without the SQLite journal",
    command: "pnpm tsx --conditions=source bench/journal-overhead.ts",
    machine: {
      cpus: NodeOs.cpus().length,
      cpu: NodeOs.cpus()[0]?.model ?? "unknown",
      node: process.version,
      platform: process.platform
    },
    settings: { ...settings, pipeline: { ...pipeline, pollSchedule: "spaced 50 ms" } },
    scenarios
  }
  yield* fs.makeDirectory(NodePath.join(root, "bench/results"), { recursive: true })
  yield* fs.writeFileString(
    NodePath.join(root, "bench/results/journal-overhead.json"),
    `${JSON.stringify(results, null, 2)}\n`
  )
})

program.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
