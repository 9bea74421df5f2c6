/**
 * The import's journal hook: the pipeline reports each chunk's life (prepared → sending → submitted with its job
 * id → settled) and each record's final outcome, and at start asks what an earlier run left behind. A durable
 * implementation turns a crash into a resume; {@link disabled} (the default) keeps nothing, so memory stays flat.
 *
 * @since 0.1.0
 */
import type { Ids } from "@effect-kustomer/domain"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { Outcome } from "./ImportEvent.js"
import type { Position } from "./ImportSource.js"

/**
 * One record of a chunk, as sent: enough to match its result and to send it again.
 *
 * @since 0.1.0
 */
export interface ChunkItem {
  readonly position: Position
  readonly clientRef: string
  readonly externalId: string | undefined
  /** The item's wire JSON. */
  readonly json: string
}

/**
 * A chunk of records bound for one bulk request.
 *
 * @since 0.1.0
 */
export interface PlannedChunk {
  readonly chunk: number
  readonly items: ReadonlyArray<ChunkItem>
}

/**
 * What identifies a run, so that a journal is never resumed with another input or other chunking.
 *
 * @since 0.1.0
 */
export interface RunIdentity {
  /** The resource, e.g. `conversations`. */
  readonly resource: string
  /** A description of the input (e.g. its path). */
  readonly source: string
  /** A fingerprint of the input's content (size and hash), when known. */
  readonly fingerprint: string | undefined
  /** The options that shape chunks and refs, as text. */
  readonly settings: string
}

/**
 * What an earlier run left behind.
 *
 * @since 0.1.0
 */
export interface Resume {
  /** Whether the record at this index already has a final outcome (skip it). */
  readonly isSettled: (index: number) => boolean
  /**
   * Chunks accepted as jobs whose results were not read yet: poll them again. `resent`: the job is a resend of a
   * chunk whose earlier request may have created its items, so its duplicates were created by this import.
   */
  readonly submitted: ReadonlyArray<
    { readonly chunk: PlannedChunk; readonly jobId: Ids.BulkJobId; readonly resent?: boolean | undefined }
  >
  /** Chunks that were being sent: the job may or may not exist. */
  readonly inDoubt: ReadonlyArray<PlannedChunk>
  /** Chunks prepared but never sent. */
  readonly unsent: ReadonlyArray<PlannedChunk>
  /** The number for the next new chunk. */
  readonly nextChunk: number
}

/**
 * Nothing to resume.
 *
 * @since 0.1.0
 */
export const freshStart: Resume = {
  isSettled: () => false,
  submitted: [],
  inDoubt: [],
  unsent: [],
  nextChunk: 0
}

/**
 * The journal refused or failed: a different run's journal, a corrupted file, an I/O error.
 *
 * @since 0.1.0
 */
export class CheckpointError extends Data.TaggedError("CheckpointError")<{
  readonly reason: string
}> {
  override get message(): string {
    return `import journal: ${this.reason}`
  }
}

/**
 * The hook.
 *
 * @since 0.1.0
 */
export interface ImportCheckpoint {
  /** Opens the run; fails when the journal belongs to another input or other settings. */
  readonly begin: (run: RunIdentity) => Effect.Effect<Resume, CheckpointError>
  /** A chunk was formed. */
  readonly prepared: (chunk: PlannedChunk) => Effect.Effect<void, CheckpointError>
  /** The chunk's bulk request is about to be sent (again). */
  readonly sending: (chunk: number) => Effect.Effect<void, CheckpointError>
  /**
   * The API accepted the chunk as `jobId`; `resent` when an earlier request with the chunk may have created its
   * items (kept for a resume, so that it counts the job's duplicates as created by this import).
   */
  readonly submitted: (chunk: number, jobId: Ids.BulkJobId, resent?: boolean) => Effect.Effect<void, CheckpointError>
  /** Final outcomes; when `chunk` is given, that chunk is finished. */
  readonly settled: (outcomes: ReadonlyArray<Outcome>, chunk?: number) => Effect.Effect<void, CheckpointError>
  /** The run ended (all input read and every chunk settled). */
  readonly finished: Effect.Effect<void, CheckpointError>
}

/**
 * Keeps nothing: no resume, constant memory. The default.
 *
 * @since 0.1.0
 */
export const disabled: ImportCheckpoint = {
  begin: () => Effect.succeed(freshStart),
  prepared: () => Effect.void,
  sending: () => Effect.void,
  submitted: () => Effect.void,
  settled: () => Effect.void,
  finished: Effect.void
}

type ChunkState =
  | { readonly _tag: "prepared"; readonly chunk: PlannedChunk }
  | { readonly _tag: "sending"; readonly chunk: PlannedChunk }
  | {
    readonly _tag: "submitted"
    readonly chunk: PlannedChunk
    readonly jobId: Ids.BulkJobId
    readonly resent: boolean
  }

interface MemoryState {
  readonly run: RunIdentity | undefined
  readonly chunks: ReadonlyMap<number, ChunkState>
  readonly settled: ReadonlyMap<number, Outcome>
  readonly nextChunk: number
  readonly finished: boolean
}

/**
 * A journal in memory, with resume: a second run against the same value continues the first. For tests, and for
 * imports whose process outlives a failed attempt.
 *
 * @since 0.1.0
 */
export const inMemory = Effect.gen(function*() {
  const state = yield* Ref.make<MemoryState>({
    run: undefined,
    chunks: new Map(),
    settled: new Map(),
    nextChunk: 0,
    finished: false
  })
  const updateChunk = (chunk: number, f: (current: ChunkState) => ChunkState) =>
    Ref.update(state, (current) => {
      const existing = current.chunks.get(chunk)
      if (existing === undefined) return current
      return { ...current, chunks: new Map(current.chunks).set(chunk, f(existing)) }
    })
  const journal: ImportCheckpoint = {
    begin: (run) =>
      Ref.modify(state, (current): [Effect.Effect<Resume, CheckpointError>, MemoryState] => {
        if (current.run !== undefined && JSON.stringify(current.run) !== JSON.stringify(run)) {
          return [Effect.fail(new CheckpointError({ reason: "this journal belongs to a different run" })), current]
        }
        const chunks = [...current.chunks.values()]
        const settled = new Map(current.settled)
        const resume: Resume = {
          isSettled: (index) => settled.has(index),
          submitted: chunks.flatMap((entry) =>
            entry._tag === "submitted" ? [{ chunk: entry.chunk, jobId: entry.jobId, resent: entry.resent }] : []
          ),
          inDoubt: chunks.flatMap((entry) => (entry._tag === "sending" ? [entry.chunk] : [])),
          unsent: chunks.flatMap((entry) => (entry._tag === "prepared" ? [entry.chunk] : [])),
          nextChunk: current.nextChunk
        }
        return [Effect.succeed(resume), { ...current, run }]
      }).pipe(Effect.flatten),
    prepared: (chunk) =>
      Ref.update(state, (current) => ({
        ...current,
        chunks: new Map(current.chunks).set(chunk.chunk, { _tag: "prepared", chunk }),
        nextChunk: Math.max(current.nextChunk, chunk.chunk + 1)
      })),
    sending: (chunk) => updateChunk(chunk, (entry) => ({ _tag: "sending", chunk: entry.chunk })),
    submitted: (chunk, jobId, resent) =>
      updateChunk(chunk, (entry) => ({ _tag: "submitted", chunk: entry.chunk, jobId, resent: resent ?? false })),
    settled: (outcomes, chunk) =>
      Ref.update(state, (current) => {
        const settled = new Map(current.settled)
        outcomes.forEach((outcome) => settled.set(outcome.position.index, outcome))
        const chunks = new Map(current.chunks)
        if (chunk !== undefined) chunks.delete(chunk)
        return { ...current, settled, chunks }
      }),
    finished: Ref.update(state, (current) => ({ ...current, finished: true }))
  }
  return {
    journal,
    /** Every final outcome recorded so far, by record index. */
    outcomes: Effect.map(Ref.get(state), (current) => current.settled),
    /** Whether the run finished. */
    isFinished: Effect.map(Ref.get(state), (current) => current.finished)
  }
})
