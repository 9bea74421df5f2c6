/**
 * The roles a run needs, and the check of the key's token against them before anything is created: Kustomer keys
 * cannot gain roles later, and a key without `org.admin` has the `createdAt`/`createdBy` of messages and notes
 * replaced without an error. Where the API does not serve the token, one read of a job that does not exist checks
 * what it can (the key is accepted, and may read jobs).
 */
import { type KustomerClient, type KustomerError, KustomerSchedule, RetryPolicy } from "@effect-kustomer/client"
import { BulkResource, Ids, Token } from "@effect-kustomer/domain"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

/** One role a run needs: any of `roles` (the permission-set and the legacy spelling) grants it; `why` says what for. */
export const RoleNeed = Schema.Struct({ roles: Schema.Array(Schema.String), why: Schema.String })
export type RoleNeed = typeof RoleNeed.Type

/** What the check before the first request found, as the run's result and report carry it. */
export const RoleReport = Schema.Struct({
  /** `false` when the API did not serve the key's token: only the key's access to bulk jobs was checked. */
  checked: Schema.Boolean,
  /** Every role the run needs, with why. */
  needed: Schema.Array(RoleNeed),
  /**
   * Whether Kustomer keeps the `createdAt`/`createdBy` the records carry: `false` when the key lacks `org.admin`
   * and the run went on anyway (`acceptImportDates`). Absent when no record carries them, or when the roles could
   * not be checked.
   */
  createdAtAndByKept: Schema.optional(Schema.Boolean),
  /** What the reader should know: roles not checked in advance, dates not kept. */
  warnings: Schema.Array(Schema.String)
}).annotations({ identifier: "RoleReport" })
export type RoleReport = typeof RoleReport.Type

/** Messages and notes that carry `createdAt` or `createdBy`: only a key with `org.admin` has them kept. */
export interface DatedRecords {
  readonly messages: number
  readonly notes: number
}

/** No dated records. */
export const noDatedRecords: DatedRecords = { messages: 0, notes: 0 }

/** The resources whose `createdAt`/`createdBy` Kustomer keeps only for `org.admin`. */
export const keepsDatesOnlyForOrgAdmin = (resource: BulkResource.Any): boolean =>
  resource.name === "messages" || resource.name === "notes"

/** Whether a record sets `createdAt` or `createdBy`. */
export const carriesDates = (value: unknown): boolean =>
  Predicate.isRecord(value) &&
  ((value["createdAt"] !== undefined && value["createdAt"] !== null) ||
    (value["createdBy"] !== undefined && value["createdBy"] !== null))

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

/** "210 messages and 3 notes". */
export const describeDated = (dated: DatedRecords): string =>
  [
    dated.messages > 0 ? plural(dated.messages, "message", "messages") : undefined,
    dated.notes > 0 ? plural(dated.notes, "note", "notes") : undefined
  ].filter((part) => part !== undefined).join(" and ")

const datedTotal = (dated: DatedRecords) => dated.messages + dated.notes

/** The role that creates `resource`'s objects. */
export const toCreate = (resource: BulkResource.Any): RoleNeed => ({
  roles: resource.createRoles,
  why: `create ${resource.name}`
})

/** The role that reads bulk jobs: every run polls its jobs for their results. */
export const toReadJobs: RoleNeed = {
  roles: BulkResource.bulkReadRoles,
  why: "read the results of the bulk jobs (every run polls them)"
}

/**
 * The role that finds `resource`'s existing objects — by `externalId`, by e-mail, or in their conversation's
 * listing — which a run does for duplicates and for requests whose answer was lost; `undefined` for a resource
 * Kustomer offers no way to find (none today: companies are found by `externalId` too).
 */
export const toFind = (resource: BulkResource.Any): RoleNeed | undefined => {
  const ways = [
    resource.externalIdPath === undefined ? undefined : "by externalId",
    resource.findableByEmail ? "by e-mail" : undefined,
    resource.listing === undefined ? undefined : "in their conversation's listing"
  ].filter((way) => way !== undefined)
  return ways.length === 0 ? undefined : {
    roles: resource.readRoles,
    why: `find ${resource.name} that exist already (${ways.join(", ")}): duplicates, and requests whose answer ` +
      "was lost"
  }
}

/** The role that keeps the dates of `dated` records. */
export const toKeepDates = (dated: DatedRecords): RoleNeed => ({
  roles: [Token.orgAdminRole],
  why: `keep the createdAt and createdBy of ${describeDated(dated)}: without it Kustomer silently replaces them ` +
    "with the time of the import and the key's user. To import them with those instead, accept it: " +
    "--accept-import-dates (library: acceptImportDates)"
})

/** The roles an import of `resource` needs: create, read jobs, find existing objects, and `org.admin` for dates. */
export const importNeeds = (resource: BulkResource.Any): ReadonlyArray<RoleNeed> => {
  const find = toFind(resource)
  return [toCreate(resource), toReadJobs, ...(find === undefined ? [] : [find])]
}

/**
 * The key lacks roles the run needs: nothing was sent. Its message lists each missing role, in both spellings,
 * with why it is needed.
 */
export class MissingRoles extends Data.TaggedError("MissingRoles")<{
  readonly missing: ReadonlyArray<RoleNeed>
  /** What was refused, for the message: `import`, `migration`. */
  readonly run: string
}> {
  override get message(): string {
    const count = this.missing.length
    return `the API key lacks ${count === 1 ? "a role" : `${count} roles`} this ${this.run} needs, so nothing ` +
      "was sent. Roles cannot be added to a key: create a new one in Kustomer (Settings › Security › API Keys) " +
      `with\n${describeNeeds(this.missing)}`
  }
}

/**
 * A job id no job has: reading it answers 404 to a key that may read jobs, and 403 to one that may not. INFERRED:
 * the API checks roles before it looks the job up, as it does for every other route.
 */
const probeJobId = Schema.decodeSync(Ids.BulkJobId)("000000000000000000000000")

/** The retry policy's settings for the check's reads (the token, the job probe): the run's own. */
export interface RetryOptions {
  /** The retry policy's schedule. Default `KustomerSchedule.retryTransient`. */
  readonly retrySchedule?: Schedule.Schedule<unknown, KustomerError.KustomerError> | undefined
  readonly maxRateLimitRetries?: number | undefined
}

/** A read of the check, under the one retry policy with the run's schedule. */
const retried = <A>(read: Effect.Effect<A, KustomerError.KustomerError>, options: RetryOptions) =>
  RetryPolicy.retry(read, {
    schedule: options.retrySchedule ?? KustomerSchedule.retryTransient,
    maxRateLimitRetries: options.maxRateLimitRetries ?? 50,
    write: false
  })

/**
 * Reads a job that does not exist (under the retry policy, so that a 429 or a server error does not pass for an
 * answer): a key the API does not accept, or one that may not read jobs, fails; other answers (not found, the
 * network down) are left to the run itself.
 */
export const checkAccess = (
  client: KustomerClient.Service,
  options: RetryOptions = {}
): Effect.Effect<void, KustomerError.KustomerError> =>
  retried(client.getBulkJob(probeJobId), options).pipe(
    Effect.asVoid,
    Effect.catchAll((error) =>
      error.reason._tag === "Forbidden" || error.reason._tag === "Unauthorized" ? Effect.fail(error) : Effect.void
    )
  )

/** What the run needs checked: its roles, and its dated records (`org.admin` keeps them). */
export interface RolePlan {
  readonly needs: ReadonlyArray<RoleNeed>
  readonly dated: DatedRecords
}

/** Every role of a plan: its needs, and `org.admin` when it has dated records. */
export const neededRoles = (plan: RolePlan): ReadonlyArray<RoleNeed> =>
  datedTotal(plan.dated) > 0 ? [...plan.needs, toKeepDates(plan.dated)] : plan.needs

/** The roles as lines of a message: `  org.permission.x.create or org.user.x.write: to create x`. */
export const describeNeeds = (needs: ReadonlyArray<RoleNeed>): string =>
  needs.map((need) => `  ${need.roles.join(" or ")}: to ${need.why}`).join("\n")

/** Options of {@link checkRoles}; the retry options are for the token read and the job probe. */
export interface CheckOptions extends RetryOptions {
  /** What is checked, for the messages: `import`, `migration`. */
  readonly run: string
  /** Go on without `org.admin` when records carry dates (they are replaced; the report says so). */
  readonly acceptImportDates?: boolean | undefined
}

/**
 * A failure of the token read that no fallback can help: the key is not accepted at all, or the API could not be
 * reached (a refused connection, an unknown host, after the retries): the run would only spend its retries on
 * every chunk before failing the same way.
 */
const endsTheCheck = (error: KustomerError.KustomerError) =>
  error.reason._tag === "Unauthorized" || error.reason._tag === "CredentialsUnavailable" ||
  (error.reason._tag === "Transport" && error.reason.delivery === "not-sent")

/** The report of a key whose token was read. */
const judge = (
  token: Token.CurrentToken,
  plan: RolePlan,
  options: CheckOptions
): Effect.Effect<RoleReport, MissingRoles> => {
  const dates = datedTotal(plan.dated) > 0 ? toKeepDates(plan.dated) : undefined
  const needed = neededRoles(plan)
  const missing = plan.needs.filter((need) => !Token.grants(token, need.roles))
  const keepsDates = dates === undefined ? undefined : Token.grants(token, dates.roles)
  const refused = keepsDates === false && options.acceptImportDates !== true && dates !== undefined
    ? [...missing, dates]
    : missing
  if (refused.length > 0) return Effect.fail(new MissingRoles({ missing: refused, run: options.run }))
  return Effect.succeed({
    checked: true,
    needed,
    ...(keepsDates === undefined ? {} : { createdAtAndByKept: keepsDates }),
    warnings: keepsDates === false
      ? [
        `createdAt and createdBy were not kept: the key lacks ${Token.orgAdminRole}, so Kustomer gives ` +
        `${describeDated(plan.dated)} the time of the import and the key's user instead (accepted)`
      ]
      : []
  })
}

/** The report when the token could not be read: the job probe checked what it could. */
const unchecked = (plan: RolePlan, error: KustomerError.KustomerError): RoleReport => {
  const dates = datedTotal(plan.dated) > 0 ? toKeepDates(plan.dated) : undefined
  return {
    checked: false,
    needed: neededRoles(plan),
    warnings: [
      `the key's roles could not be checked in advance (${Token.currentPath}: ${error.reason.message}); only ` +
      "its access to bulk jobs was",
      ...(dates === undefined ? [] : [
        `whether the createdAt and createdBy of ${describeDated(plan.dated)} are kept is not known: Kustomer ` +
        `keeps them only for a key with ${Token.orgAdminRole}`
      ])
    ]
  }
}

/**
 * Reads the key's token (under the retry policy) and checks it against every role the run needs: fails with
 * {@link MissingRoles} listing all that are missing, or with the API's error when the key is not accepted. When
 * the API does not serve the token (404, 403, an answer that is not a token), falls back to {@link checkAccess}
 * and says, in the report's warnings, that the roles could not be checked; an API that cannot be reached at all
 * fails the check with its transport error.
 */
export const checkRoles = (
  client: KustomerClient.Service,
  plan: RolePlan,
  options: CheckOptions
): Effect.Effect<RoleReport, KustomerError.KustomerError | MissingRoles> =>
  retried(client.currentToken, options).pipe(
    Effect.matchEffect({
      onFailure: (error): Effect.Effect<RoleReport, KustomerError.KustomerError | MissingRoles> =>
        endsTheCheck(error) ? Effect.fail(error) : Effect.as(checkAccess(client, options), unchecked(plan, error)),
      onSuccess: (token) => judge(token, plan, options)
    }),
    Effect.withSpan("Preflight.checkRoles")
  )
