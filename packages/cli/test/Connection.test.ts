import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Connection from "../src/Connection.js"

const firstPollDelayFrom = (env: Record<string, string>) =>
  Effect.withConfigProvider(Connection.firstPollDelay, ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("KUSTOMER_FIRST_POLL_DELAY", () => {
  it.effect("sets the pipeline's first job read when given, and leaves its default when not", () =>
    Effect.gen(function*() {
      const given = yield* firstPollDelayFrom({ KUSTOMER_FIRST_POLL_DELAY: "200 millis" })
      assert.isTrue(given.firstPollDelay !== undefined && Duration.equals(given.firstPollDelay, Duration.millis(200)))
      assert.deepStrictEqual(yield* firstPollDelayFrom({}), {})
    }))

  it.effect("refuses what is not a duration, naming the variable", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.either(firstPollDelayFrom({ KUSTOMER_FIRST_POLL_DELAY: "soon" }))
      assert.isTrue(Either.isLeft(refused))
      if (Either.isLeft(refused)) assert.include(String(refused.left), "KUSTOMER_FIRST_POLL_DELAY")
    }))
})
