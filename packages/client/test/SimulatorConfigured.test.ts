/**
 * The public wiring of a client to an embedded simulator: `SimulatorServer.layerConfigured` is the configuration
 * `KustomerClient.layerConfig()` reads, so the client reaches the simulator with no other setting.
 */
import { KustomerClient } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import { Simulator, SimulatorServer } from "@effect-kustomer/simulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

const Simulated = KustomerClient.layerConfig().pipe(
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provideMerge(SimulatorServer.layerConfigured({ customers: 3 }))
)

describe("SimulatorServer.layerConfigured", () => {
  it.scopedLive("a client built from Config reaches the embedded simulator with its key", () =>
    Effect.gen(function*() {
      const client = yield* KustomerClient.KustomerClient
      const found = yield* client.findByExternalId(BulkResource.Customers, "no-such-customer")
      assert.isTrue(Option.isNone(found))
      const stats = yield* (yield* Simulator.Simulator).stats
      // Answered 404 (no such customer) — with a wrong key or URL the look-up would have failed instead.
      assert.deepStrictEqual(stats.requests.byStatus, { "404": 1 })
    }).pipe(Effect.provide(Simulated)))
})
