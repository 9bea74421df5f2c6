/**
 * The first two stages: `validate` (records → prepared items, or `Rejected` outcomes) and `chunk` (prepared items →
 * request-sized chunks, numbered and journaled), and the steps that may go between `chunk` and `submit`. Values
 * that are already events pass through all of them. Both stages take their part of what an earlier attempt left
 * in the journal: `validate` skips the records it settled or still holds in chunks, `chunk` hands those chunks on
 * before any new one.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import * as Events from "../../ImportEvent.js"
import { describePosition, type Position, type SourceRecord } from "../../ImportSource.js"
import { chunkedAmong } from "../chunking.js"
import { byteLength } from "../utf8.js"
import { youngArray } from "../youngArray.js"
import type { Prepared } from "./codec.js"
import type { Pending, Preparation } from "./importer.js"
import * as SeenKeys from "./seenKeys.js"
import { isEvent, PendingChunk, PreparedItem } from "./stageValues.js"

export { isEvent } from "./stageValues.js"

/** Every record index an earlier attempt's unfinished chunks hold: they are resumed from the journal, not re-read. */
const claimedBy = (resume: Checkpoint.Resume) => {
  const claimed = new Set<number>()
  for (const entry of [...resume.submitted.map((job) => job.chunk), ...resume.inDoubt, ...resume.unsent]) {
    for (const item of entry.items) claimed.add(item.position.index)
  }
  return claimed
}

const repeatedExternalId = (record: SourceRecord, first: Position, externalId: string) =>
  new Events.Rejected({
    position: record.position,
    issues: [{
      path: "externalId",
      message: `"${externalId}" is already used by ${describePosition(first)} (index ${first.index}) of this input; ` +
        `this is ${describePosition(record.position)} (index ${record.position.index})`
    }],
    record: record._tag === "Parsed" ? record.value : undefined
  })

/**
 * Validates records: each becomes a prepared item or a `Rejected` outcome, recorded as it is found. A record that
 * repeats an `externalId` an earlier record of the same input used is rejected, naming both positions: the API
 * would call it a duplicate and the report would say "already existing" for a record that never was.
 */
export const validate =
  <RecordError>(preparation: Preparation<RecordError>) =>
  <E, R>(records: Stream.Stream<SourceRecord, E, R>): Stream.Stream<Prepared | Events.Rejected, E | RecordError, R> =>
    Stream.unwrap(Effect.map(preparation.begin, (resume) => {
      // One entry per distinct externalId of the input (about 20 bytes, outside the V8 heap): the price of telling a
      // repeat within the input from an object that existed before the run.
      const seen = SeenKeys.make()
      const claimed = claimedBy(resume)
      // No generator per chunk: with a file's 64 KiB chunks (about 150 records each) that showed in profiles.
      return Stream.mapChunksEffect(records, (batch) =>
        Effect.suspend(() => {
          const out = youngArray<Prepared | Events.Rejected>()
          const rejected = youngArray<Events.Rejected>()
          // A plain loop: this runs once per record, and callbacks created per record show up in profiles. Records
          // an earlier attempt settled or left in chunks are skipped here rather than by a filtering stage.
          for (const record of Chunk.toReadonlyArray(batch)) {
            const index = record.position.index
            if (claimed.has(index) || resume.isSettled(index)) continue
            let outcome = preparation.codec.prepare(record)
            if (outcome instanceof PreparedItem && outcome.externalId !== undefined) {
              const first = seen.firstUse(outcome.externalId, record.position)
              if (first !== undefined) outcome = repeatedExternalId(record, first, outcome.externalId)
            }
            if (!(outcome instanceof PreparedItem)) rejected.push(outcome)
            out.push(outcome)
          }
          const prepared = Chunk.unsafeFromArray(out)
          return rejected.length > 0 ? Effect.as(preparation.record(rejected), prepared) : Effect.succeed(prepared)
        }))
    }))

/**
 * Groups prepared items into chunks of at most `maxItems` items and `maxBytes` bytes, releasing a partial chunk
 * `linger` after its first item; numbers each chunk and tells the journal. The chunks an earlier attempt left
 * unfinished come first: those caught while being sent in doubt, then those never sent. Events pass through.
 */
export const chunk = (preparation: Preparation) =>
<A extends Events.ImportEvent, E, R>(
  items: Stream.Stream<Prepared | A, E, R>
): Stream.Stream<Pending | A, E | Checkpoint.CheckpointError, R> =>
  Stream.unwrap(Effect.gen(function*() {
    const resume = yield* preparation.begin
    yield* Ref.set(preparation.nextChunk, resume.nextChunk)
    const resumed = [
      ...resume.inDoubt.map((planned) => new PendingChunk(planned, true)),
      ...resume.unsent.map((planned) => new PendingChunk(planned, false))
    ]
    const fresh = chunkedAmong<Prepared, A, E, R>(items, preparation.settings, (value): value is Prepared =>
      !isEvent(value)).pipe(
        Stream.mapEffect((value: Chunk.Chunk<Prepared> | A): Effect.Effect<Pending | A, Checkpoint.CheckpointError> =>
          Chunk.isChunk(value) ? numbered(preparation, value) : Effect.succeed(value)
        )
      )
    return Stream.concat(
      Stream.mapEffect(Stream.fromIterable(resumed), (pending) =>
        Effect.as(preparation.ledger.formed(pending), pending)),
      fresh
    )
  }))

/** A chunk item as journaled: the prepared item without its size (built field by field: a rest spread is slower). */
const withoutSize = (item: Prepared): Checkpoint.ChunkItem => ({
  position: item.position,
  clientRef: item.clientRef,
  externalId: item.externalId,
  json: item.json
})

const numbered = (preparation: Preparation, items: Chunk.Chunk<Prepared>) =>
  Effect.gen(function*() {
    const number = yield* Ref.getAndUpdate(preparation.nextChunk, (next) => next + 1)
    const pending = new PendingChunk(
      { chunk: number, items: Chunk.toReadonlyArray(items).map((item) => withoutSize(item)) },
      false
    )
    yield* preparation.journal.prepared(pending.chunk)
    yield* preparation.ledger.formed(pending)
    return pending
  })

/** Why a revised chunk is refused: the stage protocol, not the data, is at fault. */
const revisionProblem = (
  preparation: Preparation,
  before: Checkpoint.PlannedChunk,
  after: ReadonlyArray<Checkpoint.ChunkItem>
): string | undefined => {
  const refs = (items: ReadonlyArray<Checkpoint.ChunkItem>) => items.map((item) => item.clientRef).join("\n")
  if (refs(before.items) !== refs(after)) {
    return `mapChunks must keep a chunk's records, in order (chunk ${before.chunk} had ${before.items.length}, ` +
      `the step returned ${after.length} or others): drop or add records before BulkImport.validate`
  }
  const bytes = after.reduce((total, item) => total + byteLength(item.json) + 1, 1)
  if (bytes > preparation.settings.maxBytes) {
    return `chunk ${before.chunk} is ${bytes} bytes after mapChunks, over the ${preparation.settings.maxBytes}-byte ` +
      "limit of a request: lower maxBytes, or change records before BulkImport.validate"
  }
  return undefined
}

/**
 * A step between `chunk` and `submit` that changes each chunk's items (their wire JSON): the chunk keeps its
 * records, is measured again and journaled again, so that a resume sends what was revised. A chunk resumed in
 * doubt (it may have been sent as revised already) passes unchanged. A step that drops, adds or reorders records,
 * or makes a chunk too large for one request, is a defect of the composition and stops the import.
 */
export const mapChunks = <E2, R2>(
  preparation: Preparation,
  revise: (items: ReadonlyArray<Checkpoint.ChunkItem>, chunk: number) => Effect.Effect<
    ReadonlyArray<Checkpoint.ChunkItem>,
    E2,
    R2
  >
) =>
<A extends Events.ImportEvent, E, R>(
  chunks: Stream.Stream<Pending | A, E, R>
): Stream.Stream<Pending | A, E | E2 | Checkpoint.CheckpointError, R | R2> =>
  Stream.mapEffect(chunks, (value) =>
    isEvent(value) || value.inDoubt ? Effect.succeed(value) : Effect.gen(function*() {
      const items = yield* revise(value.chunk.items, value.chunk.chunk)
      const problem = revisionProblem(preparation, value.chunk, items)
      if (problem !== undefined) return yield* Effect.dieMessage(problem)
      const revised = new PendingChunk({ chunk: value.chunk.chunk, items }, false)
      yield* preparation.journal.prepared(revised.chunk)
      yield* preparation.ledger.arrived(value)
      yield* preparation.ledger.formed(revised)
      return revised
    }))

/** A step between `chunk` and `submit` that looks at each chunk (an audit, a metric) and passes it on unchanged. */
export const tapChunks =
  <E2, R2>(see: (chunk: Checkpoint.PlannedChunk) => Effect.Effect<void, E2, R2>) =>
  <A extends Events.ImportEvent, E, R>(
    chunks: Stream.Stream<Pending | A, E, R>
  ): Stream.Stream<Pending | A, E | E2, R | R2> =>
    Stream.tap(chunks, (value) => isEvent(value) ? Effect.void : see(value.chunk))
