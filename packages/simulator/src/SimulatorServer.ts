/**
 * The simulator on a real HTTP server (Node's `http`, through `@effect/platform-node`), for end-to-end tests,
 * examples, the CLI demo and benchmarks. Port 0 picks a free port; the base URL says which.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import * as Simulator from "./Simulator.js"
import type { SimulatorOptions } from "./SimulatorConfig.js"

/**
 * Where to listen, on top of the simulator's options.
 *
 * @since 0.1.0
 */
export interface SimulatorServerOptions extends SimulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number
  /** Interface to bind; default `127.0.0.1` (loopback only). */
  readonly host?: string
}

/**
 * A simulator listening on a socket.
 *
 * @since 0.1.0
 */
export interface Service {
  /** e.g. `http://127.0.0.1:53211` (no trailing slash; API paths start with `/v1`). */
  readonly baseUrl: string
  /** The port actually bound. */
  readonly port: number
  /** The first configured API key. */
  readonly apiKey: string
  /** Ids of the customers seeded at start-up. */
  readonly customerIds: ReadonlyArray<string>
  /** The simulator behind the server: stats, stored objects, helpers. */
  readonly simulator: Simulator.Service
}

/**
 * The running server.
 *
 * @since 0.1.0
 */
export class SimulatorServer extends Context.Tag("@effect-kustomer/simulator/SimulatorServer")<
  SimulatorServer,
  Service
>() {}

/**
 * Serves a simulator's app on Node: a `ConnectionReset` fault destroys the request's socket, so the client sees
 * the connection drop without any response.
 *
 * @since 0.1.0
 */
export const toNodeApp = (app: HttpApp.Default<Simulator.ConnectionReset>): HttpApp.Default =>
  Effect.catchTag(
    app,
    "ConnectionReset",
    () =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        Effect.sync(() => {
          NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
          // Never written: the socket is gone.
          return HttpServerResponse.empty({ status: 500 })
        }))
  )

/**
 * Starts a simulator and serves it in the current scope; the server closes with the scope.
 *
 * @since 0.1.0
 */
export const make = (
  options: SimulatorServerOptions = {}
): Effect.Effect<Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const host = options.host ?? "127.0.0.1"
    const server = yield* NodeHttpServer.make(() => createServer(), { port: options.port ?? 0, host })
    // Made after the server, so it stops first when the scope closes: the requests it holds (the hang fault) end
    // and drop their sockets, and the server's close, which waits for every connection, can finish.
    const simulator = yield* Simulator.make(options)
    // No request spans: nothing consumes them here, and they cost throughput.
    yield* server.serve(toNodeApp(simulator.app)).pipe(
      Effect.locally(HttpMiddleware.currentTracerDisabledWhen, () => true)
    )
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const urlHost = host.includes(":") ? `[${host}]` : host
    return {
      baseUrl: `http://${urlHost}:${port}`,
      port,
      apiKey: simulator.apiKey,
      customerIds: simulator.customerIds,
      simulator
    }
  })

/**
 * A simulator on a real server (port 0 by default), providing both {@link SimulatorServer} and
 * {@link Simulator.Simulator}.
 *
 * @since 0.1.0
 */
export const layer = (
  options: SimulatorServerOptions = {}
): Layer.Layer<SimulatorServer | Simulator.Simulator, ServeError> =>
  Layer.scopedContext(
    Effect.map(make(options), (server) =>
      Context.make(SimulatorServer, server).pipe(Context.add(Simulator.Simulator, server.simulator)))
  )

/**
 * The configuration a client reads to reach `server`: `KUSTOMER_BASE_URL` and `KUSTOMER_API_KEY` (the names
 * `KustomerClient.layerConfig` reads), any other setting from `fallback` (default: the environment).
 *
 * @since 0.1.0
 */
export const configProvider = (
  server: Pick<Service, "baseUrl" | "apiKey">,
  fallback: ConfigProvider.ConfigProvider = ConfigProvider.fromEnv()
): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(new Map([["KUSTOMER_BASE_URL", server.baseUrl], ["KUSTOMER_API_KEY", server.apiKey]])).pipe(
    ConfigProvider.orElse(() => fallback)
  )

/**
 * A simulator on a loopback port (as {@link layer}) that is also the configuration of everything built after it:
 * a `KustomerClient.layerConfig()` provided with this layer talks to the simulator — the whole wiring of a client
 * to an embedded simulator, for tests, examples and trials, without a Kustomer account.
 *
 * ```ts
 * // A client of an embedded simulator: provide it to a program that uses `KustomerClient`.
 * const Simulated = KustomerClient.layerConfig().pipe(
 *   Layer.provide(NodeHttpClient.layerUndici),
 *   Layer.provideMerge(SimulatorServer.layerConfigured({ customers: 3 }))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layerConfigured = (
  options: SimulatorServerOptions = {}
): Layer.Layer<SimulatorServer | Simulator.Simulator, ServeError> =>
  Layer.flatMap(layer(options), (context) =>
    Layer.merge(
      Layer.succeedContext(context),
      Layer.setConfigProvider(configProvider(Context.get(context, SimulatorServer)))
    ))
