/**
 * The options of `SimulatorConfig.make` and how they resolve into a configuration (numbers clamped to their range,
 * latencies and rate limits as `Duration`s, made-up user ids), and the parsers of the command line's values.
 * Documented and exported by `SimulatorConfig.ts`.
 */
import { BulkResource } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as FaultProfile from "../FaultProfile.js"
import { type AnswerStyle, plainAnswers } from "./answerStyle.js"
import { type DuplicateExternalIdsOption, duplicatePolicies } from "./duplicatePolicies.js"

/** An org-wide fixed-window rate limit: `limit` requests per `window`. */
export interface RateLimitConfig {
  readonly limit: number
  readonly window: Duration.Duration
}

/** A range of job latencies: each job draws its own uniformly between `min` and `max`. */
export interface JobLatencyRange {
  readonly min: Duration.DurationInput
  /** A `max` shorter than `min` counts as `min`. */
  readonly max: Duration.DurationInput
}

/** Kustomer's limit on creations per customer: 120 per minute. */
export const kustomerCreateLimit: RateLimitConfig = { limit: 120, window: Duration.minutes(1) }

/** The options of `SimulatorConfig.make`: any part of a configuration (see `SimulatorConfig.SimulatorOptions`). */
export interface SimulatorOptions {
  readonly orgId?: string
  readonly orgName?: string
  readonly apiKey?: string
  readonly apiKeys?: ReadonlyArray<
    { readonly key: string; readonly roles?: ReadonlyArray<string>; readonly userId?: string }
  >
  /** Agents of the org (`GET /v1/users`); an id is made up when none is given. */
  readonly users?: ReadonlyArray<{ readonly email: string; readonly name?: string; readonly id?: string }>
  readonly forbiddenStatus?: 401 | 403
  readonly rateLimit?: { readonly limit: number; readonly window: Duration.DurationInput }
  readonly retryAfterHeader?: boolean
  readonly batchSize?: number
  readonly workers?: number
  /** A fixed job latency, or a range `{ min, max }` each job draws from uniformly. */
  readonly jobLatency?: Duration.DurationInput | JobLatencyRange
  readonly itemLatency?: Duration.DurationInput
  readonly customers?: number
  /**
   * `"reject"` or `"allow"` for every resource, or per resource (`{ messages: "reject" }`) on top of the default,
   * `SimulatorConfig.kustomerDuplicatePolicies`.
   */
  readonly duplicateExternalIds?: DuplicateExternalIdsOption
  readonly maxItemsPerRequest?: number
  readonly maxBodyBytes?: number
  readonly faults?: FaultProfile.FaultProfileOptions
  readonly answers?: Partial<AnswerStyle>
  /** `true` for Kustomer's 120 per minute (`SimulatorConfig.perCustomerCreateLimit`), or a limit of your own. */
  readonly perCustomerCreateLimit?: boolean | { readonly limit: number; readonly window: Duration.DurationInput }
}

/** A whole number of at least `minimum`; `fallback` when absent or not finite. */
export const atLeast = (minimum: number, value: number | undefined, fallback: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.max(minimum, Math.trunc(value))

/** Deterministic 24-hex user ids for keys that do not name one: `5e1ec7ed` + a counter. */
const defaultUserId = (index: number): string => `5e1ec7ed0000000000${(index + 1).toString(16).padStart(6, "0")}`

/** Deterministic 24-hex ids for agents that do not name one. */
const defaultAgentId = (index: number): string => `a9e171d0000000000${(index + 1).toString(16).padStart(7, "0")}`

/** The answer style of the options: theirs over {@link plainAnswers}, with the numbers brought into range. */
const answerStyle = (options: Partial<AnswerStyle> = {}): AnswerStyle => {
  const rate = options.nullObjectIdRate
  return {
    ...plainAnswers,
    ...options,
    batchesPerPage: atLeast(0, options.batchesPerPage, plainAnswers.batchesPerPage),
    nullObjectIdRate: rate === undefined || Number.isNaN(rate) ? 0 : Math.min(1, Math.max(0, rate)),
    seed: Math.trunc(options.seed ?? plainAnswers.seed) >>> 0
  }
}

const isRange = (option: Duration.DurationInput | JobLatencyRange | undefined): option is JobLatencyRange =>
  typeof option === "object" && option !== null && "min" in option && "max" in option

/** A fixed job latency (default 100 ms), or a range's bounds. */
const jobLatency = (
  option: Duration.DurationInput | JobLatencyRange | undefined
): { readonly jobLatency: Duration.Duration; readonly jobLatencyMax: Duration.Duration } => {
  if (!isRange(option)) {
    const fixed = Duration.decode(option ?? "100 millis")
    return { jobLatency: fixed, jobLatencyMax: fixed }
  }
  const min = Duration.decode(option.min)
  return { jobLatency: min, jobLatencyMax: Duration.max(min, Duration.decode(option.max)) }
}

/** The per-customer creation limit: none, Kustomer's ({@link kustomerCreateLimit}), or one of the caller's. */
const customerLimit = (option: SimulatorOptions["perCustomerCreateLimit"]): RateLimitConfig | undefined => {
  if (option === undefined || option === false) return undefined
  if (option === true) return kustomerCreateLimit
  return { limit: atLeast(0, option.limit, kustomerCreateLimit.limit), window: Duration.decode(option.window) }
}

/**
 * Resolves options into a complete configuration; a key without roles gets `defaults.roles`, and `defaults.apiKey`
 * is the key when none is given.
 */
export const resolve = (
  options: SimulatorOptions,
  defaults: { readonly apiKey: string; readonly roles: ReadonlyArray<string> }
) => {
  const keyOptions = options.apiKeys ?? [{ key: options.apiKey ?? defaults.apiKey }]
  return {
    orgId: options.orgId ?? "5e1ec7ed0000000000000000",
    orgName: options.orgName ?? "simulated-org",
    apiKeys: keyOptions.map((key, index) => ({
      key: key.key,
      roles: key.roles ?? defaults.roles,
      userId: key.userId ?? defaultUserId(index)
    })),
    users: (options.users ?? []).map((user, index) => ({
      id: user.id ?? defaultAgentId(index),
      email: user.email,
      name: user.name
    })),
    forbiddenStatus: options.forbiddenStatus ?? 403,
    rateLimit: {
      limit: atLeast(0, options.rateLimit?.limit, 1000),
      window: Duration.decode(options.rateLimit?.window ?? "60 seconds")
    },
    retryAfterHeader: options.retryAfterHeader ?? false,
    batchSize: atLeast(1, options.batchSize, 100),
    workers: atLeast(1, options.workers, 16),
    ...jobLatency(options.jobLatency),
    itemLatency: Duration.decode(options.itemLatency ?? "1 millis"),
    customers: atLeast(0, options.customers, 10),
    duplicateExternalIds: duplicatePolicies(options.duplicateExternalIds),
    maxItemsPerRequest: atLeast(1, options.maxItemsPerRequest, BulkResource.maxItemsPerRequest),
    maxBodyBytes: atLeast(1, options.maxBodyBytes, BulkResource.maxBodyBytes),
    faults: FaultProfile.make(options.faults),
    answers: answerStyle(options.answers),
    perCustomerCreateLimit: customerLimit(options.perCustomerCreateLimit)
  }
}

const windowUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Parses `LIMIT/WINDOW`: the window in seconds or with a unit (`ms`, `s`, `m`, `h`). */
export const parseRateLimit = (text: string): Option.Option<RateLimitConfig> => {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (match === null) return Option.none()
  const limit = Number(match[1])
  const amount = Number(match[2])
  const unit = windowUnits[match[3] ?? "s"] ?? 1000
  const windowMillis = amount * unit
  return windowMillis > 0 ? Option.some({ limit, window: Duration.millis(windowMillis) }) : Option.none()
}

/** Parses a job latency in milliseconds: fixed (`1500`) or a range `MIN-MAX`. */
export const parseJobLatency = (text: string): Option.Option<Duration.DurationInput | JobLatencyRange> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text)
  if (match === null) return Option.none()
  const min = Number(match[1])
  if (match[2] === undefined) return Option.some(Duration.millis(min))
  const max = Number(match[2])
  return max >= min ? Option.some({ min: Duration.millis(min), max: Duration.millis(max) }) : Option.none()
}
