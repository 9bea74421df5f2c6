/**
 * A table read a page at a time in key order (keyset pagination): each page starts after the last row of the one
 * before, so the read holds one page in memory however large the table, and a page shorter than `pageSize` is the
 * last.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** The rows `page` answers from `start` on, each page read from the cursor of the one before's last row. */
export const keysetPages = <Cursor, A, E>(
  start: Cursor,
  pageSize: number,
  page: (after: Cursor) => Effect.Effect<ReadonlyArray<A>, E>,
  cursorOf: (row: A) => Cursor
): Stream.Stream<A, E> =>
  Stream.paginateChunkEffect(start, (after) =>
    Effect.map(page(after), (rows) => {
      const last = rows[rows.length - 1]
      return [
        Chunk.unsafeFromArray(rows),
        rows.length < pageSize || last === undefined ? Option.none() : Option.some(cursorOf(last))
      ] as const
    }))
