/**
 * A stream fed by an effect as it runs: the effect offers values through `emit` (one) or `emitAll` (several at once,
 * e.g. a job's outcomes: one offer rather than one per item), its success ends the stream and its failure fails it. A `Mailbox` with a bounded capacity carries the values, so a slow consumer holds back the
 * producer.
 */
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Stream from "effect/Stream"

/** The values `produce` emits, as a stream. */
export const emitting = <A, E, R>(
  produce: (
    emit: (value: A) => Effect.Effect<void>,
    emitAll: (values: Iterable<A>) => Effect.Effect<void>
  ) => Effect.Effect<void, E, R>,
  capacity = 64
): Stream.Stream<A, E, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<A, E>(capacity)
    yield* produce(
      (value) => Effect.asVoid(mailbox.offer(value)),
      (values) => Effect.asVoid(mailbox.offerAll(values))
    ).pipe(Mailbox.into(mailbox), Effect.forkScoped)
    return Mailbox.toStream(mailbox)
  }))
