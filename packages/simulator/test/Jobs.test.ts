/** Job progress on the TestClock, through the in-process client: latency, batches, the worker pool, stalls. */
import { BulkJob, BulkResource } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { at, conversations, inProcessApi } from "./utils.js"

const decodeJob = Schema.decodeUnknownSync(BulkJob.BulkJobDocument)
const decodeBatches = Schema.decodeUnknownSync(BulkJob.BatchListDocument)

const run = <A, E>(
  options: SimulatorConfig.SimulatorOptions,
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>
) => Effect.provide(effect, SimulatorClient.layerSimulator(options))

const submit = (count: number, prefix: string) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const simulator = yield* Simulator.Simulator
    const reply = yield* api.post(BulkResource.Conversations.bulkPath, {
      json: conversations(simulator.customerIds[0] ?? "", count, prefix)
    })
    assert.strictEqual(reply.status, 201)
    return decodeJob(reply.body).data.id
  })

const progress = (jobId: string) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const reply = yield* api.get(`/v1/bulk/${jobId}`)
    const attributes = BulkJob.attributesOf(decodeJob(reply.body).data)
    return {
      status: attributes?.status,
      completed: attributes?.completed,
      batches: attributes?.batches,
      updatedAt: attributes?.updatedAt
    }
  })

const batchStatuses = (jobId: string) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const reply = yield* api.get(`/v1/bulk/${jobId}/batches`)
    return decodeBatches(reply.body).data.map((batch) => batch.attributes.status)
  })

describe("jobs (TestClock)", () => {
  it.effect("move queued → running → complete, one batch at a time, on the Clock", () =>
    run(
      { workers: 1, batchSize: 10, jobLatency: "1 second", itemLatency: "100 millis" },
      Effect.gen(function*() {
        const first = yield* submit(25, "a")
        const second = yield* submit(5, "b")
        yield* TestClock.adjust(0)
        // One worker: the first job runs, the second waits.
        assert.deepStrictEqual(yield* progress(first), {
          status: "running",
          completed: false,
          batches: { complete: 0, total: 3 },
          updatedAt: "1970-01-01T00:00:00.000Z"
        })
        assert.deepStrictEqual(yield* batchStatuses(first), ["scheduled", "scheduled", "scheduled"])
        assert.strictEqual((yield* progress(second)).status, "queued")
        assert.deepStrictEqual(yield* batchStatuses(second), ["queued"])

        // 1 s job latency + 10 × 100 ms for the first batch.
        yield* TestClock.adjust("1999 millis")
        assert.deepStrictEqual((yield* progress(first)).batches, { complete: 0, total: 3 })
        yield* TestClock.adjust("1 millis")
        const afterFirstBatch = yield* progress(first)
        assert.deepStrictEqual(afterFirstBatch.batches, { complete: 1, total: 3 })
        assert.strictEqual(afterFirstBatch.updatedAt, "1970-01-01T00:00:02.000Z")
        assert.deepStrictEqual(yield* batchStatuses(first), ["complete", "scheduled", "scheduled"])

        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual((yield* progress(first)).batches, { complete: 2, total: 3 })
        // The last batch has 5 items.
        yield* TestClock.adjust("500 millis")
        assert.deepStrictEqual(yield* progress(first), {
          status: "complete",
          completed: true,
          batches: { complete: 3, total: 3 },
          updatedAt: "1970-01-01T00:00:03.500Z"
        })
        // The worker is free: the second job starts now and needs 1 s + 0.5 s.
        assert.strictEqual((yield* progress(second)).status, "running")
        yield* TestClock.adjust("1500 millis")
        assert.strictEqual((yield* progress(second)).status, "complete")
        const simulator = yield* Simulator.Simulator
        assert.strictEqual((yield* simulator.stats).conversations.stored, 30)
      })
    ))

  it.effect("a bounded worker pool makes a backlog under load", () =>
    run(
      { workers: 2, jobLatency: "1 second", itemLatency: 0 },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const ids = yield* Effect.forEach([0, 1, 2, 3, 4], (index) => submit(1, `job${index}`))
        yield* TestClock.adjust(0)
        assert.deepStrictEqual((yield* simulator.stats).jobs, { created: 5, queued: 3, running: 2, complete: 0 })
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual((yield* simulator.stats).jobs, { created: 5, queued: 1, running: 2, complete: 2 })
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual((yield* simulator.stats).jobs, { created: 5, queued: 0, running: 1, complete: 4 })
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual((yield* simulator.stats).jobs, { created: 5, queued: 0, running: 0, complete: 5 })
        const snapshots = yield* simulator.jobs
        assert.deepStrictEqual(snapshots.map((job) => job.id), ids)
        assert.deepStrictEqual(snapshots.map((job) => job.updatedAtMillis), [1000, 1000, 2000, 2000, 3000])
      })
    ))

  it.effect("jobs draw their latency from a range: each its own, within it, the same for the same seed", () => {
    const latencies = { min: "1 second", max: "3 seconds" } as const
    /** When each of 12 jobs submitted together completes, in ms after the submissions, with `seed`'s draws. */
    const finishTimes = (seed: number) =>
      run(
        { workers: 12, jobLatency: latencies, itemLatency: 0 },
        Effect.gen(function*() {
          const simulator = yield* Simulator.Simulator
          const submittedAt = yield* TestClock.currentTimeMillis
          yield* Effect.forEach([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], (index) => submit(1, `range${index}`))
          yield* TestClock.adjust("999 millis")
          assert.strictEqual((yield* simulator.stats).jobs.complete, 0)
          yield* TestClock.adjust("2001 millis")
          assert.strictEqual((yield* simulator.stats).jobs.complete, 12)
          const snapshots = yield* simulator.jobs
          return snapshots.map((job) => job.updatedAtMillis - submittedAt)
        })
      ).pipe(Effect.withRandom(Random.make(seed)))
    return Effect.gen(function*() {
      const first = yield* finishTimes(7)
      for (const time of first) {
        assert.isTrue(time >= 1000 && time <= 3000, `${time} ms is outside 1–3 s`)
      }
      assert.isAtLeast(new Set(first.map((time) => Math.floor(time / 100))).size, 6, `too alike: ${first}`)
      assert.isAtLeast(Math.max(...first) - Math.min(...first), 1000, `too narrow: ${first}`)
      assert.deepStrictEqual(yield* finishTimes(7), first)
      assert.notDeepEqual(yield* finishTimes(8), first)
    })
  })

  it.effect("queued on a bounded pool, a job with a drawn latency completes when a worker frees for it plus its draw", () => {
    const latencies = { min: "3 seconds", max: "8 seconds" } as const
    const count = 10
    /** When each of `count` jobs submitted together completes, on `workers` workers, with seed 11's draws. */
    const finishTimes = (workers: number) =>
      run(
        { workers, jobLatency: latencies, itemLatency: 0 },
        Effect.gen(function*() {
          const simulator = yield* Simulator.Simulator
          const submittedAt = yield* TestClock.currentTimeMillis
          yield* Effect.forEach(Array.from({ length: count }, (_, index) => index), (index) => submit(1, `q${index}`))
          yield* TestClock.adjust("1 minute")
          assert.strictEqual((yield* simulator.stats).jobs.complete, count)
          return (yield* simulator.jobs).map((job) => job.updatedAtMillis - submittedAt)
        })
      ).pipe(Effect.withRandom(Random.make(11)))
    return Effect.gen(function*() {
      // With a worker each, a job's completion is its own draw; the workers take jobs in order, so the draws come
      // in the same order on a pool of 3.
      const draws = yield* finishTimes(count)
      const free = [0, 0, 0]
      const expected = draws.map((draw) => {
        const worker = free.indexOf(Math.min(...free))
        free[worker] = (free[worker] ?? 0) + draw
        return free[worker] ?? 0
      })
      const queued = yield* finishTimes(3)
      assert.deepStrictEqual(queued, expected)
      // Jobs behind others finish later than their draw alone: the 4th waits for the first worker to free.
      assert.isAbove(queued[3] ?? 0, draws[3] ?? 0)
      assert.isAtLeast(Math.max(...queued), 3 * 3_000)
    })
  })

  it.effect("a pool of 100,000 workers runs jobs side by side and closes at once", () =>
    // A fiber per worker waiting on the queue made closing quadratic in the pool's size (minutes of CPU after
    // Ctrl+C with the benchmarks' 10,000 workers); this run would then outlast the test's timeout.
    run(
      { workers: 100_000, jobLatency: "1 second", itemLatency: 0 },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const ids = yield* Effect.forEach([0, 1, 2], (index) => submit(1, `pool${index}`))
        yield* TestClock.adjust(0)
        const statuses = yield* Effect.forEach(ids, (id) => Effect.map(progress(id), (job) => job.status))
        assert.deepStrictEqual(statuses, ["running", "running", "running"])
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* simulator.stats).jobs.complete, 3)
      })
    ))

  it.effect("a fixed latency draws nothing from Random", () => {
    const random = Random.make(3)
    return run(
      { workers: 2, jobLatency: "1 second", itemLatency: 0 },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        yield* Effect.forEach([0, 1], (index) => submit(1, `fixed${index}`))
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual((yield* simulator.jobs).map((job) => job.updatedAtMillis), [1000, 1000])
        assert.strictEqual(yield* random.next, yield* Random.make(3).next)
      })
    ).pipe(Effect.withRandom(random))
  })

  it.effect("a stalled job stays running for the configured time, then completes", () =>
    run(
      { jobLatency: 0, itemLatency: 0, faults: { stallRate: 1, stallDuration: "30 seconds" } },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const id = yield* submit(2, "stall")
        yield* TestClock.adjust("29 seconds")
        assert.deepStrictEqual(yield* progress(id), {
          status: "running",
          completed: false,
          batches: { complete: 0, total: 1 },
          updatedAt: "1970-01-01T00:00:00.000Z"
        })
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* progress(id)).status, "complete")
        const stats = yield* simulator.stats
        assert.strictEqual(stats.faults.stalled_job, 1)
        const job = yield* simulator.job(id)
        assert.isTrue(job._tag === "Some" && job.value.stalled)
      })
    ))

  it.effect("completed batches carry completedAt; pending ones have null", () =>
    run(
      { workers: 1, batchSize: 1, jobLatency: 0, itemLatency: "1 second" },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const id = yield* submit(2, "stamp")
        yield* TestClock.adjust("1 second")
        const reply = yield* api.get(`/v1/bulk/${id}/batches`)
        assert.strictEqual(at(reply.body, "data", 0, "attributes", "completedAt"), "1970-01-01T00:00:01.000Z")
        assert.strictEqual(at(reply.body, "data", 1, "attributes", "completedAt"), null)
        assert.deepStrictEqual(at(reply.body, "data", 1, "attributes", "objectIds"), [])
      })
    ))
})
