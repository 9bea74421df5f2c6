/**
 * `KustomerClient.currentToken` against the in-process simulator: the key's roles, user and org, for a key with
 * every role and for one with none; an unknown key fails with `Unauthorized`; one span per call.
 */
import { Token } from "@effect-kustomer/domain"
import { Simulator, SimulatorClient, SimulatorConfig } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import { KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "../src/index.js"

const fullUser = "5e1ec7ed00000000000000a1"
const plainUser = "5e1ec7ed00000000000000b2"

const simulatorOptions: SimulatorConfig.SimulatorOptions = {
  apiKeys: [
    { key: "full", userId: fullUser },
    { key: "plain", userId: plainUser, roles: SimulatorConfig.resourceRoles },
    { key: "none", roles: [] }
  ]
}

/** A client sending `key` to an in-process simulator (built inside the test, on its TestClock). */
const clientWithKey = (key: string) =>
  KustomerClient.layer().pipe(
    Layer.provide(Layer.mergeAll(
      RateLimiter.layer({ margin: 0 }),
      KustomerConfig.layer({ baseUrl: "http://localhost:4010" }),
      KustomerAuth.layer(Redacted.make(key))
    )),
    Layer.provideMerge(SimulatorClient.layerSimulator(simulatorOptions))
  )

const tokenOf = (key: string) =>
  Effect.gen(function*() {
    const client = yield* KustomerClient.KustomerClient
    const simulator = yield* Simulator.Simulator
    return { token: yield* client.currentToken, orgId: simulator.config.orgId, stats: yield* simulator.stats }
  }).pipe(Effect.provide(Layer.orDie(clientWithKey(key))))

describe("KustomerClient.currentToken", () => {
  it.effect("a key with every role: its roles (org.admin included), its user and the org", () =>
    Effect.gen(function*() {
      const { orgId, stats, token } = yield* tokenOf("full")
      assert.deepStrictEqual(token, { roles: SimulatorConfig.allRoles, userId: fullUser, orgId })
      assert.isTrue(Token.keepsCreatedAtAndBy(token))
      assert.isTrue(Token.grants(token, ["org.permission.company.create", "org.user.company.write"]))
      assert.strictEqual(stats.requests.byRoute[`GET ${Token.currentPath}`], 1)
    }))

  it.effect("a key without org.admin: it may create, but Kustomer would replace its createdAt and createdBy", () =>
    Effect.gen(function*() {
      const { token } = yield* tokenOf("plain")
      assert.strictEqual(token.userId, plainUser)
      assert.isFalse(Token.keepsCreatedAtAndBy(token))
      assert.isTrue(Token.grants(token, ["org.permission.message.create", "org.user.message.write"]))
    }))

  it.effect("a key without roles still reads its token: no roles", () =>
    Effect.gen(function*() {
      const { orgId, token } = yield* tokenOf("none")
      assert.deepStrictEqual(token.roles, [])
      assert.strictEqual(token.orgId, orgId)
      assert.match(token.userId ?? "", /^[0-9a-f]{24}$/)
      assert.isFalse(Token.grants(token, ["org.permission.conversation.create", "org.user.conversation.write"]))
    }))

  it.effect("an unknown key fails with Unauthorized, not retryable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(tokenOf("wrong"))
      assert.strictEqual(error.reason._tag, "Unauthorized")
      assert.strictEqual(error.method, "currentToken")
      assert.isFalse(error.retryable)
    }))

  it.effect("runs in the span KustomerClient.currentToken", () =>
    Effect.gen(function*() {
      const names: Array<string> = []
      const tracer = yield* Effect.tracer
      const recording = Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          names.push(name)
          return tracer.span(name, parent, context, links, startTime, kind, options)
        },
        context: tracer.context
      })
      yield* tokenOf("full").pipe(Effect.withTracer(recording))
      assert.include(names, "KustomerClient.currentToken")
    }))
})
