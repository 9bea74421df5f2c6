import { ImportEvent } from "@effect-kustomer/client"
import { Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { Output } from "../src/Output.js"
import * as Progress from "../src/Progress.js"
import * as ProgressReporter from "../src/ProgressReporter.js"
import { capturingOutput } from "./harness.js"

const job = Ids.BulkJobId.make("6b097023c5000000000000aa")

const created = (index: number) =>
  new ImportEvent.Created({
    position: { index },
    clientRef: `r${index}`,
    externalId: undefined,
    objectId: "x",
    jobId: job
  })
const rejected = (index: number) => new ImportEvent.Rejected({ position: { index }, issues: [], record: {} })

/** A state after `createdCount` created and `rejectedCount` rejected records, starting at 0 ms. */
const stateWith = (createdCount: number, rejectedCount: number, total?: number) => {
  let state = Progress.initial(0, total)
  for (let index = 0; index < createdCount; index++) state = Progress.update(state, created(index))
  for (let index = 0; index < rejectedCount; index++) state = Progress.update(state, rejected(createdCount + index))
  return state
}

describe("Progress (pure rendering)", () => {
  it("counts outcomes and submissions, ignores job progress", () => {
    let state = stateWith(3, 1)
    state = Progress.update(
      state,
      new ImportEvent.ChunkSubmitted({ chunk: 0, jobId: job, items: 4, bytes: 900, attempt: 1 })
    )
    state = Progress.update(state, new ImportEvent.JobProgress({ chunk: 0, jobId: job, complete: 1, total: 1 }))
    state = Progress.update(
      state,
      new ImportEvent.Retrying({ chunk: 1, attempt: 1, reason: "503", delay: Duration.seconds(1) })
    )
    assert.deepStrictEqual(
      [state.counts.read, state.counts.created, state.counts.rejected, state.jobs, state.itemsSent, state.retries],
      [4, 3, 1, 1, 4, 1]
    )
  })

  it("shows done of total, the rate and the time left", () => {
    const line = Progress.renderLine(stateWith(1_180, 20, 2_000), 5_000)
    assert.strictEqual(
      line,
      "1,200/2,000 records (60%) · 240/s · ETA 3.3s · created 1,180 · failed 0 · rejected 20"
    )
  })

  it("a migration counts objects, and shows the attachments carried and their bytes once there are any", () => {
    const migrating = { ...stateWith(1_180, 20, 2_000), noun: "objects" }
    assert.notInclude(
      Progress.renderLine(Progress.withAttachments(migrating, { carried: 0, bytes: 0 }), 5_000),
      "attach"
    )
    const carrying = Progress.withAttachments(migrating, { carried: 12, bytes: 3_400_000 })
    const line = Progress.renderLine(carrying, 5_000)
    assert.include(line, "1,200/2,000 objects (60%) · 240/s · ETA 3.3s")
    assert.match(line, /attachments 12 \(3.4 MB\)$/)
    assert.include(Progress.renderBar(carrying, 5_000, 200), "attachments 12")
  })

  it("shows the records done without a percentage or ETA while the total is unknown", () => {
    assert.strictEqual(
      Progress.renderLine(stateWith(50, 0), 10_000),
      "50 records · 5/s · created 50 · failed 0 · rejected 0"
    )
  })

  it("shows the wait for the rate-limit window while it lasts, and the rate again after", () => {
    const waiting = Progress.update(
      stateWith(100, 0, 1_000),
      new ImportEvent.RateLimitedUntil({ untilMillis: 22_000, cause: "exhausted" })
    )
    assert.include(Progress.renderLine(waiting, 10_000), "waiting for rate-limit window (12s)")
    assert.include(Progress.renderBar(waiting, 10_000), "waiting for rate-limit window (12s)")
    assert.notInclude(Progress.renderLine(waiting, 23_000), "waiting")
    const rejectedByApi = Progress.update(
      stateWith(0, 0),
      new ImportEvent.RateLimitedUntil({ untilMillis: 5_000, cause: "rejected" })
    )
    assert.include(
      Progress.renderLine(rejectedByApi, 1_000),
      "the API answered 429; waiting for rate-limit window (4.0s)"
    )
    // An earlier, shorter pause does not shorten the wait shown.
    const later = Progress.update(
      waiting,
      new ImportEvent.RateLimitedUntil({ untilMillis: 15_000, cause: "exhausted" })
    )
    assert.strictEqual(later.waitingUntilMillis, 22_000)
  })

  it("says which chunk is retried and why while it waits, and the rate again after", () => {
    const retrying = Progress.update(
      stateWith(100, 0, 1_000),
      new ImportEvent.Retrying({
        chunk: 7,
        attempt: 1,
        reason: "the API failed (HTTP 503)",
        delay: Duration.seconds(2)
      }),
      10_000
    )
    assert.include(Progress.renderLine(retrying, 10_500), "retrying chunk 7 in 1.5s: the API failed (HTTP 503)")
    assert.include(Progress.renderBar(retrying, 10_500, 200), "retrying chunk 7 in 1.5s")
    assert.notInclude(Progress.renderLine(retrying, 12_000), "retrying chunk")
    assert.include(Progress.renderLine(retrying, 12_000), "retries 1")
  })

  it("draws a bar proportional to the share done, within the width", () => {
    const bar = Progress.renderBar(stateWith(500, 0, 1_000), 10_000, 200, 20)
    assert.isTrue(bar.startsWith(`${"█".repeat(10)}${"░".repeat(10)}  50% 500/1,000 records`))
    assert.include(bar, "│ created 500 · failed 0 · rejected 0")
    const narrow = Progress.renderBar(stateWith(500, 0, 1_000), 10_000, 40)
    assert.strictEqual(narrow.length, 40)
    assert.isTrue(narrow.endsWith("…"))
  })

  it("moves a block along the bar while the total is unknown", () => {
    const state = stateWith(10, 0)
    const first = Progress.renderBar(state, 0, 200, 20)
    const later = Progress.renderBar(state, 1_000, 200, 20)
    assert.isTrue(first.startsWith("███"))
    assert.notStrictEqual(first.slice(0, 20), later.slice(0, 20))
  })

  it("mentions existing and unknown records only when there are some", () => {
    let state = stateWith(1, 0)
    assert.notInclude(Progress.renderLine(state, 1_000), "existing")
    state = Progress.update(
      state,
      new ImportEvent.AlreadyExisting({
        position: { index: 5 },
        clientRef: "r5",
        externalId: "t-5",
        objectId: undefined
      })
    )
    state = Progress.update(
      state,
      new ImportEvent.Unknown({
        position: { index: 6 },
        clientRef: "r6",
        externalId: undefined,
        reason: "",
        jobId: undefined,
        item: "{}"
      })
    )
    assert.include(Progress.renderLine(state, 1_000), "existing 1 · failed 0 · rejected 0 · unknown 1")
  })
})

/** Moves the test clock in small steps, so that each repeated draw can schedule the next one. */
const advance = (total: Duration.DurationInput, step: Duration.DurationInput = "100 millis") =>
  Effect.gen(function*() {
    const steps = Math.round(Duration.toMillis(total) / Duration.toMillis(step))
    for (let index = 0; index < steps; index++) {
      yield* TestClock.adjust(step)
      yield* Effect.yieldNow()
    }
  })

describe("ProgressReporter", () => {
  it.effect("prints a line every 5 seconds when standard error is not a terminal, and the final state at the end", () =>
    Effect.gen(function*() {
      const { captured, output } = yield* capturingOutput(false)
      const fiber = yield* Effect.scoped(Effect.gen(function*() {
        const reporter = yield* ProgressReporter.make(10)
        yield* reporter.onEvent(created(0))
        yield* Effect.sleep(Duration.seconds(11))
        yield* reporter.onEvent(created(1))
      })).pipe(Effect.provideService(Output, output), Effect.fork)
      yield* advance("4 seconds")
      assert.lengthOf((yield* captured).stderr, 0)
      yield* advance("1 second")
      assert.deepStrictEqual((yield* captured).stderr, [
        "1/10 records (10%) · 0/s · ETA 45s · created 1 · failed 0 · rejected 0"
      ])
      yield* advance("6 seconds")
      yield* Fiber.join(fiber)
      const lines = (yield* captured).stderr
      assert.lengthOf(lines, 3)
      assert.isTrue(lines[2]?.startsWith("2/10 records (20%)"))
    }))

  it.effect("redraws the live line on a terminal", () =>
    Effect.gen(function*() {
      const { captured, output } = yield* capturingOutput(true)
      yield* Effect.scoped(Effect.gen(function*() {
        const reporter = yield* ProgressReporter.make()
        yield* reporter.setTotal(4)
        yield* reporter.onEvent(created(0))
        yield* advance("1 second")
      })).pipe(Effect.provideService(Output, output))
      const { live, stderr } = yield* captured
      assert.lengthOf(stderr, 0)
      assert.isAtLeast(live.length, 5)
      assert.include(live[live.length - 1] ?? "", "25% 1/4 records")
    }))
})
