/**
 * The migration's journal set: the id map at the `--journal` path and one phase journal beside it per phase
 * (`<journal>.customers`, …). A resume can trust what they record only as a whole, so the set is checked when it
 * opens and while the migration runs:
 *
 * - the id map holds a random set id, and each phase journal the id of the set it was created in: a phase journal
 *   of another set (another run's, put in its place) is refused;
 * - phase journals without their id map are refused: a new id map would send everything again;
 * - the id map records when each phase's journal was created: a phase journal missing after that is refused;
 * - before each phase, and now and then during it, every file of the set must still be the file that was opened:
 *   SQLite keeps writing to a deleted file, and everything it records would be lost with it.
 *
 * A journal set made before set ids were recorded joins a new set when it is next opened.
 */
import { JournalError, JournalFile, type RejectsFile, SqliteJournal } from "@effect-kustomer/journal"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as IdMap from "./idMap.js"
import { type Phase, phases } from "./pipeline.js"
import { RejectsFailed } from "./rejects.js"

/** The metadata key, in the id map and in each phase journal, of the set's id. */
const setKey = "journal_set"

/** The id map's metadata key recording that a phase's journal was created. */
const begunKey = (phase: Phase) => `phase_begun:${phase}`

/** Where a phase's journal lives. */
export const phaseJournalPath = (base: string, phase: Phase): string => `${base}.${phase}`

/** Where the journal set of a journal's delta `generation` lives. */
export const deltaJournalPath = (base: string, generation: number): string => `${base}.delta-${generation}`

const startOver = "restore it or start again with a new --journal path"

/** The id map, heading the phase journals of its set. */
export interface JournalSet extends IdMap.IdMap {
  /** The id map's path (the `--journal` path). */
  readonly base: string
  /** The set's id, in the id map and in every phase journal. */
  readonly setId: string
  /** Refuses to go on when a file of the set opened so far was deleted or replaced. */
  readonly check: Effect.Effect<void, JournalError.JournalError>
  /**
   * Opens a phase's journal, as a member of the set, for as long as the scope lasts; it stops the phase at its
   * next write once the rejects file failed.
   */
  readonly openPhase: (
    phase: Phase,
    rejects: { readonly failure: Effect.Effect<Option.Option<RejectsFile.RejectsFileError>> }
  ) => Effect.Effect<SqliteJournal.Journal, JournalError.JournalError | IdMap.IdMapError, Scope.Scope>
}

/** A new set id: 64 random bits, in hex. */
const newSetId = Effect.map(
  Effect.all(Array.from({ length: 4 }, () => Random.nextIntBetween(0, 0x10000))),
  (parts) => parts.map((part) => part.toString(16).padStart(4, "0")).join("")
)

/** The set's id: the id map's, or a new one stored in it (a new id map, or one made before set ids). */
const setIdOf = (idMap: IdMap.IdMap) =>
  Effect.gen(function*() {
    const stored = yield* idMap.meta(setKey)
    if (Option.isSome(stored)) return stored.value
    const id = yield* newSetId
    yield* idMap.setMeta(setKey, id)
    return id
  })

/** Refuses phase journals without their id map, a begun phase without its journal, and journals of another set. */
const checkMembers = (base: string, idMap: IdMap.IdMap, setId: string, present: ReadonlyArray<Phase>) =>
  Effect.forEach(phases, (phase) =>
    Effect.gen(function*() {
      const path = phaseJournalPath(base, phase)
      const begun = Option.isSome(yield* idMap.meta(begunKey(phase)))
      if (!present.includes(phase)) {
        if (!begun) return
        return yield* JournalError.incomplete(
          path,
          `the phase journal ${path} is missing, though the id map ${base} records that the ${phase} phase ` +
            `began: the journal set is incomplete; ${startOver}`
        )
      }
      const member = yield* JournalFile.peekMeta(path, setKey)
      if (Option.isSome(member) && member.value !== setId) {
        return yield* JournalError.incomplete(
          path,
          `the phase journal ${path} belongs to another migration than the id map ${base} (one of them was ` +
            "replaced): the journal set is mixed; restore the original files or start again with a new --journal path"
        )
      }
      // A phase journal left by a crash just after it was created, or by a version that did not record it.
      if (!begun) yield* idMap.setMeta(begunKey(phase), "1")
    }), { discard: true })

/**
 * Opens the journal set at `base` for the scope's life: refuses one that is incomplete or mixed, and creates the
 * id map (with a new set id) when there is none.
 */
export const open = (
  base: string
): Effect.Effect<JournalSet, JournalError.JournalError | IdMap.IdMapError, Scope.Scope | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const present = yield* Effect.filter(phases, (phase) => JournalFile.hasContent(phaseJournalPath(base, phase)))
    if (present.length > 0 && !(yield* JournalFile.hasContent(base))) {
      return yield* JournalError.incomplete(
        base,
        `the id map ${base} is missing but phase journals ${
          present.map((phase) => phaseJournalPath(base, phase)).join(", ")
        } exist: the journal set is incomplete; ${startOver}`
      )
    }
    const idMap = yield* IdMap.open(base)
    const setId = yield* setIdOf(idMap)
    yield* checkMembers(base, idMap, setId, present)
    const files = yield* Ref.make<ReadonlyArray<JournalFile.FileIdentity>>([yield* JournalFile.identify(base)])

    const check: JournalSet["check"] = Effect.flatMap(
      Ref.get(files),
      (opened) =>
        Effect.forEach(opened, (identity) => JournalFile.checkSameFile(identity, "migration"), { discard: true })
    ).pipe(
      Effect.provideService(FileSystem.FileSystem, fs)
    )

    const openPhase: JournalSet["openPhase"] = (phase, rejects) =>
      Effect.gen(function*() {
        yield* check
        const path = phaseJournalPath(base, phase)
        const begun = Option.isSome(yield* idMap.meta(begunKey(phase)))
        if (begun && !(yield* JournalFile.hasContent(path))) {
          return yield* JournalError.incomplete(
            path,
            `${path} was deleted while the migration ran, though the id map ${base} records that the ${phase} ` +
              `phase began: the journal set is incomplete; ${startOver}`
          )
        }
        const journal = yield* SqliteJournal.make(path, {
          belongsTo: { key: setKey, value: setId },
          checkAlso: check
        })
        const opened = yield* JournalFile.identify(path)
        yield* Ref.update(files, (known) => [...known.filter((identity) => identity.path !== path), opened])
        if (!begun) yield* idMap.setMeta(begunKey(phase), "1")
        return stoppedByRejects(journal, rejects.failure)
      }).pipe(Effect.provideService(FileSystem.FileSystem, fs))

    const set: JournalSet = { ...idMap, base, setId, check, openPhase }
    return set
  })

/** The journal, failing its writes with {@link RejectsFailed} once the rejects file failed. */
const stoppedByRejects = (
  journal: SqliteJournal.Journal,
  failure: Effect.Effect<Option.Option<RejectsFile.RejectsFileError>>
): SqliteJournal.Journal => {
  const unlessFailed = Effect.flatMap(failure, (failed) =>
    Option.match(failed, {
      onNone: () => Effect.void,
      onSome: (error) => Effect.fail(new RejectsFailed(error))
    }))
  return {
    ...journal,
    prepared: (chunk) => Effect.zipRight(unlessFailed, journal.prepared(chunk)),
    sending: (chunk) => Effect.zipRight(unlessFailed, journal.sending(chunk)),
    settled: (outcomes, chunk) => Effect.zipRight(unlessFailed, journal.settled(outcomes, chunk)),
    finished: Effect.zipRight(unlessFailed, journal.finished)
  }
}
