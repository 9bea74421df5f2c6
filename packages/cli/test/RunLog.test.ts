/** The CLI's log lines for the import's events. */
import { ImportEvent } from "@effect-kustomer/client"
import { Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Output } from "../src/Output.js"
import * as RunLog from "../src/RunLog.js"
import { capturingOutput } from "./harness.js"

const job = Ids.BulkJobId.make("6b097023c5000000000000aa")

/** Logs `effect` writes through the CLI's logger with `--log-level`'s minimum `level`, one line each. */
const logLines = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const { captured, output } = yield* capturingOutput()
    yield* RunLog.withLogger(effect).pipe(Effect.provideService(Output, output))
    return (yield* captured).stderr
  })

/** Whether a logfmt line has every `key=value` pair (annotations come in no particular order). */
const hasFields = (line: string | undefined, pairs: ReadonlyArray<string>) =>
  line !== undefined && pairs.every((pair) => line.includes(` ${pair}`))

describe("RunLog: the events as log lines", () => {
  it.effect("a rate-limit wait says why and for how long; a retry says which chunk and why", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(Duration.seconds(100))
      const lines = yield* logLines(
        Effect.all([
          RunLog.event(new ImportEvent.RateLimitedUntil({ untilMillis: 112_000, cause: "rejected" })),
          RunLog.event(
            new ImportEvent.Retrying({
              chunk: 7,
              attempt: 2,
              reason: "server error (HTTP 503)",
              delay: Duration.seconds(2)
            })
          ),
          RunLog.event(new ImportEvent.JobProgress({ chunk: 7, jobId: job, complete: 1, total: 1 }), "notes")
        ]).pipe(RunLog.verbosely(true))
      )
      assert.lengthOf(lines, 3)
      assert.include(lines[0], "level=INFO")
      assert.include(lines[0], `message="the API answered 429: waiting for the rate-limit window"`)
      assert.include(lines[0], "waitMillis=12000")
      assert.isTrue(
        hasFields(lines[1], [
          `message="retrying chunk"`,
          "chunk=7",
          "attempt=2",
          `reason="server error (HTTP 503)"`,
          "delayMillis=2000"
        ]),
        lines[1]
      )
      assert.isTrue(
        hasFields(lines[2], ["level=DEBUG", "phase=notes", "chunk=7", `job=${job}`, "state=done", "complete=1"]),
        lines[2]
      )
    }))

  it.effect("is quiet below warnings unless asked: a timed-out job still shows", () =>
    Effect.gen(function*() {
      const lines = yield* logLines(
        Effect.all([
          RunLog.event(new ImportEvent.Retrying({ chunk: 1, attempt: 1, reason: "503", delay: Duration.seconds(1) })),
          RunLog.event(new ImportEvent.JobTimedOut({ chunk: 1, jobId: job, waited: Duration.minutes(10) }))
        ])
      )
      assert.lengthOf(lines, 1)
      assert.include(lines[0], "level=WARN")
      assert.include(lines[0], "waitedMillis=600000")
    }))
})
