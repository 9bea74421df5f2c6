/**
 * The standalone simulator as a child process (`packages/simulator/src/bin.ts` on a free loopback port), so the
 * server has a process and an event loop of its own, as with `pnpm simulator`.
 */
import type { Inspection } from "@effect-kustomer/simulator"
import { join } from "node:path"
import { exitWithParentArgs, spawnChild, stopChild } from "./children.js"
import { root } from "./report.js"

/** A running simulator. */
export interface RunningSimulator {
  readonly baseUrl: string
  readonly apiKey: string
  /** The seeded customers (at most the five the simulator prints). */
  readonly customerIds: ReadonlyArray<string>
  readonly args: ReadonlyArray<string>
  readonly stats: () => Promise<Inspection.SimulatorStats>
  readonly stop: () => Promise<void>
}

/** A seeded fault profile, as simulator flags. */
export interface Faults {
  readonly seed: number
  readonly failRate?: number
  readonly resetRate?: number
  readonly html502Rate?: number
  readonly slowRate?: number
  readonly slowMs?: number
  readonly stallRate?: number
  readonly stallMs?: number
  readonly stormRate?: number
  readonly stormMs?: number
}

/** The simulator's settings, as its flags. */
export interface SimulatorSettings {
  readonly rateLimit: string
  readonly workers: number
  readonly jobLatencyMs: number
  /** With a longer value, each job draws its latency uniformly from `jobLatencyMs`–`jobLatencyMaxMs`. */
  readonly jobLatencyMaxMs?: number | undefined
  readonly itemLatencyMs: number
  readonly customers?: number
  readonly faults?: Faults | undefined
  /** Extra flags for the simulator's node, e.g. `--cpu-prof` (also taken from BENCH_NODE_ARGS). */
  readonly nodeArgs?: ReadonlyArray<string>
}

/** The flags of a fault profile. */
export const faultArgs = (faults: Faults | undefined): Array<string> => {
  if (faults === undefined) return []
  const pairs: Array<[string, number | undefined]> = [
    ["seed", faults.seed],
    ["fail-rate", faults.failRate],
    ["reset-rate", faults.resetRate],
    ["html-502-rate", faults.html502Rate],
    ["slow-rate", faults.slowRate],
    ["slow-ms", faults.slowMs],
    ["stall-rate", faults.stallRate],
    ["stall-ms", faults.stallMs],
    ["storm-rate", faults.stormRate],
    ["storm-ms", faults.stormMs]
  ]
  return pairs.flatMap(([name, value]) => (value === undefined ? [] : [`--${name}`, String(value)]))
}

/** The flags of a setup. */
export const simulatorArgs = (settings: SimulatorSettings): Array<string> => [
  "--port",
  "0",
  "--rate-limit",
  settings.rateLimit,
  "--customers",
  String(settings.customers ?? 5),
  "--workers",
  String(settings.workers),
  "--job-latency",
  settings.jobLatencyMaxMs !== undefined && settings.jobLatencyMaxMs > settings.jobLatencyMs
    ? `${settings.jobLatencyMs}-${settings.jobLatencyMaxMs}`
    : String(settings.jobLatencyMs),
  "--item-latency",
  String(settings.itemLatencyMs),
  ...faultArgs(settings.faults)
]

/** Starts the simulator and waits until it listens. */
export const startSimulator = (settings: SimulatorSettings): Promise<RunningSimulator> =>
  new Promise((resolve, reject) => {
    const args = simulatorArgs(settings)
    const envNodeArgs = (process.env["BENCH_NODE_ARGS"] ?? "").split(" ").filter((arg) => arg.length > 0)
    const child = spawnChild(process.execPath, [
      ...(settings.nodeArgs ?? envNodeArgs),
      ...exitWithParentArgs,
      "--conditions=source",
      "--import",
      "tsx",
      join(root, "packages/simulator/src/bin.ts"),
      ...args
    ])
    child.stderr.pipe(process.stderr)
    let output = ""
    const timer = setTimeout(() => {
      void stopChild(child)
      reject(new Error(`the simulator did not start:\n${output}`))
    }, 60_000)
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      output += chunk
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      const key = /API key:\s+(\S+)/.exec(output)?.[1]
      const customers = /customers:\s+([0-9a-f, ]+)/.exec(output)?.[1]
      if (url !== undefined && key !== undefined && customers !== undefined && /stats:/.test(output)) {
        clearTimeout(timer)
        resolve({
          baseUrl: url,
          apiKey: key,
          customerIds: customers.split(",").map((id) => id.trim()).filter((id) => id.length === 24),
          args,
          stats: async () => (await (await fetch(`${url}/__admin/stats`)).json()) as Inspection.SimulatorStats,
          stop: () => stopChild(child)
        })
      }
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`the simulator exited with ${code}:\n${output}`))
    })
  })

/** Runs `body` against a fresh simulator and stops it afterwards, whatever happens. */
export const withSimulator = async <A>(
  settings: SimulatorSettings,
  body: (simulator: RunningSimulator) => Promise<A>
): Promise<A> => {
  const simulator = await startSimulator(settings)
  try {
    return await body(simulator)
  } finally {
    await simulator.stop()
  }
}
