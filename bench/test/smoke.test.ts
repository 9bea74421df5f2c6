/**
 * Smoke runs of every benchmark on tiny inputs: each must finish and write well-formed JSON with its headline
 * figures. The figures themselves are meaningless at these sizes; `pnpm bench <name>` takes the real ones.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "../..")
const outDir = mkdtempSync(join(tmpdir(), "bench-smoke-"))

/** Runs `pnpm bench <name> <args> --out <file>` (as Node with tsx) and returns the JSON it wrote. */
const bench = (name: string, args: ReadonlyArray<string>): Promise<Record<string, any>> =>
  new Promise((resolve, reject) => {
    const out = join(outDir, `${name}.json`)
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", join(root, "bench/run.ts"), name, ...args, "--out", out],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.once("error", reject)
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`pnpm bench ${name} exited with ${code}:\n${output}`))
      try {
        resolve(JSON.parse(readFileSync(out, "utf8")))
      } catch (error) {
        reject(error)
      }
    })
  })

const isNumber = (value: unknown) => typeof value === "number" && Number.isFinite(value)

// Concurrent: each run mostly waits (process start-up, the simulator's job latency, the linger), so together they
// take about as long as the slowest.
describe.concurrent("benchmarks on tiny inputs", () => {
  it("ceiling", async () => {
    const report = await bench("ceiling", ["--records", "400", "--defaults", "0"])
    assert.strictEqual(report.benchmark, "ceiling")
    assert.strictEqual(report.setup.ceilingRecordsPerSecond, 1500)
    const [tuned] = report.scenarios
    assert.strictEqual(tuned.summary.created, 400)
    assert.isTrue(isNumber(tuned.endToEnd.ratioToCeiling))
  }, 60_000)

  it("budget", async () => {
    // The healthy run only: the fault profile's stalled jobs and 429 storms make a run's length unpredictable.
    const report = await bench("budget", ["--records", "300", "--scenarios", "healthy"])
    const [healthy] = report.scenarios
    assert.strictEqual(healthy.scenario, "healthy")
    assert.strictEqual(healthy.recordsStored, 300)
    assert.strictEqual(healthy.requestsPer100Records.client, healthy.requestsPer100Records.server)
    assert.isAtLeast(healthy.requestsPer100Records.client, 2)
  }, 60_000)

  it("cpu", async () => {
    const report = await bench("cpu", ["--records", "3000"])
    assert.strictEqual(report.pipeline.items + report.pipeline.rejected, 3000)
    assert.isTrue(isNumber(report.ratio) && report.ratio > 0)
  }, 60_000)

  it("side-by-side", async () => {
    const report = await bench("side-by-side", ["--records", "300", "--scenarios", "healthy"])
    const [healthy] = report.scenarios
    assert.deepStrictEqual(healthy.results.map((result: any) => result.tool), ["naive", "kustomer-bulk"])
    for (const result of healthy.results) {
      assert.strictEqual(result.validRecords, 297)
      assert.strictEqual(result.lost, 0)
      assert.isTrue(isNumber(result.requests) && isNumber(result.wallSeconds))
    }
    // The naive importer counts the 3 invalid records as imported; kustomer-bulk reports what exists.
    assert.deepStrictEqual(healthy.results.map((result: any) => result.believedMinusStored), [3, 0])
  }, 90_000)

  it("memory", async () => {
    const report = await bench("memory", ["--records", "500", "--small-records", "200"])
    assert.deepStrictEqual(report.runs.map((run: any) => run.created), [200, 500])
    assert.isTrue(report.growthLargeOverSmall === null || isNumber(report.growthLargeOverSmall))
  }, 60_000)

  it("simulator-throughput", async () => {
    const report = await bench("simulator-throughput", ["--requests", "100", "--seconds", "2"])
    assert.strictEqual(report.scenarios.length, 2)
    assert.isTrue(report.scenarios.every((scenario: any) => isNumber(scenario.requestsPerSecond)))
  }, 60_000)
})
