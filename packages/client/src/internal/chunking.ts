/**
 * Grouping encoded items into request bodies: at most `maxItems` items and `maxBytes` bytes each, and a partial
 * group is released `linger` after its first item arrived, so that a slow source still makes progress.
 */
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { youngArray } from "./youngArray.js"

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
 * How many values may wait between the source and the grouping (the source is held back beyond that): ten full
 * groups. Whatever waits here is alive at every young-generation collection and is copied by it; 4,096 values
 * waiting cost a tenth of the dry run's CPU time in collections.
 */
const inputCapacity = 1024

/** A partial group's deadline, delivered through the input itself: `group` numbers the group it was set for. */
class Deadline {
  constructor(readonly group: number) {}
}

/**
 * Groups the items of a stream that carries other values too (`isItem` tells them apart); the other values pass
 * through at once, in order.
 *
 * The grouping itself is a plain loop over what the source has delivered; only the wait for more goes through
 * Effect (an element-wise `Stream.aggregateWithin` cost more than validating the items). The source runs into a
 * `Mailbox`, and a partial group's deadline arrives in the same mailbox, offered by a timer: the wait for input is
 * never cut short, so nothing the source delivers can be lost to a timeout (a `take` interrupted by a timeout just
 * as a value reaches it would drop that value).
 */
export const chunkedAmong = <A extends Sized, B, E, R>(
  items: Stream.Stream<A | B, E, R>,
  options: Limits,
  isItem: (value: A | B) => value is A
): Stream.Stream<Chunk.Chunk<A> | B, E, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const clock = yield* Effect.clock
    const input = yield* Mailbox.make<A | B | Deadline, E>(inputCapacity)
    yield* Stream.runForEachChunk(items, (values) => input.offerAll(values)).pipe(
      Mailbox.into(input),
      Effect.forkIn(scope)
    )
    let group = youngArray<A>()
    // A body costs 1 + Σ(bytes + 1): "[", then each item followed by "," or "]".
    let groupBytes = 1
    // The number of the current group: a deadline set for an earlier one is stale.
    let groupNumber = 0
    // When the current group's first item arrived (clock milliseconds), and whether a deadline is on its way. One
    // timer at a time: a timer per partial group (one per chunk of input, when the source delivers small chunks)
    // cost more than the grouping. A stale deadline re-arms the timer for what is left of the current group's linger.
    let groupStarted = 0
    let armed = false
    let ended = false

    const close = (into: Array<Chunk.Chunk<A> | B>) => {
      into.push(Chunk.unsafeFromArray(group))
      group = youngArray<A>()
      groupBytes = 1
      groupNumber++
    }

    /** Adds what arrived to the group, pushing the groups it closes and the other values to `closed`, in order. */
    const add = (incoming: ReadonlyArray<A | B | Deadline>, closed: Array<Chunk.Chunk<A> | B>) => {
      for (const value of incoming) {
        if (value instanceof Deadline) {
          armed = false
          if (value.group === groupNumber && group.length > 0) close(closed)
          continue
        }
        if (!isItem(value)) {
          closed.push(value)
          continue
        }
        if (group.length > 0 && groupBytes + value.bytes + 1 > options.maxBytes) close(closed)
        group.push(value)
        groupBytes += value.bytes + 1
        if (group.length >= options.maxItems) close(closed)
      }
    }

    /** The deadline of the current group, offered through the mailbox when what is left of its linger has passed. */
    const arm = (now: number) => {
      armed = true
      const deadline = new Deadline(groupNumber)
      return Effect.sleep(Duration.subtract(options.linger, Duration.millis(now - groupStarted))).pipe(
        Effect.zipRight(input.offer(deadline)),
        Effect.forkIn(scope)
      )
    }

    // Runs once per delivery of the source (a chunk of a file's 64 KiB, say): no generator, and the clock is read
    // directly, which costs less than an effect per delivery.
    const next: Effect.Effect<Chunk.Chunk<Chunk.Chunk<A> | B>, Option.Option<E>> = Effect.suspend(() => {
      if (ended) return Effect.fail(Option.none<E>())
      const timedGroup = group.length > 0 ? groupNumber : -1
      return Effect.flatMap(Effect.mapError(input.takeAll, Option.some), ([incoming, done]) => {
        const out = youngArray<Chunk.Chunk<A> | B>()
        add(Chunk.toReadonlyArray(incoming), out)
        if (done) {
          ended = true
          if (group.length > 0) close(out)
        }
        const closed = Chunk.unsafeFromArray(out)
        if (done) return Effect.succeed(closed)
        if (group.length === 0 || (groupNumber === timedGroup && armed)) return Effect.succeed(closed)
        const now = clock.unsafeCurrentTimeMillis()
        // A new partial group started with this delivery.
        if (groupNumber !== timedGroup) groupStarted = now
        // Its deadline comes through the mailbox (a no-op once the source has ended).
        return armed ? Effect.succeed(closed) : Effect.as(arm(now), closed)
      })
    })

    return Stream.repeatEffectChunkOption(next)
  }))
