#!/usr/bin/env node
// The `kustomer-bulk` command: starts the built CLI under a capped V8 heap — the bundle `dist/kustomer-bulk.mjs`
// (one module to read, see scripts/bundle.mjs), else `dist/bin.js`.
//
// Node sizes its heap from the machine's memory and collects lazily, so a long import's resident memory would grow
// with the machine rather than with the work (docs/benchmarks.md, "memory"). Unless a heap size is already given
// (`--max-old-space-size` in NODE_OPTIONS or Node's own flags), this re-runs itself once under
// `--max-old-space-size=<KUSTOMER_BULK_HEAP_MB or 128>` and passes on the exit code, or dies of the child's signal.
//
// Signals: the child stays in this process group, so Ctrl+C reaches both; SIGINT, SIGTERM and SIGHUP sent to this
// process alone are forwarded. This process never ends before the child: however many signals come (a terminal's
// Ctrl+C to the whole group, pnpm's relay, an impatient second Ctrl+C), it waits for the child to save its journal
// and reports and then exits with the child's code (130 when interrupted). The child takes the first signal as the
// interruption and ignores the others; its own bound (20 s, src/internal/interruptGuard.ts) ends a stuck shutdown.
// The child ends itself if this process dies.
/* global clearInterval, process, setInterval, setTimeout, URL */
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { constants } from "node:os"
import { fileURLToPath } from "node:url"

const bundled = new URL("../dist/kustomer-bulk.mjs", import.meta.url)
const entry = (existsSync(fileURLToPath(bundled)) ? bundled : new URL("../dist/bin.js", import.meta.url)).href
const launcherPidVariable = "KUSTOMER_BULK_LAUNCHER_PID"
const defaultHeapMb = 128

const heapIsSet = () =>
  [...process.execArgv, ...(process.env["NODE_OPTIONS"] ?? "").split(/\s+/)].some((flag) =>
    flag.startsWith("--max-old-space-size")
  )

/** Whether the arguments only ask for help (of the CLI or of a command), or are empty. */
const asksForHelp = (args) =>
  args.length === 0 || (args.length <= 3 && args.some((arg) => arg === "--help" || arg === "-h") &&
    args.every((arg) => /^[a-z-]+$/.test(arg)))

const isAlive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === "EPERM"
  }
}

/** In the child: absorb duplicate SIGINTs, and stop (gracefully, by SIGTERM) when the launcher is gone. */
const runAsChild = (launcherPid) => {
  delete process.env[launcherPidVariable]
  process.on("SIGINT", () => {})
  const watch = setInterval(() => {
    if (isAlive(launcherPid)) return
    clearInterval(watch)
    process.kill(process.pid, "SIGTERM")
  }, 500)
  watch.unref()
}

/** In the launcher: run this file again under the heap cap and mirror the child's end. */
const launch = () => {
  const requested = Number(process.env["KUSTOMER_BULK_HEAP_MB"])
  const heapMb = Number.isInteger(requested) && requested > 0 ? requested : defaultHeapMb
  const child = spawn(
    process.execPath,
    [...process.execArgv, `--max-old-space-size=${heapMb}`, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, [launcherPidVariable]: String(process.pid) } }
  )
  // Forwarded, never escalated: the child's shutdown writes what a later resume and the reader need.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    })
  }
  process.on("exit", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  })
  child.on("error", (error) => {
    process.stderr.write(`kustomer-bulk: could not start Node: ${error.message}\n`)
    process.exit(1)
  })
  child.on("exit", (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    // Die of the same signal, so that the shell sees what happened; exit as a shell would if that is refused.
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1_000).unref()
  })
}

const launcherPid = Number(process.env[launcherPidVariable])
if (process.argv.length === 3 && process.argv[2] === "--version") {
  // `--version` alone needs none of the CLI: answered from the package's manifest, in one Node start instead of two
  // and without loading the CLI's modules (most of a full start's second).
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
  process.stdout.write(`${manifest.version}\n`)
} else if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    `kustomer-bulk: ${
      fileURLToPath(entry)
    } is missing; build it first (pnpm build), or run from the sources (pnpm dev:cli)\n`
  )
  process.exitCode = 1
} else if (Number.isInteger(launcherPid) && launcherPid > 0) {
  runAsChild(launcherPid)
  await import(entry)
} else if (heapIsSet() || asksForHelp(process.argv.slice(2))) {
  // Help does no work worth a heap cap: answered in this process, without a second Node start.
  await import(entry)
} else {
  launch()
}
