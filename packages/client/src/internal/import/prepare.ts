/**
 * The first two stages: `validate` (records → prepared items, or `Rejected` outcomes) and `chunk` (prepared items →
 * request-sized chunks, numbered and journaled). Values that are already events pass through both.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import * as Events from "../../ImportEvent.js"
import { describePosition, type Position, type SourceRecord } from "../../ImportSource.js"
import { chunkedAmong } from "../chunking.js"
import type { Prepared } from "./codec.js"
import type { Pending, Preparation } from "./importer.js"
import * as SeenKeys from "./seenKeys.js"

/** Whether a stage's value is an event (events carry a `_tag`; the values between stages do not). */
export const isEvent = <A extends object>(value: A | Events.ImportEvent): value is Events.ImportEvent => "_tag" in value

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
    Stream.suspend(() => {
      // One entry per distinct externalId of the input (about 20 bytes, outside the V8 heap): the price of telling a
      // repeat within the input from an object that existed before the run.
      const seen = SeenKeys.make()
      return Stream.mapChunksEffect(records, (batch) =>
        Effect.gen(function*() {
          const out: Array<Prepared | Events.Rejected> = []
          const rejected: Array<Events.Rejected> = []
          // A plain loop: this runs once per record, and callbacks created per record show up in profiles.
          for (const record of batch) {
            const prepared = preparation.codec.prepare(record)
            let outcome: Prepared | Events.Rejected = Either.isLeft(prepared) ? prepared.left : prepared.right
            if (Either.isRight(prepared) && prepared.right.externalId !== undefined) {
              const externalId = prepared.right.externalId
              const first = seen.firstUse(externalId, record.position)
              if (first !== undefined) outcome = repeatedExternalId(record, first, externalId)
            }
            if (isEvent(outcome)) rejected.push(outcome)
            out.push(outcome)
          }
          if (rejected.length > 0) yield* preparation.record(rejected)
          return Chunk.unsafeFromArray(out)
        }))
    })

/**
 * Groups prepared items into chunks of at most `maxItems` items and `maxBytes` bytes, releasing a partial chunk
 * `linger` after its first item; numbers each chunk and tells the journal. Events pass through.
 */
export const chunk = (preparation: Preparation) =>
<A extends Events.ImportEvent, E, R>(
  items: Stream.Stream<Prepared | A, E, R>
): Stream.Stream<Pending | A, E | Checkpoint.CheckpointError, R> =>
  chunkedAmong<Prepared, A, E, R>(items, preparation.settings, (value): value is Prepared => !isEvent(value)).pipe(
    Stream.mapEffect((value: Chunk.Chunk<Prepared> | A): Effect.Effect<Pending | A, Checkpoint.CheckpointError> =>
      isEvent(value) ? Effect.succeed(value) : numbered(preparation, value)
    )
  )

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
    const pending: Pending = {
      chunk: { chunk: number, items: Chunk.toReadonlyArray(items).map((item) => withoutSize(item)) },
      inDoubt: false
    }
    yield* preparation.journal.prepared(pending.chunk)
    return pending
  })
