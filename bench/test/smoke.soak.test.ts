/**
 * Smoke runs of every benchmark on tiny inputs, one at a time (`pnpm test:soak`): each must finish and write
 * well-formed JSON with its headline figures. The figures themselves are meaningless at these sizes;
 * `pnpm bench <name>` takes the real ones.
 *
 * Each run is `bench/run.ts` in a process group of its own, stopped with its group (and the benchmark's own
 * children) when the test ends, fails or times out.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import { join } from "node:path"
import { exitWithParentArgs, spawnChild, stopChild } from "../lib/children.js"
import { root } from "../lib/report.js"

/** A finite number. */
const Figure = Schema.Number.pipe(Schema.finite())

/** Runs `pnpm bench <name> <args> --out <file>` (as Node with tsx) and decodes the JSON it wrote with `schema`. */
const bench = <A, I>(schema: Schema.Schema<A, I>, name: string, args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => NodeFs.mkdtempSync(join(NodeOs.tmpdir(), "bench-smoke-"))),
      (dir) => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
    )
    const out = join(dir, `${name}.json`)
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawnChild(process.execPath, [
          ...exitWithParentArgs,
          "--conditions=source",
          "--import",
          "tsx",
          join(root, "bench/run.ts"),
          name,
          ...args,
          "--out",
          out
        ])
      ),
      (child) => Effect.promise(() => stopChild(child))
    )
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const code = yield* Effect.async<number | null, Error>((resume) => {
      child.once("error", (error) => resume(Effect.fail(error)))
      child.once("exit", (exitCode) => resume(Effect.succeed(exitCode)))
    })
    if (code !== 0) return yield* Effect.dieMessage(`pnpm bench ${name} exited with ${code}:\n${output}`)
    return yield* Schema.decodeUnknown(Schema.parseJson(schema))(NodeFs.readFileSync(out, "utf8"))
  })

const Overlap = Schema.Struct({
  runs: Schema.Array(Schema.Struct({
    mode: Schema.String,
    objects: Schema.Number,
    storedTwice: Schema.Number,
    requestsPer100Objects: Figure
  }))
})

const Ceiling = Schema.Struct({
  benchmark: Schema.String,
  setup: Schema.Struct({ ceilingRecordsPerSecond: Schema.Number }),
  scenarios: Schema.NonEmptyArray(Schema.Struct({
    summary: Schema.Struct({ created: Schema.Number }),
    api: Schema.Struct({ workers: Schema.Number }),
    endToEnd: Schema.Struct({ ratioToCeiling: Figure })
  }))
})

const Budget = Schema.Struct({
  scenarios: Schema.NonEmptyArray(Schema.Struct({
    scenario: Schema.String,
    recordsStored: Schema.Number,
    requestsPer100Records: Schema.Struct({ client: Figure, server: Figure })
  }))
})

const Cpu = Schema.Struct({
  pipeline: Schema.Struct({ items: Schema.Number, rejected: Schema.Number }),
  ratio: Figure,
  cpuRatio: Figure
})

const SideBySide = Schema.Struct({
  scenarios: Schema.NonEmptyArray(Schema.Struct({
    results: Schema.Array(Schema.Struct({
      tool: Schema.String,
      validRecords: Schema.Number,
      lost: Schema.Number,
      requests: Figure,
      wallSeconds: Figure,
      believedMinusStored: Schema.Number
    }))
  }))
})

const Memory = Schema.Struct({
  runs: Schema.Array(Schema.Struct({ created: Schema.Number })),
  growthLargeOverSmall: Schema.NullOr(Figure)
})

const Attachments = Schema.Struct({
  runs: Schema.Array(Schema.Struct({
    scenario: Schema.String,
    files: Schema.Number,
    requests: Schema.Struct({ documentsPerAttachment: Figure }),
    simulator: Schema.Struct({ uploaded: Schema.Number, referenced: Schema.Number, referencedTwice: Schema.Number }),
    peakRssMb: Schema.Struct({ cli: Figure })
  }))
})

const UploadBackpressure = Schema.Struct({
  runs: Schema.Array(Schema.Struct({ client: Schema.String, growthMb: Figure, peakRssMb: Figure }))
})

const SimulatorThroughput = Schema.Struct({
  scenarios: Schema.Array(Schema.Struct({ requestsPerSecond: Figure }))
})

const InputCheck = Schema.Struct({
  formats: Schema.Array(Schema.Struct({ format: Schema.String, checkMillis: Figure })),
  imports: Schema.Array(Schema.Struct({ checkStructure: Schema.Boolean, created: Schema.Number })),
  checkShareOfImport: Schema.NullOr(Figure)
})

// One at a time: each run starts several processes, and on a busy machine runs side by side starve each other.
// The limits are several times what a run takes on a quiet 2-core machine (15–30 s).
const timeout = 180_000

describe.sequential("benchmarks on tiny inputs", () => {
  it.scopedLive("ceiling", () =>
    Effect.gen(function*() {
      const report = yield* bench(Ceiling, "ceiling", [
        "--records",
        "400",
        "--defaults",
        "0",
        "--latencies",
        "0.5-1,0.5-1@2",
        "--latency-records",
        "200"
      ])
      assert.strictEqual(report.benchmark, "ceiling")
      assert.strictEqual(report.setup.ceilingRecordsPerSecond, 1500)
      assert.strictEqual(report.scenarios[0].summary.created, 400)
      assert.strictEqual(report.scenarios[1]?.summary.created, 200)
      // The queued shape: the same jobs on a pool of 2 workers.
      assert.strictEqual(report.scenarios[2]?.summary.created, 200)
      assert.strictEqual(report.scenarios[2]?.api.workers, 2)
    }), timeout)

  it.scopedLive("budget", () =>
    Effect.gen(function*() {
      // The healthy run only: the fault profile's stalled jobs and 429 storms make a run's length unpredictable.
      const report = yield* bench(Budget, "budget", ["--records", "300", "--scenarios", "healthy"])
      const healthy = report.scenarios[0]
      assert.strictEqual(healthy.scenario, "healthy")
      assert.strictEqual(healthy.recordsStored, 300)
      assert.strictEqual(healthy.requestsPer100Records.client, healthy.requestsPer100Records.server)
      assert.isAtLeast(healthy.requestsPer100Records.client, 2)
    }), timeout)

  it.scopedLive("cpu", () =>
    Effect.gen(function*() {
      const report = yield* bench(Cpu, "cpu", ["--records", "3000"])
      assert.strictEqual(report.pipeline.items + report.pipeline.rejected, 3000)
      assert.isAbove(report.ratio, 0)
      assert.isAbove(report.cpuRatio, 0)
    }), timeout)

  it.scopedLive("side-by-side", () =>
    Effect.gen(function*() {
      const report = yield* bench(SideBySide, "side-by-side", ["--records", "300", "--scenarios", "healthy"])
      const results = report.scenarios[0].results
      assert.deepStrictEqual(results.map((result) => result.tool), ["naive", "kustomer-bulk"])
      for (const result of results) {
        assert.strictEqual(result.validRecords, 297)
        assert.strictEqual(result.lost, 0)
      }
      // The naive importer counts the 3 invalid records as imported; kustomer-bulk reports what exists.
      assert.deepStrictEqual(results.map((result) => result.believedMinusStored), [3, 0])
    }), timeout)

  it.scopedLive("memory", () =>
    Effect.gen(function*() {
      const report = yield* bench(Memory, "memory", ["--records", "500", "--small-records", "200"])
      assert.deepStrictEqual(report.runs.map((run) => run.created), [200, 500])
    }), timeout)

  it.scopedLive("input-check", () =>
    Effect.gen(function*() {
      const report = yield* bench(InputCheck, "input-check", [
        "--records",
        "300",
        "--rounds",
        "1",
        "--import-rounds",
        "1"
      ])
      assert.deepStrictEqual(report.formats.map((result) => result.format), ["json", "jsonl"])
      assert.deepStrictEqual(report.imports.map((result) => [result.checkStructure, result.created]), [
        [true, 300],
        [false, 300]
      ])
    }), timeout)

  it.scopedLive("attachments", () =>
    Effect.gen(function*() {
      const report = yield* bench(Attachments, "attachments", [
        "--attachments",
        "12",
        "--max-mb",
        "1",
        "--capacity-attachments",
        "6",
        "--large",
        "1",
        "--large-mb",
        "8"
      ])
      assert.deepStrictEqual(report.runs.map((run) => [run.scenario, run.files]), [
        ["budget", 12],
        ["capacity", 6],
        ["large", 1]
      ])
      for (const run of report.runs) {
        assert.strictEqual(run.requests.documentsPerAttachment, 1)
        assert.deepStrictEqual(
          [run.simulator.uploaded, run.simulator.referenced, run.simulator.referencedTwice],
          [run.files, run.files, 0]
        )
        assert.isAbove(run.peakRssMb.cli, 0)
      }
    }), timeout)

  it.scopedLive("overlap", () =>
    Effect.gen(function*() {
      const report = yield* bench(Overlap, "overlap", [
        "--conversations",
        "60",
        "--customers",
        "12",
        "--job-latency",
        "50-100"
      ])
      assert.deepStrictEqual(report.runs.map((run) => run.mode), ["sequential", "overlapped"])
      for (const run of report.runs) {
        assert.deepStrictEqual([run.objects, run.storedTwice], [60 * 5 + 12, 0])
        assert.isAbove(run.requestsPer100Objects, 0)
      }
    }), timeout)

  it.scopedLive("upload-backpressure", () =>
    Effect.gen(function*() {
      const report = yield* bench(UploadBackpressure, "upload-backpressure", ["--mb", "2", "--read-mbps", "50"])
      assert.deepStrictEqual(report.runs.map((run) => run.client), ["node", "undici"])
      for (const run of report.runs) assert.isAbove(run.peakRssMb, 0)
    }), timeout)

  it.scopedLive("simulator-throughput", () =>
    Effect.gen(function*() {
      const report = yield* bench(SimulatorThroughput, "simulator-throughput", ["--requests", "100", "--seconds", "2"])
      assert.strictEqual(report.scenarios.length, 2)
    }), timeout)
})
