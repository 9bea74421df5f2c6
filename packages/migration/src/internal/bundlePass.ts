/**
 * One read of the bundle for everything the journals collect before the phases (the parties for the id map, the
 * keys for the ledger): each collector still to run gets every batch of lines, then marks itself done, so the
 * bundle is parsed once however many collect from it.
 */
import type { ImportSource } from "@effect-kustomer/client"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** Lines handed to the collectors at a time (and written in one transaction by each). */
export const batchLines = 500

/** A collection still to make: what it takes from each batch of lines, and how it records that it is done. */
export interface Collector<E> {
  readonly add: (records: ReadonlyArray<ImportSource.SourceRecord>) => Effect.Effect<void, E>
  readonly done: Effect.Effect<void, E>
}

/** Reads `records` once for `collectors` (not at all when there is none). */
export const collectInOnePass = <E, SE, R>(
  records: Stream.Stream<ImportSource.SourceRecord, SE, R>,
  collectors: ReadonlyArray<Collector<E>>
): Effect.Effect<void, E | SE, R> =>
  collectors.length === 0
    ? Effect.void
    : records.pipe(
      Stream.grouped(batchLines),
      Stream.runForEach((batch) => {
        const lines = Chunk.toReadonlyArray(batch)
        return Effect.forEach(collectors, (collector) => collector.add(lines), { discard: true })
      }),
      Effect.zipRight(Effect.forEach(collectors, (collector) => collector.done, { discard: true }))
    )
