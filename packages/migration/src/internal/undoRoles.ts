/**
 * The roles a rollback and a verification need, checked against the key's token before the first request that
 * changes or reads an object (as a migration's are): a key that lacks one is refused with the whole list.
 */
import type { KustomerClient } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import { Preflight } from "@effect-kustomer/journal"
import * as Effect from "effect/Effect"
import { type MigrationError, toMigrationError } from "./failure.js"
import type { PipelineOptions } from "./pipeline.js"

const readNeed = (resource: BulkResource.Any, why: string): Preflight.RoleNeed => ({
  roles: [...resource.readRoles],
  why
})

/** A rollback's roles: the conversations' update, the customers' delete, reading jobs and reading both back. */
export const rollbackNeeds: ReadonlyArray<Preflight.RoleNeed> = [
  {
    roles: [...(BulkResource.Conversations.update?.roles ?? [])],
    why: "mark the conversations the migration created deleted"
  },
  { roles: [...(BulkResource.Customers.delete?.roles ?? [])], why: "delete the customers the migration created" },
  Preflight.toReadJobs,
  readNeed(BulkResource.Conversations, "read back conversations the migration found existing"),
  readNeed(BulkResource.Customers, "read back customers the migration found existing")
]

/** A verification's roles: reading back each resource it checks. */
export const verifyNeeds = (resources: ReadonlyArray<BulkResource.ResourceName>): ReadonlyArray<Preflight.RoleNeed> =>
  BulkResource.all.filter((resource) => resources.includes(resource.name)).map((resource) =>
    readNeed(resource, `read back the ${resource.name} the migration created`)
  )

/** Checks the key's roles against `needs`; fails with the missing ones, named, before anything is sent. */
export const check = (
  client: KustomerClient.KustomerClient["Type"],
  needs: ReadonlyArray<Preflight.RoleNeed>,
  run: string,
  pipeline: PipelineOptions | undefined
): Effect.Effect<Preflight.RoleReport, MigrationError> =>
  Preflight.checkRoles(client, { needs, dated: Preflight.noDatedRecords }, {
    run,
    retrySchedule: pipeline?.retrySchedule,
    maxRateLimitRetries: pipeline?.maxRateLimitRetries
  }).pipe(Effect.mapError(toMigrationError))
