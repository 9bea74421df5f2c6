/**
 * What the check of an input's structure before the first request costs (`Preflight.checkFileStructure`, run by
 * every durable import of JSON or JSON Lines): 200,000 conversations of mixed size as a JSON array and as JSON Lines.
 *
 *   pnpm bench input-check [--records 200000] [--rounds 3] [--import-rounds 2] [--scenarios passes,durable-import]
 *
 * Scenarios:
 * - `passes`: for each format, the median of `--rounds` timed passes over the file — the check; for scale, the
 *   identifying pass every durable import already makes (size and SHA-256: `ImportInput.identify`) and the reader
 *   (`ImportSource.fromBytes`, every record parsed) — with each pass's peak growth of RSS, heap and array buffers.
 * - `durable-import`: `DurableImport.run` of the JSON array into an in-process simulator with no job latency (the
 *   fastest an import can go, so the check's largest share), with the check and with `checkStructure: false`, in
 *   turns, `--import-rounds` times each.
 *
 * The figures go to `bench/results/input-check.json`. Loopback only: nothing leaves the process.
 */
import { ImportSource, KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "@effect-kustomer/client"
import { Simulator, SimulatorClient } from "@effect-kustomer/simulator"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { once } from "node:events"
import { createWriteStream } from "node:fs"
import * as NodePath from "node:path"
import { DurableImport, ImportInput, Preflight } from "../packages/journal/src/index.js"
import { numberFlag, scenarioSelected } from "./lib/args.js"
import { mixedConversation, writeJsonLines } from "./lib/records.js"
import { commandLine, machine, round, writeReport } from "./lib/report.js"

const settings = {
  records: numberFlag("records", 200_000),
  rounds: Math.max(1, numberFlag("rounds", 3)),
  importRounds: Math.max(1, numberFlag("import-rounds", 2))
}

/** Writes `count` records as one JSON array, one record per line, streaming; returns the file's size in bytes. */
const writeJsonArray = async (file: string, count: number, record: (index: number) => unknown): Promise<number> => {
  const out = createWriteStream(file)
  let bytes = 0
  let buffer = "[\n"
  for (let index = 0; index < count; index++) {
    buffer += `${JSON.stringify(record(index))}${index === count - 1 ? "\n" : ",\n"}`
    if (buffer.length > 1 << 16) {
      bytes += Buffer.byteLength(buffer)
      if (!out.write(buffer)) await once(out, "drain")
      buffer = ""
    }
  }
  buffer += "]\n"
  bytes += Buffer.byteLength(buffer)
  out.end(buffer)
  await once(out, "finish")
  return bytes
}

/** Milliseconds an effect takes (`performance.now`: a benchmark's wall clock, not the library's `Clock`). */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    const value = yield* effect
    return { value, millis: performance.now() - start }
  })

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/**
 * An effect's time and the peak growth of RSS, heap and array buffers (the file's chunks, freed when the GC runs)
 * over their values at its start, in MB, sampled every 2 ms.
 */
const measured = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = process.memoryUsage()
    const peak = { ...start }
    const sampler = setInterval(() => {
      const now = process.memoryUsage()
      peak.rss = Math.max(peak.rss, now.rss)
      peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed)
      peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers)
    }, 2)
    const { millis, value } = yield* timed(effect).pipe(Effect.ensuring(Effect.sync(() => clearInterval(sampler))))
    const growth = (key: "rss" | "heapUsed" | "arrayBuffers") => round((peak[key] - start[key]) / 2 ** 20)
    return {
      value,
      millis,
      memory: { rss: growth("rss"), heap: growth("heapUsed"), arrayBuffers: growth("arrayBuffers") }
    }
  })

type Memory = { readonly rss: number; readonly heap: number; readonly arrayBuffers: number }

const most = (a: Memory | undefined, b: Memory): Memory =>
  a === undefined
    ? b
    : {
      rss: Math.max(a.rss, b.rss),
      heap: Math.max(a.heap, b.heap),
      arrayBuffers: Math.max(a.arrayBuffers, b.arrayBuffers)
    }

const passes = (file: string, format: ImportSource.Format, bytes: number) =>
  Effect.gen(function*() {
    const times = { check: [] as Array<number>, identify: [] as Array<number>, read: [] as Array<number> }
    const memory: { check?: Memory; identify?: Memory; read?: Memory } = {}
    let records: number | undefined
    for (let index = 0; index < settings.rounds; index++) {
      // As a durable import runs it: the file read into one buffer.
      const checked = yield* measured(Preflight.checkFileStructure(file, format))
      records = checked.value.records
      const identified = yield* measured(ImportInput.identify(file, format))
      const read = yield* measured(Stream.runCount(ImportSource.fromBytes(ImportSource.fileBytes(file), format)))
      for (const [name, run] of [["check", checked], ["identify", identified], ["read", read]] as const) {
        times[name].push(run.millis)
        memory[name] = most(memory[name], run.memory)
      }
    }
    const check = median(times.check)
    const result = {
      format,
      bytes,
      recordsCounted: records ?? null,
      checkMillis: round(check),
      checkMegabytesPerSecond: round(bytes / 2 ** 20 / (check / 1000)),
      identifyMillis: round(median(times.identify)),
      readMillis: round(median(times.read)),
      checkPerIdentify: round(check / median(times.identify), 2),
      checkPerRead: round(check / median(times.read), 3),
      peakGrowthMb: memory
    }
    yield* Console.log(JSON.stringify(result))
    return result
  })

/** A fresh in-process simulator with no job latency and no rate limit to speak of, and a client aimed at it. */
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

/** A durable import of the JSON array (written afresh, naming a customer of the simulator in context), timed. */
const durableImport = (dir: string, checkStructure: boolean) =>
  Effect.gen(function*() {
    const customer = (yield* Simulator.Simulator).customerIds[0] ?? ""
    const file = NodePath.join(dir, "import.json")
    yield* Effect.promise(() =>
      writeJsonArray(file, settings.records, (index) => mixedConversation("import", index, customer))
    )
    const start = performance.now()
    let started = 0
    const { millis, value } = yield* timed(DurableImport.run({
      input: file,
      checkStructure,
      // Called once the checks before the first request are done (identity, structure, roles).
      onStart: () => Effect.sync(() => (started = performance.now() - start)),
      pipeline: {
        linger: "20 millis",
        firstPollDelay: "50 millis",
        pollSchedule: Schedule.spaced("50 millis"),
        submitConcurrency: 4,
        maxJobsInFlight: 32
      }
    }))
    const result = {
      checkStructure,
      created: value.summary.created,
      seconds: round(millis / 1000, 2),
      startMillis: Math.round(started)
    }
    yield* Console.log(JSON.stringify(result))
    return result
  }).pipe(Effect.provide(simulated()))

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "input-check-" })
  const record = (index: number) => mixedConversation("check", index, "5cb3a1b7c9e77c0013e5f2d1")
  const jsonFile = NodePath.join(dir, "records.json")
  const linesFile = NodePath.join(dir, "records.jsonl")
  const jsonBytes = yield* Effect.promise(() => writeJsonArray(jsonFile, settings.records, record))
  const linesBytes = yield* Effect.promise(() => writeJsonLines(linesFile, settings.records, record))
  const formats = scenarioSelected("passes")
    ? [yield* passes(jsonFile, "json", jsonBytes), yield* passes(linesFile, "jsonl", linesBytes)]
    : []
  // Each round imports with and without the check, each first in every other round (the first import of a pair
  // pays for collecting the garbage of the one before, and the machine's load drifts over a run).
  const imports: Array<Effect.Effect.Success<ReturnType<typeof durableImport>>> = []
  for (let index = 0; scenarioSelected("durable-import") && index < settings.importRounds; index++) {
    for (const checkStructure of index % 2 === 0 ? [true, false] : [false, true]) {
      imports.push(yield* durableImport(dir, checkStructure))
    }
  }
  const medianOf = (checkStructure: boolean, figure: "seconds" | "startMillis") =>
    round(median(imports.filter((run) => run.checkStructure === checkStructure).map((run) => run[figure])), 2)
  const withoutCheck = imports.length === 0 ? undefined : medianOf(false, "seconds")
  const jsonCheck = formats.find((result) => result.format === "json")
  writeReport("input-check", {
    benchmark: "input-check",
    description: `${settings.records} conversations of mixed size: the structure check before the first request ` +
      "against the identifying pass and the reader; a durable import of the JSON array with and without it",
    command: commandLine("input-check"),
    machine: machine(),
    settings,
    formats,
    imports,
    // Whole imports differ by more from run to run (load, the collection of the run before) than by the check, so
    // its cost is its own pass, and what it adds to the time before the first request (`startMillis`).
    importMedians: imports.length === 0 ? null : {
      seconds: { withCheck: medianOf(true, "seconds"), withoutCheck },
      startMillis: { withCheck: medianOf(true, "startMillis"), withoutCheck: medianOf(false, "startMillis") }
    },
    checkShareOfImport: jsonCheck === undefined || withoutCheck === undefined
      ? null
      : round(jsonCheck.checkMillis / 1000 / withoutCheck, 3)
  })
})

program.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
