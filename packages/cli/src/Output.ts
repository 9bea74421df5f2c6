/**
 * Where the CLI writes: results to standard output, progress and messages to standard error, and — when standard
 * error is a terminal — a live line redrawn in place (a `cli-progress` bar). Tests provide their own.
 *
 * @since 0.1.0
 */
import { SingleBar } from "cli-progress"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Terminal from "./Terminal.js"

/**
 * A line redrawn in place.
 *
 * @since 0.1.0
 */
export interface LiveLine {
  readonly update: (text: string) => Effect.Effect<void>
}

/** The live line on a terminal: `cli-progress` handles redrawing, the cursor and the terminal's width. */
const terminalLine = (stream: NodeJS.WriteStream): Effect.Effect<LiveLine, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const bar = new SingleBar({
          format: "{text}",
          stream,
          hideCursor: true,
          clearOnComplete: false,
          linewrap: false,
          fps: 10
        })
        bar.start(1, 0, { text: "" })
        return bar
      }),
      (bar) => Effect.sync(() => bar.stop())
    ),
    (bar) => ({ update: (text) => Effect.sync(() => bar.update(0, { text })) })
  )

/**
 * The CLI's output.
 *
 * @since 0.1.0
 */
export class Output extends Effect.Service<Output>()("@effect-kustomer/cli/Output", {
  sync: () => ({
    /** Writes a line to standard output. */
    out: (text: string): Effect.Effect<void> => Effect.sync(() => void process.stdout.write(`${text}\n`)),
    /** Writes a line to standard error. */
    err: (text: string): Effect.Effect<void> => Effect.sync(() => void process.stderr.write(`${text}\n`)),
    /**
     * A live line on standard error when it is a terminal and `NO_COLOR` is not set (redrawing a line needs cursor
     * escapes); `None` otherwise (then progress is printed as lines).
     */
    liveLine: Terminal.colorEnabled(process.env, process.stderr.isTTY === true)
      ? Option.some(terminalLine(process.stderr))
      : Option.none<Effect.Effect<LiveLine, never, Scope.Scope>>(),
    /** The width of the terminal, for the live line. */
    width: Effect.sync(() => process.stderr.columns ?? 120)
  })
}) {}
