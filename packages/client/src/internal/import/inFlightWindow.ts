/**
 * The window of jobs between submission and results, sized from what the import observes.
 *
 * By Little's law the jobs in flight are the job rate times the job turnaround; the window must be a little larger
 * than that, or it, not the budget, limits the rate. The window starts at `initial`. When a submission finds it full,
 * the window was what held the import back, so it grows by a quarter (a submission at a time: it grows as fast as
 * the budget lets submissions go, and stops when the budget, not the window, holds them back). When it has not been
 * full for a while it shrinks towards `headroom` × the job rate × the mean turnaround over the last `horizon`, never
 * below `initial`. It never exceeds `max`, the memory bound: each job in flight holds its chunk's records.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as SynchronizedRef from "effect/SynchronizedRef"

/** How the window is sized. */
export interface WindowOptions {
  /** The size at the start, and the least it shrinks to. */
  readonly initial: number
  /** The most jobs in flight: the memory bound. */
  readonly max: number
  /** The factor over the rate × turnaround the import observes. */
  readonly headroom: number
  /** How far back completions count towards the rate and the mean turnaround, in milliseconds. */
  readonly horizonMillis: number
}

/** The window's figures at a moment. */
export interface WindowSnapshot {
  readonly size: number
  readonly inFlight: number
  /** Jobs finished per second over the horizon. */
  readonly jobsPerSecond: number
  /** Mean turnaround (submission to results) of the jobs finished within the horizon, in milliseconds. */
  readonly meanTurnaroundMillis: number
}

/** The window. */
export interface InFlightWindow {
  /** Waits for a free slot and takes it (before a submission). */
  readonly acquire: Effect.Effect<void>
  /** Takes a slot without waiting (a job resumed from the journal is already in flight). */
  readonly occupy: Effect.Effect<void>
  /** Frees a slot: its job finished after `turnaroundMillis`, or `undefined` when no job came of the submission. */
  readonly release: (turnaroundMillis: number | undefined) => Effect.Effect<void>
  readonly snapshot: Effect.Effect<WindowSnapshot>
}

interface Completion {
  readonly at: number
  readonly turnaround: number
}

interface State {
  readonly size: number
  readonly inFlight: number
  /** When a submission last found the window full. */
  readonly lastFullAt: number
  readonly startedAt: number
  /** Completions within the horizon, oldest first. */
  readonly completions: ReadonlyArray<Completion>
}

const clamp = (value: number, options: WindowOptions) =>
  Math.max(Math.min(options.initial, options.max), Math.min(options.max, value))

/** The jobs per second and mean turnaround over the horizon ending at `now`. */
const observed = (options: WindowOptions, state: State, now: number) => {
  const span = Math.max(1, Math.min(options.horizonMillis, now - state.startedAt))
  const count = state.completions.length
  const total = state.completions.reduce((sum, completion) => sum + completion.turnaround, 0)
  return { jobsPerSecond: (count * 1000) / span, meanTurnaroundMillis: count === 0 ? 0 : total / count }
}

/** The size Little's law asks for: headroom × jobs/s × mean turnaround. */
export const littleSize = (options: WindowOptions, jobsPerSecond: number, meanTurnaroundMillis: number) =>
  Math.ceil((options.headroom * jobsPerSecond * meanTurnaroundMillis) / 1000)

/** The state after a job finished at `now`: the completion recorded, the window shrunk if it has not been full. */
export const released = (options: WindowOptions, state: State, now: number, turnaround: number | undefined): State => {
  const kept = state.completions.filter((completion) => completion.at > now - options.horizonMillis)
  const completions = turnaround === undefined ? kept : [...kept, { at: now, turnaround }]
  const next = { ...state, inFlight: Math.max(0, state.inFlight - 1), completions }
  if (now - state.lastFullAt < options.horizonMillis) return next
  const { jobsPerSecond, meanTurnaroundMillis } = observed(options, next, now)
  const wanted = clamp(littleSize(options, jobsPerSecond, meanTurnaroundMillis), options)
  return wanted < state.size ? { ...next, size: wanted } : next
}

/** The state after a submission found the window full at `now`: a quarter larger. */
export const grown = (options: WindowOptions, state: State, now: number): State => ({
  ...state,
  lastFullAt: now,
  size: clamp(Math.max(state.size + 1, Math.ceil(state.size * 1.25)), options)
})

/** A window, empty. */
export const make = (options: WindowOptions): Effect.Effect<InFlightWindow> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const state = yield* SynchronizedRef.make<State>({
      size: clamp(options.initial, options),
      inFlight: 0,
      lastFullAt: Number.NEGATIVE_INFINITY,
      startedAt: now,
      completions: []
    })
    // Closed while the window is full; opened whenever a slot is freed or the window grows. Closing and opening
    // happen under the state's lock, so a waiter cannot miss a free slot.
    const freed = yield* Effect.makeLatch(true)
    const tryTake = SynchronizedRef.modifyEffect(state, (current) =>
      Effect.gen(function*() {
        if (current.inFlight < current.size) return [true, { ...current, inFlight: current.inFlight + 1 }] as const
        const at = yield* Clock.currentTimeMillis
        const larger = grown(options, current, at)
        if (current.inFlight < larger.size) return [true, { ...larger, inFlight: current.inFlight + 1 }] as const
        yield* freed.close
        return [false, larger] as const
      }))
    const acquire: Effect.Effect<void> = Effect.flatMap(
      tryTake,
      (taken) => (taken ? Effect.void : Effect.zipRight(freed.await, Effect.suspend(() => acquire)))
    )
    return {
      acquire,
      occupy: SynchronizedRef.update(state, (current) => ({ ...current, inFlight: current.inFlight + 1 })),
      release: (turnaroundMillis) =>
        SynchronizedRef.updateEffect(state, (current) =>
          Effect.map(
            Effect.zipLeft(Clock.currentTimeMillis, freed.open),
            (at) => released(options, current, at, turnaroundMillis)
          )),
      snapshot: Effect.flatMap(Clock.currentTimeMillis, (at) =>
        Effect.map(SynchronizedRef.get(state), (current) => ({
          size: current.size,
          inFlight: current.inFlight,
          ...observed(options, current, at)
        })))
    }
  })
