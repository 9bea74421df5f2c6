import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { KustomerConfig } from "../src/index.js"

const fromEnv = (env: Record<string, string>) =>
  KustomerConfig.KustomerConfig.pipe(
    Effect.provide(
      KustomerConfig.layerConfig().pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
      )
    )
  )

describe("KustomerConfig", () => {
  it.each([
    [{}, "https://api.kustomerapp.com"],
    [{ region: "eu" as const }, "https://api.prod2.kustomerapp.com"],
    [{ region: "in" as const }, "https://api.prod4.kustomerapp.com"],
    [{ org: "Acme", region: "eu" as const }, "https://acme.api.kustomerapp.com"],
    [{ baseUrl: "https://acme.api.kustomerapp.com/v1/", org: "other" }, "https://acme.api.kustomerapp.com"],
    [{ baseUrl: "http://localhost:4010" }, "http://localhost:4010"],
    [{ baseUrl: "http://127.0.0.1:9/" }, "http://127.0.0.1:9"],
    [{ baseUrl: "http://[::1]:4010" }, "http://[::1]:4010"]
  ])("resolves %j to %s", (options, expected) => {
    assert.deepStrictEqual(KustomerConfig.resolveBaseUrl(options), Either.right(expected))
  })

  it.each([
    [{ baseUrl: "http://api.kustomerapp.com" }, "must use https"],
    [{ baseUrl: "http://10.0.0.8:4010" }, "must use https"],
    [{ baseUrl: "not a url" }, "is not a URL"],
    [{ baseUrl: "http://127.0.0.1:" }, "no port after it"],
    [{ baseUrl: "https://acme.api.kustomerapp.com:/v1" }, "no port after it"],
    [{ baseUrl: "http://[::1]:" }, "no port after it"],
    [{ baseUrl: "https://user:pw@api.kustomerapp.com" }, "must not contain credentials"],
    [{ org: "acme.evil.com/x" }, "not a valid Kustomer org name"]
  ])("refuses %j", (options, expected) => {
    const result = KustomerConfig.resolveBaseUrl(options)
    assert.isTrue(Either.isLeft(result))
    assert.include(Either.isLeft(result) ? result.left : "", expected)
  })

  it.effect("reads KUSTOMER_BASE_URL, KUSTOMER_ORG, KUSTOMER_REGION and KUSTOMER_REQUEST_TIMEOUT", () =>
    Effect.gen(function*() {
      const byOrg = yield* fromEnv({ KUSTOMER_ORG: "acme", KUSTOMER_REQUEST_TIMEOUT: "5 seconds" })
      assert.strictEqual(byOrg.baseUrl, "https://acme.api.kustomerapp.com")
      assert.isTrue(Duration.equals(byOrg.requestTimeout, Duration.seconds(5)))
      const byRegion = yield* fromEnv({ KUSTOMER_REGION: "eu" })
      assert.strictEqual(byRegion.baseUrl, "https://api.prod2.kustomerapp.com")
      assert.isTrue(Duration.equals(byRegion.requestTimeout, KustomerConfig.defaultRequestTimeout))
    }))

  it.effect("fails with a clear ConfigError for a bad value", () =>
    Effect.gen(function*() {
      const insecure = yield* Effect.flip(fromEnv({ KUSTOMER_BASE_URL: "http://example.com" }))
      assert.include(String(insecure), "must use https")
      const region = yield* Effect.flip(fromEnv({ KUSTOMER_REGION: "mars" }))
      assert.include(String(region), "KUSTOMER_REGION")
    }))

  it.effect("layerConfig takes a Config of each option: some from the caller, the others from the environment", () =>
    Effect.gen(function*() {
      const config = yield* KustomerConfig.KustomerConfig.pipe(
        Effect.provide(
          KustomerConfig.layerConfig({ ...KustomerConfig.environment, org: Config.succeed("acme") }).pipe(
            Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
              new Map([["KUSTOMER_REGION", "eu"], ["KUSTOMER_REQUEST_TIMEOUT", "7 seconds"]])
            )))
          )
        )
      )
      assert.strictEqual(config.baseUrl, "https://acme.api.kustomerapp.com")
      assert.isTrue(Duration.equals(config.requestTimeout, Duration.seconds(7)))
    }))
})
