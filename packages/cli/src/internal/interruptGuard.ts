/**
 * Ctrl+C must end in the report and the resume hint. `NodeRuntime.runMain` interrupts the program on the first
 * SIGINT or SIGTERM and then removes its listener, so a second signal — the duplicate that `pnpm` and `tsx` relay
 * a few milliseconds after the terminal's own, or an impatient second Ctrl+C — would kill the process by Node's
 * default while the interruption is still writing the report. This listener outlives runMain's: it ignores
 * further signals while the program finishes, and ends the process with 130 if that takes longer than
 * `graceMillis` (a bound, so that a stuck shutdown cannot keep the process alive for ever).
 */

/** How long the program may take to finish after the first signal. */
export const defaultGraceMillis = 20_000

/** Exit code of an interrupted run (128 + SIGINT). */
const interruptedExitCode = 130

/**
 * Installs the listener for SIGINT and SIGTERM (and SIGHUP, turned into SIGTERM). Call once, before the program starts; `saves`: the command writes a
 * journal and reports when stopped (`import`, `migrate`, `demo`), and the first signal says it is saving them.
 */
export const install = (graceMillis: number = defaultGraceMillis, saves = true): void => {
  let signalled = false
  const onSignal = () => {
    if (signalled) return
    signalled = true
    if (saves) {
      process.stderr.write(
        "\nkustomer-bulk: stopping: saving the journal and the reports before exiting (further Ctrl+C are ignored)\n"
      )
    }
    // A raw timer: this runs outside the Effect runtime, whose fiber is the one being interrupted. Unreferenced, it
    // never keeps a finished process alive.
    const deadline = setTimeout(() => {
      process.stderr.write(`kustomer-bulk: still stopping after ${graceMillis / 1000}s; exiting.\n`)
      process.exit(interruptedExitCode)
    }, graceMillis)
    deadline.unref()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  // A closed terminal (SIGHUP, which would end the process by Node's default mid-save) stops the run as SIGTERM
  // does: the runtime interrupts the program, which saves the journal and the reports. What it then writes to the
  // closed terminal has nowhere to go, so a failed write there must not end the process either.
  process.on("SIGHUP", () => {
    process.stdout.on("error", () => {})
    process.stderr.on("error", () => {})
    process.kill(process.pid, "SIGTERM")
  })
}
