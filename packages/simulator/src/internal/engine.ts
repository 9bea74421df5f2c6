/**
 * The job engine: a fixed pool of workers takes jobs from an unbounded queue, so under load jobs wait `queued`
 * for a free worker. Every delay is an `Effect.sleep`, so `TestClock` drives jobs in tests, and a job latency drawn
 * from a range comes from the `Random` service the workers were forked with, so a seeded one repeats its draws.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import type { SimulatorConfig } from "../SimulatorConfig.js"
import type { JobRecord } from "./jobs.js"
import type { SimulatorState } from "./state.js"

const sleepUnlessZero = (duration: Duration.Duration): Effect.Effect<void> =>
  Duration.isZero(duration) ? Effect.void : Effect.sleep(duration)

/**
 * This job's latency: the configured one, or when a range is configured, a uniform draw of whole milliseconds
 * between its ends (both included) from the fiber's `Random` service. A fixed latency draws nothing, so it leaves
 * the sequence as it was.
 */
const drawJobLatency = (config: SimulatorConfig): Effect.Effect<Duration.Duration> => {
  const min = Math.round(Duration.toMillis(config.jobLatency))
  const max = Math.round(Duration.toMillis(config.jobLatencyMax))
  return max > min
    ? Effect.map(Random.nextIntBetween(min, max + 1), (millis) => Duration.millis(millis))
    : Effect.succeed(config.jobLatency)
}

/** Runs one job to completion: running, optional stall, job latency, then each batch after its item latency. */
const runJob = (state: SimulatorState, job: JobRecord): Effect.Effect<void> =>
  Effect.gen(function*() {
    const config = state.config
    const startedAt = yield* Clock.currentTimeMillis
    state.jobs.start(job, startedAt)
    if (job.stalled) yield* sleepUnlessZero(config.faults.stallDuration)
    yield* sleepUnlessZero(yield* drawJobLatency(config))
    for (const batch of job.batches) {
      yield* sleepUnlessZero(Duration.times(config.itemLatency, batch.end - batch.start))
      const now = yield* Clock.currentTimeMillis
      state.jobs.runBatch(job, batch, now)
    }
    const finishedAt = yield* Clock.currentTimeMillis
    state.jobs.finish(job, finishedAt)
  })

/**
 * Starts the worker pool in the current scope and returns the function that enqueues an accepted job.
 *
 * One dispatcher takes the jobs in arrival order and hands each to a free worker (a permit of `workers`), so a job
 * waits `queued` until one is free. The pool is not a fiber per worker waiting on the queue: a queue removes an
 * interrupted taker by copying its list of takers, so closing thousands of them would take minutes of CPU.
 */
export const start = (
  state: SimulatorState
): Effect.Effect<(job: JobRecord) => Effect.Effect<void>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Effect.acquireRelease(Queue.unbounded<JobRecord>(), (queue) => Queue.shutdown(queue))
    const freeWorkers = yield* Effect.makeSemaphore(state.config.workers)
    const running = yield* FiberSet.make()
    const runOnFreeWorker = (job: JobRecord) =>
      Effect.zipRight(
        freeWorkers.take(1),
        FiberSet.run(running, Effect.ensuring(runJob(state, job), freeWorkers.release(1)))
      )
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(queue), (job) => runOnFreeWorker(job))))
    return (job: JobRecord) => Effect.asVoid(Queue.offer(queue, job))
  })
