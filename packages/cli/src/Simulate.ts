/**
 * `kustomer-bulk simulate [flags]`: the standalone simulator (`pnpm simulator`), with the same flags.
 *
 * The simulator's flags are defined in its `bin.ts`, which runs itself when loaded and exports nothing, so they
 * cannot be imported. Instead of copying them, this command runs that program as a child process with the
 * arguments untouched: the flags, the help text and the behaviour stay the simulator's own.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"

/**
 * The simulator's program next to its entry point: `src/bin.ts` when packages resolve to their sources (the
 * `source` condition, as under `tsx`), `dist/bin.js` when built.
 *
 * @since 0.1.0
 */
export const binOf = (simulatorEntry: string): string => simulatorEntry.replace(/index\.(ts|js)$/, "bin.$1")

/**
 * The child's command line: this Node with the same loader flags (so that a `.ts` program runs under `tsx` as
 * this one does), the simulator's program, and the arguments as given.
 *
 * @since 0.1.0
 */
export const commandLine = (
  execArgv: ReadonlyArray<string>,
  bin: string,
  args: ReadonlyArray<string>
): ReadonlyArray<string> => [...execArgv, bin, ...args]

/**
 * Runs the simulator in the foreground until it stops (Ctrl+C), with this terminal as its input and output.
 * Returns its exit code.
 *
 * @since 0.1.0
 */
export const run = (
  args: ReadonlyArray<string>
): Effect.Effect<number, PlatformError, CommandExecutor.CommandExecutor> =>
  Effect.suspend(() => {
    const bin = binOf(fileURLToPath(import.meta.resolve("@effect-kustomer/simulator")))
    return Command.make(process.execPath, ...commandLine(process.execArgv, bin, args)).pipe(
      Command.stdin("inherit"),
      Command.stdout("inherit"),
      Command.stderr("inherit"),
      Command.exitCode,
      Effect.map((code) => Number(code))
    )
  })
