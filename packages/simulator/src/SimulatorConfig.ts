/**
 * Configuration of a simulated Kustomer org: API keys and their roles, the rate limit, job timing, the worker
 * pool, seeded customers and the fault profile. {@link make} fills in the defaults.
 *
 * @since 0.1.0
 */
import { BulkResource } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as FaultProfile from "./FaultProfile.js"

/**
 * An API key of the simulated org and the roles it was created with.
 *
 * @since 0.1.0
 */
export interface ApiKey {
  /** The bearer token itself. */
  readonly key: string
  /** Roles granted to the key, e.g. `org.permission.conversation.create`. */
  readonly roles: ReadonlyArray<string>
  /** The machine user behind the key (24-hex), reported as the job's `createdBy`. */
  readonly userId: string
}

/**
 * The role needed to read objects of a resource, in both spellings (role-set and legacy).
 *
 * @since 0.1.0
 */
export const readRoles = (roleName: string): readonly [permission: string, legacy: string] => [
  `org.permission.${roleName}.read`,
  `org.user.${roleName}.read`
]

/**
 * Every role the simulator checks: create and read for conversations, customers, messages and notes, and bulk read.
 *
 * @since 0.1.0
 */
export const allRoles: ReadonlyArray<string> = [
  ...BulkResource.Conversations.createRoles,
  ...readRoles("conversation"),
  ...BulkResource.Customers.createRoles,
  ...readRoles("customer"),
  ...BulkResource.Messages.createRoles,
  ...readRoles("message"),
  ...BulkResource.Notes.createRoles,
  ...readRoles("note"),
  ...BulkResource.bulkReadRoles
]

/**
 * The API key used when none is configured; it carries {@link allRoles}.
 *
 * @since 0.1.0
 */
export const defaultApiKey = "sim-key-0f3c9a1e5b2d4068a7c1"

/**
 * An org-wide fixed-window rate limit: `limit` requests per `window`.
 *
 * @since 0.1.0
 */
export interface RateLimitConfig {
  readonly limit: number
  readonly window: Duration.Duration
}

/**
 * The complete configuration of a simulator.
 *
 * @since 0.1.0
 */
export interface SimulatorConfig {
  /** Id (24-hex) of the simulated org. */
  readonly orgId: string
  /** Name of the simulated org. */
  readonly orgName: string
  /** The keys that authenticate; the first one is the one {@link Simulator} reports. */
  readonly apiKeys: ReadonlyArray<ApiKey>
  /** Status of a request whose key lacks a role: 403 (default) or 401. */
  readonly forbiddenStatus: 401 | 403
  /** The org-wide rate limit. Default 1000 requests per 60 seconds. */
  readonly rateLimit: RateLimitConfig
  /** Whether a 429 carries `Retry-After` (seconds until the window resets). Default `false`: none is documented. */
  readonly retryAfterHeader: boolean
  /** Items per batch of a job. Default 100: one batch per request. */
  readonly batchSize: number
  /** Jobs processed at the same time; queued jobs wait for a worker. Default 16. */
  readonly workers: number
  /** Time a job stays `running` before its first batch starts. Default 100 ms. */
  readonly jobLatency: Duration.Duration
  /** Processing time per item; a batch of n items takes n times this. Default 1 ms. */
  readonly itemLatency: Duration.Duration
  /** Customers created at start-up, so conversations have someone to reference. Default 10. */
  readonly customers: number
  /**
   * What a second object with an `externalId` already used in the org gets: `"reject"` (default, the item fails
   * with `duplicate detected`) or `"allow"` (stored again; the per-externalId counts then show it).
   */
  readonly duplicateExternalIds: "reject" | "allow"
  /** The most items one bulk request may carry. Default 100. */
  readonly maxItemsPerRequest: number
  /** The largest bulk request body in bytes. Default 100,000. */
  readonly maxBodyBytes: number
  /** The faults to inject. Default: none. */
  readonly faults: FaultProfile.FaultProfile
}

/**
 * The options of {@link make}: any part of a {@link SimulatorConfig}. `apiKey` is a shortcut for one key with
 * every role; `apiKeys` entries may omit `roles` (every role) and `userId`.
 *
 * @since 0.1.0
 */
export interface SimulatorOptions {
  readonly orgId?: string
  readonly orgName?: string
  readonly apiKey?: string
  readonly apiKeys?: ReadonlyArray<
    { readonly key: string; readonly roles?: ReadonlyArray<string>; readonly userId?: string }
  >
  readonly forbiddenStatus?: 401 | 403
  readonly rateLimit?: { readonly limit: number; readonly window: Duration.DurationInput }
  readonly retryAfterHeader?: boolean
  readonly batchSize?: number
  readonly workers?: number
  readonly jobLatency?: Duration.DurationInput
  readonly itemLatency?: Duration.DurationInput
  readonly customers?: number
  readonly duplicateExternalIds?: "reject" | "allow"
  readonly maxItemsPerRequest?: number
  readonly maxBodyBytes?: number
  readonly faults?: FaultProfile.FaultProfileOptions
}

const atLeast = (minimum: number, value: number | undefined, fallback: number): number =>
  value === undefined || !Number.isFinite(value) ? fallback : Math.max(minimum, Math.trunc(value))

/** Deterministic 24-hex user ids for keys that do not name one: `5e1ec7ed` + a counter. */
const defaultUserId = (index: number): string => `5e1ec7ed0000000000${(index + 1).toString(16).padStart(6, "0")}`

/**
 * Resolves options into a complete configuration.
 *
 * @since 0.1.0
 */
export const make = (options: SimulatorOptions = {}): SimulatorConfig => {
  const keyOptions = options.apiKeys ?? [{ key: options.apiKey ?? defaultApiKey }]
  return {
    orgId: options.orgId ?? "5e1ec7ed0000000000000000",
    orgName: options.orgName ?? "simulated-org",
    apiKeys: keyOptions.map((key, index) => ({
      key: key.key,
      roles: key.roles ?? allRoles,
      userId: key.userId ?? defaultUserId(index)
    })),
    forbiddenStatus: options.forbiddenStatus ?? 403,
    rateLimit: {
      limit: atLeast(0, options.rateLimit?.limit, 1000),
      window: Duration.decode(options.rateLimit?.window ?? "60 seconds")
    },
    retryAfterHeader: options.retryAfterHeader ?? false,
    batchSize: atLeast(1, options.batchSize, 100),
    workers: atLeast(1, options.workers, 16),
    jobLatency: Duration.decode(options.jobLatency ?? "100 millis"),
    itemLatency: Duration.decode(options.itemLatency ?? "1 millis"),
    customers: atLeast(0, options.customers, 10),
    duplicateExternalIds: options.duplicateExternalIds ?? "reject",
    maxItemsPerRequest: atLeast(1, options.maxItemsPerRequest, BulkResource.maxItemsPerRequest),
    maxBodyBytes: atLeast(1, options.maxBodyBytes, BulkResource.maxBodyBytes),
    faults: FaultProfile.make(options.faults)
  }
}

const windowUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * Parses a rate limit written `LIMIT/WINDOW`: the window in seconds (`1000/60`) or with a unit (`100/10s`,
 * `1000/1m`, `50/500ms`).
 *
 * @since 0.1.0
 */
export const parseRateLimit = (text: string): Option.Option<RateLimitConfig> => {
  const match = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (match === null) return Option.none()
  const limit = Number(match[1])
  const amount = Number(match[2])
  const unit = windowUnits[match[3] ?? "s"] ?? 1000
  const windowMillis = amount * unit
  return windowMillis > 0 ? Option.some({ limit, window: Duration.millis(windowMillis) }) : Option.none()
}
