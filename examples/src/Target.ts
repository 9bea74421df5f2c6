/**
 * Where the examples send their requests: a Kustomer simulator embedded in the process on a real port (the
 * default), or a real org when `KUSTOMER_API_KEY` and `KUSTOMER_BASE_URL` are both set. Conversations need an
 * existing customer: the simulator seeds some; for a real org, set `KUSTOMER_EXAMPLE_CUSTOMER_ID`.
 */
import { KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "@effect-kustomer/client"
import { type Simulator, SimulatorServer } from "@effect-kustomer/simulator"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** The target of an example run. */
export class Target extends Context.Tag("examples/Target")<Target, {
  readonly kind: "simulator" | "org"
  /** e.g. `http://127.0.0.1:53211` or `https://acme.api.kustomerapp.com`. */
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted
  /** Customers the examples' conversations belong to. */
  readonly customerIds: ReadonlyArray<string>
  /** The embedded simulator, to show what it stored; `None` against a real org. */
  readonly simulator: Option.Option<Simulator.Service>
}>() {}

const realOrg = Config.all({
  apiKey: Config.option(Config.redacted("KUSTOMER_API_KEY")),
  baseUrl: Config.option(Config.string("KUSTOMER_BASE_URL")),
  customerId: Config.option(Config.string("KUSTOMER_EXAMPLE_CUSTOMER_ID"))
})

/**
 * The target: a real org when the environment names one, else a simulator started with `simulator` options
 * (faults, rate limit) and stopped when the example ends.
 */
export const layer = (simulator: SimulatorServer.SimulatorServerOptions = {}) =>
  Layer.scoped(
    Target,
    Effect.gen(function*() {
      const env = yield* realOrg
      if (Option.isSome(env.apiKey) && Option.isSome(env.baseUrl)) {
        const customerId = yield* Option.match(env.customerId, {
          onNone: () =>
            Effect.dieMessage(
              "Against a real org, set KUSTOMER_EXAMPLE_CUSTOMER_ID to a customer the example conversations can belong to"
            ),
          onSome: (id) => Effect.succeed(id)
        })
        yield* Console.log(`Target: the org at ${env.baseUrl.value}`)
        return {
          kind: "org" as const,
          baseUrl: env.baseUrl.value,
          apiKey: env.apiKey.value,
          customerIds: [customerId],
          simulator: Option.none()
        }
      }
      const server = yield* SimulatorServer.make({ port: 0, ...simulator })
      yield* Console.log(`Target: an embedded Kustomer simulator on ${server.baseUrl}`)
      return {
        kind: "simulator" as const,
        baseUrl: server.baseUrl,
        apiKey: Redacted.make(server.apiKey),
        customerIds: server.customerIds,
        simulator: Option.some(server.simulator)
      }
    })
  )

/**
 * A `KustomerClient` (and its `RateLimiter`) aimed at the target — the composition every example starts from.
 * `limiter` sets the request budget (default: the org's 1000 per minute).
 */
export const clientLayer = (limiter: RateLimiter.Options = {}) =>
  Layer.unwrapEffect(
    Effect.map(Target, (target) =>
      KustomerClient.layer().pipe(
        Layer.provideMerge(RateLimiter.layer(limiter)),
        Layer.provide(KustomerAuth.layer(target.apiKey)),
        Layer.provide(KustomerConfig.layer({ baseUrl: target.baseUrl }))
      ))
  )

/** Prints what the embedded simulator holds (nothing against a real org). */
export const showStored = Effect.gen(function*() {
  const target = yield* Target
  if (Option.isNone(target.simulator)) return
  const stats = yield* target.simulator.value.stats
  yield* Console.log(
    `The simulator holds ${stats.conversations.stored} conversations; ` +
      `${stats.conversations.externalIdsStoredMoreThanOnce.length} externalIds are stored more than once.`
  )
})
