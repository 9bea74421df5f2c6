/**
 * The state of a running import as the user sees it, and how it is drawn: a function from events to state, and
 * functions from state (and the current time) to text. Pure, so that every line the CLI prints can be tested.
 *
 * @since 0.1.0
 */
import { ImportEvent } from "@effect-kustomer/client"
import * as Duration from "effect/Duration"
import * as Format from "./Format.js"

/**
 * What the progress display knows.
 *
 * @since 0.1.0
 */
export interface State {
  /** When the import started (epoch milliseconds, from the `Clock`). */
  readonly startedAtMillis: number
  /** Records in the input, once known (counted in the background; unknown for standard input). */
  readonly total: number | undefined
  /** Final outcomes so far. */
  readonly counts: typeof ImportEvent.emptyCounts
  /** Bulk requests the API accepted, and the items they carried. */
  readonly jobs: number
  readonly itemsSent: number
  /** Retried submissions. */
  readonly retries: number
  /** Jobs that did not finish in time (their items are unknown). */
  readonly jobsTimedOut: number
  /** Every request waits for the rate-limit window until this time (epoch milliseconds). */
  readonly waitingUntilMillis: number | undefined
  /** Why: the local budget ran out, or the API answered 429. */
  readonly waitCause: "exhausted" | "rejected" | undefined
  /** The latest retry: which chunk, why, and until when it waits before sending again (epoch milliseconds). */
  readonly retrying:
    | { readonly chunk: number; readonly reason: string; readonly untilMillis: number }
    | undefined
  /** What is counted: `records` (an import) or `objects` (a migration). */
  readonly noun: string
  /** A migration's attachments carried so far, and their bytes, once any are. */
  readonly attachments: { readonly carried: number; readonly bytes: number } | undefined
}

/** The state before the first event. @since 0.1.0 */
export const initial = (startedAtMillis: number, total?: number, noun = "records"): State => ({
  startedAtMillis,
  total,
  noun,
  attachments: undefined,
  counts: ImportEvent.emptyCounts,
  jobs: 0,
  itemsSent: 0,
  retries: 0,
  jobsTimedOut: 0,
  waitingUntilMillis: undefined,
  waitCause: undefined,
  retrying: undefined
})

/** The state once the input's size is known. @since 0.1.0 */
export const withTotal = (state: State, total: number): State => ({ ...state, total })

/** The state with a migration's attachments carried so far. @since 0.1.0 */
export const withAttachments = (
  state: State,
  attachments: { readonly carried: number; readonly bytes: number }
): State => attachments.carried === 0 ? state : { ...state, attachments }

/**
 * The state after one more event, which happened at `nowMillis` (for how long a retry's wait is shown; the start
 * of the import when not given).
 *
 * @since 0.1.0
 */
export const update = (state: State, event: ImportEvent.ImportEvent, nowMillis?: number): State => {
  if (ImportEvent.isOutcome(event)) return { ...state, counts: ImportEvent.count(state.counts, event) }
  switch (event._tag) {
    case "ChunkSubmitted":
      return { ...state, jobs: state.jobs + 1, itemsSent: state.itemsSent + event.items }
    case "Retrying":
      return {
        ...state,
        retries: state.retries + 1,
        retrying: {
          chunk: event.chunk,
          reason: event.reason,
          untilMillis: (nowMillis ?? state.startedAtMillis) + Duration.toMillis(event.delay)
        }
      }
    case "JobTimedOut":
      return { ...state, jobsTimedOut: state.jobsTimedOut + 1 }
    case "RateLimitedUntil":
      return state.waitingUntilMillis !== undefined && state.waitingUntilMillis >= event.untilMillis
        ? state
        : { ...state, waitingUntilMillis: event.untilMillis, waitCause: event.cause }
    case "JobProgress":
    case "Finished":
      return state
  }
}

/**
 * The derived figures of a state at a moment.
 *
 * @since 0.1.0
 */
export interface Figures {
  /** Records with a final outcome. */
  readonly done: number
  readonly total: number | undefined
  /** 0 to 1, when the total is known. */
  readonly fraction: number | undefined
  /** Records per second since the start. */
  readonly perSecond: number
  /** Time left at the current rate, when the total is known, not reached, and the rate is positive. */
  readonly etaMillis: number | undefined
  /** Time left until the rate-limit window resets, while waiting for it. */
  readonly waitingMillis: number | undefined
  /** Time left before the latest retry is sent, while waiting for it. */
  readonly retryingMillis: number | undefined
}

/** Computes the {@link Figures}. @since 0.1.0 */
export const figures = (state: State, nowMillis: number): Figures => {
  const done = state.counts.read
  const elapsed = Math.max(0, nowMillis - state.startedAtMillis)
  const perSecond = elapsed > 0 ? (done * 1000) / elapsed : 0
  const total = state.total === undefined ? undefined : Math.max(state.total, done)
  const fraction = total === undefined ? undefined : total === 0 ? 1 : done / total
  const etaMillis = total !== undefined && done < total && perSecond > 0
    ? ((total - done) / perSecond) * 1000
    : undefined
  const waitingMillis = state.waitingUntilMillis !== undefined && state.waitingUntilMillis > nowMillis
    ? state.waitingUntilMillis - nowMillis
    : undefined
  const retryingMillis = state.retrying !== undefined && state.retrying.untilMillis > nowMillis
    ? state.retrying.untilMillis - nowMillis
    : undefined
  return { done, total, fraction, perSecond, etaMillis, waitingMillis, retryingMillis }
}

const percent = (fraction: number) => `${Math.floor(fraction * 100)}%`

const doneOfTotal = (state: State, figures: Figures) =>
  figures.total === undefined
    ? `${Format.count(figures.done)} ${state.noun}`
    : `${Format.count(figures.done)}/${Format.count(figures.total)} ${state.noun}`

/** A retry's reason, cut to fit a progress line. */
const shortReason = (reason: string) => Format.fit(reason.split("\n")[0] ?? reason, 60)

const speed = (state: State, figures: Figures) => {
  if (figures.waitingMillis !== undefined) {
    const why = state.waitCause === "rejected" ? "the API answered 429; " : ""
    return `${why}waiting for rate-limit window (${Format.duration(figures.waitingMillis)})`
  }
  if (figures.retryingMillis !== undefined && state.retrying !== undefined) {
    return `retrying chunk ${state.retrying.chunk} in ${Format.duration(figures.retryingMillis)}: ${
      shortReason(state.retrying.reason)
    }`
  }
  const rate = `${Format.count(figures.perSecond)}/s`
  return figures.etaMillis === undefined ? rate : `${rate} · ETA ${Format.duration(figures.etaMillis)}`
}

const tally = (state: State) => {
  const parts = [
    `created ${Format.count(state.counts.created)}`,
    ...(state.counts.alreadyExisting > 0 ? [`existing ${Format.count(state.counts.alreadyExisting)}`] : []),
    `failed ${Format.count(state.counts.failed)}`,
    `rejected ${Format.count(state.counts.rejected)}`,
    ...(state.counts.unknown > 0 ? [`unknown ${Format.count(state.counts.unknown)}`] : []),
    ...(state.retries > 0 ? [`retries ${Format.count(state.retries)}`] : []),
    ...(state.attachments === undefined
      ? []
      : [`attachments ${Format.count(state.attachments.carried)} (${Format.bytes(state.attachments.bytes)})`])
  ]
  return parts.join(" · ")
}

/**
 * One line for a log or a pipe, printed every few seconds when standard error is not a terminal:
 * `1,200/2,000 records (60%) · 240/s · ETA 3.3s · created 1,180 · failed 0 · rejected 20`.
 *
 * @since 0.1.0
 */
export const renderLine = (state: State, nowMillis: number): string => {
  const current = figures(state, nowMillis)
  const share = current.fraction === undefined ? "" : ` (${percent(current.fraction)})`
  return `${doneOfTotal(state, current)}${share} · ${speed(state, current)} · ${tally(state)}`
}

/**
 * The live progress bar for a terminal, at most `width` characters:
 * `██████████░░░░░░░░░░  60% 1,200/2,000 records · 240/s · ETA 3.3s │ created 1,180 · failed 0 · rejected 20`.
 * Without a known total the bar shows a moving block; while the rate limit holds every request back, the rate
 * gives way to `waiting for rate-limit window (12s)`, and while a chunk waits to be sent again, to
 * `retrying chunk 7 in 2.0s: the API failed (HTTP 503)`.
 *
 * @since 0.1.0
 */
export const renderBar = (state: State, nowMillis: number, width = 120, barWidth = 20): string => {
  const current = figures(state, nowMillis)
  let bar: string
  if (current.fraction === undefined) {
    // A block that moves with time: the import is alive although its size is unknown.
    const position = Math.floor((nowMillis - state.startedAtMillis) / 250) % (barWidth - 3)
    bar = "░".repeat(position) + "███" + "░".repeat(barWidth - 3 - position)
  } else {
    const filled = Math.min(barWidth, Math.floor(current.fraction * barWidth))
    bar = "█".repeat(filled) + "░".repeat(barWidth - filled)
  }
  const share = current.fraction === undefined ? "" : ` ${percent(current.fraction).padStart(4)}`
  return Format.fit(`${bar}${share} ${doneOfTotal(state, current)} · ${speed(state, current)} │ ${tally(state)}`, width)
}
