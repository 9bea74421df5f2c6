import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { KustomerError, RetryPolicy } from "../src/index.js"
import { runOnTestClock } from "./clock.js"

const failure = (reason: KustomerError.Reason) =>
  new KustomerError.KustomerError({ module: "test", method: "m", reason })
const serverError = failure(new KustomerError.ServerError({ status: 503, detail: "" }))
const refused = failure(new KustomerError.Transport({ delivery: "not-sent", detail: "ECONNREFUSED" }))
const rateLimited = failure(new KustomerError.RateLimited({ retryAfter: Option.none() }))
const invalid = failure(new KustomerError.InvalidRequest({ status: 400, detail: "" }))
const forbidden = failure(new KustomerError.Forbidden({ detail: "", requiredRoles: [] }))

describe("RetryPolicy", () => {
  it("decides on the error's reason, and on whether the request writes", () => {
    assert.strictEqual(RetryPolicy.decide(serverError, { write: true }), "reconcile")
    assert.strictEqual(RetryPolicy.decide(serverError, { write: false }), "retry")
    assert.strictEqual(RetryPolicy.decide(refused, { write: true }), "retry")
    assert.strictEqual(RetryPolicy.decide(rateLimited, { write: true }), "waitForWindow")
    assert.strictEqual(RetryPolicy.decide(invalid, { write: true }), "giveUp")
    assert.strictEqual(RetryPolicy.decide(forbidden, { write: false }), "fatal")
  })

  it.effect("retries transient failures on the schedule; 429s go again at once without spending it", () =>
    Effect.gen(function*() {
      const answers = [rateLimited, serverError, rateLimited, rateLimited, serverError]
      const attempts = yield* Ref.make<ReadonlyArray<number>>([])
      const announced = yield* Ref.make<ReadonlyArray<[number, number]>>([])
      const request = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const sent = yield* Ref.updateAndGet(attempts, (all) => [...all, now])
        const answer = answers[sent.length - 1]
        return answer === undefined ? "accepted" : yield* Effect.fail(answer)
      })
      const result = yield* runOnTestClock(
        RetryPolicy.retry(request, {
          schedule: Schedule.spaced(Duration.seconds(1)).pipe(Schedule.intersect(Schedule.recurs(2))),
          maxRateLimitRetries: 5,
          write: false,
          onRetry: (attempt, _error, delay) =>
            Ref.update(announced, (all) => [...all, [attempt, Duration.toMillis(delay)] as [number, number]])
        })
      )
      assert.strictEqual(result, "accepted")
      assert.deepStrictEqual(yield* Ref.get(attempts), [0, 0, 1_000, 1_000, 1_000, 2_000])
      assert.deepStrictEqual(yield* Ref.get(announced), [[2, 1_000], [5, 1_000]])
    }))

  it.effect("gives up at once on a final answer, announcing nothing", () =>
    Effect.gen(function*() {
      const announced = yield* Ref.make(0)
      const error = yield* Effect.flip(
        RetryPolicy.retry(Effect.fail(invalid), {
          schedule: Schedule.spaced(Duration.seconds(1)),
          maxRateLimitRetries: 5,
          write: true,
          onRetry: () => Ref.update(announced, (count) => count + 1)
        })
      )
      assert.strictEqual(error, invalid)
      assert.strictEqual(yield* Ref.get(announced), 0)
    }))
})
