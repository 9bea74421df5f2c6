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
