/**
 * The default composition of the stages: resume from the journal, validate → chunk → submit → settle, the rate
 * limiter's pauses merged in, and `Finished` last. A failing source does not abandon what was sent: the records
 * read before the failure are submitted and settled, and the stream fails after them.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import * as Events from "../../ImportEvent.js"
import type { SourceError, SourceRecord } from "../../ImportSource.js"
import type { KustomerError } from "../../KustomerError.js"
import type { Importer, Pending, Submitted } from "./importer.js"
import { chunk, validate } from "./prepare.js"
import { settle } from "./settle.js"
import { submit } from "./submit.js"

/** What identifies the run to the journal. */
export interface RunDescription {
  readonly source?: { readonly name: string; readonly fingerprint?: string | undefined } | undefined
  readonly assignsExternalIds: boolean
}

/** Every record index an earlier run's unfinished chunks hold: they are resumed from the journal, not re-read. */
const claimedBy = (resume: Checkpoint.Resume) => {
  const claimed = new Set<number>()
  for (const entry of [...resume.submitted.map((job) => job.chunk), ...resume.inDoubt, ...resume.unsent]) {
    for (const item of entry.items) claimed.add(item.position.index)
  }
  return claimed
}

/** The import as a stream of events: one outcome per record, progress in between, `Finished` last. */
export const run = <E, R>(
  importer: Importer,
  source: Stream.Stream<SourceRecord, E, R>,
  description: RunDescription
): Stream.Stream<Events.ImportEvent, E | KustomerError | SourceError | Checkpoint.CheckpointError, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const { journal, settings } = importer
    const resume = yield* journal.begin({
      resource: importer.codec.name,
      source: description.source?.name ?? "stream",
      fingerprint: description.source?.fingerprint,
      settings: JSON.stringify({
        maxItems: settings.maxItems,
        maxBytes: settings.maxBytes,
        assignExternalIds: description.assignsExternalIds
      })
    })
    yield* Ref.set(importer.nextChunk, resume.nextChunk)
    const claimed = claimedBy(resume)
    const sourceFailure = yield* Ref.make(Option.none<E>())
    const records = source.pipe(
      Stream.filter((record) => !claimed.has(record.position.index) && !resume.isSettled(record.position.index)),
      Stream.catchAll((error) => Stream.execute(Ref.set(sourceFailure, Option.some(error))))
    )
    const resumedAt = yield* Clock.currentTimeMillis
    const pending = Stream.concat(
      Stream.fromIterable<Pending>([
        ...resume.inDoubt.map((chunk) => ({ chunk, inDoubt: true })),
        ...resume.unsent.map((chunk) => ({ chunk, inDoubt: false }))
      ]),
      records.pipe(validate(importer), chunk(importer))
    )
    const jobs = Stream.concat(
      Stream.fromIterable(
        resume.submitted.map((job): Submitted => ({
          chunk: job.chunk,
          jobId: job.jobId,
          submittedAt: resumedAt,
          resent: job.resent ?? false
        }))
      ).pipe(Stream.tap(() => importer.window.occupy)),
      pending.pipe(submit(importer))
    )
    const end = Effect.gen(function*() {
      const failure = yield* Ref.get(sourceFailure)
      if (Option.isSome(failure)) return yield* Effect.fail(failure.value)
      yield* journal.finished
      return new Events.Finished(yield* Ref.get(importer.counters))
    })
    const pauses = Stream.map(
      importer.pauses,
      (pause) => new Events.RateLimitedUntil({ untilMillis: pause.untilMillis, cause: pause.cause })
    )
    return Stream.merge(jobs.pipe(settle(importer)), pauses, { haltStrategy: "left" }).pipe(
      Stream.concat(Stream.fromEffect(end))
    )
  }))
