/** An import wired to an in-process simulator on the test clock. */
import { Simulator, SimulatorClient, type SimulatorConfig } from "@effect-kustomer/simulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "../src/index.js"

/**
 * A simulator (in process) plus a client and rate limiter aimed at it. Build it inside each test so that the
 * simulator runs on that test's `TestClock`.
 */
export const simulated = (
  options: SimulatorConfig.SimulatorOptions = {},
  limiter: RateLimiter.Options = {}
) => {
  const simulator = SimulatorClient.layerSimulator(options)
  const budget = options.rateLimit === undefined
    ? {}
    : { limit: options.rateLimit.limit, window: options.rateLimit.window }
  const client = KustomerClient.layer().pipe(
    Layer.provideMerge(RateLimiter.layer({ margin: 0, ...budget, ...limiter })),
    Layer.provide(Layer.mergeAll(
      KustomerConfig.layer({ baseUrl: "http://localhost:4010" }),
      Layer.unwrapEffect(
        Effect.map(Simulator.Simulator, (sim) => KustomerAuth.layer(Redacted.make(sim.apiKey)))
      )
    ))
  )
  return Layer.provideMerge(client, simulator)
}
