/**
 * The migration's dry run: the bundle read, its distinct customers found, every object checked against its
 * resource's schema as the migration would (as if every parent had been created), and the requests it would
 * send counted. Nothing is sent.
 */
import type { ImportSource } from "@effect-kustomer/client"
import { RunError } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Attachments from "./attachments.js"
import { journalBase, type MigrationError, openMap, toMigrationError } from "./failure.js"
import * as IdMap from "./idMap.js"
import * as Input from "./input.js"
import * as LeftOut from "./leftOut.js"
import * as People from "./people.js"
import type * as Phases from "./phases.js"
import * as Pipeline from "./pipeline.js"
import type { PipelineOptions } from "./pipeline.js"
import * as Rejects from "./rejects.js"
import * as RoleNeeds from "./roleNeeds.js"

/**
 * What a dry run found in one phase.
 *
 * @since 0.1.0
 */
export interface PlannedPhase {
  readonly phase: Pipeline.Phase
  /** Objects that would be sent. */
  readonly valid: number
  readonly rejected: number
  /** Bulk requests that would carry them. */
  readonly requests: number
  /** The first rejected objects (at most {@link examplesPerPhase}): where each is in the bundle, and why. */
  readonly examples: ReadonlyArray<{ readonly position: ImportSource.Position; readonly reason: string }>
}

/** Rejected objects a dry run names per phase (every one goes to the rejects file). */
export const examplesPerPhase = 10

/** A placeholder id: the dry run checks each object as if its parents had been created. */
const placeholderId = "000000000000000000000000"

const placeholder = IdMap.Parent.Linked({ id: placeholderId, existed: false })

const placeholderLinker: Phases.Linker = {
  companyLinks: (keys) => Effect.succeed(new Map(keys.map((key) => [key, placeholder] as const))),
  customerLinks: (keys) => Effect.succeed(new Map(keys.map((key) => [key, placeholder] as const))),
  conversationLinks: (indexes) => Effect.succeed(new Map(indexes.map((index) => [index, placeholder] as const))),
  onHeld: Effect.void,
  people: People.none,
  leftOut: LeftOut.make(),
  carry: (_phase, _position, value) => Effect.succeed(Attachments.withoutSourceAttachments(value))
}

/**
 * A dry run: reads the bundle, finds its distinct customers and checks every object against its resource's schema
 * as the migration would (as if every parent had been created), and counts the requests it would send. Sends
 * nothing and needs no credentials; rejected objects go to the rejects file.
 *
 * @since 0.1.0
 */
export const dryRun = (
  options: Input.BundleInput & {
    readonly rejects?: string | undefined
    readonly pipeline?: PipelineOptions | undefined
  }
): Effect.Effect<ReadonlyArray<PlannedPhase>, MigrationError, FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    // Refused as the migration refuses them, so that the dry run finds it before a key is needed.
    yield* Effect.mapError(RoleNeeds.checkOffsetlessTimes(options), toMigrationError)
    const base = yield* journalBase({ bundle: options.bundle })
    const { idMap, importedAt } = yield* openMap(options, base, "dry run")
    const rejects = yield* Rejects.rejectsWriter(options.rejects).pipe(
      Effect.mapError((error) => RunError.fromCause(error))
    )
    const planPhase = (phase: Pipeline.Phase) =>
      Stream.runFoldEffect(
        Pipeline.planOf(
          phase,
          Input.recordsOf(phase, {
            input: options,
            idMap,
            linker: placeholderLinker,
            importedAt,
            findByEmail: () => Effect.succeed(Option.none()),
            onFound: Effect.void
          }),
          options.pipeline ?? {}
        ),
        { phase, valid: 0, rejected: 0, requests: 0, examples: [] } satisfies PlannedPhase,
        (planned, event): Effect.Effect<PlannedPhase> =>
          event._tag === "Rejected"
            ? Effect.as(rejects.write(phase, event), {
              ...planned,
              rejected: planned.rejected + 1,
              examples: planned.examples.length < examplesPerPhase
                ? [...planned.examples, { position: event.position, reason: event.reason }]
                : planned.examples
            })
            : Effect.succeed({ ...planned, valid: planned.valid + event.items, requests: planned.requests + 1 })
      ).pipe(Effect.mapError(toMigrationError))
    // The companies phase is planned when the bundle names companies as objects, as the migration runs it; the
    // updates phase belongs to a delta, which a dry run is not.
    const creating = Pipeline.phases.filter((phase) => phase !== "updates")
    const planned = (yield* Effect.forEach(creating, (phase) => planPhase(phase))).filter((phase) =>
      phase.phase !== "companies" || phase.valid + phase.rejected > 0
    )
    // A rejects file that could not be written is an error, not a dry run that says nothing is wrong.
    const failure = yield* rejects.failure
    if (Option.isSome(failure)) {
      return yield* RunError.fromCause(failure.value)
    }
    return planned
  }))
