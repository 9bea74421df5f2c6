/**
 * Every child process a benchmark (or the benchmarks' smoke test) starts goes through here, so that none outlives
 * its starter: each child leads a process group of its own (a wrapper such as `/usr/bin/time` and the program under
 * it die together), every live group is signalled when this process exits or is interrupted, and Node children
 * load `scripts/exit-with-parent.mjs`, which ends them if this process dies without cleaning up (SIGKILL).
 */
import { type ChildProcess, type ChildProcessByStdio, spawn } from "node:child_process"
import { join } from "node:path"
import type { Readable } from "node:stream"
import { pathToFileURL } from "node:url"
import { root } from "./report.js"

/** Node flags that make a Node child end when the process that started it is gone. */
export const exitWithParentArgs: ReadonlyArray<string> = [
  "--import",
  pathToFileURL(join(root, "scripts/exit-with-parent.mjs")).href
]

/** How a child is started. Its input is closed; its output and errors are piped to this process. */
export interface ChildOptions {
  readonly cwd?: string
  readonly env?: Record<string, string | undefined>
}

/** A child started by {@link spawnChild}. */
export type Child = ChildProcessByStdio<null, Readable, Readable>

const live = new Set<ChildProcess>()

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/** Sends `signal` to the child's whole process group; a group that is already gone is not an error. */
export const killGroup = (child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // the group is gone already
  }
}

let handlersInstalled = false

/** On exit, and on SIGINT/SIGTERM (then exiting as the signal would), every live child's group is terminated. */
const installHandlers = () => {
  if (handlersInstalled) return
  handlersInstalled = true
  const killAll = () => {
    for (const child of live) killGroup(child, "SIGTERM")
  }
  process.once("exit", killAll)
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      killAll()
      process.exit(code)
    })
  }
}

/**
 * Starts `command` in a new process group, remembered until it exits. The environment names this process as the
 * one to outlive no longer (`EXIT_WITH_PID`, read by `exitWithParentArgs`' preload).
 */
export const spawnChild = (command: string, args: ReadonlyArray<string>, options: ChildOptions = {}): Child => {
  installHandlers()
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env, EXIT_WITH_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  live.add(child)
  child.once("exit", () => live.delete(child))
  child.once("error", () => live.delete(child))
  return child
}

/**
 * Stops a child and its group: SIGTERM (so that it can stop its own children), then SIGKILL after `graceMillis` if
 * the leader is still there. Resolves once the leader has exited.
 */
export const stopChild = (child: ChildProcess, graceMillis = 5_000): Promise<void> => {
  if (hasExited(child)) {
    // The leader is gone; anything left in its group goes too.
    killGroup(child, "SIGKILL")
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMillis)
    child.once("exit", () => {
      clearTimeout(timer)
      killGroup(child, "SIGKILL")
      resolve()
    })
    killGroup(child, "SIGTERM")
  })
}
