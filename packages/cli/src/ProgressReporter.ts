/**
 * Shows an import's progress while it runs: a live bar redrawn in place on a terminal, or a line every few
 * seconds when standard error is a pipe or a file. The text comes from the pure `Progress` module; this module
 * only keeps the state and decides when to draw.
 *
 * @since 0.1.0
 */
import type { ImportEvent } from "@effect-kustomer/client"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Output } from "./Output.js"
import * as Progress from "./Progress.js"

/** How often the live bar is redrawn. @since 0.1.0 */
export const redrawEvery = Duration.millis(200)

/** How often a progress line is printed when standard error is not a terminal. @since 0.1.0 */
export const lineEvery = Duration.seconds(5)

/**
 * A running progress display.
 *
 * @since 0.1.0
 */
export interface Reporter {
  /** Takes an import event into account. */
  readonly onEvent: (event: ImportEvent.ImportEvent) => Effect.Effect<void>
  /** The input's size, once known. */
  readonly setTotal: (total: number) => Effect.Effect<void>
  /** A reading of a migration's attachments carried so far, taken at every draw. */
  readonly followAttachments: (read: () => { readonly carried: number; readonly bytes: number }) => Effect.Effect<void>
  readonly state: Effect.Effect<Progress.State>
}

/**
 * Starts a progress display for the current scope; closing the scope draws the final state once more.
 *
 * @since 0.1.0
 */
export const make = (total?: number, noun?: string): Effect.Effect<Reporter, never, Output | Scope.Scope> =>
  Effect.gen(function*() {
    const output = yield* Output
    const state = yield* Ref.make(Progress.initial(yield* Clock.currentTimeMillis, total, noun))
    const attachments = yield* Ref.make<() => { readonly carried: number; readonly bytes: number }>(() => ({
      carried: 0,
      bytes: 0
    }))
    // The attachments are read when the state is drawn, not on every event.
    const current = Effect.flatMap(
      Ref.get(attachments),
      (read) => Ref.updateAndGet(state, (now) => Progress.withAttachments(now, read()))
    )
    const draw = yield* Option.match(output.liveLine, {
      onNone: () =>
        Effect.succeed({
          every: lineEvery,
          draw: Effect.gen(function*() {
            yield* output.err(Progress.renderLine(yield* current, yield* Clock.currentTimeMillis))
          })
        }),
      onSome: (acquire) =>
        Effect.map(acquire, (line) => ({
          every: redrawEvery,
          draw: Effect.gen(function*() {
            const width = yield* output.width
            yield* line.update(Progress.renderBar(yield* current, yield* Clock.currentTimeMillis, width - 1))
          })
        }))
    })
    yield* Effect.addFinalizer(() => draw.draw)
    yield* Effect.sleep(draw.every).pipe(
      Effect.zipRight(Effect.repeat(draw.draw, Schedule.spaced(draw.every))),
      Effect.forkScoped
    )
    return {
      onEvent: (event) =>
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => Ref.update(state, (current) => Progress.update(current, event, now))
        ),
      setTotal: (size) => Ref.update(state, (now) => Progress.withTotal(now, size)),
      followAttachments: (read) => Ref.set(attachments, read),
      state: current
    }
  })
