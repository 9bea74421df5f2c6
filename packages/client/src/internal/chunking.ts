/**
 * Grouping encoded items into request bodies: at most `maxItems` items and `maxBytes` bytes each, and a partial
 * group is released `linger` after its first item arrived, so that a slow source still makes progress.
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as Take from "effect/Take"

/** Anything with an encoded size. */
export interface Sized {
  readonly bytes: number
}

/** The size of the JSON array holding items of these sizes: `[` + items joined by `,` + `]`. */
export const bodyBytes = (sizes: ReadonlyArray<number>): number =>
  sizes.length === 0 ? 2 : 1 + sizes.reduce((total, size) => total + size + 1, 0)

/** The limits of a group. */
export interface Limits {
  readonly maxItems: number
  readonly maxBytes: number
  readonly linger: Duration.Duration
}

/**
 * Groups items in order. Every item must fit on its own (`bytes ≤ maxBytes - 2`); larger ones are the caller's to
 * reject beforehand.
 */
export const chunked = <A extends Sized, E, R>(
  items: Stream.Stream<A, E, R>,
  options: Limits
): Stream.Stream<Chunk.Chunk<A>, E, R> => chunkedAmong<A, never, E, R>(items, options, (_value): _value is A => true)

/**
 * Groups the items of a stream that carries other values too (`isItem` tells them apart); the other values pass
 * through at once, in order.
 *
 * The grouping itself is a plain loop over each chunk the source delivers; only the wait for the next chunk goes
 * through Effect (an element-wise `Stream.aggregateWithin` cost more than validating the items).
 */
export const chunkedAmong = <A extends Sized, B, E, R>(
  items: Stream.Stream<A | B, E, R>,
  options: Limits,
  isItem: (value: A | B) => value is A
): Stream.Stream<Chunk.Chunk<A> | B, E, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const input = yield* Stream.toQueue(items)
    const lingerMillis = Duration.toMillis(options.linger)
    let group: Array<A> = []
    // A body costs 1 + Σ(bytes + 1): "[", then each item followed by "," or "]".
    let groupBytes = 1
    let groupDeadline = 0
    let ended = false

    const close = (into: Array<Chunk.Chunk<A> | B>) => {
      into.push(Chunk.unsafeFromArray(group))
      group = []
      groupBytes = 1
    }

    const add = (incoming: Chunk.Chunk<A | B>, now: number) => {
      const closed: Array<Chunk.Chunk<A> | B> = []
      for (const item of incoming) {
        if (!isItem(item)) {
          closed.push(item)
          continue
        }
        if (group.length > 0 && groupBytes + item.bytes + 1 > options.maxBytes) close(closed)
        if (group.length === 0) groupDeadline = now + lingerMillis
        group.push(item)
        groupBytes += item.bytes + 1
        if (group.length >= options.maxItems) close(closed)
      }
      return Chunk.unsafeFromArray(closed)
    }

    const next: Effect.Effect<Chunk.Chunk<Chunk.Chunk<A> | B>, Option.Option<E>> = Effect.gen(function*() {
      if (ended) return yield* Effect.fail(Option.none<E>())
      const now = yield* Clock.currentTimeMillis
      // With a partial group, wait for more only until its deadline; then release it as it is.
      const take = group.length === 0
        ? Effect.asSome(Queue.take(input))
        : Effect.timeoutOption(Queue.take(input), Duration.millis(Math.max(0, groupDeadline - now)))
      const received = yield* take
      if (Option.isNone(received)) {
        const released: Array<Chunk.Chunk<A> | B> = []
        close(released)
        return Chunk.unsafeFromArray(released)
      }
      if (Take.isDone(received.value)) {
        ended = true
        const rest: Array<Chunk.Chunk<A> | B> = []
        if (group.length > 0) close(rest)
        return Chunk.unsafeFromArray(rest)
      }
      // A chunk of items, or the source's failure as `Some(error)`.
      const incoming = yield* Take.done(received.value)
      return add(incoming, yield* Clock.currentTimeMillis)
    })

    return Stream.repeatEffectChunkOption(next)
  }))
