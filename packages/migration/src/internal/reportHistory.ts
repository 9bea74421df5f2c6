/**
 * What a migration's report reads from its journal set besides the attempt it is about: the summaries of earlier
 * attempts (kept in the id map's metadata, one JSON list), the outcomes over every attempt and the jobs, per
 * phase (from the phase journals), and every settled object's outcome for a results file written again.
 */
import { JournalFile, SqliteJournal } from "@effect-kustomer/journal"
import type { JournalError } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as IdMap from "./idMap.js"
import { phaseJournalPath } from "./journalSet.js"
import { type Phase, phases } from "./pipeline.js"

/** The id map's metadata key of the attempts' summaries. */
const attemptsKey = "report_attempts"

/** What the history fails with: the id map's or a phase journal's failure. */
export type HistoryError = IdMap.IdMapError | JournalError.JournalError

/** Appends `attempt` to the summaries kept in the id map at `base`; returns all of them, in order. */
export const recordAttempt = <A, I>(
  base: string,
  schema: Schema.Schema<A, I>,
  attempt: (number: number) => A
): Effect.Effect<ReadonlyArray<A>, HistoryError, FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    if (!(yield* JournalFile.hasContent(base))) return []
    const idMap = yield* IdMap.open(base)
    const stored = yield* idMap.meta(attemptsKey)
    // Summaries this version cannot read are started over rather than failing the report.
    const earlier = Option.getOrElse(
      Option.flatMap(stored, (text) => Schema.decodeUnknownOption(Schema.parseJson(Schema.Array(schema)))(text)),
      (): ReadonlyArray<A> => []
    )
    const all = [...earlier, attempt(earlier.length + 1)]
    yield* idMap.setMeta(attemptsKey, JSON.stringify(Schema.encodeSync(Schema.Array(schema))(all)))
    return all
  }))

/** Runs `use` with each phase journal of the set at `base` that exists, in phase order. */
const eachPhaseJournal = <A>(
  base: string,
  use: (phase: Phase, journal: SqliteJournal.Journal) => Effect.Effect<A, JournalError.JournalError>
): Effect.Effect<ReadonlyArray<A>, JournalError.JournalError, FileSystem.FileSystem> =>
  Effect.flatMap(
    Effect.filter(phases, (phase) => JournalFile.hasContent(phaseJournalPath(base, phase))),
    (present) =>
      Effect.forEach(present, (phase) =>
        Effect.scoped(Effect.flatMap(SqliteJournal.make(phaseJournalPath(base, phase)), (journal) =>
          use(phase, journal))))
  )

/** Per phase, the outcomes recorded over every attempt and the jobs accepted. */
export const phaseTotals = (base: string) =>
  eachPhaseJournal(base, (phase, journal) =>
    Effect.all({ counts: journal.counts, jobIds: journal.jobIds }).pipe(
      Effect.map(({ counts, jobIds }) => ({ phase, counts, jobIds }))
    ))

/** Every settled object of every phase, once each, phase by phase in record order. */
export const settled = (
  base: string
): Stream.Stream<
  { readonly phase: Phase; readonly settled: SqliteJournal.Settled },
  JournalError.JournalError,
  FileSystem.FileSystem
> =>
  Stream.flatMap(
    Stream.filterEffect(Stream.fromIterable(phases), (phase) => JournalFile.hasContent(phaseJournalPath(base, phase))),
    (phase) =>
      Stream.unwrapScoped(
        Effect.map(
          SqliteJournal.make(phaseJournalPath(base, phase)),
          (journal) => Stream.map(journal.outcomes, (settled) => ({ phase, settled }))
        )
      )
  )

/**
 * The first file of the journal set at `base` that another process holds open (a migration running with it), if
 * any: its phase journals are locked while they are open.
 */
export const inUse = (base: string): Effect.Effect<Option.Option<string>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    for (const phase of phases) {
      const path = phaseJournalPath(base, phase)
      if (!(yield* Effect.orElseSucceed(JournalFile.hasContent(path), () => false))) continue
      const peeked = yield* Effect.either(JournalFile.peekMeta(path, setKeyProbe))
      if (peeked._tag === "Left" && peeked.left.kind === "Locked") return Option.some(path)
    }
    return Option.none()
  })

/** Any key: the probe only needs to read the file. */
const setKeyProbe = "journal_set"
