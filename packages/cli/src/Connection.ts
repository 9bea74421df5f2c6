/**
 * Where the CLI sends its requests and how fast: `--base-url` / `--region` / `--org` and `--rate-limit`, falling
 * back to `KUSTOMER_BASE_URL` / `KUSTOMER_ORG` / `KUSTOMER_REGION` and `KUSTOMER_RATE_LIMIT`, and when a job is
 * first read (`KUSTOMER_FIRST_POLL_DELAY`). The API key comes from `KUSTOMER_API_KEY` only, and stays `Redacted`.
 *
 * @since 0.1.0
 */
import { KustomerAuth, KustomerClient, KustomerConfig, RateLimiter } from "@effect-kustomer/client"
import { type RateBudget } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * The connection flags. When any of `baseUrl`, `org`, `region` is given, the flags decide the base URL alone and
 * the environment's `KUSTOMER_BASE_URL` / `KUSTOMER_ORG` / `KUSTOMER_REGION` are ignored.
 *
 * @since 0.1.0
 */
export interface Connection {
  readonly baseUrl: string | undefined
  readonly org: string | undefined
  readonly region: KustomerConfig.Region | undefined
  /** The org's request budget; default `KUSTOMER_RATE_LIMIT`, else 1000 per minute. */
  readonly rateLimit: RateBudget.RateBudget | undefined
}

/** No flags: everything from the environment. @since 0.1.0 */
export const fromEnvironment: Connection = {
  baseUrl: undefined,
  org: undefined,
  region: undefined,
  rateLimit: undefined
}

/**
 * The options of the connection: the flags, else the environment (`KustomerConfig.environment`); the request
 * timeout always from the environment.
 *
 * @since 0.1.0
 */
export const options = (connection: Connection): Config.Config.Wrap<KustomerConfig.Options> =>
  connection.baseUrl !== undefined || connection.org !== undefined || connection.region !== undefined
    ? {
      baseUrl: Config.succeed(connection.baseUrl),
      org: Config.succeed(connection.org),
      region: Config.succeed(connection.region),
      requestTimeout: KustomerConfig.environment.requestTimeout
    }
    : KustomerConfig.environment

/**
 * The resolved base URL and timeout: the flags, else the environment.
 *
 * @since 0.1.0
 */
export const config = (connection: Connection): Config.Config<KustomerConfig.KustomerConfig["Type"]> =>
  KustomerConfig.fromConfig(options(connection))

/**
 * A `KustomerClient` and its `RateLimiter` for a connection. The API key is `KUSTOMER_API_KEY` unless `auth` is
 * given (the demo passes its simulator's key).
 *
 * @since 0.1.0
 */
export const clientLayer = (
  connection: Connection,
  auth: Layer.Layer<KustomerAuth.KustomerAuth, ConfigError.ConfigError> = KustomerAuth.layerConfig()
): Layer.Layer<
  KustomerClient.KustomerClient | RateLimiter.RateLimiter,
  ConfigError.ConfigError,
  HttpClient.HttpClient
> =>
  KustomerClient.layer().pipe(
    Layer.provideMerge(
      connection.rateLimit === undefined
        ? RateLimiter.layerConfig()
        : RateLimiter.layer({ ...connection.rateLimit, cap: true })
    ),
    Layer.provide(Layer.merge(auth, KustomerConfig.layerConfig(options(connection))))
  )

/**
 * The base URL a connection resolves to, for the start-up line (never the key).
 *
 * @since 0.1.0
 */
export const describe = (connection: Connection): Effect.Effect<string, ConfigError.ConfigError> =>
  Effect.map(config(connection), (resolved) => resolved.baseUrl)

/**
 * `KUSTOMER_FIRST_POLL_DELAY` (a duration such as `200 millis`): how long after its submission a bulk job is first
 * read, as the pipeline's `firstPollDelay` — unset, the pipeline's default, 2 s. Against a sandbox or the simulator,
 * whose jobs finish within a fraction of a second, a shorter one saves that wait in every phase; later reads adapt
 * to how long the jobs take whatever it is.
 *
 * @since 0.1.0
 */
export const firstPollDelay: Config.Config<{ readonly firstPollDelay?: Duration.Duration }> = Config.option(
  Config.duration("KUSTOMER_FIRST_POLL_DELAY")
).pipe(
  Config.map(Option.match({ onNone: () => ({}), onSome: (delay) => ({ firstPollDelay: delay }) }))
)
