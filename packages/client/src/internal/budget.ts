/**
 * The rate limiter's rules as pure functions of a state and the time: when a request may go, and what a response
 * teaches. `RateLimiter` holds the state in a ref and does the waiting.
 *
 * Two budgets are kept. The *org budget* mirrors the server's window: a local estimate that every response's
 * `x-ratelimit-*` headers correct. The optional *cap* is the user's own ceiling (`--rate-limit 100/10s`): a sliding
 * window of the send times of the last `limit` requests, so that no span of `window` ever holds more than `limit`
 * requests, whatever the server's window is — except when the server's windows are as long as the cap's and the
 * server has shown where they begin (two reset times in a row): then the cap counts the requests of each of the
 * server's windows, as the server itself counts the org's budget. A sliding window would hold back the first
 * requests of a window for the last ones of the window before, which the server has already forgotten.
 *
 * A response can arrive after the window it was counted in has ended: sent near the end of one window, it comes
 * back early in the next one, saying how little the old window had left and when it reset (a time already past).
 * Such a response is *stale*: it says nothing about the current window, so it neither spends nor pauses it (see
 * {@link observe}).
 */
import { RateLimit } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/** What a request is for: polls must not starve submissions. */
export type RequestKind = "submit" | "poll" | "lookup"

/** A wait imposed by the budget: every request waits until `untilMillis` (epoch milliseconds). */
export interface Pause {
  readonly untilMillis: number
  /** `exhausted`: a local count ran out (the org budget or the cap); `rejected`: the server answered 429. */
  readonly cause: "exhausted" | "rejected"
}

/** The fixed rules of one limiter. */
export interface Settings {
  /** The org window assumed until the server says otherwise. */
  readonly windowMillis: number
  /** Extra wait after a window's reset time, against clock differences. */
  readonly marginMillis: number
  /** Wait after a 429 that carries no rate-limit header at all. */
  readonly fallbackWaitMillis: number
  /** The share of a window's units that polls leave to waiting submissions. */
  readonly submitReserve: number
  /** The user's ceiling over its own sliding window, if any. */
  readonly cap: { readonly limit: number; readonly windowMillis: number } | undefined
}

/** The limiter's state. */
export interface State {
  readonly limit: number
  readonly remaining: number
  readonly resetAtMillis: number
  /** Whether `resetAtMillis` came from the server (else it is the local estimate). */
  readonly confirmed: boolean
  /** When the current window began, as far as the limiter knows: the reset time of the one before it. */
  readonly windowStartMillis: number
  readonly rejections: number
  readonly waitingSubmits: number
  /** Until when the current pause is the server's doing (a 429). */
  readonly rejectedUntilMillis: number
  /** Send times of the most recent requests, oldest first, at most `cap.limit` of them. */
  readonly sent: ReadonlyArray<number>
  /** The latest window's reset time as the server first gave it (later answers of the same window may round it). */
  readonly serverResetMillis: number | undefined
  /** How long the server's windows are, once two of its reset times in a row have shown it. */
  readonly serverWindowMillis: number | undefined
}

/** The state at `now`, with `limit` units in a fresh window. */
export const initial = (settings: Settings, limit: number, now: number): State => ({
  limit,
  remaining: limit,
  resetAtMillis: now + settings.windowMillis,
  confirmed: false,
  windowStartMillis: now,
  rejections: 0,
  waitingSubmits: 0,
  rejectedUntilMillis: 0,
  sent: [],
  serverResetMillis: undefined,
  serverWindowMillis: undefined
})

/** A fresh window when the current one has passed; it began when the old one reset. */
export const rolled = (settings: Settings, state: State, now: number): State =>
  now < state.resetAtMillis ? state : {
    ...state,
    remaining: state.limit,
    resetAtMillis: now + settings.windowMillis,
    confirmed: false,
    windowStartMillis: state.resetAtMillis
  }

/** Reset times this close are the same window's (reset times may be rounded to seconds). */
const resetTolerance = (windowMillis: number) => Math.max(windowMillis / 20, 1000)

/**
 * The server's window that holds `now`, when the cap can count per server window: the server has shown its windows
 * to be as long as the cap's. Windows after the latest reset the server gave follow it at that length.
 */
const serverWindowAt = (
  cap: NonNullable<Settings["cap"]>,
  state: State,
  now: number
): { readonly start: number; readonly end: number } | undefined => {
  const length = state.serverWindowMillis
  const reset = state.serverResetMillis
  if (length === undefined || reset === undefined) return undefined
  if (Math.abs(length - cap.windowMillis) > resetTolerance(cap.windowMillis)) return undefined
  const start = now < reset ? reset - length : reset + Math.floor((now - reset) / length) * length
  return { start, end: start + length }
}

/** When the cap lets the next request go: `undefined` for now. */
export const capFreeAt = (settings: Settings, state: State, now: number): number | undefined => {
  const cap = settings.cap
  if (cap === undefined || state.sent.length < cap.limit) return undefined
  // The earliest of the `limit` most recent requests (the send times are in order).
  const oldestKept = state.sent[state.sent.length - cap.limit] ?? 0
  const window = serverWindowAt(cap, state, now)
  if (window !== undefined) {
    // Spent when all of them fell in this server window, or in the margin before it (the clocks may differ so much).
    return oldestKept < window.start - settings.marginMillis ? undefined : window.end + settings.marginMillis
  }
  const freeAt = oldestKept + cap.windowMillis
  return now >= freeAt ? undefined : freeAt
}

/**
 * Records a reset time the server gave: a later one (beyond the rounding of the same window's) begins a window, and
 * the distance from the one before is the server's window length.
 */
const seenReset = (settings: Settings, state: State, reset: number): State => {
  const last = state.serverResetMillis
  if (last !== undefined && reset - last < resetTolerance(settings.windowMillis)) return state
  return {
    ...state,
    serverResetMillis: reset,
    serverWindowMillis: last === undefined ? undefined : reset - last
  }
}

const recordSend = (settings: Settings, sent: ReadonlyArray<number>, now: number): ReadonlyArray<number> => {
  const cap = settings.cap
  if (cap === undefined) return sent
  const kept = sent.length >= cap.limit ? sent.slice(sent.length - cap.limit + 1) : sent
  return [...kept, now]
}

/** Spends one unit for a request of `kind` at `now`, or says how long to wait first. */
export const take = (
  settings: Settings,
  before: State,
  kind: RequestKind,
  now: number
): [Option.Option<Pause>, State] => {
  const state = rolled(settings, before, now)
  const cause = now < state.rejectedUntilMillis ? "rejected" : "exhausted"
  const capped = capFreeAt(settings, state, now)
  if (capped !== undefined) return [Option.some({ untilMillis: capped, cause }), state]
  const reserve = kind === "poll" && state.waitingSubmits > 0 ? Math.ceil(state.limit * settings.submitReserve) : 0
  if (state.remaining > reserve) {
    return [Option.none(), { ...state, remaining: state.remaining - 1, sent: recordSend(settings, state.sent, now) }]
  }
  const untilMillis = state.remaining > 0 && reserve > 0
    ? now + Math.min(1000, Math.max(1, state.resetAtMillis - now))
    : state.resetAtMillis + settings.marginMillis
  return [Option.some({ untilMillis, cause }), state]
}

/**
 * The server's reset time, when it is a plausible one: after `now` and at most two windows ahead (the limiter's or
 * Kustomer's documented 60 s, whichever is longer). `RateLimit.fromHeaders` already reads the header so; this
 * holds for information built any other way too.
 */
const usableReset = (settings: Settings, info: RateLimit.RateLimitInfo, now: number): number | undefined => {
  const reset = Option.getOrUndefined(info.resetAtMillis)
  const latest = now + 2 * Math.max(settings.windowMillis, RateLimit.documentedWindowMillis)
  return reset !== undefined && reset > now && reset <= latest ? reset : undefined
}

/**
 * When a budget the server reports spent will be back, without a usable reset time from it: the end of the window
 * the server confirmed earlier, while that is still ahead, else one whole window from now — never a wait of zero,
 * never one without end.
 */
const windowEnd = (settings: Settings, state: State, now: number): number =>
  state.confirmed && state.resetAtMillis > now ? state.resetAtMillis : now + settings.windowMillis

/** Adopts the server's count and window from a response's headers: they always win over the local estimate. */
const learn = (settings: Settings, state: State, info: RateLimit.RateLimitInfo, now: number): State => {
  const limit = Option.getOrElse(info.limit, () => state.limit)
  const serverReset = usableReset(settings, info, now)
  const serverRemaining = Option.getOrUndefined(info.remaining)
  const current = { ...state, limit }
  if (serverReset !== undefined) {
    const newer = serverReset > current.resetAtMillis
    const correction = !current.confirmed && serverReset !== current.resetAtMillis
    if (newer || correction) {
      return {
        ...current,
        resetAtMillis: serverReset,
        confirmed: true,
        // The server is past a window it confirmed before this client's clock is: the new one began by now.
        windowStartMillis: newer && current.confirmed
          ? Math.min(now, current.resetAtMillis)
          : current.windowStartMillis,
        remaining: newer
          ? serverRemaining ?? current.remaining
          : Math.min(current.remaining, serverRemaining ?? current.remaining)
      }
    }
    if (serverReset === current.resetAtMillis && serverRemaining !== undefined) {
      return { ...current, confirmed: true, remaining: Math.min(current.remaining, serverRemaining) }
    }
    return current
  }
  if (serverRemaining !== undefined) {
    const remaining = Math.min(current.remaining, serverRemaining)
    return remaining === 0
      ? { ...current, remaining, resetAtMillis: windowEnd(settings, current, now) }
      : { ...current, remaining }
  }
  return current
}

/**
 * After a 429 every request waits until the window resets: `Retry-After`, else the server's reset time; a response
 * that speaks of its rate limit without a usable time waits for the window (see {@link windowEnd}); one without any
 * rate-limit header, a fixed wait.
 */
const rejected = (settings: Settings, state: State, info: Option.Option<RateLimit.RateLimitInfo>, now: number) => {
  const resumeAt = Option.match(info, {
    onNone: () => now + settings.fallbackWaitMillis,
    onSome: (rateLimit) =>
      Option.match(rateLimit.retryAfter, {
        onSome: (duration) => now + Duration.toMillis(duration),
        onNone: () => usableReset(settings, rateLimit, now) ?? windowEnd(settings, state, now)
      })
  })
  const until = Math.max(resumeAt, now + 1)
  return {
    ...state,
    remaining: 0,
    resetAtMillis: until,
    confirmed: true,
    rejections: state.rejections + 1,
    rejectedUntilMillis: until
  }
}

/**
 * Whether a response belongs to a window before the current one: its request went out before the current window
 * began, and it names no time still ahead (neither a usable reset nor `Retry-After`). Against a fixed window that
 * is exact: a request the server counted in the new window is answered with the new window's reset, still ahead; an
 * answer whose reset is already past was counted in a window that is over. A response whose reset is still ahead is
 * never stale here: {@link learn} already keeps the latest window's reset over an older one.
 */
const isStale = (
  settings: Settings,
  state: State,
  info: RateLimit.RateLimitInfo,
  now: number,
  sentAtMillis: number | undefined
): boolean =>
  sentAtMillis !== undefined && sentAtMillis < state.windowStartMillis &&
  usableReset(settings, info, now) === undefined && Option.isNone(info.retryAfter)

/**
 * The state after a response with `status` (0 when none arrived) and its rate-limit information, to a request let
 * through at `sentAtMillis` (when known). A stale response (see {@link isStale}) neither spends nor pauses the
 * current window: it teaches the org's limit only, and a stale 429 is counted but waits for nothing — the window
 * that refused it is over, and a 429 of the current window pauses as any other.
 */
export const observe = (
  settings: Settings,
  before: State,
  status: number,
  info: Option.Option<RateLimit.RateLimitInfo>,
  now: number,
  sentAtMillis?: number
): State => {
  const state = rolled(settings, before, now)
  if (Option.isSome(info) && isStale(settings, state, info.value, now, sentAtMillis)) {
    return {
      ...state,
      limit: Option.getOrElse(info.value.limit, () => state.limit),
      rejections: status === 429 ? state.rejections + 1 : state.rejections
    }
  }
  const reset = Option.isSome(info) ? usableReset(settings, info.value, now) : undefined
  const withReset = reset === undefined ? state : seenReset(settings, state, reset)
  const learned = Option.isSome(info) ? learn(settings, withReset, info.value, now) : withReset
  return status === 429 ? rejected(settings, learned, info, now) : learned
}
