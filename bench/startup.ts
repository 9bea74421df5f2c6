/**
 * Start-up: how long the built `kustomer-bulk` takes to answer `--help` (a full start of the CLI: the bundle
 * `dist/kustomer-bulk.mjs` read and its command tree built) and `--version` (answered by the launcher alone),
 * against a bare `node -e 0`, in one run, interleaved. Medians of `--runs` starts each. Needs `pnpm build` first.
 *
 *   pnpm bench startup [--runs 21]
 *
 * Target: `--help` within 5 × `node -e 0` on the same machine.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { numberFlag } from "./lib/args.js"
import { commandLine, machine, root, round, writeReport } from "./lib/report.js"

const runs = numberFlag("runs", 21)
const launcher = join(root, "packages/cli/bin/kustomer-bulk.mjs")
if (!existsSync(join(root, "packages/cli/dist/kustomer-bulk.mjs"))) {
  throw new Error("the start-up benchmark runs the built CLI: run pnpm build first")
}

/** Milliseconds one start takes, wall clock. */
const startMillis = (args: ReadonlyArray<string>): number => {
  const start = process.hrtime.bigint()
  execFileSync(process.execPath, [...args], { stdio: "ignore", cwd: root })
  return Number(process.hrtime.bigint() - start) / 1e6
}

const median = (samples: ReadonlyArray<number>): number => {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const commands = {
  bare: ["-e", "0"],
  help: [launcher, "--help"],
  version: [launcher, "--version"]
} as const
const samples: Record<keyof typeof commands, Array<number>> = { bare: [], help: [], version: [] }
// Interleaved, so that a change in the machine's load touches every command alike.
for (let run = 0; run < runs; run++) {
  for (const name of ["bare", "help", "version"] as const) samples[name].push(startMillis(commands[name]))
}
const bare = median(samples.bare)
const help = median(samples.help)
const version = median(samples.version)
const report = {
  command: commandLine("startup"),
  machine: machine(),
  runs,
  medianMillis: { nodeE0: round(bare), help: round(help), version: round(version) },
  helpPerNodeStart: round(help / bare, 2),
  versionPerNodeStart: round(version / bare, 2)
}
console.log(JSON.stringify(report, null, 2))
writeReport("startup", report)
