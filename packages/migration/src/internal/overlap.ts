/**
 * The phases of a migration run together: every phase starts at once, and each record waits only for its own
 * parents — a customer for its company, a conversation for its customer, a message or note for its conversation
 * (and customer) — at the parents' gates (`ParentGates`). All phases share the client, hence one budget and one
 * rate limiter; a parent's id is durable (id map written, phase journal committed) before any child sees it, so a
 * crash at any point resumes exactly as with phases one after another.
 *
 * Parents in doubt from an earlier attempt are read again once, before the phases start. A parent that goes in
 * doubt during this attempt holds its children; once every phase ended, each phase that held records runs again
 * on its own, after its parents in doubt are read again, as phases one after another would have.
 */
import { ImportCounts } from "@effect-kustomer/domain"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { toMigrationError } from "./failure.js"
import * as InDoubt from "./inDoubt.js"
import * as ParentGates from "./parentGates.js"
import { type Gates, type PhaseContext, phaseMetricLabel, runPhase, settleParents } from "./phaseRun.js"
import * as Pipeline from "./pipeline.js"
import type { Phase } from "./pipeline.js"
import type { PhaseResult } from "./run.js"

/** A gate for a parent phase that runs, an open one for one that does not. */
const gateFor = (phase: Phase, run: ReadonlyArray<Phase>) =>
  run.includes(phase) ? ParentGates.make : Effect.succeed(ParentGates.open)

/** The first phase of `run` that has parents of `kind`: where the requests to read them again are counted. */
const firstChildOf = (kind: Pipeline.ParentKind, run: ReadonlyArray<Phase>) =>
  run.find((phase) => Pipeline.table[phase].parents.includes(kind))

/** Reads the parents in doubt of every kind the run's phases need; the requests it took, by the phase counted. */
const settleAllParents = (run: ReadonlyArray<Phase>, context: PhaseContext) =>
  Effect.reduce(
    Pipeline.parentKinds.flatMap((kind) => {
      const phase = firstChildOf(kind, run)
      return phase === undefined ? [] : [{ kind, phase }]
    }),
    new Map<Phase, number>(),
    (reads, { kind, phase }) =>
      Effect.map(Effect.tagMetrics(settleParents([kind], context), phaseMetricLabel, phase), (requests) => {
        reads.set(phase, (reads.get(phase) ?? 0) + requests)
        return reads
      })
  )

/**
 * Whether a phase that held records may have held them for their parents: a parent of its kinds is in doubt, or
 * the parents' phase held some of its own.
 */
const heldForParents = (phase: Phase, heldBefore: ReadonlySet<Phase>, context: PhaseContext) =>
  Effect.gen(function*() {
    const kinds = Pipeline.table[phase].parents
    if (kinds.some((kind) => heldBefore.has(kind))) return true
    const inDoubt = yield* Effect.forEach(kinds, (kind) => InDoubt.rowsOf(kind, context.idMap))
    return inDoubt.some((rows) => rows.length > 0)
  }).pipe(Effect.mapError(toMigrationError))

/** One phase's two passes as one result: what the second pass did added to the first. */
const merged = (first: PhaseResult, again: PhaseResult): PhaseResult => ({
  phase: first.phase,
  summary: {
    ...ImportCounts.addTotals(first.summary, again.summary),
    elapsed: Duration.sum(first.summary.elapsed, again.summary.elapsed)
  },
  settledBefore: first.settledBefore,
  foundByEmail: first.foundByEmail + again.foundByEmail,
  held: again.held,
  parentReads: first.parentReads + again.parentReads
})

/** Runs the phases of `run` together (see the module's description). */
export const runOverlapped = (run: ReadonlyArray<Phase>, context: PhaseContext) =>
  Effect.gen(function*() {
    const reads = yield* Effect.mapError(settleAllParents(run, context), toMigrationError)
    const gates: Gates = {
      companies: yield* gateFor("companies", run),
      customers: yield* gateFor("customers", run),
      conversations: yield* gateFor("conversations", run)
    }
    const together = yield* Effect.forEach(
      run,
      (phase, index) =>
        Effect.map(
          runPhase(phase, { ...context, gates }, { number: index + 1, of: run.length }),
          (result): PhaseResult => ({ ...result, parentReads: result.parentReads + (reads.get(phase) ?? 0) })
        ),
      { concurrency: "unbounded" }
    )
    // Phases that held records for their parents run again in order, each after its parents' phases, without
    // announcing a phase. (Records held for their attachments wait for the next run, as they always do.)
    const quiet: PhaseContext = { ...context, options: { ...context.options, onPhase: undefined } }
    const heldBefore = new Set(together.filter((result) => result.held > 0).map((result) => result.phase))
    return yield* Effect.forEach(together, (result, index) =>
      Effect.gen(function*() {
        if (result.held === 0 || !(yield* heldForParents(result.phase, heldBefore, context))) return result
        const again = yield* runPhase(result.phase, quiet, { number: index + 1, of: run.length })
        return merged(result, again)
      }))
  })
