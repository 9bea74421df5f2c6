/**
 * How the migration keeps its id map in step with the phases: it opens the map for one bundle, collects the
 * distinct customers once, and records each parent's id (or why it has none) before the phase's journal commits
 * the outcome.
 */
import { ImportCheckpoint, type ImportEvent } from "@effect-kustomer/client"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as BundlePass from "./bundlePass.js"
import * as IdMap from "./idMap.js"
import * as Phases from "./phases.js"
import type * as Pipeline from "./pipeline.js"

/** The id map's metadata key set once a rollback of its migration has begun: the migration cannot resume then. */
export const rolledBackKey = "rolled_back"

/**
 * Refuses a journal of another bundle, and one whose migration was rolled back; returns whether this is a resume and
 * the run's `importedAt`.
 */
export const beginMap = (idMap: IdMap.IdMap, fingerprint: string, journal: string) =>
  Effect.gen(function*() {
    const known = yield* idMap.meta("bundle")
    if (Option.isSome(known) && known.value !== fingerprint) {
      return yield* new IdMap.IdMapError({
        path: journal,
        reason: "it belongs to a migration of another bundle (or of this one before it changed, or read otherwise: " +
          "another mapping, delimiter, encoding or time zone): give a new journal, run the bundle as it was made for, " +
          "or migrate a newer export of the same source over it with --delta"
      })
    }
    if (Option.isSome(yield* idMap.meta(rolledBackKey))) {
      return yield* new IdMap.IdMapError({
        path: journal,
        reason: "its migration was rolled back (kustomer-bulk rollback): what it records was undone, so it cannot " +
          "be resumed; migrate again with a new --journal"
      })
    }
    if (Option.isNone(known)) yield* idMap.setMeta("bundle", fingerprint)
    const stored = yield* idMap.meta("importedAt")
    const importedAt = Option.isSome(stored)
      ? stored.value
      : DateTime.formatIso(DateTime.unsafeMake(yield* Clock.currentTimeMillis))
    if (Option.isNone(stored)) yield* idMap.setMeta("importedAt", importedAt)
    return { resumed: Option.isSome(known), importedAt }
  })

/**
 * Every distinct customer and company of the bundle, collected into the id map (once per journal) by the one pass
 * over the bundle before the phases (`bundlePass.ts`); none when they are collected already (a journal that
 * collected its customers before companies were collected gets its companies only).
 */
export const partiesCollector = (
  idMap: IdMap.IdMap
): Effect.Effect<Option.Option<BundlePass.Collector<IdMap.IdMapError>>, IdMap.IdMapError> =>
  Effect.gen(function*() {
    const customersDone = Option.isSome(yield* idMap.meta("customersCollected"))
    const companiesDone = Option.isSome(yield* idMap.meta("companiesCollected"))
    if (customersDone && companiesDone) return Option.none()
    return Option.some({
      add: (records) => {
        const parties = records.flatMap((record) => Option.toArray(Phases.partiesToCollect(record)))
        return Effect.zipRight(
          customersDone ? Effect.void : idMap.addCustomers(parties.map((line) => line.customer)),
          companiesDone ? Effect.void : idMap.addCompanies(parties.flatMap((line) => Option.toArray(line.company)))
        )
      },
      done: Effect.zipRight(
        customersDone ? Effect.void : idMap.setMeta("customersCollected", "1"),
        companiesDone ? Effect.void : idMap.setMeta("companiesCollected", "1")
      )
    })
  })

/**
 * A parent's fate from its outcome: linked to its id; in doubt when its job's verdict was never read (its
 * children wait for it); not created otherwise.
 */
export const parentOf = (outcome: ImportEvent.Outcome): IdMap.Parent => {
  switch (outcome._tag) {
    case "Created":
      return outcome.objectId === undefined
        ? IdMap.Parent.NotCreated({ reason: "created, but the API did not report its id" })
        : IdMap.Parent.Linked({ id: outcome.objectId, existed: false })
    case "AlreadyExisting":
      return outcome.objectId === undefined
        ? IdMap.Parent.NotCreated({ reason: "it already exists, but its id could not be looked up" })
        : IdMap.Parent.Linked({ id: outcome.objectId, existed: true })
    case "Unknown":
      return outcome.jobId === undefined
        ? IdMap.Parent.NotCreated({ reason: outcome.reason })
        : IdMap.Parent.InDoubt({ reason: outcome.reason, jobId: outcome.jobId, externalId: outcome.externalId })
    case "Failed":
    case "Rejected":
      return IdMap.Parent.NotCreated({ reason: outcome.reason })
  }
}

/**
 * The phase's journal, writing parents' ids to the id map before their outcomes are committed: killed in
 * between, a resume sends them again and finds them as duplicates.
 */
export const linkingCheckpoint = (
  journal: ImportCheckpoint.ImportCheckpoint,
  settle: (outcomes: ReadonlyArray<ImportEvent.Outcome>) => Effect.Effect<void, IdMap.IdMapError>
): ImportCheckpoint.ImportCheckpoint => ({
  ...journal,
  settled: (outcomes, chunk) =>
    settle(outcomes).pipe(
      Effect.mapError((error) => new ImportCheckpoint.CheckpointError({ reason: error.message })),
      Effect.zipRight(journal.settled(outcomes, chunk))
    )
})

/**
 * Finds the id of a parent the API reported without one (a created object whose `objectId` is `null`, or an
 * existing one whose look-up did not happen): `None` when it cannot be found.
 */
export type FindMissingId = (outcome: ImportEvent.Created | ImportEvent.AlreadyExisting) => Effect.Effect<
  Option.Option<string>
>

/** The parent's fate, its id looked up when the API did not report it. */
const resolvedParent = (outcome: ImportEvent.Outcome, findMissingId: FindMissingId): Effect.Effect<IdMap.Parent> => {
  const parent = parentOf(outcome)
  if (parent._tag === "Linked" || (outcome._tag !== "Created" && outcome._tag !== "AlreadyExisting")) {
    return Effect.succeed(parent)
  }
  const existed = outcome._tag === "AlreadyExisting"
  return Effect.map(findMissingId(outcome), (found) =>
    Option.match(found, {
      onNone: () => parent,
      onSome: (id) => IdMap.Parent.Linked({ id, existed })
    }))
}

/**
 * What a phase records in the id map for its outcomes — parents' ids; nothing for messages and notes —, in one
 * transaction: the ids the API did not report are looked up first (no request runs inside the transaction).
 */
export const settleFor = (phase: Pipeline.Phase, idMap: IdMap.IdMap, findMissingId: FindMissingId) =>
(
  outcomes: ReadonlyArray<ImportEvent.Outcome>
): Effect.Effect<void, IdMap.IdMapError> => {
  const write = (settle: (index: number, parent: IdMap.Parent) => Effect.Effect<void, IdMap.IdMapError>) =>
    Effect.flatMap(
      Effect.forEach(
        outcomes,
        (outcome) => Effect.map(resolvedParent(outcome, findMissingId), (parent) => [outcome, parent] as const)
      ),
      (fates) =>
        idMap.inTransaction(
          Effect.forEach(fates, ([outcome, parent]) => settle(outcome.position.index, parent), { discard: true })
        )
    )
  switch (phase) {
    // A company reported without its id is not linked (its customers go without it): its `externalId` is not a
    // key Kustomer enforces, so a look-up could find another company of the same id.
    case "companies":
      return idMap.inTransaction(
        Effect.forEach(
          outcomes,
          (outcome) => idMap.settleCompany(outcome.position.index, parentOf(outcome)),
          { discard: true }
        )
      )
    case "customers":
      return write(idMap.settleCustomer)
    case "conversations":
      return write(idMap.settleConversation)
    default:
      return Effect.void
  }
}
