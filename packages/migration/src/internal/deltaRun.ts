/**
 * How a run keeps the journal's ledger (`ledger.ts`): a first run records its bundle's conversations (with their
 * digests) and, once its phases are done, what it created; a delta opens the journal it continues as its ledger,
 * takes its generation (one per export, so a delta run again continues), records its export's keys, plans and
 * links, and once its phases are done records what it created and counts what it did.
 */
import { JournalFile, RunError } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as BundlePass from "./bundlePass.js"
import * as Delta from "./delta.js"
import { journalBase, type MigrationError, openMap, toMigrationError } from "./failure.js"
import type * as IdMap from "./idMap.js"
import * as Input from "./input.js"
import * as JournalSet from "./journalSet.js"
import type * as Ledger from "./ledger.js"
import * as Links from "./links.js"

/** The journal a delta continues, opened as its ledger, and where the delta's own journal set lives. */
export interface OpenedLedger {
  readonly base: string
  readonly ledgerMap: JournalSet.JournalSet
  readonly generation: number
}

/** The id map's meta key: the journal was begun by a version that keeps the ledger. */
const keepsLedger = "ledger"
/** The id map's meta key: its first run ran to its end, so its ledger is whole. */
const ledgerComplete = "ledger_complete"

const refused = (detail: string): MigrationError => new RunError.RunError({ reason: "Journal", detail })

/** The meta key of an export's generation, and of a finished generation. */
const generationKey = (fingerprint: string) => `delta:${fingerprint}`
const doneKey = (generation: number) => `delta_done:${generation}`

/** This export's generation: the one it was given, or the next (when the journal's last delta finished). */
const generationOf = (ledgerMap: IdMap.IdMap, journal: string, fingerprint: string) =>
  Effect.gen(function*() {
    const deltas = Number(Option.getOrElse(yield* ledgerMap.meta("deltas"), () => "0"))
    const known = yield* ledgerMap.meta(generationKey(fingerprint))
    if (Option.isSome(known)) {
      const generation = Number(known.value)
      if (deltas < generation) yield* ledgerMap.setMeta("deltas", String(generation))
      return generation
    }
    if (deltas > 0 && Option.isNone(yield* ledgerMap.meta(doneKey(deltas)))) {
      return yield* refused(
        `the journal ${journal} has a delta of another export that has not run to its end (${journal}.delta-${deltas}): ` +
          "run it to its end first (the same command with that export)"
      )
    }
    // The export's generation is recorded before the count: killed between, a rerun finds it.
    yield* ledgerMap.setMeta(generationKey(fingerprint), String(deltas + 1))
    yield* ledgerMap.setMeta("deltas", String(deltas + 1))
    return deltas + 1
  })

/** A delta's ledger: the journal it continues, which must hold a first run that ran to its end. */
export const openLedger = (
  options: Input.BundleInput & {
    readonly journal?: string | undefined
    readonly delta?: boolean | undefined
    readonly lines?: Input.LineWindow | undefined
  },
  fingerprint: string
): Effect.Effect<OpenedLedger | undefined, MigrationError, Scope.Scope | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (options.delta !== true) return undefined
    const journal = options.journal
    if (journal === undefined) {
      return yield* refused("--delta needs --journal: the journal of the migration the delta continues")
    }
    if (options.lines !== undefined) {
      return yield* refused("a delta migrates the whole export: --limit and --skip are for a first run's trial")
    }
    if (!(yield* Effect.mapError(JournalFile.hasContent(journal), toMigrationError))) {
      return yield* refused(`there is no journal at ${journal}: a delta continues the migration of a journal`)
    }
    const ledgerMap = yield* Effect.mapError(JournalSet.open(journal), toMigrationError)
    if (Option.isNone(yield* Effect.mapError(ledgerMap.meta(ledgerComplete), toMigrationError))) {
      const why = Option.isNone(yield* Effect.mapError(ledgerMap.meta(keepsLedger), toMigrationError))
        ? "was begun by an earlier version, which did not record what it created: a delta needs a journal begun " +
          "with this version"
        : "has not run to its end: run it to its end first (the same command without --delta)"
      return yield* refused(`the migration of the journal ${journal} ${why}`)
    }
    if (Option.isSome(yield* Effect.mapError(ledgerMap.meta(Links.rolledBackKey), toMigrationError))) {
      return yield* refused(
        `the migration of the journal ${journal} was rolled back (kustomer-bulk rollback): a delta cannot continue ` +
          "it; migrate the export again with a new --journal"
      )
    }
    const generation = yield* Effect.mapError(generationOf(ledgerMap, journal, fingerprint), toMigrationError)
    return { base: JournalSet.deltaJournalPath(journal, generation), ledgerMap, generation }
  })

/**
 * Before the phases: a first run records that its journal keeps the ledger (when it begins it) and its
 * conversations' keys; a delta records its export's keys, plans and links its id map to what it matched.
 */
export const begin = (
  input: Input.BundleInput,
  idMap: IdMap.IdMap,
  ledger: OpenedLedger | undefined,
  resumed: boolean
) =>
  Effect.gen(function*() {
    if (ledger === undefined && !resumed) yield* idMap.setMeta(keepsLedger, "1")
    const context: Delta.DeltaContext = ledger === undefined
      ? { ledgerMap: idMap, generation: 0 }
      : { ledgerMap: ledger.ledgerMap, generation: ledger.generation }
    // The parties and the keys in one read of the bundle.
    const collectors = [
      yield* Links.partiesCollector(idMap),
      yield* Delta.keysCollector(context.ledgerMap, context.generation)
    ].flatMap((collector) => Option.toArray(collector))
    yield* BundlePass.collectInOnePass(Input.bundleRecords(input), collectors)
    if (ledger !== undefined) yield* Delta.planAndLink(ledger.ledgerMap, idMap, ledger.generation)
    return context
  })

/**
 * The run's journal set — the journal's own for a first run, a delta's beside it — opened and begun, with where what
 * the run creates is recorded (`ledger`) and whether it is a delta.
 */
export const openJournals = (
  options: Parameters<typeof openLedger>[0],
  fingerprint: string
) =>
  Effect.gen(function*() {
    const opened = yield* openLedger(options, fingerprint)
    const base = opened === undefined ? yield* journalBase(options) : opened.base
    const { idMap, importedAt, resumed } = yield* openMap(options, base, fingerprint, { collectParties: false })
    const ledger = yield* Effect.mapError(begin(options, idMap, opened, resumed), toMigrationError)
    return { idMap, importedAt, resumed, ledger, delta: opened !== undefined }
  })

/**
 * Once the phases are done: what the run created is recorded in the ledger; a first run without a window marks
 * the ledger whole, a delta marks its generation finished and returns what it did.
 */
export const finish = (
  idMap: IdMap.IdMap,
  context: Delta.DeltaContext,
  run: { readonly delta: boolean; readonly trial: boolean }
): Effect.Effect<
  | { readonly generation: number; readonly resources: ReadonlyArray<Ledger.DeltaCounts> }
  | undefined,
  IdMap.IdMapError
> =>
  Effect.gen(function*() {
    yield* Delta.fill(idMap, context.ledgerMap, context.generation)
    if (!run.delta) {
      if (!run.trial && Option.isSome(yield* idMap.meta(keepsLedger))) yield* idMap.setMeta(ledgerComplete, "1")
      return undefined
    }
    yield* context.ledgerMap.setMeta(doneKey(context.generation), "1")
    return { generation: context.generation, resources: yield* context.ledgerMap.ledger.counts(context.generation) }
  })
