/**
 * Grouping encoded items into request bodies: at most `maxItems` items and `maxBytes` bytes each, and a partial
 * group is released after `linger` so that a slow source still makes progress.
 */
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"

/** Anything with an encoded size. */
export interface Sized {
  readonly bytes: number
}

/** The size of the JSON array holding items of these sizes: `[` + items joined by `,` + `]`. */
export const bodyBytes = (sizes: ReadonlyArray<number>): number =>
  sizes.length === 0 ? 2 : 1 + sizes.reduce((total, size) => total + size + 1, 0)

/**
 * Groups items in order. Every item must fit on its own (`bytes ≤ maxBytes - 2`); larger ones are the caller's to
 * reject beforehand.
 */
export const chunked = <A extends Sized, E, R>(
  items: Stream.Stream<A, E, R>,
  options: { readonly maxItems: number; readonly maxBytes: number; readonly linger: Duration.Duration }
): Stream.Stream<Chunk.Chunk<A>, E, R> =>
  items.pipe(
    Stream.aggregateWithin(
      Sink.foldWeighted({
        initial: Chunk.empty<A>(),
        // A body costs 1 + Σ(bytes + 1), so the items may cost at most maxBytes - 1.
        maxCost: options.maxBytes - 1,
        cost: (group, item) => (group.length >= options.maxItems ? Number.POSITIVE_INFINITY : item.bytes + 1),
        body: (group, item) => Chunk.append(group, item)
      }),
      Schedule.spaced(options.linger)
    ),
    Stream.filter((group) => Chunk.isNonEmpty(group))
  )
