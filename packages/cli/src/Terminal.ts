/**
 * Terminal manners: which directory relative paths start from, and whether output may carry colour.
 *
 * - pnpm runs a script in the directory of the `package.json` that defines it (the repository root) and keeps the
 *   directory the user ran it from in `INIT_CWD`; npm does the same. {@link workingDirectory} picks that one, so
 *   `pnpm kustomer-bulk import ./tickets.jsonl` from a subdirectory reads the file the user means. A command started
 *   elsewhere — `kustomer-bulk` on the PATH, run by a script after a `cd` or by a program a script started — keeps
 *   its own directory, although it inherits `INIT_CWD`.
 * - `NO_COLOR` (any non-empty value, https://no-color.org) and output that is not a terminal mean no ANSI escape
 *   codes — `@effect/cli`'s help and errors included, which it always styles: {@link plainConsole} strips them.
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/**
 * The directory relative paths resolve against: `INIT_CWD` when a package manager set it and started this process
 * where its script runs (the directory of `npm_package_json`, when it names one), else `cwd`.
 *
 * @since 0.1.0
 */
export const workingDirectory = (env: Readonly<Record<string, string | undefined>>, cwd: string): string => {
  const initial = env["INIT_CWD"]
  if (initial === undefined || initial.length === 0) return cwd
  const packageJson = env["npm_package_json"]
  const scriptDirectory = packageJson === undefined || packageJson.length === 0
    ? undefined
    : packageJson.replace(/[\\/]package\.json$/, "")
  return scriptDirectory === undefined || scriptDirectory === cwd ? initial : cwd
}

/**
 * Whether output may carry colour: not when `NO_COLOR` is set to anything, nor when it is not a terminal.
 *
 * @since 0.1.0
 */
export const colorEnabled = (env: Readonly<Record<string, string | undefined>>, isTerminal: boolean): boolean => {
  const noColor = env["NO_COLOR"]
  return isTerminal && (noColor === undefined || noColor.length === 0)
}

// CSI sequences (colours, styles, cursor moves) and OSC sequences (hyperlinks, titles).
// eslint-disable-next-line no-control-regex
const ansiPattern = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g

/**
 * `text` without ANSI escape codes.
 *
 * @since 0.1.0
 */
export const stripAnsi = (text: string): string => text.replace(ansiPattern, "")

const plainArgs = (args: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  args.map((arg) => (typeof arg === "string" ? stripAnsi(arg) : arg))

/**
 * A console that writes what `console` writes, without ANSI escape codes.
 *
 * @since 0.1.0
 */
export const plainConsole = (console: Console.Console): Console.Console => ({
  ...console,
  log: (...args) => console.log(...plainArgs(args)),
  error: (...args) => console.error(...plainArgs(args)),
  info: (...args) => console.info(...plainArgs(args)),
  warn: (...args) => console.warn(...plainArgs(args)),
  debug: (...args) => console.debug(...plainArgs(args))
})

/**
 * Runs `effect` with a console that strips ANSI escape codes unless colour is enabled.
 *
 * @since 0.1.0
 */
export const withTerminalManners = (
  env: Readonly<Record<string, string | undefined>>,
  isTerminal: boolean
) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  colorEnabled(env, isTerminal)
    ? effect
    : Effect.flatMap(Console.consoleWith((console) => Effect.succeed(plainConsole(console))), (plain) =>
      Effect.withConsole(effect, plain))
