/** Fault injection through the in-process client: kinds, phases, slow responses, and determinism by seed. */
import { BulkResource, ErrorBody } from "@effect-kustomer/domain"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { FaultProfile, Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { makeFaultSource } from "../src/internal/faults.js"
import { awaitJobOnTestClock, conversations, inProcessApi, makeApi, str } from "./utils.js"

const run = <A, E>(
  options: SimulatorConfig.SimulatorOptions,
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

/** Runs `effect`; with `slow`, forked while the clock moves two seconds (twice any slow delay below). */
const whilePassing = <A, E, R>(slow: boolean, effect: Effect.Effect<A, E, R>) =>
  slow
    ? Effect.gen(function*() {
      const fiber = yield* Effect.fork(effect)
      yield* TestClock.adjust("2 seconds")
      return yield* Fiber.join(fiber)
    })
    : effect

/**
 * Sends `count` bulk POSTs with a job read after each; records what came back. With `slow`, each request is
 * forked and the clock moved past any slow-response delay, so a slow request cannot hold the test up.
 */
const drive = (count: number, slow = false) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const simulator = yield* Simulator.Simulator
    const outcomes: Array<string> = []
    for (let index = 0; index < count; index++) {
      const step = Effect.gen(function*() {
        const result = yield* Effect.either(api.post(BulkResource.Conversations.bulkPath, {
          json: conversations(simulator.customerIds[0] ?? "", 2, `drive-${index}`)
        }))
        yield* api.get("/v1/bulk/000000000000000000000000")
        return result
      })
      const result = yield* whilePassing(slow, step)
      outcomes.push(
        Either.isLeft(result)
          ? `reset`
          : result.right.body === undefined
          ? `${result.right.status} html`
          : String(result.right.status)
      )
    }
    yield* TestClock.adjust("1 hour")
    const stats = yield* simulator.stats
    return { outcomes, faults: stats.faults, jobs: stats.jobs.created, stored: stats.conversations.stored }
  })

const mixed: FaultProfile.FaultProfileOptions = {
  serverErrorRate: 0.2,
  htmlBadGatewayRate: 0.1,
  connectionResetRate: 0.1,
  slowRate: 0.1,
  slowDelay: "1 second",
  stallRate: 0.2,
  stallDuration: "10 seconds",
  rateLimitStormRate: 0.05,
  rateLimitStormDuration: "1 second"
}

describe("fault injection", () => {
  it.effect("the default profile injects nothing", () =>
    run(
      {},
      Effect.gen(function*() {
        const result = yield* drive(30)
        assert.deepStrictEqual(new Set(result.outcomes), new Set(["201"]))
        assert.isTrue(Object.values(result.faults).every((count) => count === 0))
        assert.strictEqual(result.stored, 60)
      })
    ))

  it.effect("the same seed gives the same faults in the same request order; another seed does not", () =>
    Effect.gen(function*() {
      const first = yield* run({ faults: { ...mixed, seed: 42 } }, drive(40, true))
      const second = yield* run({ faults: { ...mixed, seed: 42 } }, drive(40, true))
      const other = yield* run({ faults: { ...mixed, seed: 7 } }, drive(40, true))
      assert.deepStrictEqual(second, first)
      assert.notDeepEqual(other.outcomes, first.outcomes)
      // The mix really contains every kind of outcome.
      const kinds = new Set(first.outcomes.map((outcome) => outcome.replace(/^5\d\d$/, "5xx")))
      for (const kind of ["201", "5xx", "502 html", "reset", "429"]) assert.isTrue(kinds.has(kind), kind)
      assert.isAbove(first.faults.stalled_job, 0)
      assert.isAbove(first.faults.slow_response, 0)
    }))

  it.effect("a 5xx before acceptance stores nothing; its body is a JSON:API error", () =>
    run(
      { faults: { serverErrorRate: 1, afterAcceptanceShare: 0, seed: 3 } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const statuses = new Set<number>()
        for (let index = 0; index < 30; index++) {
          const reply = yield* api.post(BulkResource.Customers.bulkPath, { json: [{ name: `c${index}` }] })
          statuses.add(reply.status)
          const body = Schema.decodeUnknownSync(ErrorBody.ApiErrorBody)(reply.body)
          assert.strictEqual(body.errors[0]?.status, reply.status)
          assert.isString(body.errors[0]?.code)
          assert.isString(reply.headers["x-ratelimit-remaining"])
        }
        assert.deepStrictEqual([...statuses].sort(), [500, 502, 503])
        const stats = yield* simulator.stats
        assert.strictEqual(stats.jobs.created, 0)
        assert.strictEqual(stats.faults.server_error_before_acceptance, 30)
        assert.strictEqual(stats.faults.server_error_after_acceptance, 0)
      })
    ))

  it.effect("a 5xx after acceptance hides a job that was stored and runs", () =>
    run(
      { faults: { serverErrorRate: 1, afterAcceptanceShare: 1 } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const reply = yield* api.post(BulkResource.Conversations.bulkPath, {
          json: conversations(simulator.customerIds[0] ?? "", 3, "hidden")
        })
        assert.isAtLeast(reply.status, 500)
        const [job] = yield* simulator.jobs
        yield* awaitJobOnTestClock(api, job?.id ?? "")
        const stats = yield* simulator.stats
        assert.strictEqual(stats.conversations.stored, 3)
        assert.strictEqual(stats.faults.server_error_after_acceptance, 1)
        // A retry of the same items is caught by externalId.
        yield* api.post(BulkResource.Conversations.bulkPath, {
          json: conversations(simulator.customerIds[0] ?? "", 3, "hidden")
        })
        yield* TestClock.adjust("1 minute")
        const after = yield* simulator.stats
        assert.strictEqual(after.conversations.stored, 3)
        assert.strictEqual(after.conversations.duplicatesRejected, 3)
      })
    ))

  it.effect("without a fault rate of 1, about half the faults come after acceptance", () =>
    run(
      { faults: { serverErrorRate: 1, seed: 11 } },
      Effect.gen(function*() {
        const result = yield* drive(200)
        const before = result.faults.server_error_before_acceptance
        const after = result.faults.server_error_after_acceptance
        assert.strictEqual(before + after, 200)
        assert.strictEqual(result.jobs, after)
        assert.isAbove(before, 70)
        assert.isAbove(after, 70)
      })
    ))

  it.effect("a proxy 502 carries an HTML body", () =>
    run(
      { faults: { htmlBadGatewayRate: 1, afterAcceptanceShare: 0 } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const reply = yield* api.post(BulkResource.Customers.bulkPath, { json: [{ name: "x" }] })
        assert.strictEqual(reply.status, 502)
        assert.strictEqual(reply.headers["content-type"], "text/html")
        assert.match(reply.text, /^<html>/)
      })
    ))

  it.effect("a connection reset fails the in-process request with a transport RequestError", () =>
    Effect.gen(function*() {
      for (const [share, jobs] of [[0, 0], [1, 1]] as const) {
        yield* run(
          { faults: { connectionResetRate: 1, afterAcceptanceShare: share } },
          Effect.gen(function*() {
            const api = yield* inProcessApi
            const simulator = yield* Simulator.Simulator
            const result = yield* Effect.either(api.post(BulkResource.Customers.bulkPath, { json: [{ name: "x" }] }))
            assert.isTrue(Either.isLeft(result))
            if (Either.isLeft(result) && result.left._tag === "RequestError") {
              assert.strictEqual(result.left.reason, "Transport")
              assert.include(result.left.message, "connection reset")
            } else {
              assert.fail("expected a RequestError")
            }
            const stats = yield* simulator.stats
            assert.strictEqual(stats.jobs.created, jobs)
            assert.strictEqual(
              share === 0
                ? stats.faults.connection_reset_before_acceptance
                : stats.faults.connection_reset_after_acceptance,
              1
            )
          })
        )
      }
    }))

  it.effect("a slow response arrives after the delay, but the job was stored already", () =>
    run(
      { faults: { slowRate: 1, slowDelay: "2 seconds" } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const fiber = yield* Effect.fork(api.post(BulkResource.Customers.bulkPath, { json: [{ name: "late" }] }))
        yield* TestClock.adjust("1999 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        assert.strictEqual((yield* simulator.stats).jobs.created, 1)
        yield* TestClock.adjust("1 millis")
        const reply = yield* Fiber.join(fiber)
        assert.strictEqual(reply.status, 201)
        assert.match(str(reply.body, "data", "id"), /^[0-9a-f]{24}$/)
        assert.strictEqual((yield* simulator.stats).faults.slow_response, 1)
      })
    ))

  it("FaultProfile.make clamps rates and shares out bulk faults that add up to more than 1", () => {
    const profile = FaultProfile.make({ serverErrorRate: 2, htmlBadGatewayRate: 1, connectionResetRate: -1 })
    assert.strictEqual(profile.serverErrorRate, 0.5)
    assert.strictEqual(profile.htmlBadGatewayRate, 0.5)
    assert.strictEqual(profile.connectionResetRate, 0)
    assert.strictEqual(profile.afterAcceptanceShare, 0.5)
    assert.strictEqual(FaultProfile.none.serverErrorRate, 0)
  })
})

describe("the hang fault (a request never answered)", () => {
  it.effect("before acceptance: no answer however long the clock runs, nothing stored; the client's timeout ends it", () =>
    run(
      { faults: { hangRate: 1, afterAcceptanceShare: 0 } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const fiber = yield* Effect.fork(
          api.post(BulkResource.Conversations.bulkPath, {
            json: conversations(simulator.customerIds[0] ?? "", 2, "hung")
          }).pipe(Effect.timeout("1 hour"))
        )
        yield* TestClock.adjust("59 minutes")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        const stats = yield* simulator.stats
        assert.strictEqual(stats.faults.hang_before_acceptance, 1)
        assert.strictEqual(stats.requests.total, 1)
        assert.deepStrictEqual(stats.requests.byStatus, {})
        assert.strictEqual(stats.jobs.created, 0)
        yield* TestClock.adjust("1 minute")
        const result = yield* Effect.either(Fiber.join(fiber))
        assert.isTrue(Either.isLeft(result) && result.left._tag === "TimeoutException")
      })
    ))

  it.effect("after acceptance: the job is stored and runs, yet the client never hears of it", () =>
    run(
      { faults: { hangRate: 1, afterAcceptanceShare: 1 } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const fiber = yield* Effect.fork(api.post(BulkResource.Conversations.bulkPath, {
          json: conversations(simulator.customerIds[0] ?? "", 2, "hung")
        }))
        yield* TestClock.adjust("1 hour")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        const stats = yield* simulator.stats
        assert.strictEqual(stats.faults.hang_after_acceptance, 1)
        assert.strictEqual(stats.jobs.complete, 1)
        assert.strictEqual(stats.conversations.stored, 2)
        assert.deepStrictEqual(stats.requests.byStatus, {})
        // The client gives up.
        yield* Fiber.interrupt(fiber)
      })
    ))

  it.effect("any route can hang: a listing, a look-up, a job poll", () =>
    run(
      { faults: { hangRate: 1 } },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const simulator = yield* Simulator.Simulator
        const fibers = yield* Effect.forEach(
          ["/v1/conversations/5cb3a1b7c9e77c0013e5f2d1/messages", "/v1/messages/externalid=x", "/v1/bulk/abc"],
          (path) => Effect.fork(api.get(path))
        )
        yield* TestClock.adjust("1 hour")
        for (const fiber of fibers) assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        const stats = yield* simulator.stats
        assert.strictEqual(stats.faults.hang_before_acceptance + stats.faults.hang_after_acceptance, 3)
        yield* Effect.forEach(fibers, (fiber) => Fiber.interrupt(fiber))
      })
    ))

  it.effect("when the simulator stops, a hung request ends as a dropped connection (a transport error)", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const simulator = yield* Scope.extend(Simulator.make({ faults: { hangRate: 1 } }), scope)
      const api = makeApi(SimulatorClient.baseUrl, simulator.apiKey)
      const fiber = yield* Effect.fork(
        api.get("/v1/bulk/abc").pipe(
          Effect.provideService(HttpClient.HttpClient, SimulatorClient.fromApp(simulator.app))
        )
      )
      yield* TestClock.adjust("1 hour")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* Scope.close(scope, Exit.void)
      const result = yield* Effect.either(Fiber.join(fiber))
      if (Either.isLeft(result) && result.left._tag === "RequestError") {
        assert.strictEqual(result.left.reason, "Transport")
      } else {
        assert.fail("expected a transport RequestError")
      }
    }))

  it("hangs draw from their own stream: every other fault of a seed is decided as before", () => {
    const decisions = (profile: FaultProfile.FaultProfile) => {
      const next = makeFaultSource(profile)
      return Array.from({ length: 300 }, () => next())
    }
    const without = decisions(FaultProfile.make({ ...mixed, seed: 42 }))
    const withHangs = decisions(FaultProfile.make({ ...mixed, seed: 42, hangRate: 0.3 }))
    assert.deepStrictEqual(
      withHangs.map(({ hang: _hang, ...others }) => others),
      without.map(({ hang: _hang, ...others }) => others)
    )
    assert.isTrue(without.every((decision) => decision.hang === undefined))
    const hung = withHangs.filter((decision) => decision.hang !== undefined).length
    assert.isAbove(hung, 60)
    assert.isBelow(hung, 120)
  })
})
