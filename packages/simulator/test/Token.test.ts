/**
 * `GET /v1/auth/tokens/current`: every configured key reads its own token (roles, user, org) without needing a
 * role; an unknown key gets 401; the request counts against the org's budget like any other.
 */
import { Token } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Simulator, SimulatorClient, SimulatorConfig } from "../src/index.js"
import { at, inProcessApi } from "./utils.js"

const run = <A, E>(
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>,
  options: SimulatorConfig.SimulatorOptions
) => Effect.provide(effect, SimulatorClient.layerSimulator(options))

const decodeToken = Schema.decodeUnknownSync(Token.CurrentTokenFromDocument)

describe("GET /v1/auth/tokens/current", () => {
  it.effect("answers each key with its roles, its user and the org; no role is needed", () =>
    run(
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const api = yield* inProcessApi
        const full = yield* api.get(Token.currentPath, { key: "full" })
        assert.strictEqual(full.status, 200)
        assert.deepStrictEqual(decodeToken(full.body), {
          roles: SimulatorConfig.allRoles,
          userId: "5e1ec7ed00000000000000a1",
          orgId: simulator.config.orgId
        })
        assert.match(String(at(full.body, "data", "id")), /^[0-9a-f]{24}$/)
        const none = yield* api.get(Token.currentPath, { key: "none" })
        assert.strictEqual(none.status, 200)
        assert.deepStrictEqual(decodeToken(none.body).roles, [])
        assert.notStrictEqual(at(none.body, "data", "id"), at(full.body, "data", "id"))
        const stats = yield* simulator.stats
        assert.strictEqual(stats.requests.byRoute["GET /v1/auth/tokens/current"], 2)
      }),
      { apiKeys: [{ key: "full", userId: "5e1ec7ed00000000000000a1" }, { key: "none", roles: [] }] }
    ))

  it.effect("401 for an unknown key or none", () =>
    run(
      Effect.gen(function*() {
        const api = yield* inProcessApi
        assert.strictEqual((yield* api.get(Token.currentPath, { key: "wrong" })).status, 401)
        assert.strictEqual((yield* api.get(Token.currentPath, { key: null })).status, 401)
      }),
      {}
    ))

  it.effect("counts against the org's rate limit", () =>
    run(
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const first = yield* api.get(Token.currentPath)
        assert.strictEqual(first.headers["x-ratelimit-remaining"], "1")
        assert.strictEqual((yield* api.get(Token.currentPath)).status, 200)
        assert.strictEqual((yield* api.get(Token.currentPath)).status, 429)
      }),
      { rateLimit: { limit: 2, window: "1 minute" } }
    ))
})
