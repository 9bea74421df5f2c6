/**
 * Where the Kustomer API lives and how long one request may take.
 *
 * The base URL comes from an explicit URL, an org name (`https://{org}.api.kustomerapp.com`, which routes to the
 * org's region) or a region (`us`, `eu`, `in`). API keys only work in the region that issued them.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * Kustomer's regions and their API hosts.
 *
 * @since 0.1.0
 */
export const regions = {
  us: "https://api.kustomerapp.com",
  eu: "https://api.prod2.kustomerapp.com",
  in: "https://api.prod4.kustomerapp.com"
} as const

/** @since 0.1.0 */
export type Region = keyof typeof regions

/**
 * The default time one HTTP request may take before it is abandoned.
 *
 * @since 0.1.0
 */
export const defaultRequestTimeout = Duration.seconds(30)

/**
 * How to reach the API. Precedence: `baseUrl`, then `org`, then `region`; with none of them, the US region.
 *
 * @since 0.1.0
 */
export interface Options {
  readonly baseUrl?: string | undefined
  readonly org?: string | undefined
  readonly region?: Region | undefined
  readonly requestTimeout?: Duration.DurationInput | undefined
}

/**
 * The resolved configuration.
 *
 * @since 0.1.0
 */
export class KustomerConfig extends Context.Tag("@effect-kustomer/client/KustomerConfig")<
  KustomerConfig,
  {
    /** Origin of the API, without a trailing slash and without `/v1`, e.g. `https://acme.api.kustomerapp.com`. */
    readonly baseUrl: string
    /** The time one HTTP request may take. */
    readonly requestTimeout: Duration.Duration
  }
>() {}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

/**
 * Whether a host name is this machine (the only place plain `http` is allowed).
 *
 * @since 0.1.0
 */
export const isLoopbackHost = (hostname: string): boolean =>
  loopbackHosts.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
  hostname.endsWith(".localhost")

/** An authority that ends in `:` with nothing after it (`https://host:`, `http://[::1]:/v1`). */
const emptyPort = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(?:[/?#]|$)/i

const orgNamePattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

/**
 * Checks and normalises a base URL: it must be `https` (or `http` on a loopback host), and a trailing `/` or
 * `/v1` is removed.
 *
 * @since 0.1.0
 */
export const normaliseBaseUrl = (raw: string): Either.Either<string, string> => {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return Either.left(`"${raw}" is not a URL; expected e.g. https://acme.api.kustomerapp.com`)
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return Either.left(
      `base URL ${url.origin} must use https (plain http is only allowed for a loopback host such as localhost)`
    )
  }
  // `new URL` reads `http://127.0.0.1:` as the scheme's default port: a port left out by mistake would go to 80.
  if (emptyPort.test(raw.trim())) {
    return Either.left(
      `"${raw}" has a ":" but no port after it; give the port (e.g. http://127.0.0.1:4010) or drop the ":"`
    )
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left("the base URL must not contain credentials; the API key comes from KUSTOMER_API_KEY")
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "")
  return Either.right(`${url.origin}${path}`)
}

/**
 * Resolves {@link Options} into a base URL, or explains why it cannot.
 *
 * @since 0.1.0
 */
export const resolveBaseUrl = (options: Options): Either.Either<string, string> => {
  if (options.baseUrl !== undefined && options.baseUrl.trim() !== "") return normaliseBaseUrl(options.baseUrl)
  if (options.org !== undefined && options.org.trim() !== "") {
    const org = options.org.trim().toLowerCase()
    return orgNamePattern.test(org)
      ? Either.right(`https://${org}.api.kustomerapp.com`)
      : Either.left(`"${options.org}" is not a valid Kustomer org name (letters, digits and '-')`)
  }
  return Either.right(regions[options.region ?? "us"])
}

/**
 * Builds the configuration, failing with a message that says what to fix.
 *
 * @since 0.1.0
 */
export const make = (options: Options): Either.Either<Context.Tag.Service<KustomerConfig>, string> =>
  Either.map(resolveBaseUrl(options), (baseUrl) => ({
    baseUrl,
    requestTimeout: Duration.decode(options.requestTimeout ?? defaultRequestTimeout)
  }))

/**
 * A layer from explicit options; an invalid option is a defect at construction, so prefer {@link layerConfig}
 * for user input.
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<KustomerConfig, ConfigError.ConfigError> =>
  Layer.effect(
    KustomerConfig,
    Either.match(make(options), {
      onLeft: (message) => Either.left(ConfigError.InvalidData([], message)),
      onRight: (config) => Either.right(config)
    })
  )

/**
 * The region names accepted by `KUSTOMER_REGION`.
 *
 * @since 0.1.0
 */
export const regionConfig = (name: string): Config.Config<Region> => Config.literal("us", "eu", "in")(name)

/** An optional setting: `undefined` when the variable is not set. */
const optionalSetting = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), (value) => Option.getOrUndefined(value))

/**
 * The options as the environment gives them, each optional: `KUSTOMER_BASE_URL`, `KUSTOMER_ORG`,
 * `KUSTOMER_REGION` and `KUSTOMER_REQUEST_TIMEOUT` (a duration such as `30 seconds`). A caller with options of its
 * own (flags) replaces some of them and keeps the others: `{ ...KustomerConfig.environment, baseUrl: … }`.
 *
 * @since 0.1.0
 */
export const environment: {
  readonly [K in keyof Options]-?: Config.Config<Options[K]>
} = {
  baseUrl: optionalSetting(Config.string("KUSTOMER_BASE_URL")),
  org: optionalSetting(Config.string("KUSTOMER_ORG")),
  region: optionalSetting(regionConfig("KUSTOMER_REGION")),
  requestTimeout: optionalSetting(Config.duration("KUSTOMER_REQUEST_TIMEOUT"))
}

/**
 * The resolved configuration from a `Config` of each option (a `Config.Wrap` of {@link Options}): read, then
 * checked, failing with a `ConfigError` that says what to fix.
 *
 * @since 0.1.0
 */
export const fromConfig = (
  options: Config.Config.Wrap<Options>
): Config.Config<Context.Tag.Service<KustomerConfig>> =>
  Config.unwrap(options).pipe(
    Config.mapOrFail((resolved) => Either.mapLeft(make(resolved), (message) => ConfigError.InvalidData([], message)))
  )

/**
 * The configuration read from the environment ({@link environment}).
 *
 * @since 0.1.0
 */
export const config: Config.Config<Context.Tag.Service<KustomerConfig>> = fromConfig(environment)

/**
 * A layer reading the options from `Config`, as `SqliteClient.layerConfig` does: by default the environment
 * ({@link environment}); any option may come from elsewhere, e.g.
 * `layerConfig({ ...KustomerConfig.environment, baseUrl: Config.succeed("https://acme.api.kustomerapp.com") })`.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options> = environment
): Layer.Layer<KustomerConfig, ConfigError.ConfigError> => Layer.effect(KustomerConfig, fromConfig(options))
