/**
 * The default composition of the stages: validate → chunk → submit → settle. The stages themselves resume from the
 * journal, merge the rate limiter's pauses and end with `Finished`; what this adds is that a failing source does
 * not abandon what was sent: the records read before the failure are submitted and settled, and the stream fails
 * after them.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import type * as Events from "../../ImportEvent.js"
import type { SourceError, SourceRecord } from "../../ImportSource.js"
import type { KustomerError } from "../../KustomerError.js"
import type { Importer } from "./importer.js"
import { chunk, validate } from "./prepare.js"
import { settle, type SettleOptions } from "./settle.js"
import { submit } from "./submit.js"

/** The import as a stream of events: one outcome per record, progress in between, `Finished` last. */
export const run = <E, R>(
  importer: Importer,
  source: Stream.Stream<SourceRecord, E, R>,
  options: SettleOptions = {}
): Stream.Stream<Events.ImportEvent, E | KustomerError | SourceError | Checkpoint.CheckpointError, R> =>
  Stream.unwrap(Effect.gen(function*() {
    const sourceFailure = yield* Ref.make(Option.none<E>())
    const records = Stream.catchAll(source, (error) =>
      Stream.execute(
        Effect.zipRight(Ref.set(sourceFailure, Option.some(error)), Ref.set(importer.sourceFailed, true))
      ))
    const end = Effect.flatMap(
      Ref.get(sourceFailure),
      (failure) => Option.match(failure, { onNone: () => Effect.void, onSome: (error) => Effect.fail(error) })
    )
    return records.pipe(
      validate(importer),
      chunk(importer),
      submit(importer),
      settle(importer, options),
      Stream.concat(Stream.execute(end))
    )
  }))
