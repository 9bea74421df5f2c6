/**
 * The `settle` stage: each accepted job is awaited (`BulkJob.awaitResults`, or the caller's `awaitJob`) and its
 * items get one outcome each, with bounded concurrency. A job that does not finish in time, or whose results
 * cannot be read, leaves its items `Unknown` with the job id — never `Failed`. The rate limiter's pauses are
 * merged in as they start; when every job is settled the journal is told the run finished and `Finished` (the
 * request counts) comes last.
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
import { emitting } from "../emitting.js"
import type { Importer, Submitted } from "./importer.js"
import { isEvent, type SubmittedJob } from "./stageValues.js"
import { failedItem, unknownItem } from "./submit.js"

type Emit = (value: Events.ImportEvent) => Effect.Effect<void>
type EmitAll = (values: Iterable<Events.ImportEvent>) => Effect.Effect<void>

/**
 * The outcome of one item from its verdict. `createdEarlier`: the chunk was sent again after a request whose answer
 * was lost, and that request is taken to have created its items, so a duplicate is `Created` without a job: most
 * likely this import's, though one that existed before may sit in the same chunk (undetermined: see `Created`).
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
  // A few look-ups of existing objects at a time; without them every outcome is at hand, and forking a fiber per
  // item would cost more than the item.
  const lookingUp = importer.settings.resolveExisting &&
    job.chunk.items.some((item) => verdicts.get(item.clientRef)?._tag === "Duplicate")
  return Effect.forEach(
    job.chunk.items,
    (item) => outcomeOf(importer, job, item, verdicts.get(item.clientRef), missing, createdEarlier),
    lookingUp ? { concurrency: 4 } : undefined
  )
}

/**
 * How `settle` waits for a job's results: given the job and the reading options the import would use (its first-read
 * delay, poll schedule, timeout, retries and counting), the reading that holds every item's verdict; a
 * `JobTimedOut` failure leaves the items `Unknown`.
 */
export type AwaitJob = (
  job: SubmittedJob,
  options: BulkJob.AwaitOptions
) => Effect.Effect<BulkJob.Reading, KustomerError, KustomerClient>

/** The default: `BulkJob.awaitResults`. */
export const awaitResults: AwaitJob = (job, options) => BulkJob.awaitResults(job.jobId, options)

/** Waits for a job's results and settles its items. */
const settleJob = (importer: Importer, job: Submitted, emit: Emit, emitAll: EmitAll, awaitJob: AwaitJob) =>
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
    const awaited = yield* awaitJob(job, {
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
    yield* emitAll(outcomes)
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

/** Options of the `settle` stage. */
export interface SettleOptions {
  /** How each job's results are awaited. Default: `BulkJob.awaitResults`. */
  readonly awaitJob?: AwaitJob | undefined
}

/** The end of a run: every chunk formed was submitted, the journal is told, and the request counts close it. */
const finish = (importer: Importer) =>
  Effect.gen(function*() {
    // A source that failed ends the records early: the caller fails the run after what was sent is settled.
    if (yield* Ref.get(importer.sourceFailed)) return Option.none<Events.ImportEvent>()
    const missing = yield* importer.ledger.missing
    if (missing.length > 0) {
      return yield* Effect.dieMessage(
        `chunks ${missing.join(", ")} were formed by BulkImport.chunk but never reached BulkImport.submit: ` +
          "their records would be neither sent nor reported. Drop records before BulkImport.validate"
      )
    }
    yield* importer.journal.finished
    return Option.some<Events.ImportEvent>(new Events.Finished(yield* Ref.get(importer.counters)))
  })

/**
 * The `settle` stage: accepted jobs in, one outcome per item out (progress events and the rate limiter's pauses on
 * the way), `Finished` last.
 */
export const settle = (importer: Importer, options: SettleOptions = {}) =>
<A extends Events.ImportEvent, E, R>(
  jobs: Stream.Stream<Submitted | A, E, R>
): Stream.Stream<Events.ImportEvent | A, E | KustomerError | Checkpoint.CheckpointError, R> => {
  const awaitJob = options.awaitJob ?? awaitResults
  const settled = Stream.flatMap(
    jobs,
    (value) =>
      isEvent(value)
        ? Stream.succeed(value)
        : emitting<Events.ImportEvent, KustomerError | Checkpoint.CheckpointError, never>((emit, emitAll) =>
          settleJob(importer, value, emit, emitAll, awaitJob)
        ),
    { concurrency: importer.settings.maxJobsInFlight }
  )
  const pauses = Stream.map(
    importer.pauses,
    (pause) => new Events.RateLimitedUntil({ untilMillis: pause.untilMillis, cause: pause.cause })
  )
  return Stream.merge(settled, pauses, { haltStrategy: "left" }).pipe(
    Stream.concat(Stream.filterMap(Stream.fromEffect(finish(importer)), (last) => last))
  )
}
