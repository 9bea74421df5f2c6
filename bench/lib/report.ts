/**
 * What every benchmark result records besides its figures: the machine, its load, the command, and where the
 * JSON goes (`bench/results/<name>.json`, or `--out <file>` for smoke runs).
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { optionalFlag } from "./args.js"

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "../..")

/** Rounds to `digits` decimals. */
export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits

/** The machine and its current load. */
export const machine = () => ({
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  memoryMb: Math.round(totalmem() / 2 ** 20),
  node: process.version,
  platform: process.platform,
  loadAverage: loadavg().map((load) => round(load, 2))
})

/** The p-th percentile of ascending values. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

/** Writes a benchmark's JSON report and returns the file's path. */
export const writeReport = (name: string, report: object): string => {
  const out = optionalFlag("out")
  const file = out === undefined ? join(root, `bench/results/${name}.json`) : resolve(out)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`written to ${file}`)
  return file
}

/** The command that reproduces this run, as typed at the repository root. */
export const commandLine = (name: string): string =>
  ["pnpm bench", name, ...process.argv.slice(2).filter((arg) => arg !== name)].join(" ")
