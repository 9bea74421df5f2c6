/**
 * One phase of a migration (`Migration.run`): its parents in doubt read again, its records linked to the ids of
 * their parents, sent through the pipeline with the phase's journal as checkpoint (which keeps its outcomes for the
 * rejects file, written when every phase is done).
 *
 * When the phases overlap, a phase's records wait at their parents' gates (`ParentGates`) until the parents they
 * need are settled, and the phase opens its own gate to its children as its outcomes are committed.
 */
import type { KustomerClient } from "@effect-kustomer/client"
import { BulkImport, ImportCheckpoint, type ImportEvent } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Attachments from "./attachments.js"
import * as Delta from "./delta.js"
import { toMigrationError } from "./failure.js"
import * as IdMap from "./idMap.js"
import * as InDoubt from "./inDoubt.js"
import * as Input from "./input.js"
import type * as JournalSet from "./journalSet.js"
import type * as LeftOut from "./leftOut.js"
import * as Links from "./links.js"
import * as ParentGates from "./parentGates.js"
import type * as People from "./people.js"
import * as Pipeline from "./pipeline.js"
import type { Phase } from "./pipeline.js"
import * as Reads from "./reads.js"
import type * as Rejects from "./rejects.js"

/** What every phase shares: the migration's options, the client, the id map, the rejects file, the people. */
export interface PhaseContext {
  readonly options: Input.BundleInput & Reads.ReadOptions & {
    readonly onPhase?: ((phase: Phase, place: PhasePlace) => Effect.Effect<void>) | undefined
    readonly onEvent?: ((phase: Phase, event: ImportEvent.ImportEvent) => Effect.Effect<void>) | undefined
  }
  readonly client: KustomerClient.KustomerClient["Type"]
  readonly idMap: JournalSet.JournalSet
  readonly rejects: Rejects.RejectsWriter
  readonly people: People.People
  readonly leftOut: LeftOut.LeftOut
  readonly importedAt: string
  readonly fingerprint: string
  /** A trial's window, with the parties its lines name. */
  readonly window?: Input.WindowKeys | undefined
  /** Carries the attachments of messages and notes. */
  readonly carrier: Attachments.Carrier
  /** Where what the run creates is recorded (the journal's ledger), and under which generation. */
  readonly ledger: Delta.DeltaContext
  /** Whether the run is a delta: it sends only what its plan did not match, and the changes. */
  readonly delta: boolean
  /**
   * The parents' gates when the phases overlap: each phase waits at its parents' and opens its own. Without them
   * (phases one after another) nothing waits, and each phase first reads its parents in doubt again.
   */
  readonly gates?: Gates | undefined
}

/** A gate per parent kind (see `ParentGates`). */
export interface Gates {
  readonly companies: ParentGates.Gate
  readonly customers: ParentGates.Gate
  readonly conversations: ParentGates.Gate
}

/** Gates that never wait: phases one after another. */
export const openGates: Gates = {
  companies: ParentGates.open,
  customers: ParentGates.open,
  conversations: ParentGates.open
}

/** The gate a phase opens to its children (none for phases without children). */
const ownGate = (phase: Phase, gates: Gates): ParentGates.Gate =>
  phase === "companies" || phase === "customers" || phase === "conversations" ? gates[phase] : ParentGates.open

/** Where a phase is among those the bundle needs (`number` of `of`, from 1). */
export interface PhasePlace {
  readonly number: number
  readonly of: number
}

export const runPhase = (phase: Phase, context: PhaseContext, place: PhasePlace) => {
  const gates = context.gates ?? openGates
  const gate = ownGate(phase, gates)
  return Effect.gen(function*() {
    const { client, fingerprint, idMap, importedAt, leftOut, options, people, rejects } = context
    if (options.onPhase !== undefined) yield* options.onPhase(phase, place)
    const spec = Pipeline.table[phase]
    // An update is sent again until it is applied (it sets the same fields again): the ledger, not a phase journal,
    // keeps which were, so that a later run sends again those that failed or stayed in doubt.
    const journal = spec.operation === "update" ? undefined : yield* idMap.openPhase(phase, rejects)
    let foundByEmail = 0
    let held = 0
    let parentReads = 0
    // Parents in doubt are read again before their children are judged (when the phases overlap, once before
    // they all start); those still in doubt hold them.
    if (context.gates === undefined) {
      parentReads = yield* settleParents(spec.parents, context)
    }
    const records = Input.recordsOf(phase, {
      input: options,
      idMap,
      linker: {
        companyLinks: gates.companies.links(idMap.companyLinks, heldParent),
        customerLinks: gates.customers.links(idMap.customerLinks, heldParent),
        conversationLinks: gates.conversations.links(idMap.conversationLinks, heldParent),
        people,
        leftOut,
        carry: context.carrier.carry,
        onHeld: Effect.sync(() => {
          held += 1
        })
      },
      importedAt,
      findByEmail: (email) =>
        Reads.retriedRead(
          options,
          Effect.map(client.findCustomerByEmail(email), (found) => Option.map(found, (customer) => customer.id))
        ),
      onFound: Effect.zipRight(
        Effect.sync(() => {
          foundByEmail += 1
        }),
        gate.settled
      ),
      window: context.window,
      delta: context.delta ? context.ledger : undefined
    })
    const events = Pipeline.eventsOf(phase, records, {
      ...options.pipeline,
      // The rejects file's lines of objects are written from the journals once every phase is done.
      checkpoint: ParentGates.signalling(
        Delta.ledgerCheckpoint(
          journal === undefined
            ? ImportCheckpoint.disabled
            : Links.linkingCheckpoint(
              journal,
              Links.settleFor(phase, idMap, Reads.findMissingId(phase, options, client, idMap))
            ),
          phase,
          context.ledger.ledgerMap,
          context.ledger.generation,
          (error) => new ImportCheckpoint.CheckpointError({ reason: error.message })
        ),
        gate
      ),
      source: { name: `${options.bundle}#${phase}`, fingerprint },
      // Children need their parents' ids, also of parents that already existed.
      resolveExisting: spec.resolveExisting,
      mayAlreadyExist: Reads.mayAlreadyExist(spec.mayAlreadyExist, idMap)
    })
    const summary = yield* BulkImport.summarize(
      events,
      (event) => options.onEvent === undefined ? Effect.void : options.onEvent(phase, event)
    )
    // Only a phase that ran to its end opens its gate for good: one that failed or was interrupted takes the others
    // down with it, and its children must not take a parent it never settled for one that was not created (its gate
    // is stopped instead, below).
    yield* gate.end(held > 0)
    const settledBefore = journal === undefined ? 0 : (yield* journal.status).settledBefore
    return {
      phase,
      summary,
      settledBefore,
      foundByEmail,
      held,
      parentReads
    }
  }).pipe(
    Effect.scoped,
    (run) => ParentGates.guarded(gate, run),
    Effect.mapError(toMigrationError),
    // Every request the phase makes (its records, their look-ups and attachments) is counted under its name.
    Effect.tagMetrics(phaseMetricLabel, phase),
    Effect.withSpan(`Migration.${phase}`)
  )
}

/**
 * What a child sees of a parent its phase held back this attempt (its own parent in doubt): in doubt too, so the
 * child is held with it, and sent once the parent is.
 */
const heldParent = IdMap.Parent.InDoubt({
  reason: "held back with its parent, whose creation is in doubt",
  jobId: "",
  externalId: undefined
})

/** The metric label that names the phase a request was made for (`kustomer_requests_total{migration_phase=…}`). */
export const phaseMetricLabel = "migration_phase"

/**
 * Reads the parents in doubt of `kinds` again and records what is now known; returns the requests it took. Those
 * still in doubt hold their children.
 */
export const settleParents = (
  kinds: ReadonlyArray<Pipeline.ParentKind>,
  context: Pick<PhaseContext, "client" | "idMap" | "options">
): Effect.Effect<number, IdMap.IdMapError> =>
  Effect.suspend(() => {
    let requests = 0
    const reader: InDoubt.Reader = {
      client: context.client,
      ...Reads.readPolicyOf(context.options),
      onRequest: Effect.sync(() => {
        requests += 1
      })
    }
    return Effect.map(
      Effect.forEach(kinds, (kind) => InDoubt.settleParents(kind, context.idMap, reader), { discard: true }),
      () => requests
    )
  })
