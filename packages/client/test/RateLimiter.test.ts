import { RateLimit } from "@effect-kustomer/domain"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { RateLimiter } from "../src/index.js"
import { fakeHttp, type Seen } from "./fakes.js"

const start = Date.UTC(2026, 10, 27, 12, 0, 0)

const info = (headers: Record<string, string>) => RateLimit.fromHeaders(headers, start)

describe("RateLimiter", () => {
  it.effect("spends the configured budget, then waits for the next window", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 3, window: Duration.seconds(10), margin: 0 })
      for (let request = 0; request < 3; request++) yield* limiter.acquire("submit")
      const fourth = yield* Effect.fork(Effect.zipRight(limiter.acquire("submit"), Clock.currentTimeMillis))
      yield* TestClock.adjust(Duration.millis(9_999))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fourth)))
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Fiber.join(fourth), 10_000)
      assert.strictEqual((yield* limiter.snapshot).remaining, 2)
    })))

  it.effect("after a 429 every request waits exactly until x-ratelimit-reset (plus the margin)", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({
        limit: 1000,
        window: Duration.minutes(1),
        margin: Duration.millis(250)
      })
      yield* limiter.acquire("submit")
      yield* limiter.observe(
        "submit",
        429,
        info({ "x-ratelimit-reset": String(start / 1000 + 42), "x-ratelimit-remaining": "0" })
      )
      const waiters = yield* Effect.forEach(
        ["submit", "poll"] as const,
        (kind) => Effect.fork(Effect.zipRight(limiter.acquire(kind), Clock.currentTimeMillis))
      )
      yield* TestClock.adjust(Duration.millis(42_249))
      for (const waiter of waiters) assert.isTrue(Option.isNone(yield* Fiber.poll(waiter)))
      yield* TestClock.adjust(Duration.millis(1))
      for (const waiter of waiters) assert.strictEqual(yield* Fiber.join(waiter), start + 42_250)
      assert.strictEqual((yield* limiter.snapshot).rejections, 1)
    })))

  it.effect("prefers Retry-After over the reset after a 429, and falls back to a fixed wait without either", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({ margin: 0, fallbackWait: Duration.seconds(5) })
      yield* limiter.observe("poll", 429, info({ "x-ratelimit-reset": String(start / 1000 + 60), "retry-after": "3" }))
      const waiter = yield* Effect.fork(Effect.zipRight(limiter.acquire("poll"), Clock.currentTimeMillis))
      yield* TestClock.adjust(Duration.seconds(3))
      assert.strictEqual(yield* Fiber.join(waiter), start + 3_000)
      yield* limiter.observe("poll", 429, Option.none())
      const second = yield* Effect.fork(Effect.zipRight(limiter.acquire("poll"), Clock.currentTimeMillis))
      yield* TestClock.adjust(Duration.seconds(5))
      assert.strictEqual(yield* Fiber.join(second), start + 8_000)
    })))

  it.effect("learns the server's count and window from the headers", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({ limit: 1000, window: Duration.minutes(1), margin: 0 })
      // Another client of the org already spent most of the window, which ends in 20 s.
      yield* limiter.observe(
        "submit",
        201,
        info({
          "x-ratelimit-limit": "500",
          "x-ratelimit-remaining": "2",
          "x-ratelimit-reset": String(start / 1000 + 20)
        })
      )
      const snapshot = yield* limiter.snapshot
      assert.deepStrictEqual(
        { limit: snapshot.limit, remaining: snapshot.remaining, resetAtMillis: snapshot.resetAtMillis },
        { limit: 500, remaining: 2, resetAtMillis: start + 20_000 }
      )
      yield* limiter.acquire("submit")
      yield* limiter.acquire("submit")
      const third = yield* Effect.fork(Effect.zipRight(limiter.acquire("submit"), Clock.currentTimeMillis))
      yield* TestClock.adjust(Duration.seconds(20))
      assert.strictEqual(yield* Fiber.join(third), start + 20_000)
    })))

  it.effect("with a cap, spends no more than the configured limit per its window even when the server allows more", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({ limit: 2, window: Duration.seconds(60), margin: 0, cap: true })
      yield* limiter.observe(
        "submit",
        201,
        info({
          "x-ratelimit-limit": "1000",
          "x-ratelimit-remaining": "990",
          "x-ratelimit-reset": String(start / 1000 + 30)
        })
      )
      yield* limiter.acquire("submit")
      yield* limiter.acquire("submit")
      const third = yield* Effect.fork(Effect.zipRight(limiter.acquire("submit"), Clock.currentTimeMillis))
      // The server's window resets at 30 s, but the cap's own window is 60 s from the first request.
      yield* TestClock.adjust(Duration.seconds(30))
      assert.isTrue(Option.isNone(yield* Fiber.poll(third)))
      yield* TestClock.adjust(Duration.seconds(30))
      assert.strictEqual(yield* Fiber.join(third), start + 60_000)
      // Without the cap the server's larger budget is adopted.
      const uncapped = yield* RateLimiter.make({ limit: 2, window: Duration.seconds(60), margin: 0 })
      yield* uncapped.observe("submit", 201, info({ "x-ratelimit-limit": "1000", "x-ratelimit-remaining": "990" }))
      assert.strictEqual((yield* uncapped.snapshot).limit, 1000)
    })))

  /** Sends `count` requests as fast as the limiter allows, answering each with the server's headers. */
  const sendAll = (
    limiter: RateLimiter.Service,
    count: number,
    server: { readonly limit: number; readonly windowMillis: number }
  ) =>
    Effect.gen(function*() {
      const times: Array<number> = []
      for (let request = 0; request < count; request++) {
        yield* limiter.acquire("submit")
        const now = yield* Clock.currentTimeMillis
        times.push(now)
        const windowStart = start + Math.floor((now - start) / server.windowMillis) * server.windowMillis
        const spent = times.filter((time) => time >= windowStart).length
        yield* limiter.observe(
          "submit",
          201,
          RateLimit.fromHeaders(
            RateLimit.toHeaders({
              limit: server.limit,
              remaining: server.limit - spent,
              resetAtMillis: windowStart + server.windowMillis
            }),
            now
          )
        )
      }
      return times
    })

  /** The most requests any span of `windowMillis` holds. */
  const busiestWindow = (times: ReadonlyArray<number>, windowMillis: number) =>
    Math.max(...times.map((time) => times.filter((other) => other >= time && other < time + windowMillis).length))

  it.effect("a cap whose window is shorter than the server's holds over its own window (100/10s vs 1000/60s)", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({ limit: 100, window: Duration.seconds(10), margin: 0, cap: true })
      const fiber = yield* Effect.fork(sendAll(limiter, 600, { limit: 1000, windowMillis: 60_000 }))
      yield* TestClock.adjust(Duration.seconds(120))
      const times = yield* Fiber.join(fiber)
      assert.isAtMost(busiestWindow(times, 10_000), 100)
      // Six windows of the cap: the last hundred go at 50 s, not after a long wait for the server's reset.
      assert.strictEqual((times[599] ?? 0) - start, 50_000)
    })))

  it.effect("a cap whose window is longer than the server's holds over its own window (600/1m vs 300/10s)", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({ limit: 600, window: Duration.minutes(1), margin: 0, cap: true })
      const fiber = yield* Effect.fork(sendAll(limiter, 900, { limit: 300, windowMillis: 10_000 }))
      yield* TestClock.adjust(Duration.seconds(180))
      const times = yield* Fiber.join(fiber)
      assert.isAtMost(busiestWindow(times, 60_000), 600)
      assert.isAtMost(busiestWindow(times, 10_000), 300)
      // 300 in each of the server's first two windows, then the cap holds the rest until a minute has passed.
      assert.strictEqual((times[599] ?? 0) - start, 10_000)
      assert.strictEqual((times[600] ?? 0) - start, 60_000)
    })))

  it.effect("a cap as long as the server's windows counts per server window once two resets have shown them", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({ limit: 100, window: Duration.seconds(10), margin: 0, cap: true })
      const server = { limit: 1000, windowMillis: 10_000 }
      yield* sendAll(limiter, 1, server)
      yield* TestClock.adjust(Duration.seconds(5))
      // 99 more late in the server's first window: the cap's 100 are spent until that window ends.
      yield* sendAll(limiter, 99, server)
      const next = yield* Effect.fork(sendAll(limiter, 100, server))
      yield* TestClock.adjust(Duration.seconds(5))
      const times = yield* Fiber.join(next)
      // All at the server's reset (10 s): a sliding window would have let one go then and the rest at 15 s. Once the
      // first of them was answered with the second window's reset, the server's windows were known.
      assert.deepStrictEqual([...new Set(times.map((time) => time - start))], [10_000])
      // And the second window's 100 are spent: the next request waits for the third.
      const after = yield* Effect.fork(sendAll(limiter, 1, server))
      yield* TestClock.adjust(Duration.seconds(20))
      assert.deepStrictEqual((yield* Fiber.join(after)).map((time) => time - start), [20_000])
    })))

  it.effect("announces each pause once", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, window: Duration.seconds(10), margin: 0 })
      const seen = yield* Ref.make<ReadonlyArray<RateLimiter.Pause>>([])
      yield* Stream.runForEach(limiter.pauses, (pause) => Ref.update(seen, (all) => [...all, pause])).pipe(
        Effect.forkScoped
      )
      yield* Effect.yieldNow()
      yield* limiter.acquire("submit")
      const waiters = yield* Effect.forEach([1, 2], () => Effect.fork(limiter.acquire("submit")))
      yield* TestClock.adjust(Duration.seconds(30))
      yield* Effect.forEach(waiters, (waiter) => Fiber.join(waiter))
      // Two requests waited for the first window, one of them again for the second: two pauses in all.
      assert.deepStrictEqual(yield* Ref.get(seen), [
        { untilMillis: 10_000, cause: "exhausted" },
        { untilMillis: 20_000, cause: "exhausted" }
      ])
    })))

  it.effect("keeps the last units of a window for a waiting submission when many polls wait too", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({
        limit: 10,
        window: Duration.seconds(10),
        margin: 0,
        submitReserve: 0.1
      })
      for (let request = 0; request < 10; request++) yield* limiter.acquire("poll")
      const polls = yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.fork(limiter.acquire("poll")))
      const submit = yield* Effect.fork(limiter.acquire("submit"))
      yield* TestClock.adjust(Duration.seconds(10))
      assert.isTrue(Option.isSome(yield* Fiber.poll(submit)))
      const done = yield* Effect.forEach(polls, (poll) => Fiber.poll(poll))
      assert.strictEqual(done.filter((exit) => Option.isSome(exit)).length, 9)
      yield* Effect.forEach(polls, (poll) => Fiber.interrupt(poll))
    })))

  it("derives the kind of a request from its method and path", () => {
    assert.strictEqual(RateLimiter.kindOf(HttpClientRequest.post("/v1/conversations/bulk")), "submit")
    assert.strictEqual(RateLimiter.kindOf(HttpClientRequest.get("http://127.0.0.1/v1/bulk/abc/batches")), "poll")
    assert.strictEqual(RateLimiter.kindOf(HttpClientRequest.get("/v1/bulk/abc")), "poll")
    assert.strictEqual(RateLimiter.kindOf(HttpClientRequest.get("/v1/customers/externalId=x")), "lookup")
  })
})

describe("RateLimiter: x-ratelimit-reset in any plausible unit, never a wait of zero or without end", () => {
  /** The limiter after one response at `start`, and a request forked right after it. */
  const afterResponse = (options: RateLimiter.Options, responses: ReadonlyArray<[number, Record<string, string>]>) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limiter = yield* RateLimiter.make({ margin: 0, ...options })
      for (const [status, headers] of responses) yield* limiter.observe("submit", status, info(headers))
      return yield* Effect.fork(Effect.zipRight(limiter.acquire("submit"), Clock.currentTimeMillis))
    })

  /** Asserts that `waiter` is let through exactly `afterMillis` after `start`. */
  const resumesAfter = (waiter: Fiber.RuntimeFiber<number>, afterMillis: number) =>
    Effect.gen(function*() {
      if (afterMillis > 1) {
        yield* TestClock.adjust(Duration.millis(afterMillis - 1))
        assert.isTrue(Option.isNone(yield* Fiber.poll(waiter)), `let through before ${afterMillis} ms`)
      }
      yield* TestClock.adjust(Duration.millis(1))
      const exit = yield* Fiber.poll(waiter)
      assert.isTrue(Option.isSome(exit), `still waiting after ${afterMillis} ms`)
      assert.strictEqual(yield* Fiber.join(waiter), start + afterMillis)
    })

  it.effect("reads the reset as seconds from now", () =>
    Effect.scoped(Effect.gen(function*() {
      const waiter = yield* afterResponse({}, [[429, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "30" }]])
      yield* resumesAfter(waiter, 30_000)
    })))

  it.effect("reads the reset as epoch milliseconds", () =>
    Effect.scoped(Effect.gen(function*() {
      const waiter = yield* afterResponse({}, [[429, {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(start + 42_000)
      }]])
      yield* resumesAfter(waiter, 42_000)
    })))

  const past = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(start / 1000 - 5) }
  const tomorrow = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(start / 1000 + 86_400) }

  it.effect("a reset already past while the budget is spent waits for the window, not zero", () =>
    Effect.scoped(Effect.gen(function*() {
      const waiter = yield* afterResponse({ window: Duration.seconds(60) }, [[201, past]])
      yield* resumesAfter(waiter, 60_000)
    })))

  it.effect("after a 429 whose reset is already past, every request waits for the configured window", () =>
    Effect.scoped(Effect.gen(function*() {
      const waiter = yield* afterResponse({ window: Duration.seconds(20) }, [[429, past]])
      yield* resumesAfter(waiter, 20_000)
    })))

  it.effect("a reset implausibly far ahead waits for the documented window, not until then", () =>
    Effect.scoped(Effect.gen(function*() {
      const waiter = yield* afterResponse({}, [[429, tomorrow]])
      yield* resumesAfter(waiter, 60_000)
    })))

  it.effect("a reset implausibly far ahead waits for the configured window when there is one", () =>
    Effect.scoped(Effect.gen(function*() {
      const waiter = yield* afterResponse({ window: Duration.seconds(10) }, [[429, tomorrow]])
      yield* resumesAfter(waiter, 10_000)
    })))

  it.effect("a window the server confirmed earlier stands when a later reset is unusable", () =>
    Effect.scoped(Effect.gen(function*() {
      const waiter = yield* afterResponse({}, [
        [201, { "x-ratelimit-remaining": "5", "x-ratelimit-reset": String(start / 1000 + 20) }],
        [429, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0" }]
      ])
      yield* resumesAfter(waiter, 20_000)
    })))
})

describe("RateLimiter: a late response of an earlier window neither spends nor pauses the current one", () => {
  const windowMillis = 10_000
  /** The simulator's headers for a fixed window of 300 ending at `resetAtMillis`, read at `now`. */
  const headersOf = (remaining: number, resetAtMillis: number, now: number) =>
    RateLimit.fromHeaders(RateLimit.toHeaders({ limit: 300, remaining, resetAtMillis }), now)

  /**
   * A limiter of 300 per 10 s that spent window N (from `start`) to the last unit, answered all but the last five
   * requests in it (sent at 9.9 s), and at 10.1 s let the first request of window N + 1 through.
   */
  const acrossAReset = Effect.gen(function*() {
    yield* TestClock.setTime(start)
    const limiter = yield* RateLimiter.make({ limit: 300, window: Duration.millis(windowMillis), margin: 0 })
    for (let request = 0; request < 300; request++) {
      yield* limiter.acquire("submit")
      if (request < 295) {
        yield* limiter.observe("submit", 201, headersOf(299 - request, start + windowMillis, start), start)
      }
    }
    yield* TestClock.setTime(start + 10_100)
    yield* limiter.acquire("submit")
    return limiter
  })

  /** How many requests go at once, without the clock moving, before one has to wait (at most `most`). */
  const goingAtOnce = (limiter: RateLimiter.Service, most: number) =>
    Effect.gen(function*() {
      const all = yield* Effect.fork(Effect.forEach(Array.from({ length: most }), () => limiter.acquire("poll")))
      yield* Effect.yieldNow()
      const done = Option.isSome(yield* Fiber.poll(all))
      yield* Fiber.interrupt(all)
      return done
    })

  for (const remaining of [0, 4]) {
    it.effect(`answers of window N with remaining ${remaining} and a past reset, after N + 1 began, stop nothing`, () =>
      Effect.scoped(Effect.gen(function*() {
        const limiter = yield* acrossAReset
        const now = yield* Clock.currentTimeMillis
        for (let late = 0; late < 5; late++) {
          yield* limiter.observe("submit", 201, headersOf(remaining, start + windowMillis, now), start + 9_900)
        }
        // One unit went at 10.1 s: the other 299 of window N + 1 are all there.
        assert.strictEqual((yield* limiter.snapshot).remaining, 299)
        assert.isTrue(yield* goingAtOnce(limiter, 299))
      })))
  }

  it.effect("a late 429 of window N does not pause window N + 1; a 429 of window N + 1 does", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* acrossAReset
      const now = yield* Clock.currentTimeMillis
      yield* limiter.observe("submit", 429, headersOf(0, start + windowMillis, now), start + 9_900)
      assert.isTrue(yield* goingAtOnce(limiter, 10))
      assert.strictEqual((yield* limiter.snapshot).rejections, 1)
      yield* limiter.observe("submit", 429, headersOf(0, start + 2 * windowMillis, now), now)
      const waiter = yield* Effect.fork(Effect.zipRight(limiter.acquire("submit"), Clock.currentTimeMillis))
      yield* TestClock.adjust(Duration.millis(9_899))
      assert.isTrue(Option.isNone(yield* Fiber.poll(waiter)))
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* Fiber.join(waiter), start + 2 * windowMillis)
    })))

  it.effect("a request sent before the reset but counted in the new window spends the new window", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* acrossAReset
      const now = yield* Clock.currentTimeMillis
      // The server counted it after its reset (other clients spent the rest): it speaks of window N + 1.
      yield* limiter.observe("submit", 201, headersOf(3, start + 2 * windowMillis, now), start + 9_990)
      assert.strictEqual((yield* limiter.snapshot).remaining, 3)
      assert.isTrue(yield* goingAtOnce(limiter, 3))
      assert.isFalse(yield* goingAtOnce(limiter, 1))
    })))

  it.effect("a spent budget with a past reset from a request of the current window still waits (a clock behind)", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* acrossAReset
      const now = yield* Clock.currentTimeMillis
      // Sent after the reset by this client's clock, counted before it by the server's: the server is behind.
      yield* limiter.observe("submit", 201, headersOf(0, start + windowMillis, now), now)
      assert.isFalse(yield* goingAtOnce(limiter, 1))
    })))

  it.effect("through transform: a steady stream answered 300 ms late keeps every window full", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(start)
      const limit = 10
      const limiter = yield* RateLimiter.make({ limit, window: Duration.millis(windowMillis), margin: 0 })
      const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
      const counted = yield* Ref.make(new Map<number, number>())
      // A fixed window of 10 per 10 s, counting each request when it arrives; the answer takes 300 ms back.
      const server = fakeHttp(() =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const window = Math.floor(now / windowMillis) * windowMillis
          const spent = ((yield* Ref.get(counted)).get(window) ?? 0) + 1
          yield* Ref.update(counted, (all) => new Map(all).set(window, spent))
          yield* Effect.sleep(Duration.millis(300))
          return {
            status: spent > limit ? 429 : 201,
            headers: RateLimit.toHeaders({ limit, remaining: limit - spent, resetAtMillis: window + windowMillis })
          }
        }), seen)
      const client = RateLimiter.transform(limiter)(server)
      // One request a second, each 950 ms into its second: the tenth of a window goes 50 ms before the reset.
      const requests = yield* Effect.forEach(Array.from({ length: 30 }, (_, index) => index), (index) =>
        Effect.fork(
          Effect.zipRight(
            Effect.sleep(Duration.millis(index * 1_000 + 950)),
            client.execute(HttpClientRequest.post("http://api.test/v1/conversations/bulk"))
          )
        ))
      yield* TestClock.adjust(Duration.seconds(60))
      const statuses = yield* Effect.forEach(
        requests,
        (request) => Effect.map(Fiber.join(request), (response) => response.status)
      )
      const sentAt = (yield* Ref.get(seen)).map((request) => request.at - start)
      assert.deepStrictEqual(sentAt, Array.from({ length: 30 }, (_, index) => index * 1_000 + 950))
      assert.deepStrictEqual(statuses, Array.from({ length: 30 }, () => 201))
    })))
})
