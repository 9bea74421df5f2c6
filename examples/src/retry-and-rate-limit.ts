/**
 * Example 3 — a custom retry schedule and rate limit.
 *
 * The pipeline retries a failed submission on `retrySchedule` (any `Schedule` of `KustomerError`s), and a
 * `RateLimiter` spends one unit of the org's budget before every request. Here the (simulated) org allows 10
 * requests per 2 seconds; the limiter starts from that budget and follows the API's `x-ratelimit-*` headers, so
 * requests wait for the next window instead of meeting 429s. The retries back off from 100 ms, are jittered, give
 * up after 8 attempts or 20 seconds, and never repeat a request the API refused as invalid.
 *
 * The embedded simulator fails a fifth of the bulk requests (500/502/503 and dropped connections, half of them
 * after it stored the job) — so the retries and the re-sent records are visible, and nothing is created twice.
 *
 *   pnpm example retry-and-rate-limit
 */
import { BulkImport, ImportSource, type KustomerError } from "@effect-kustomer/client"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Target from "./Target.js"

/** Back off exponentially from 100 ms, with jitter; at most 8 retries and 20 seconds; only retryable failures. */
export const retrySchedule: Schedule.Schedule<unknown, KustomerError.KustomerError> = Schedule.exponential(
  Duration.millis(100),
  2
).pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(8)),
  Schedule.upTo(Duration.seconds(20)),
  // The pipeline also resends a request that may have reached the API; a 400 is never worth another try.
  Schedule.whileInput((error: KustomerError.KustomerError) => error.reason._tag !== "InvalidRequest")
)

/** The org's budget: 10 requests per 2 seconds (the simulated org is configured with the same). */
export const budget = { limit: 10, window: Duration.seconds(2) }

/** Runs the example. */
export const main = (_args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const target = yield* Target.Target
    const records = Array.from({ length: 600 }, (_, index) => ({
      customer: target.customerIds[index % target.customerIds.length],
      externalId: `example-retry-${index}`,
      name: `Imported ticket ${index}`,
      importedAt: "2026-01-15T09:30:00.000Z"
    }))
    const start = yield* Clock.currentTimeMillis
    const at = Effect.map(Clock.currentTimeMillis, (now) => `${((now - start) / 1000).toFixed(1).padStart(5)}s`)
    const summary = yield* BulkImport.run(ImportSource.fromIterable(records), {
      retrySchedule,
      maxItems: 50,
      firstPollDelay: "300 millis",
      // Records re-sent after a failure come back as duplicates; do not spend budget looking up their ids.
      resolveExisting: false,
      onEvent: (event) => {
        switch (event._tag) {
          case "Retrying":
            return Effect.flatMap(at, (time) =>
              Console.log(
                `${time}  chunk ${event.chunk}: ${event.reason} — retry in ${
                  Math.round(Duration.toMillis(event.delay))
                } ms`
              ))
          case "RateLimitedUntil":
            return Effect.flatMap(at, (time) =>
              Console.log(
                `${time}  budget spent: requests wait for the next window, at ${
                  ((event.untilMillis - start) / 1000).toFixed(1)
                }s`
              ))
          default:
            return Effect.void
        }
      }
    })
    yield* Console.log(
      `\n${summary.created} created (records re-sent after a failure that had taken effect among them), ` +
        `${summary.alreadyExisting} already existing, ${summary.unknown} unknown — ${summary.requests} requests, ` +
        `${summary.retries} retries, ` +
        `in ${Duration.format(summary.elapsed)}.`
    )
    yield* Target.showStored
  }).pipe(
    Effect.provide(Target.clientLayer(budget)),
    Effect.provide(Target.layer({
      rateLimit: budget,
      faults: { seed: 3, serverErrorRate: 0.12, connectionResetRate: 0.08, afterAcceptanceShare: 0.5 }
    }))
  )
