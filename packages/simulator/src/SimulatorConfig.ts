/**
 * Configuration of a simulated Kustomer org: API keys and their roles, the rate limit, job timing, the worker
 * pool, seeded customers and the fault profile. {@link make} fills in the defaults.
 *
 * @since 0.1.0
 */
import { BulkResource, Token, User } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as FaultProfile from "./FaultProfile.js"
import type { ResourceName } from "./Inspection.js"
import * as Resources from "./internal/resources.js"

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
  /**
   * The machine user behind the key (24-hex), reported as the job's `createdBy`, as the token's user, and stored as
   * the `createdBy` of messages and notes created with a key without {@link orgAdminRole}.
   */
  readonly userId: string
}

/**
 * The role needed to read objects of a resource, in both spellings (role-set and legacy): the spelling of the
 * registry's `readRoles` (`BulkResource.Customers.readRoles`), which the simulator's routes use.
 *
 * @since 0.1.0
 */
export const readRoles = (roleName: string): readonly [permission: string, legacy: string] => [
  `org.permission.${roleName}.read`,
  `org.user.${roleName}.read`
]

/**
 * The role that lets a key keep the `createdAt` and `createdBy` it sends on messages and notes. Without it the
 * simulator, like Kustomer, silently stores the time of creation (from its `Clock`) and the key's user instead.
 *
 * @since 0.1.0
 */
export const orgAdminRole: string = Token.orgAdminRole

/**
 * The roles the simulator checks on its routes: create and read of every resource of the domain's registry
 * (`BulkResource.all`), and bulk read.
 *
 * @since 0.1.0
 */
export const resourceRoles: ReadonlyArray<string> = [
  ...BulkResource.all.flatMap((resource) => [...resource.createRoles, ...resource.readRoles]),
  ...BulkResource.bulkReadRoles,
  ...User.readRoles
]

/**
 * A user (an agent) of the simulated org, listed at `GET /v1/users` beside the keys' machine users.
 *
 * @since 0.1.0
 */
export interface OrgUser {
  readonly id: string
  readonly email: string
  readonly name: string | undefined
}

/**
 * Every role the simulator knows: {@link resourceRoles} and {@link orgAdminRole}. A key configured without roles
 * gets these.
 *
 * @since 0.1.0
 */
export const allRoles: ReadonlyArray<string> = [...resourceRoles, orgAdminRole]

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
 * How the simulator words the parts of its answers that Kustomer's docs leave open. Each default is the plainest
 * form; the others are plausible alternatives a client must survive (INFERRED: none is documented or ruled out).
 *
 * @since 0.1.0
 */
export interface AnswerStyle {
  /**
   * Batches per page of `GET /v1/bulk/{id}/batches`; further pages are linked by `links.next` (`?page=2`, …) and
   * the last page has `links.next: null`. `0` (default): every batch on one page, without `links`.
   */
  readonly batchesPerPage: number
  /** Empty `errors` and `objectIds` lists, and an absent `results` list, sent as `null`. Default `false`. */
  readonly nullLists: boolean
  /** An item's `error`, in `errors` and `results`: a `"string"` (default) or an `"object"` `{ code, message }`. */
  readonly itemErrors: "string" | "object"
  /** A batch's `completedAt`: an `"iso"` string (default) or `"epochMillis"`. */
  readonly completedAt: "iso" | "epochMillis"
  /** Share of created items whose `results[].objectId` is `null` (the object exists all the same). Default 0. */
  readonly nullObjectIdRate: number
  /**
   * Error bodies: `"jsonapi"` (default) `{ errors: [{ status, code, title, detail }] }`, or `"plain"`
   * `{ code, message, meta }`.
   */
  readonly errorBody: "jsonapi" | "plain"
  /** Seed of the draws behind {@link nullObjectIdRate}: the same seed picks the same objects. Default 1. */
  readonly seed: number
}

/**
 * The answers of a simulator unless configured otherwise.
 *
 * @since 0.1.0
 */
export const plainAnswers: AnswerStyle = {
  batchesPerPage: 0,
  nullLists: false,
  itemErrors: "string",
  completedAt: "iso",
  nullObjectIdRate: 0,
  errorBody: "jsonapi",
  seed: 1
}

/**
 * Kustomer's limit on creations per customer (120 conversations, messages or KObjects per minute per customer on
 * the single-create endpoints; items with `importedAt` are exempt). Whether it applies inside bulk jobs is not
 * documented (INFERRED): when enabled, an item over the limit fails in its batch with code `rate_limited`.
 *
 * @since 0.1.0
 */
export const perCustomerCreateLimit: RateLimitConfig = { limit: 120, window: Duration.minutes(1) }

/**
 * A range of job latencies: each job draws its own uniformly between `min` and `max`.
 *
 * @since 0.1.0
 */
export interface JobLatencyRange {
  readonly min: Duration.DurationInput
  /** A `max` shorter than `min` counts as `min`. */
  readonly max: Duration.DurationInput
}

/**
 * What a second object with an `externalId` already stored in its resource gets: `"reject"` (the item fails in
 * its batch with code `duplicate`, `duplicate detected`, and nothing is stored) or `"allow"` (it is stored again,
 * and the stats count it in `storedTwice`).
 *
 * @since 0.1.0
 */
export type DuplicatePolicy = "reject" | "allow"

/**
 * The duplicate policy of every resource.
 *
 * @since 0.1.0
 */
export type DuplicatePolicies = Readonly<Record<ResourceName, DuplicatePolicy>>

/**
 * Every resource the simulator stores, in the registry's order (`BulkResource.all`: companies, customers,
 * conversations, messages, notes).
 *
 * @since 0.1.0
 */
export const resourceNames: ReadonlyArray<ResourceName> = Resources.all.map((resource) => resource.name)

/**
 * What Kustomer does with a repeated `externalId`, and the simulator's default, from the registry's
 * `deduplicatesExternalId`: it documents `duplicate detected` for customers and conversations only; nothing is
 * documented for companies, messages and notes, which are stored again.
 *
 * @since 0.1.0
 */
export const kustomerDuplicatePolicies: DuplicatePolicies = Resources.perResource((resource) =>
  resource.deduplicatesExternalId ? "reject" : "allow"
)

/**
 * The `duplicateExternalIds` option: one policy for every resource, or per resource on top of
 * {@link kustomerDuplicatePolicies}.
 *
 * @since 0.1.0
 */
export type DuplicateExternalIdsOption = DuplicatePolicy | Partial<Record<ResourceName, DuplicatePolicy>>

/**
 * Resolves the `duplicateExternalIds` option: absent, Kustomer's behaviour ({@link kustomerDuplicatePolicies}); a
 * string, that policy for every resource; an object, its entries over Kustomer's behaviour.
 *
 * @since 0.1.0
 */
export const duplicatePolicies = (option: DuplicateExternalIdsOption | undefined): DuplicatePolicies => {
  if (option === undefined) return kustomerDuplicatePolicies
  if (typeof option === "string") return Resources.perResource(() => option)
  return Resources.perResource((resource) => option[resource.name] ?? kustomerDuplicatePolicies[resource.name])
}

const isResourceName = (text: string): text is ResourceName => resourceNames.some((name) => name === text)

/**
 * Parses the list of resources whose duplicates are refused, comma-separated from {@link resourceNames}
 * (`companies,customers,conversations,messages,notes`); `none` (or an empty list) refuses none. The resources not
 * listed store duplicates again.
 *
 * @since 0.1.0
 */
export const parseDeduplicate = (text: string): Option.Option<DuplicatePolicies> => {
  const names = text.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "")
  if (names.length === 1 && names[0] === "none") return Option.some(duplicatePolicies("allow"))
  const policies: Record<ResourceName, DuplicatePolicy> = { ...duplicatePolicies("allow") }
  for (const name of names) {
    if (!isResourceName(name)) return Option.none()
    policies[name] = "reject"
  }
  return Option.some(policies)
}

/**
 * The resources whose duplicates a configuration refuses, in {@link resourceNames} order.
 *
 * @since 0.1.0
 */
export const deduplicatedResources = (policies: DuplicatePolicies): ReadonlyArray<ResourceName> =>
  resourceNames.filter((name) => policies[name] === "reject")

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
  /**
   * The keys that authenticate; the first one is the one {@link Simulator} reports. `GET /v1/auth/tokens/current`
   * answers each with its roles, user and the org.
   */
  readonly apiKeys: ReadonlyArray<ApiKey>
  /** The org's agents, listed at `GET /v1/users` after the keys' machine users. Default: none. */
  readonly users: ReadonlyArray<OrgUser>
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
  /**
   * Time a job stays `running` before its first batch starts: this, or when {@link jobLatencyMax} is longer, a
   * time drawn per job uniformly between the two. Default 100 ms.
   */
  readonly jobLatency: Duration.Duration
  /**
   * The longest job latency. Equal to {@link jobLatency} (the default) for a fixed latency; longer for a range, drawn
   * through Effect's `Random` service of the fibers that run the jobs (seed it with `Effect.withRandom`).
   */
  readonly jobLatencyMax: Duration.Duration
  /** Processing time per item; a batch of n items takes n times this. Default 1 ms. */
  readonly itemLatency: Duration.Duration
  /** Customers created at start-up, so conversations have someone to reference. Default 10. */
  readonly customers: number
  /**
   * Per resource, what a second object with an `externalId` already stored in that resource gets. Default
   * {@link kustomerDuplicatePolicies}: refused for customers and conversations, stored again for messages and notes.
   */
  readonly duplicateExternalIds: DuplicatePolicies
  /** The most items one bulk request may carry. Default 100. */
  readonly maxItemsPerRequest: number
  /** The largest bulk request body in bytes. Default 100,000. */
  readonly maxBodyBytes: number
  /** The faults to inject. Default: none. */
  readonly faults: FaultProfile.FaultProfile
  /** How answers are worded. Default {@link plainAnswers}. */
  readonly answers: AnswerStyle
  /** The per-customer creation limit, or `undefined` (default) for none. */
  readonly perCustomerCreateLimit: RateLimitConfig | undefined
}

/**
 * The options of {@link make}: any part of a {@link SimulatorConfig}. `apiKey` is a shortcut for one key with
 * every role ({@link allRoles}, `org.admin` included); `apiKeys` entries may omit `roles` (every role) and
 * `userId`. A key without `org.admin` — e.g. `roles: SimulatorConfig.resourceRoles` — has the `createdAt` and
 * `createdBy` of its messages and notes replaced.
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
   * {@link kustomerDuplicatePolicies}.
   */
  readonly duplicateExternalIds?: DuplicateExternalIdsOption
  readonly maxItemsPerRequest?: number
  readonly maxBodyBytes?: number
  readonly faults?: FaultProfile.FaultProfileOptions
  readonly answers?: Partial<AnswerStyle>
  /** `true` for Kustomer's 120 per minute ({@link perCustomerCreateLimit}), or a limit of your own. */
  readonly perCustomerCreateLimit?: boolean | { readonly limit: number; readonly window: Duration.DurationInput }
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
    users: (options.users ?? []).map((user, index) => ({
      id: user.id ?? `a9e171d0000000000${(index + 1).toString(16).padStart(7, "0")}`,
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

const isRange = (option: SimulatorOptions["jobLatency"]): option is JobLatencyRange =>
  typeof option === "object" && option !== null && "min" in option && "max" in option

const jobLatency = (
  option: SimulatorOptions["jobLatency"]
): Pick<SimulatorConfig, "jobLatency" | "jobLatencyMax"> => {
  if (!isRange(option)) {
    const fixed = Duration.decode(option ?? "100 millis")
    return { jobLatency: fixed, jobLatencyMax: fixed }
  }
  const min = Duration.decode(option.min)
  return { jobLatency: min, jobLatencyMax: Duration.max(min, Duration.decode(option.max)) }
}

const customerLimit = (option: SimulatorOptions["perCustomerCreateLimit"]): RateLimitConfig | undefined => {
  if (option === undefined || option === false) return undefined
  if (option === true) return perCustomerCreateLimit
  return { limit: atLeast(0, option.limit, perCustomerCreateLimit.limit), window: Duration.decode(option.window) }
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

/**
 * Parses a job latency in milliseconds: fixed (`1500`) or a range `MIN-MAX` (`1000-3000`) each job draws from.
 *
 * @since 0.1.0
 */
export const parseJobLatency = (text: string): Option.Option<Duration.DurationInput | JobLatencyRange> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text)
  if (match === null) return Option.none()
  const min = Number(match[1])
  if (match[2] === undefined) return Option.some(Duration.millis(min))
  const max = Number(match[2])
  return max >= min ? Option.some({ min: Duration.millis(min), max: Duration.millis(max) }) : Option.none()
}
