/**
 * Child processes of the benchmarks: the CLI and the naive importer, each run under `/usr/bin/time -v` for its
 * peak resident set size, with its wall time measured from here.
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { exitWithParentArgs, killGroup, spawnChild } from "./children.js"
import { root } from "./report.js"

/** What a finished child did. */
export interface ProcessResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly seconds: number
  /** Peak resident set size in kB, from `/usr/bin/time -v` (undefined where it is not installed). */
  readonly maxRssKb: number | undefined
}

const timeBinary = "/usr/bin/time"

/** Runs a TypeScript entry point of this repository with Node, `--conditions=source` and tsx, as `pnpm` scripts do. */
export const runTypeScript = (
  entry: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  timeoutMs: number,
  extraNodeArgs: ReadonlyArray<string> = []
): Promise<ProcessResult> =>
  runNode(entry, args, env, timeoutMs, [...extraNodeArgs, "--conditions=source", "--import", "tsx"])

/** Runs a JavaScript entry point of this repository with plain Node, as an installed bin runs. */
export const runNode = (
  entry: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  timeoutMs: number,
  extraNodeArgs: ReadonlyArray<string> = []
): Promise<ProcessResult> => {
  const nodeArgs = [...exitWithParentArgs, ...extraNodeArgs, join(root, entry), ...args]
  const measured = existsSync(timeBinary)
  const [command, commandArgs] = measured
    ? [timeBinary, ["-v", process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs]
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawnChild(command, commandArgs, { env })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    // The whole group: `/usr/bin/time` and the program under it.
    const timer = setTimeout(() => killGroup(child, "SIGTERM"), timeoutMs)
    child.once("error", reject)
    child.once("exit", (code) => {
      clearTimeout(timer)
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]
      resolve({
        code,
        stdout,
        stderr,
        seconds: (performance.now() - started) / 1000,
        maxRssKb: rss === undefined ? undefined : Number(rss)
      })
    })
  })
}

/** The last line of a child's standard output that parses as a JSON object. */
export const lastJsonLine = (stdout: string): Record<string, unknown> | undefined => {
  const lines = stdout.trim().split("\n").reverse()
  for (const line of lines) {
    try {
      const value: unknown = JSON.parse(line)
      if (typeof value === "object" && value !== null) return value as Record<string, unknown>
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined
}
