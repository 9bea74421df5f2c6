import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { KustomerAuth } from "../src/index.js"

const keyFrom = (env: Record<string, string>) =>
  Effect.either(
    Effect.withConfigProvider(KustomerAuth.apiKeyConfig(), ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

describe("KustomerAuth.apiKeyConfig", () => {
  it.effect("trims a key's surrounding whitespace and newline", () =>
    Effect.gen(function*() {
      const key = yield* keyFrom({ KUSTOMER_API_KEY: "  eyJ.key.sig\n" })
      assert.isTrue(Either.isRight(key))
      if (Either.isRight(key)) assert.strictEqual(Redacted.value(key.right), "eyJ.key.sig")
    }))

  it.effect("treats an empty or blank key as not set", () =>
    Effect.gen(function*() {
      for (const value of ["", "  ", "\n"]) {
        const key = yield* keyFrom({ KUSTOMER_API_KEY: value })
        assert.isTrue(Either.isLeft(key) && ConfigError.isMissingDataOnly(key.left), JSON.stringify(value))
      }
      const unset = yield* keyFrom({})
      assert.isTrue(Either.isLeft(unset) && ConfigError.isMissingDataOnly(unset.left))
    }))
})
