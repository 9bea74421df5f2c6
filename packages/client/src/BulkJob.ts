/**
 * A bulk job after its submission: await it on a `Schedule`, read every page of its batch results, and map them
 * to one verdict per item by `_clientRef` (with `BatchResults.read`). Works on any job id — one this process
 * submitted, or one read from a journal or the command line.
 *
 * @since 0.1.0
 */
import { BulkJob as BulkJobDocument, type Ids } from "@effect-kustomer/domain"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import * as BatchResults from "./BatchResults.js"
import { emitting } from "./internal/emitting.js"
import { KustomerClient } from "./KustomerClient.js"
import { JobTimedOut, KustomerError } from "./KustomerError.js"
import * as KustomerSchedule from "./KustomerSchedule.js"
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * What the batches say about one item (see `BatchResults.Verdict`).
 *
 * @since 0.1.0
 */
export type Verdict = BatchResults.Verdict

/**
 * Progress and verdicts read from a job's batches (see `BatchResults.Reading`).
 *
 * @since 0.1.0
 */
export type Reading = BatchResults.Reading

/**
 * Reads a job's status and every page of its batches, once.
 *
 * @since 0.1.0
 */
export const read = (jobId: Ids.BulkJobId): Effect.Effect<
  { readonly job: BulkJobDocument.BulkJobDocument; readonly batches: BulkJobDocument.BatchListDocument },
  KustomerError,
  KustomerClient
> =>
  Effect.flatMap(
    KustomerClient,
    (client) =>
      Effect.all({ job: client.getBulkJob(jobId), batches: client.getBulkJobBatches(jobId) }, { concurrency: 2 })
  )

/**
 * When a job's first read is due, shared by the jobs of one import. A read too early costs a unit of the org's
 * budget and one too late only time, so the delay shrinks slowly after a read that found the job finished, and
 * after one that did not grows to the time that job has proved to need.
 *
 * @since 0.1.0
 */
export interface FirstRead {
  /** The current delay after submission, in milliseconds. */
  readonly delayMillis: Effect.Effect<number>
  /**
   * Learns from a job's first read: whether it was finished, how long after submission it happened, and when the
   * job was submitted (epoch milliseconds; it moves the latest submission known finished, see `probe`).
   */
  readonly learn: (finished: boolean, elapsedMillis: number, submittedAtMillis?: number) => Effect.Effect<void>
  /**
   * Runs a job's first read (submitted at `submittedAtMillis`). Until a read has found a job finished, one job at a
   * time: what its read teaches (a longer delay) reaches the jobs behind it before they spend a request to learn
   * the same. Then the reads of jobs submitted after the latest one found finished go a few at a time (a job
   * submitted before it is likely finished too: the API takes jobs in order of submission), so that a burst of
   * first reads released together — by the budget's reset — spends only a few requests on jobs still running
   * before one of them raises the delay for the rest.
   */
  readonly probe: <A, E, R>(firstRead: Effect.Effect<A, E, R>, submittedAtMillis?: number) => Effect.Effect<A, E, R>
  /** A read found a job finished (its first or a later one): first reads need no longer go one at a time. */
  readonly sawFinished: Effect.Effect<void>
}

/** A first read that happened within this factor of the delay was on time (the rest is the read's own round trip). */
const onTimeFactor = 1.25

/**
 * Options of {@link makeFirstRead}.
 *
 * @since 0.1.0
 */
export interface FirstReadOptions {
  /**
   * How many first reads of jobs submitted after the latest one found finished may be in flight at once (waiting
   * for the budget included). Default 8.
   */
  readonly ahead?: number | undefined
}

/**
 * Runs `read` through the gate `gateNow` names, choosing again once through it: a job that waited one at a time
 * while another's read found its job finished goes on as the reads after it do, rather than keep the rest of the
 * start-up burst one at a time.
 */
const probeThrough = <A, E, R>(
  read: Effect.Effect<A, E, R>,
  gateNow: Effect.Effect<Effect.Semaphore | undefined>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(gateNow, (gate) =>
    gate === undefined
      ? read
      : Effect.flatMap(
        gate.withPermits(1)(
          Effect.flatMap(gateNow, (now) => now === gate ? Effect.asSome(read) : Effect.succeedNone)
        ),
        (done) =>
          Option.match(done, {
            onNone: () => probeThrough(read, gateNow),
            onSome: (value) => Effect.succeed(value)
          })
      ))

/**
 * An adaptive {@link FirstRead} starting at `initial`.
 *
 * @since 0.1.0
 */
export const makeFirstRead = (
  initial: Duration.DurationInput,
  options: FirstReadOptions = {}
): Effect.Effect<FirstRead> =>
  Effect.gen(function*() {
    const delay = yield* Ref.make(Duration.toMillis(Duration.decode(initial)))
    const seenFinished = yield* Ref.make(false)
    // The latest submission (epoch milliseconds) whose job a first read found finished.
    const frontier = yield* Ref.make(Number.NEGATIVE_INFINITY)
    const oneAtATime = yield* Effect.makeSemaphore(1)
    const ahead = yield* Effect.makeSemaphore(Math.max(1, options.ahead ?? 8))
    // The gate a first read goes through now: one at a time before any job was found finished; then a few at a time
    // for a job submitted after the latest one found finished; none for the others.
    const gateFor = (submittedAtMillis: number | undefined) =>
      Effect.map(Effect.all([Ref.get(seenFinished), Ref.get(frontier)]), ([seen, latest]) => {
        if (!seen) return oneAtATime
        return submittedAtMillis === undefined || submittedAtMillis <= latest ? undefined : ahead
      })
    const firstRead: FirstRead = {
      delayMillis: Ref.get(delay),
      // Growing from the job's own elapsed time rather than compounding the shared delay keeps a burst of jobs that
      // miss together (a backlog behind the API's workers) from pushing every later first read to the cap. Only a
      // read about on time shrinks it: a read held back (by a spent budget, or behind the probe) that finds its job
      // finished says nothing about an earlier one, and a window's worth of them at once would otherwise halve the
      // delay (0.995^150) and send the next jobs' first reads too early.
      learn: (finished, elapsedMillis, submittedAtMillis) =>
        Effect.zipRight(
          finished
            ? Effect.zipRight(
              Ref.set(seenFinished, true),
              submittedAtMillis === undefined
                ? Effect.void
                : Ref.update(frontier, (latest) => Math.max(latest, submittedAtMillis))
            )
            : Effect.void,
          Ref.update(delay, (current) =>
            finished
              ? elapsedMillis <= current * onTimeFactor ? Math.max(200, current * 0.995) : current
              : Math.max(current, Math.min(30_000, elapsedMillis * 1.3)))
        ),
      sawFinished: Ref.set(seenFinished, true),
      probe: (read, submittedAtMillis) => probeThrough(read, gateFor(submittedAtMillis))
    }
    return firstRead
  })

/**
 * Options of {@link awaitResults}.
 *
 * @since 0.1.0
 */
export interface AwaitOptions {
  /** The items submitted, by `_clientRef`: the job is finished when each has a verdict. Default: none known. */
  readonly items?: ReadonlyArray<{ readonly clientRef: string }> | undefined
  /** When the job was submitted (epoch milliseconds). Default: now. */
  readonly submittedAt?: number | undefined
  /** When the first read is due after submission. Default 2 s. */
  readonly firstRead?: FirstRead | Duration.DurationInput | undefined
  /**
   * Delays between later reads; each also waits until the job is as old as the first-read delay (which other jobs'
   * misses may have raised). Default `KustomerSchedule.pollJob`.
   */
  readonly schedule?: Schedule.Schedule<unknown> | undefined
  /** How long the job may take before {@link awaitResults} fails with `JobTimedOut`. Default 10 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Runs each read: retries and counting. Default: `RetryPolicy.retry` on `KustomerSchedule.retryTransient`. */
  readonly readWith?: (<A>(read: Effect.Effect<A, KustomerError>) => Effect.Effect<A, KustomerError>) | undefined
  /** Sees every reading as it arrives. */
  readonly onReading?: ((reading: Reading) => Effect.Effect<void>) | undefined
}

interface ReadOutcome {
  readonly reading: Reading
  readonly finished: boolean
  readonly elapsed: number
}

const defaultReadWith = <A>(read: Effect.Effect<A, KustomerError>) =>
  RetryPolicy.retry(read, { schedule: KustomerSchedule.retryTransient, maxRateLimitRetries: 50, write: false })

const isFirstRead = (value: AwaitOptions["firstRead"]): value is FirstRead =>
  typeof value === "object" && value !== null && "learn" in value

/**
 * A job's readings as a stream, as {@link awaitResults} makes them: each reading of its batches as it arrives, the
 * last one holding every item's verdict; fails with `JobTimedOut` (keeping the job id) when `timeout` passes first.
 *
 * @since 0.1.0
 */
export const readings = (
  jobId: Ids.BulkJobId,
  options: AwaitOptions = {}
): Stream.Stream<Reading, KustomerError, KustomerClient> =>
  emitting<Reading, KustomerError, KustomerClient>((emit) =>
    Effect.asVoid(awaitResults(jobId, {
      ...options,
      onReading: (reading) =>
        Effect.zipRight(options.onReading === undefined ? Effect.void : options.onReading(reading), emit(reading))
    }))
  )

/**
 * Waits for a job's results: the first read when it is due, then reads on `schedule` (none before the first-read
 * delay, which may have grown meanwhile) until every item has a verdict and every batch is complete (a job whose
 * batches are all complete yet miss items is asked for its status). Fails with a `JobTimedOut` reason, keeping the
 * job id, when `timeout` passes first.
 *
 * @since 0.1.0
 */
export const awaitResults = (
  jobId: Ids.BulkJobId,
  options: AwaitOptions = {}
): Effect.Effect<Reading, KustomerError, KustomerClient> =>
  Effect.gen(function*() {
    const client = yield* KustomerClient
    const readWith = options.readWith ?? defaultReadWith
    const items = options.items ?? []
    const submittedAt = options.submittedAt ?? (yield* Clock.currentTimeMillis)
    const timeoutMillis = Duration.toMillis(Duration.decode(options.timeout ?? Duration.minutes(10)))
    const firstRead = isFirstRead(options.firstRead)
      ? options.firstRead
      : yield* makeFirstRead(options.firstRead ?? Duration.seconds(2))
    const elapsed = Effect.map(Clock.currentTimeMillis, (now) => now - submittedAt)

    // The delay may grow while this job sleeps (a job submitted just before it was found unfinished): then it
    // waits longer too, instead of spending a request to find out the same.
    const untilDue = Effect.gen(function*() {
      let due = Math.min(yield* firstRead.delayMillis, timeoutMillis) - (yield* elapsed)
      while (due > 0) {
        yield* Effect.sleep(Duration.millis(Math.ceil(due)))
        due = Math.min(yield* firstRead.delayMillis, timeoutMillis) - (yield* elapsed)
      }
    })

    const readOnce: Effect.Effect<ReadOutcome, KustomerError> = Effect.gen(function*() {
      const reading = BatchResults.read(yield* readWith(client.getBulkJobBatches(jobId)), items)
      if (options.onReading !== undefined) yield* options.onReading(reading)
      const covered = items.length > 0 && items.every((item) => reading.verdicts.has(item.clientRef))
      const finished = (covered && reading.allComplete) ||
        (reading.allComplete && BulkJobDocument.isComplete((yield* readWith(client.getBulkJob(jobId))).data))
      return { reading, finished, elapsed: yield* elapsed }
    })

    // Later reads on the schedule, the last one exactly at the timeout.
    const cadence: Schedule.Schedule<unknown, ReadOutcome> = (options.schedule ?? KustomerSchedule.pollJob).pipe(
      Schedule.andThen(Schedule.spaced(Duration.millis(timeoutMillis))),
      Schedule.modifyDelayEffect((_out, delay) =>
        Effect.map(elapsed, (spent) =>
          Duration.millis(Math.max(1, Math.ceil(Math.min(Duration.toMillis(delay), timeoutMillis - spent)))))
      )
    )
    // The first read goes through the probe, and is learnt from inside it. Inside, the job checks again that it is
    // due: while it waited for the probe, an earlier job's read may have raised the delay; then it leaves the probe
    // and sleeps again, rather than sleep holding it.
    const dueIn = Effect.map(
      Effect.all([firstRead.delayMillis, elapsed]),
      ([delay, spent]) =>
        Math.min(delay, timeoutMillis) - spent
    )
    const probed = firstRead.probe(
      Effect.flatMap(dueIn, (due) =>
        due > 0
          ? Effect.succeedNone
          : readOnce.pipe(
            Effect.tap((outcome) => firstRead.learn(outcome.finished, outcome.elapsed, submittedAt)),
            Effect.asSome
          )),
      submittedAt
    )
    const readFirst: Effect.Effect<ReadOutcome, KustomerError> = Effect.zipRight(
      untilDue,
      Effect.flatMap(probed, (outcome) =>
        Option.match(outcome, {
          onNone: () => readFirst,
          onSome: (read) => Effect.succeed(read)
        }))
    )
    const firstDone = yield* Ref.make(false)
    // A later read, after the schedule's wait, also waits for the shared delay (never past the timeout): a miss
    // raised it to 1.3 × that job's elapsed time, and a job queued behind the same backlog at the API is likely to
    // need about as long, so it waits for that instead of spending requests on the schedule's short first steps.
    const readNext = Effect.flatMap(Ref.getAndSet(firstDone, true), (done) =>
      done
        ? Effect.zipRight(untilDue, readOnce)
        : readFirst)
    const last = yield* readNext.pipe(
      Effect.repeat({
        schedule: Schedule.passthrough(cadence),
        until: (outcome) => outcome.finished || outcome.elapsed >= timeoutMillis
      })
    )
    if (last.finished) {
      yield* firstRead.sawFinished
      return last.reading
    }
    return yield* Effect.fail(
      new KustomerError({
        module: "BulkJob",
        method: "awaitResults",
        reason: new JobTimedOut({
          jobId,
          waited: Duration.millis(last.elapsed),
          lastStatus: `at ${last.reading.batchesComplete}/${last.reading.batchesTotal} batches complete`
        })
      })
    )
  }).pipe(Effect.withSpan("BulkJob.awaitResults", { attributes: { "kustomer.job": jobId } }))
