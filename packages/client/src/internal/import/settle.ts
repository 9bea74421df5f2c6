/**
 * The `settle` stage: each accepted job is awaited (`BulkJob.awaitResults`) and its items get one outcome each,
 * with bounded concurrency. A job that does not finish in time, or whose results cannot be read, leaves its items
 * `Unknown` with the job id — never `Failed`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as BulkJob from "../../BulkJob.js"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import * as Events from "../../ImportEvent.js"
import { KustomerClient } from "../../KustomerClient.js"
import { isFatal, type KustomerError } from "../../KustomerError.js"
import { emitting } from "./emitting.js"
import type { Importer, Submitted } from "./importer.js"
import { isEvent } from "./prepare.js"
import { failedItem, unknownItem } from "./submit.js"

type Emit = (value: Events.ImportEvent) => Effect.Effect<void>

/**
 * The outcome of one item from its verdict. `createdEarlier`: the chunk was sent again after a request whose answer
 * was lost, and that request created its items, so a duplicate is an object this import created.
 */
const outcomeOf = (
  importer: Importer,
  job: Submitted,
  item: Checkpoint.ChunkItem,
  verdict: BulkJob.Verdict | undefined,
  missing: string,
  createdEarlier: boolean
): Effect.Effect<Events.Outcome> => {
  if (verdict === undefined) return Effect.succeed(unknownItem(item, job.jobId, missing))
  switch (verdict._tag) {
    case "Created":
      return Effect.succeed(
        new Events.Created({
          position: item.position,
          clientRef: item.clientRef,
          externalId: item.externalId,
          objectId: verdict.objectId,
          jobId: job.jobId
        })
      )
    case "Failed":
      return Effect.succeed(failedItem(item, job.jobId, verdict.error))
    case "Strange":
      return Effect.succeed(unknownItem(item, job.jobId, verdict.detail))
    case "Duplicate": {
      const externalId = item.externalId
      if (externalId === undefined) return Effect.succeed(failedItem(item, job.jobId, verdict.error))
      const lookup = importer.settings.resolveExisting
        ? importer.resolveExisting(externalId)
        : Effect.succeed(undefined)
      return Effect.map(lookup, (objectId): Events.Outcome =>
        createdEarlier
          ? new Events.Created({
            position: item.position,
            clientRef: item.clientRef,
            externalId,
            objectId,
            jobId: undefined
          })
          : new Events.AlreadyExisting({ position: item.position, clientRef: item.clientRef, externalId, objectId }))
    }
  }
}

/**
 * Whether the request whose answer was lost created the items of a chunk sent again: the resend created none of
 * them (a job creates every valid item it holds, so had the lost request not been processed, the resend would
 * have created them) and found some as duplicates. When the resend created some, the lost request created
 * nothing, and its duplicates existed before the import.
 */
const lostRequestCreated = (job: Submitted, verdicts: ReadonlyMap<string, BulkJob.Verdict>) => {
  if (!job.resent) return false
  const tags = job.chunk.items.map((item) => verdicts.get(item.clientRef)?._tag)
  return tags.includes("Duplicate") && !tags.includes("Created")
}

/** Outcomes from the verdicts of a finished (or abandoned) job. */
const outcomesOf = (
  importer: Importer,
  job: Submitted,
  verdicts: ReadonlyMap<string, BulkJob.Verdict>,
  missing: string
) => {
  const createdEarlier = lostRequestCreated(job, verdicts)
  return Effect.forEach(
    job.chunk.items,
    (item) => outcomeOf(importer, job, item, verdicts.get(item.clientRef), missing, createdEarlier),
    { concurrency: 4 }
  )
}

/** Waits for a job's results and settles its items. */
const settleJob = (importer: Importer, job: Submitted, emit: Emit) =>
  Effect.gen(function*() {
    const { settings } = importer
    const last = yield* Ref.make(Option.none<BulkJob.Reading>())
    const onReading = (reading: BulkJob.Reading) =>
      Effect.gen(function*() {
        const previous = yield* Ref.getAndSet(last, Option.some(reading))
        const unchanged = Option.isSome(previous) && previous.value.batchesComplete === reading.batchesComplete &&
          previous.value.batchesTotal === reading.batchesTotal
        if (unchanged) return
        yield* emit(
          new Events.JobProgress({
            chunk: job.chunk.chunk,
            jobId: job.jobId,
            complete: reading.batchesComplete,
            total: reading.batchesTotal
          })
        )
      })
    const awaited = yield* BulkJob.awaitResults(job.jobId, {
      items: job.chunk.items,
      submittedAt: job.submittedAt,
      firstRead: importer.firstRead,
      schedule: settings.pollSchedule,
      timeout: settings.jobTimeout,
      readWith: (read) => importer.retry(Effect.zipRight(importer.bump("polls"), read), { write: false }),
      onReading
    }).pipe(Effect.provideService(KustomerClient, importer.client), Effect.either)
    const outcomes = yield* Either.match(awaited, {
      onRight: (reading) =>
        outcomesOf(importer, job, reading.verdicts, "the job completed without a result for this item"),
      onLeft: (error) => abandoned(importer, job, error, last, emit)
    })
    yield* importer.record(outcomes, job.chunk.chunk)
    yield* Effect.forEach(outcomes, emit, { discard: true })
  }).pipe(
    Effect.ensuring(
      Effect.flatMap(Clock.currentTimeMillis, (now) => importer.window.release(now - job.submittedAt))
    ),
    Effect.withSpan("BulkImport.awaitJob", {
      attributes: { "kustomer.chunk": job.chunk.chunk, "kustomer.job": job.jobId }
    })
  )

/** The outcomes of a job that timed out or could not be read; a fatal error ends the import instead. */
const abandoned = (
  importer: Importer,
  job: Submitted,
  error: KustomerError,
  last: Ref.Ref<Option.Option<BulkJob.Reading>>,
  emit: Emit
): Effect.Effect<ReadonlyArray<Events.Outcome>, KustomerError> =>
  Effect.gen(function*() {
    if (isFatal(error)) return yield* Effect.fail(error)
    if (error.reason._tag !== "JobTimedOut") {
      const reason = `the job's results could not be read: ${error.message}`
      return job.chunk.items.map((item) => unknownItem(item, job.jobId, reason))
    }
    const timeout = importer.settings.jobTimeout
    yield* emit(new Events.JobTimedOut({ chunk: job.chunk.chunk, jobId: job.jobId, waited: error.reason.waited }))
    const reading = yield* Ref.get(last)
    const verdicts = Option.isSome(reading) && reading.value.allComplete ? reading.value.verdicts : new Map()
    return yield* outcomesOf(
      importer,
      job,
      verdicts,
      `job ${job.jobId} did not complete within ${Duration.format(timeout)}; ` +
        "it may still complete: resume the import to read its results"
    )
  })

/** The `settle` stage: accepted jobs in, one outcome per item out (progress events on the way). */
export const settle = (importer: Importer) =>
<A extends Events.ImportEvent, E, R>(
  jobs: Stream.Stream<Submitted | A, E, R>
): Stream.Stream<Events.ImportEvent | A, E | KustomerError | Checkpoint.CheckpointError, R> =>
  Stream.flatMap(
    jobs,
    (value) =>
      isEvent(value)
        ? Stream.succeed(value)
        : emitting<Events.ImportEvent, KustomerError | Checkpoint.CheckpointError, never>((emit) =>
          settleJob(importer, value, emit)
        ),
    { concurrency: importer.settings.maxJobsInFlight }
  )
