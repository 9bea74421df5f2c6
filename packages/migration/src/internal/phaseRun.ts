/**
 * One phase of a migration (`Migration.run`): its parents in doubt read again, its records linked to the ids of
 * their parents, sent through the pipeline with the phase's journal as checkpoint (which keeps its outcomes for the
 * rejects file, written when every phase is done).
 */
import type { KustomerClient } from "@effect-kustomer/client"
import { BulkImport, ImportCheckpoint, type ImportEvent } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Attachments from "./attachments.js"
import * as Delta from "./delta.js"
import { toMigrationError } from "./failure.js"
import * as InDoubt from "./inDoubt.js"
import * as Input from "./input.js"
import type * as JournalSet from "./journalSet.js"
import type * as LeftOut from "./leftOut.js"
import * as Links from "./links.js"
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
}

/** Where a phase is among those the bundle needs (`number` of `of`, from 1). */
export interface PhasePlace {
  readonly number: number
  readonly of: number
}

export const runPhase = (phase: Phase, context: PhaseContext, place: PhasePlace) =>
  Effect.gen(function*() {
    const { client, fingerprint, idMap, importedAt, leftOut, options, people, rejects } = context
    if (options.onPhase !== undefined) yield* options.onPhase(phase, place)
    const spec = Pipeline.table[phase]
    // An update is sent again until it is applied (it sets the same fields again): the ledger, not a phase journal,
    // keeps which were, so that a later run sends again those that failed or stayed in doubt.
    const journal = spec.operation === "update" ? undefined : yield* idMap.openPhase(phase, rejects)
    let foundByEmail = 0
    let held = 0
    let parentReads = 0
    // Parents in doubt are read again before their children are judged; those still in doubt hold them.
    const reader: InDoubt.Reader = {
      client,
      ...Reads.readPolicyOf(options),
      onRequest: Effect.sync(() => {
        parentReads += 1
      })
    }
    yield* Effect.forEach(spec.parents, (kind) => InDoubt.settleParents(kind, idMap, reader), {
      discard: true
    })
    const records = Input.recordsOf(phase, {
      input: options,
      idMap,
      linker: {
        customerLinks: idMap.customerLinks,
        conversationLinks: idMap.conversationLinks,
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
      onFound: Effect.sync(() => {
        foundByEmail += 1
      }),
      window: context.window,
      delta: context.delta ? context.ledger : undefined
    })
    const events = Pipeline.eventsOf(phase, records, {
      ...options.pipeline,
      // The rejects file's lines of objects are written from the journals once every phase is done.
      checkpoint: Delta.ledgerCheckpoint(
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
      source: { name: `${options.bundle}#${phase}`, fingerprint },
      // Children need their parents' ids, also of parents that already existed.
      resolveExisting: spec.resolveExisting,
      mayAlreadyExist: Reads.mayAlreadyExist(spec.mayAlreadyExist, idMap)
    })
    const summary = yield* BulkImport.summarize(
      events,
      (event) => options.onEvent === undefined ? Effect.void : options.onEvent(phase, event)
    )
    const settledBefore = journal === undefined ? 0 : (yield* journal.status).settledBefore
    return {
      phase,
      summary,
      settledBefore,
      foundByEmail,
      held,
      parentReads
    }
  }).pipe(Effect.scoped, Effect.mapError(toMigrationError), Effect.withSpan(`Migration.${phase}`))
