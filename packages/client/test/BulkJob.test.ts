import { Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { BulkJob, KustomerClient } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { clientWith, json, type Seen } from "./fakes.js"

const jobId = Ids.BulkJobId.make("6543a1b7c9e77c0013e5f2aa")

const batches = (status: "scheduled" | "complete", refs: ReadonlyArray<string>) =>
  json(200, {
    data: [{
      type: "bulk_batch",
      id: "b1",
      attributes: {
        status,
        results: status === "complete"
          ? refs.map((ref, index) => ({
            _clientRef: ref,
            status: "created",
            objectId: String(index).padStart(24, "b")
          }))
          : []
      }
    }]
  })

const jobDocument = (status: string) => json(200, { data: { id: jobId, attributes: { status } } })

const readTimes = (seen: ReadonlyArray<Seen>) =>
  seen.filter((request) => request.url.endsWith("/batches")).map((request) => request.at)

/** A job (obtained elsewhere: only its id is known) that completes at `doneAt` on the clock. */
const awaitJob = (doneAt: number, options: BulkJob.AwaitOptions) =>
  Effect.gen(function*() {
    const { client, seen } = yield* clientWith((_request, url) =>
      Effect.gen(function*() {
        const done = (yield* Clock.currentTimeMillis) >= doneAt
        return url.pathname.endsWith("/batches")
          ? batches(done ? "complete" : "scheduled", ["r0", "r1"])
          : jobDocument(done ? "complete" : "running")
      })
    )
    const result = yield* runOnTestClock(
      Effect.either(
        BulkJob.awaitResults(jobId, options).pipe(Effect.provideService(KustomerClient.KustomerClient, client))
      )
    )
    return { result, reads: readTimes(yield* Ref.get(seen)) }
  })

describe("BulkJob.awaitResults (fake API, test clock)", () => {
  it.effect("reads first when due, then on the given schedule, and maps the verdicts by _clientRef", () =>
    Effect.gen(function*() {
      const { reads, result } = yield* awaitJob(3_500, {
        items: [{ clientRef: "r0" }, { clientRef: "r1" }],
        submittedAt: 0,
        firstRead: Duration.seconds(2),
        schedule: Schedule.spaced(Duration.seconds(1))
      })
      assert.deepStrictEqual(reads, [2_000, 3_000, 4_000])
      assert.isTrue(result._tag === "Right")
      if (result._tag === "Right") {
        assert.deepStrictEqual(result.right.verdicts.get("r1"), { _tag: "Created", objectId: "1".padStart(24, "b") })
      }
    }))

  it.effect("jobs that share a first-read delay learn a long turnaround from a few reads, not one each", () =>
    Effect.gen(function*() {
      // A burst of 20 jobs submitted within 20 ms, each done 9.5 s after its submission; first reads due after 2 s.
      const jobs = Array.from({ length: 20 }, (_, index) => ({
        id: Ids.BulkJobId.make(`6543a1b7c9e77c0013e5f2${String(index).padStart(2, "0")}`),
        submittedAt: index
      }))
      const doneAt = new Map(jobs.map((job) => [job.id, job.submittedAt + 9_500]))
      const { client, seen } = yield* clientWith((_request, url) =>
        Effect.gen(function*() {
          // Each read takes 100 ms: reads made together are in flight together.
          yield* Effect.sleep(Duration.millis(100))
          const id = jobs.find((job) => url.pathname.includes(job.id))?.id
          const done = id !== undefined && (yield* Clock.currentTimeMillis) >= (doneAt.get(id) ?? Infinity)
          return url.pathname.endsWith("/batches")
            ? batches(done ? "complete" : "scheduled", ["r0"])
            : jobDocument(done ? "complete" : "running")
        })
      )
      const firstRead = yield* BulkJob.makeFirstRead(Duration.seconds(2))
      yield* runOnTestClock(
        Effect.forEach(jobs, (job) =>
          Effect.delay(
            BulkJob.awaitResults(job.id, {
              items: [{ clientRef: "r0" }],
              submittedAt: job.submittedAt,
              firstRead,
              schedule: Schedule.spaced(Duration.seconds(2))
            }),
            Duration.millis(job.submittedAt)
          ), { concurrency: "unbounded", discard: true }).pipe(
            Effect.provideService(KustomerClient.KustomerClient, client)
          )
      )
      // The first reads that found their job unfinished: each one raised the shared delay before the next job read,
      // so a handful of them taught it — not one per job of the burst.
      const reads = (yield* Ref.get(seen)).filter((request) => request.url.endsWith("/batches"))
      const firstReads = jobs.flatMap((job) => reads.filter((request) => request.url.includes(job.id)).slice(0, 1))
      const misses = firstReads.filter((request) =>
        jobs.some((job) => request.url.includes(job.id) && request.at < (doneAt.get(job.id) ?? 0))
      )
      assert.strictEqual(firstReads.length, jobs.length)
      assert.isAtMost(misses.length, 8, `${misses.length} first reads found their job unfinished`)
      assert.isAtLeast(yield* firstRead.delayMillis, 9_000)
    }))

  it.effect("a burst of first reads released together by the budget spends a few requests on unfinished jobs", () =>
    Effect.gen(function*() {
      // 100 jobs submitted 10 ms apart after one already found finished. The API takes them in order, finishing one
      // every 100 ms from 3 s on (a backlog behind its workers). Their first reads are due from 2 s, but the
      // budget is spent until 10 s: every read made before then waits until 10 s (plus 100 ms for the exchange),
      // so they are answered together — at 10.1 s the jobs from the 72nd on are not finished.
      const jobs = Array.from({ length: 100 }, (_, index) => ({
        id: Ids.BulkJobId.make(`6543a1b7c9e77c0013e5f${String(index).padStart(3, "0")}`),
        submittedAt: index * 10,
        doneAt: 3_000 + index * 100
      }))
      const unfinished = yield* Ref.make(0)
      const { client } = yield* clientWith((_request, url) =>
        Effect.gen(function*() {
          const sentAt = yield* Clock.currentTimeMillis
          yield* Effect.sleep(Duration.millis(Math.max(0, 10_000 - sentAt) + 100))
          const job = jobs.find((candidate) => url.pathname.includes(candidate.id))
          const done = job !== undefined && (yield* Clock.currentTimeMillis) >= job.doneAt
          if (!done && url.pathname.endsWith("/batches")) yield* Ref.update(unfinished, (count) => count + 1)
          return url.pathname.endsWith("/batches")
            ? batches(done ? "complete" : "scheduled", ["r0"])
            : jobDocument(done ? "complete" : "running")
        })
      )
      const firstRead = yield* BulkJob.makeFirstRead(Duration.seconds(2))
      // A job submitted just before them was found finished on time: first reads no longer go one at a time.
      yield* firstRead.learn(true, 2_000, -10)
      yield* runOnTestClock(
        Effect.forEach(jobs, (job) =>
          Effect.delay(
            BulkJob.awaitResults(job.id, {
              items: [{ clientRef: "r0" }],
              submittedAt: job.submittedAt,
              firstRead,
              schedule: Schedule.spaced(Duration.seconds(1))
            }),
            Duration.millis(job.submittedAt)
          ), { concurrency: "unbounded", discard: true }).pipe(
            Effect.provideService(KustomerClient.KustomerClient, client)
          )
      )
      // Released all at once, the first reads of the 28 jobs still in the API's queue all miss (51 unfinished reads in
      // all, later ones included). A few at a time, in order of submission, the first misses raise the delay before
      // the jobs behind them read.
      const misses = yield* Ref.get(unfinished)
      assert.isAtMost(misses, 10, `${misses} reads found their job unfinished`)
    }))

  it.effect("first reads waiting one at a time go on a few at a time once one of them finds its job finished", () =>
    Effect.gen(function*() {
      // 30 jobs submitted 1 ms apart, all finished after 1 s; their first reads are due at 2 s, before any was found
      // finished, so they wait one at a time. Each read takes 100 ms.
      const jobs = Array.from({ length: 30 }, (_, index) => ({
        id: Ids.BulkJobId.make(`6543a1b7c9e77c0013e5f${String(index).padStart(3, "0")}`),
        submittedAt: index
      }))
      const { client, seen } = yield* clientWith((_request, url) =>
        Effect.gen(function*() {
          yield* Effect.sleep(Duration.millis(100))
          return url.pathname.endsWith("/batches") ? batches("complete", ["r0"]) : jobDocument("complete")
        })
      )
      const firstRead = yield* BulkJob.makeFirstRead(Duration.seconds(2))
      yield* runOnTestClock(
        Effect.forEach(jobs, (job) =>
          Effect.delay(
            BulkJob.awaitResults(job.id, {
              items: [{ clientRef: "r0" }],
              submittedAt: job.submittedAt,
              firstRead
            }),
            Duration.millis(job.submittedAt)
          ), { concurrency: "unbounded", discard: true }).pipe(
            Effect.provideService(KustomerClient.KustomerClient, client)
          )
      )
      // One at a time to the end, the last read would go 2.9 s after the first; after the first one found its job
      // finished, the rest go eight at a time (four rounds of 100 ms).
      const reads = readTimes(yield* Ref.get(seen))
      assert.strictEqual(reads.length, jobs.length)
      assert.isAtMost(Math.max(...reads), 2_600, `the last first read went at ${Math.max(...reads)} ms`)
    }))

  it.effect("a later read waits for the shared delay that other jobs' misses raised, not only for the schedule", () =>
    Effect.gen(function*() {
      const firstRead = yield* BulkJob.makeFirstRead(Duration.seconds(2))
      // Another job of the same import, queued behind the same backlog, misses at 10 s just after this job's first
      // read (at 2 s) missed: the shared delay becomes 13 s.
      const raise = Effect.delay(firstRead.learn(false, 10_000), Duration.millis(2_500))
      const [{ reads, result }] = yield* Effect.all([
        awaitJob(12_000, {
          items: [{ clientRef: "r0" }, { clientRef: "r1" }],
          submittedAt: 0,
          firstRead,
          schedule: Schedule.spaced(Duration.seconds(1))
        }),
        raise
      ], { concurrency: "unbounded" })
      // Without the shared delay the schedule would read at 3, 4, … 12 s: ten reads that find nothing new.
      assert.deepStrictEqual(reads, [2_000, 13_000])
      assert.isTrue(result._tag === "Right")
    }))

  it.effect("a first read held back long after its delay does not shorten the delay; one on time does", () =>
    Effect.gen(function*() {
      const firstRead = yield* BulkJob.makeFirstRead(Duration.seconds(10))
      // A window's worth of reads that waited for the budget and found their jobs finished long ago.
      for (let index = 0; index < 150; index++) yield* firstRead.learn(true, 16_000)
      assert.strictEqual(yield* firstRead.delayMillis, 10_000)
      yield* firstRead.learn(true, 10_100)
      assert.strictEqual(yield* firstRead.delayMillis, 9_950)
      yield* firstRead.learn(false, 10_000)
      assert.strictEqual(yield* firstRead.delayMillis, 13_000)
    }))

  it.effect("fails with JobTimedOut keeping the job id when the job outlasts the timeout, reading last at it", () =>
    Effect.gen(function*() {
      const { reads, result } = yield* awaitJob(Number.MAX_SAFE_INTEGER, {
        items: [{ clientRef: "r0" }],
        submittedAt: 0,
        firstRead: Duration.seconds(1),
        schedule: Schedule.spaced(Duration.seconds(4)),
        timeout: Duration.seconds(10)
      })
      assert.deepStrictEqual(reads, [1_000, 5_000, 9_000, 10_000])
      assert.isTrue(result._tag === "Left")
      if (result._tag === "Left") {
        const reason = result.left.reason
        assert.strictEqual(reason._tag, "JobTimedOut")
        assert.strictEqual(reason._tag === "JobTimedOut" ? reason.jobId : "", jobId)
      }
    }))
})
