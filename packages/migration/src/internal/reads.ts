/**
 * The migration's own reads, beside its phases' pipelines: a parent's id the API did not report, the parents a
 * phase depends on, and which children may exist already — every one under the one retry policy, with the
 * pipeline's schedule.
 */
import {
  type ImportCheckpoint,
  type KustomerClient,
  type KustomerError,
  KustomerSchedule,
  RetryPolicy
} from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as IdMap from "./idMap.js"
import type * as Links from "./links.js"
import * as Phases from "./phases.js"
import type { Phase, PipelineOptions } from "./pipeline.js"

/** What the reads take of the migration's options. */
export interface ReadOptions {
  readonly pipeline?: PipelineOptions | undefined
}

/** The user's retry settings, as the migration's own reads use them (the pipeline's defaults where unset). */
export const readPolicyOf = (options: ReadOptions) => ({
  schedule: options.pipeline?.retrySchedule ?? KustomerSchedule.retryTransient,
  maxRateLimitRetries: options.pipeline?.maxRateLimitRetries ?? 50
})

/** The one retry policy, with the pipeline's schedule, for the migration's own reads. */
export const retriedRead = <A>(options: ReadOptions, read: Effect.Effect<A, KustomerError.KustomerError>) =>
  RetryPolicy.retry(read, { ...readPolicyOf(options), write: false })

/**
 * Looks up a parent the API reported without its id: by `externalId`, else (a customer known by e-mail) by e-mail.
 * A failed look-up leaves the parent without an id; its children are then reported, not sent.
 */
export const findMissingId = (
  phase: Phase,
  options: ReadOptions,
  client: KustomerClient.KustomerClient["Type"],
  idMap: IdMap.IdMap
): Links.FindMissingId =>
(outcome) => {
  const externalId = outcome.externalId
  const lookup = externalId !== undefined
    ? phase === "customers"
      ? client.findByExternalId(BulkResource.Customers, externalId)
      : client.findByExternalId(BulkResource.Conversations, externalId)
    : phase === "customers"
    ? Effect.flatMap(
      Effect.orDie(idMap.customerKey(outcome.position.index)),
      (key) =>
        Option.match(Option.filter(key, (text) => text.startsWith(Phases.emailKeyPrefix)), {
          onNone: () => Effect.succeed(Option.none()),
          onSome: (text) => client.findCustomerByEmail(text.slice(Phases.emailKeyPrefix.length))
        })
    )
    : Effect.succeed(Option.none())
  return retriedRead(options, lookup).pipe(
    Effect.map(Option.map((found) => found.id)),
    Effect.orElseSucceed(() => Option.none())
  )
}

/** The `externalId` of an item's wire JSON. */
const externalIdOf = (json: string): string | undefined => {
  const item: unknown = JSON.parse(json)
  return Predicate.isRecord(item) && typeof item["externalId"] === "string" ? item["externalId"] : undefined
}

/** The conversation id of a child's wire JSON. */
const conversationOf = (json: string): string | undefined => {
  const item: unknown = JSON.parse(json)
  if (!Predicate.isRecord(item)) return undefined
  const conversation = item["conversation"]
  return typeof conversation === "string" ? conversation : undefined
}

/** The read-back before sending that a phase's policy asks for (see `Pipeline.PhaseSpec.mayAlreadyExist`). */
export const mayAlreadyExist = (policy: "none" | "children" | "all", idMap: IdMap.IdMap) => {
  switch (policy) {
    case "none":
      return undefined
    case "children":
      return childrenOfExisting(idMap)
    case "all":
      // Only an object with an `externalId` can be read back; one without is sent (its journal keeps it once).
      return (items: ReadonlyArray<ImportCheckpoint.ChunkItem>) =>
        Effect.succeed(items.map((item) => externalIdOf(item.json) !== undefined))
  }
}

/**
 * Which children may exist already: those of a conversation that existed before the migration (a re-run
 * without the journal, a bundle that overlaps an earlier one). Kustomer stores a repeated message or note again,
 * so they are read back from the conversation's listing before any is sent.
 */
export const childrenOfExisting = (idMap: IdMap.IdMap) => (items: ReadonlyArray<ImportCheckpoint.ChunkItem>) => {
  const conversations = items.map((item) => conversationOf(item.json))
  return idMap.existedConversations([
    ...new Set(conversations.flatMap((id) => id === undefined ? [] : [id]))
  ]).pipe(
    Effect.map((existed) => conversations.map((id) => id !== undefined && existed.has(id))),
    Effect.orDie
  )
}
