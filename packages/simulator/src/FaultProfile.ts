/**
 * Fault injection: which failures the simulator injects, how often, and from which seed.
 *
 * Every API request (the admin route excepted) draws the same number of values from PRNGs seeded with
 * {@link FaultProfile.seed}, whatever its route or outcome, so the same seed and the same order of requests give
 * the same faults. Every rate defaults to 0.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/**
 * A fault profile, fully resolved.
 *
 * @since 0.1.0
 */
export interface FaultProfile {
  /** Seed of the PRNG behind every fault decision. */
  readonly seed: number
  /** Fraction of bulk requests (POST, PUT, DELETE) answered `500`, `502` or `503` with a JSON:API error body. */
  readonly serverErrorRate: number
  /** Fraction of bulk requests (POST, PUT, DELETE) answered `502` with an HTML body, as a reverse proxy sends it. */
  readonly htmlBadGatewayRate: number
  /** Fraction of bulk requests (POST, PUT, DELETE) whose connection is destroyed without any response. */
  readonly connectionResetRate: number
  /**
   * Of the faults above and of hung requests ({@link hangRate}), the share injected after the work was done — a
   * bulk job accepted and stored — so the client sees a failure, yet the data exists. The rest happen before
   * anything is stored. Default `0.5`.
   */
  readonly afterAcceptanceShare: number
  /**
   * Fraction of API requests (any route) that are never answered: the connection stays open, with no response,
   * until the client gives up or the simulator stops (then it is dropped like a connection reset). Before or
   * after the work by {@link afterAcceptanceShare}.
   */
  readonly hangRate: number
  /** Fraction of API requests (any route) whose response is delayed by {@link slowDelay}. */
  readonly slowRate: number
  /** How long a slow response is delayed. Default 2 seconds. */
  readonly slowDelay: Duration.Duration
  /** Fraction of accepted jobs that stay `running` for {@link stallDuration} before any batch runs. */
  readonly stallRate: number
  /** How long a stalled job stays `running` (holding its worker). Default 30 seconds. */
  readonly stallDuration: Duration.Duration
  /** Per authenticated request, the chance that a 429 storm starts (when none is going on). */
  readonly rateLimitStormRate: number
  /** How long a 429 storm lasts: every authenticated request gets 429, whatever the budget. Default 5 seconds. */
  readonly rateLimitStormDuration: Duration.Duration
}

/**
 * The options of {@link make}: any part of a {@link FaultProfile}, durations in any `Duration` input form.
 *
 * @since 0.1.0
 */
export interface FaultProfileOptions {
  readonly seed?: number
  readonly serverErrorRate?: number
  readonly htmlBadGatewayRate?: number
  readonly connectionResetRate?: number
  readonly afterAcceptanceShare?: number
  readonly hangRate?: number
  readonly slowRate?: number
  readonly slowDelay?: Duration.DurationInput
  readonly stallRate?: number
  readonly stallDuration?: Duration.DurationInput
  readonly rateLimitStormRate?: number
  readonly rateLimitStormDuration?: Duration.DurationInput
}

/**
 * The kinds of fault the simulator counts in its stats.
 *
 * @since 0.1.0
 */
export type FaultKind =
  | "server_error_before_acceptance"
  | "server_error_after_acceptance"
  | "html_bad_gateway_before_acceptance"
  | "html_bad_gateway_after_acceptance"
  | "connection_reset_before_acceptance"
  | "connection_reset_after_acceptance"
  | "hang_before_acceptance"
  | "hang_after_acceptance"
  | "slow_response"
  | "stalled_job"
  | "rate_limit_storm"

/**
 * Every {@link FaultKind}, in a stable order.
 *
 * @since 0.1.0
 */
export const faultKinds: ReadonlyArray<FaultKind> = [
  "server_error_before_acceptance",
  "server_error_after_acceptance",
  "html_bad_gateway_before_acceptance",
  "html_bad_gateway_after_acceptance",
  "connection_reset_before_acceptance",
  "connection_reset_after_acceptance",
  "hang_before_acceptance",
  "hang_after_acceptance",
  "slow_response",
  "stalled_job",
  "rate_limit_storm"
]

const rate = (value: number | undefined): number =>
  value === undefined || Number.isNaN(value) ? 0 : Math.min(1, Math.max(0, value))

/**
 * Builds a profile; unspecified rates are 0. Rates are clamped to `[0, 1]`; when the three bulk-POST fault rates
 * add up to more than 1 they are scaled down to share the whole.
 *
 * @since 0.1.0
 */
export const make = (options: FaultProfileOptions = {}): FaultProfile => {
  const serverErrorRate = rate(options.serverErrorRate)
  const htmlBadGatewayRate = rate(options.htmlBadGatewayRate)
  const connectionResetRate = rate(options.connectionResetRate)
  const total = serverErrorRate + htmlBadGatewayRate + connectionResetRate
  const scale = total > 1 ? 1 / total : 1
  return {
    seed: Math.trunc(options.seed ?? 1) >>> 0,
    serverErrorRate: serverErrorRate * scale,
    htmlBadGatewayRate: htmlBadGatewayRate * scale,
    connectionResetRate: connectionResetRate * scale,
    afterAcceptanceShare: options.afterAcceptanceShare === undefined ? 0.5 : rate(options.afterAcceptanceShare),
    hangRate: rate(options.hangRate),
    slowRate: rate(options.slowRate),
    slowDelay: Duration.decode(options.slowDelay ?? "2 seconds"),
    stallRate: rate(options.stallRate),
    stallDuration: Duration.decode(options.stallDuration ?? "30 seconds"),
    rateLimitStormRate: rate(options.rateLimitStormRate),
    rateLimitStormDuration: Duration.decode(options.rateLimitStormDuration ?? "5 seconds")
  }
}

/**
 * No faults at all (the default).
 *
 * @since 0.1.0
 */
export const none: FaultProfile = make()
