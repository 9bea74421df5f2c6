/**
 * Configuration of a simulated Kustomer org: API keys and their roles, the rate limit, job timing, the worker
 * pool, seeded customers and the fault profile. {@link make} fills in the defaults.
 *
 * @since 0.1.0
 */
import { BulkResource, Token, User } from "@effect-kustomer/domain"
import type * as Duration from "effect/Duration"
import type * as Option from "effect/Option"
import type * as FaultProfile from "./FaultProfile.js"
import type { ResourceName } from "./Inspection.js"
import * as Answers from "./internal/answerStyle.js"
import * as ConfigOptions from "./internal/configOptions.js"
import * as Policies from "./internal/duplicatePolicies.js"

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
 * The roles the simulator checks on its routes: create, read, update and — for the resources that have a bulk
 * delete — delete of every resource of the domain's registry (`BulkResource.resourceRoles`), bulk read and user
 * read.
 *
 * @since 0.1.0
 */
export const resourceRoles: ReadonlyArray<string> = [
  ...BulkResource.resourceRoles,
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
export interface RateLimitConfig extends ConfigOptions.RateLimitConfig {}

/**
 * How the simulator words the parts of its answers that Kustomer's docs leave open. Each default is the plainest
 * form; the others are plausible alternatives a client must survive (INFERRED: none is documented or ruled out).
 *
 * @since 0.1.0
 */
export interface AnswerStyle extends Answers.AnswerStyle {}

/**
 * The answers of a simulator unless configured otherwise.
 *
 * @since 0.1.0
 */
export const plainAnswers: AnswerStyle = Answers.plainAnswers

/**
 * Kustomer's limit on creations per customer (120 conversations, messages or KObjects per minute per customer on
 * the single-create endpoints; items with `importedAt` are exempt). Whether it applies inside bulk jobs is not
 * documented (INFERRED): when enabled, an item over the limit fails in its batch with code `rate_limited`.
 *
 * @since 0.1.0
 */
export const perCustomerCreateLimit: RateLimitConfig = ConfigOptions.kustomerCreateLimit

/**
 * A range of job latencies: each job draws its own uniformly between `min` and `max`.
 *
 * @since 0.1.0
 */
export interface JobLatencyRange extends ConfigOptions.JobLatencyRange {}

/**
 * What a second object with an `externalId` already stored in its resource gets: `"reject"` (the item fails in
 * its batch with code `duplicate`, `duplicate detected`, and nothing is stored) or `"allow"` (it is stored again,
 * and the stats count it in `storedTwice`).
 *
 * @since 0.1.0
 */
export type DuplicatePolicy = Policies.DuplicatePolicy

/**
 * The duplicate policy of every resource.
 *
 * @since 0.1.0
 */
export type DuplicatePolicies = Policies.DuplicatePolicies

/**
 * Every resource the simulator stores, in the registry's order (`BulkResource.all`: companies, customers,
 * conversations, messages, notes).
 *
 * @since 0.1.0
 */
export const resourceNames: ReadonlyArray<ResourceName> = Policies.resourceNames

/**
 * What Kustomer does with a repeated `externalId`, and the simulator's default, from the registry's
 * `deduplicatesExternalId`: it documents `duplicate detected` for customers and conversations only; nothing is
 * documented for companies, messages and notes, which are stored again.
 *
 * @since 0.1.0
 */
export const kustomerDuplicatePolicies: DuplicatePolicies = Policies.kustomerDuplicatePolicies

/**
 * The `duplicateExternalIds` option: one policy for every resource, or per resource on top of
 * {@link kustomerDuplicatePolicies}.
 *
 * @since 0.1.0
 */
export type DuplicateExternalIdsOption = Policies.DuplicateExternalIdsOption

/**
 * Resolves the `duplicateExternalIds` option: absent, Kustomer's behaviour ({@link kustomerDuplicatePolicies}); a
 * string, that policy for every resource; an object, its entries over Kustomer's behaviour.
 *
 * @since 0.1.0
 */
export const duplicatePolicies: (option: DuplicateExternalIdsOption | undefined) => DuplicatePolicies =
  Policies.duplicatePolicies

/**
 * Parses the list of resources whose duplicates are refused, comma-separated from {@link resourceNames}
 * (`companies,customers,conversations,messages,notes`); `none` (or an empty list) refuses none. The resources not
 * listed store duplicates again.
 *
 * @since 0.1.0
 */
export const parseDeduplicate: (text: string) => Option.Option<DuplicatePolicies> = Policies.parseDeduplicate

/**
 * The resources whose duplicates a configuration refuses, in {@link resourceNames} order.
 *
 * @since 0.1.0
 */
export const deduplicatedResources: (policies: DuplicatePolicies) => ReadonlyArray<ResourceName> =
  Policies.deduplicatedResources

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
export interface SimulatorOptions extends ConfigOptions.SimulatorOptions {}

/**
 * Resolves options into a complete configuration.
 *
 * @since 0.1.0
 */
export const make = (options: SimulatorOptions = {}): SimulatorConfig =>
  ConfigOptions.resolve(options, { apiKey: defaultApiKey, roles: allRoles })

/**
 * Parses a rate limit written `LIMIT/WINDOW`: the window in seconds (`1000/60`) or with a unit (`100/10s`,
 * `1000/1m`, `50/500ms`).
 *
 * @since 0.1.0
 */
export const parseRateLimit: (text: string) => Option.Option<RateLimitConfig> = ConfigOptions.parseRateLimit

/**
 * Parses a job latency in milliseconds: fixed (`1500`) or a range `MIN-MAX` (`1000-3000`) each job draws from.
 *
 * @since 0.1.0
 */
export const parseJobLatency: (text: string) => Option.Option<Duration.DurationInput | JobLatencyRange> =
  ConfigOptions.parseJobLatency
