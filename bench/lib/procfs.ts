/**
 * What Linux's /proc says of the processes of this machine: group, parent, command line, CPU time and memory — for
 * benchmarks that watch a child they did not start directly (the CLI under its launcher, under `/usr/bin/time`).
 */
import { readdirSync, readFileSync } from "node:fs"

/** One process. */
export interface ProcessInfo {
  readonly pid: number
  readonly ppid: number
  readonly pgrp: number
  /** The arguments, separated by spaces. */
  readonly cmdline: string
  /** User and system CPU time so far, in seconds (clock ticks of 1/100 s, Linux's `USER_HZ`). */
  readonly cpuSeconds: number
  /** Peak resident set size so far (`VmHWM`), in kB. */
  readonly hwmKb: number
  /** Resident set size now (`VmRSS`), in kB. */
  readonly rssKb: number
}

const ticksPerSecond = 100

/** One process, or `undefined` when it is gone (or /proc is not there). */
export const processInfo = (pid: number): ProcessInfo | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The fields after the command, which is in parentheses and may hold spaces: state, ppid, pgrp, … utime (14th
    // field of the line, 12th here), stime.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0)
    return {
      pid,
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      cmdline: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim(),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond,
      hwmKb: kb("VmHWM"),
      rssKb: kb("VmRSS")
    }
  } catch {
    return undefined
  }
}

/** Every process that matches, read now. */
export const processes = (matches: (pid: number) => boolean = () => true): ReadonlyArray<ProcessInfo> => {
  let entries: ReadonlyArray<string> = []
  try {
    entries = readdirSync("/proc")
  } catch {
    return []
  }
  return entries.filter((entry) => /^\d+$/.test(entry) && matches(Number(entry))).flatMap((entry) => {
    const info = processInfo(Number(entry))
    return info === undefined ? [] : [info]
  })
}
