/**
 * An API that accepts connections but never answers: the import stops within a bounded time (`maxSilence` plus
 * one request's time limit) with an `Unresponsive` error, instead of retrying chunk after chunk without end.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { BulkImport, ImportSource, KustomerClient, KustomerError } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { clientWith } from "./fakes.js"
import { conversationRecord } from "./records.js"

const customer = "5cb3a1b7c9e77c0013e5f2d1"

/** A `KustomerClient` whose every request is sent and never answered (the request's time limit ends it). */
const silentClient = Effect.map(
  clientWith(() => Effect.never, { client: {} }),
  ({ client }) => client
)

const importAgainst = (client: KustomerClient.KustomerClient["Type"], maxSilence?: Duration.DurationInput) =>
  BulkImport.stream(
    ImportSource.fromIterable(Array.from({ length: 450 }, (_, index) => conversationRecord(index, customer))),
    maxSilence === undefined ? {} : { maxSilence }
  ).pipe(Stream.runDrain, Effect.provideService(KustomerClient.KustomerClient, client))

describe("an API that never answers", () => {
  it.effect("stops the import with Unresponsive after maxSilence, not after every chunk's retries", () =>
    Effect.gen(function*() {
      const client = yield* silentClient
      const exit = yield* runOnTestClock(Effect.exit(importAgainst(client, Duration.minutes(2))))
      const stoppedAt = yield* Clock.currentTimeMillis
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.isTrue(
          error instanceof KustomerError.KustomerError && error.reason._tag === "Unresponsive",
          String(error)
        )
        assert.isTrue(error instanceof KustomerError.KustomerError && KustomerError.isFatal(error))
      }
      // Two minutes of silence, plus at most one request's 30 s time limit and one retry delay (≤ 30 s).
      assert.isAtLeast(stoppedAt, Duration.toMillis(Duration.minutes(2)))
      assert.isAtMost(stoppedAt, Duration.toMillis(Duration.minutes(3)))
    }))

  it.effect("by default gives up after five minutes of silence", () =>
    Effect.gen(function*() {
      const client = yield* silentClient
      const exit = yield* runOnTestClock(Effect.exit(importAgainst(client)))
      const stoppedAt = yield* Clock.currentTimeMillis
      assert.isTrue(Exit.isFailure(exit))
      assert.isAtLeast(stoppedAt, Duration.toMillis(Duration.minutes(5)))
      assert.isAtMost(stoppedAt, Duration.toMillis(Duration.minutes(6)))
    }))
})
