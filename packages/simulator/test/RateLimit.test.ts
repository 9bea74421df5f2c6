/** The org-wide rate limit and 429 storms, on the TestClock through the in-process client. */
import { BulkResource, ErrorBody, RateLimit } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { conversations, inProcessApi } from "./utils.js"
import type { Reply } from "./utils.js"

const run = <A, E>(
  options: SimulatorConfig.SimulatorOptions,
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

const headers = (reply: Reply) => ({
  limit: reply.headers["x-ratelimit-limit"],
  remaining: reply.headers["x-ratelimit-remaining"],
  reset: reply.headers["x-ratelimit-reset"]
})

const assertRateLimited = (reply: Reply) => {
  assert.strictEqual(reply.status, 429)
  const body = Schema.decodeUnknownSync(ErrorBody.ApiErrorBody)(reply.body)
  assert.deepStrictEqual(
    body.errors.map((error) => [error.status, error.code, error.title]),
    [[429, "rate_limited", "Too Many Requests"]]
  )
  assert.isString(body.errors[0]?.detail)
}

const tenSeconds = { limit: 3, window: "10 seconds" } as const

describe("rate limit (TestClock)", () => {
  it.effect("counts every authenticated request, job reads included, and answers 429 when the window is spent", () =>
    run(
      { rateLimit: tenSeconds },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const created = yield* api.post(BulkResource.Conversations.bulkPath, {
          json: conversations(simulator.customerIds[0] ?? "", 1)
        })
        assert.deepStrictEqual(headers(created), { limit: "3", remaining: "2", reset: "10" })
        const read = yield* api.get("/v1/bulk/nope")
        assert.strictEqual(read.status, 404)
        assert.deepStrictEqual(headers(read), { limit: "3", remaining: "1", reset: "10" })
        yield* TestClock.adjust("4 seconds")
        const last = yield* api.get(`/v1/customers/${simulator.customerIds[0]}`)
        assert.deepStrictEqual(headers(last), { limit: "3", remaining: "0", reset: "10" })
        const refused = yield* api.get(`/v1/customers/${simulator.customerIds[0]}`)
        assertRateLimited(refused)
        assert.deepStrictEqual(headers(refused), { limit: "3", remaining: "0", reset: "10" })
        // No Retry-After by default: the real API documents none.
        assert.isUndefined(refused.headers["retry-after"])
        // The domain reads the wait from the reset header.
        const info = Option.getOrThrow(RateLimit.fromHeaders(refused.headers, 4000))
        assert.deepStrictEqual(RateLimit.waitAfterRejection(info, 4000), Option.some(Duration.millis(6000)))
        const stats = yield* simulator.stats
        assert.strictEqual(stats.requests.rateLimited, 1)
        assert.strictEqual(stats.requests.byStatus["429"], 1)
      })
    ))

  it.effect("a refused request does not use budget, and the window resets on the clock", () =>
    run(
      { rateLimit: tenSeconds },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        for (let index = 0; index < 3; index++) assert.strictEqual((yield* api.get("/v1/bulk/x")).status, 404)
        for (let index = 0; index < 5; index++) assertRateLimited(yield* api.get("/v1/bulk/x"))
        yield* TestClock.adjust("9999 millis")
        assertRateLimited(yield* api.get("/v1/bulk/x"))
        yield* TestClock.adjust("1 millis")
        const next = yield* api.get("/v1/bulk/x")
        assert.strictEqual(next.status, 404)
        assert.deepStrictEqual(headers(next), { limit: "3", remaining: "2", reset: "20" })
      })
    ))

  it.effect("requests without a valid key are refused before the limiter and use no budget", () =>
    run(
      { rateLimit: tenSeconds },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        for (let index = 0; index < 5; index++) {
          const reply = yield* api.get("/v1/bulk/x", { key: "wrong" })
          assert.strictEqual(reply.status, 401)
          assert.deepStrictEqual(headers(reply), { limit: "3", remaining: "3", reset: "10" })
        }
        assert.deepStrictEqual(headers(yield* api.get("/v1/bulk/x")), { limit: "3", remaining: "2", reset: "10" })
      })
    ))

  it.effect("optionally sends Retry-After, in seconds until the window resets", () =>
    run(
      { rateLimit: tenSeconds, retryAfterHeader: true },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        for (let index = 0; index < 3; index++) yield* api.get("/v1/bulk/x")
        yield* TestClock.adjust("2500 millis")
        const refused = yield* api.get("/v1/bulk/x")
        assertRateLimited(refused)
        assert.strictEqual(refused.headers["retry-after"], "8")
      })
    ))

  it.effect("a 429 storm refuses every request whatever the budget, until it ends", () =>
    run(
      { rateLimit: { limit: 1000, window: "60 seconds" } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        assert.strictEqual((yield* api.get("/v1/bulk/x")).status, 404)
        yield* simulator.startRateLimitStorm("5 seconds")
        const refused = yield* api.get("/v1/bulk/x")
        assertRateLimited(refused)
        assert.deepStrictEqual(headers(refused), { limit: "1000", remaining: "0", reset: "5" })
        yield* TestClock.adjust("4 seconds")
        assertRateLimited(yield* api.get("/v1/bulk/x"))
        yield* TestClock.adjust("1 second")
        const after = yield* api.get("/v1/bulk/x")
        assert.strictEqual(after.status, 404)
        assert.deepStrictEqual(headers(after), { limit: "1000", remaining: "998", reset: "60" })
        const stats = yield* simulator.stats
        assert.strictEqual(stats.faults.rate_limit_storm, 1)
        assert.strictEqual(stats.requests.rateLimited, 2)
      })
    ))

  it.effect("the fault profile starts storms by itself", () =>
    run(
      { faults: { rateLimitStormRate: 1, rateLimitStormDuration: "3 seconds" } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        assertRateLimited(yield* api.get("/v1/bulk/x"))
        yield* TestClock.adjust("2 seconds")
        assertRateLimited(yield* api.get("/v1/bulk/x"))
        yield* TestClock.adjust("1 second")
        // The storm ended, and with rate 1 this request starts the next one.
        assertRateLimited(yield* api.get("/v1/bulk/x"))
        assert.strictEqual((yield* simulator.stats).faults.rate_limit_storm, 2)
      })
    ))
})
