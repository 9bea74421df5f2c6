/**
 * Authentication of outgoing requests. The API key stays `Redacted` from where it is read to the
 * `Authorization` header; it is never part of an error, a log line or a span.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { CredentialsUnavailable, KustomerError } from "./KustomerError.js"

/**
 * Supplies the API key for each request, and learns when the API rejected it.
 *
 * @since 0.1.0
 */
export class KustomerAuth extends Context.Tag("@effect-kustomer/client/KustomerAuth")<
  KustomerAuth,
  {
    /** The key to send now. */
    readonly apiKey: Effect.Effect<Redacted.Redacted, KustomerError>
    /**
     * Called when the API answered 401 to a request made with `rejected`. Returns `true` when a different key
     * may now be available (the request is then worth one more try), `false` when nothing will change.
     */
    readonly invalidate: (rejected: Redacted.Redacted) => Effect.Effect<boolean>
  }
>() {}

/**
 * A fixed API key.
 *
 * @since 0.1.0
 */
export const make = (apiKey: Redacted.Redacted): Context.Tag.Service<KustomerAuth> => ({
  apiKey: Effect.succeed(apiKey),
  invalidate: () => Effect.succeed(false)
})

/**
 * A layer with a fixed API key.
 *
 * @since 0.1.0
 */
export const layer = (apiKey: Redacted.Redacted): Layer.Layer<KustomerAuth> => Layer.succeed(KustomerAuth, make(apiKey))

/**
 * An API key read from `Config`: surrounding whitespace (the newline of a key pasted from a file) is removed, and
 * an empty value counts as not set, so that it fails as missing rather than as a 401 later.
 *
 * @since 0.1.0
 */
export const apiKeyConfig = (name: string = "KUSTOMER_API_KEY"): Config.Config<Redacted.Redacted> =>
  Config.redacted(name).pipe(
    Config.mapOrFail((key) => {
      const trimmed = Redacted.value(key).trim()
      return trimmed.length === 0
        ? Either.left(ConfigError.MissingData([name], `${name} is empty; set it to the API key`))
        : Either.right(Redacted.make(trimmed))
    })
  )

/**
 * A fixed API key read from `Config`, by default {@link apiKeyConfig} (`KUSTOMER_API_KEY`).
 *
 * @since 0.1.0
 */
export const layerConfig = (
  apiKey: Config.Config<Redacted.Redacted> = apiKeyConfig()
): Layer.Layer<KustomerAuth, ConfigError.ConfigError> =>
  Layer.effect(KustomerAuth, Effect.map(apiKey, (key) => make(key)))

/**
 * A key obtained from an effect — a secret store, a rotating key — and cached until the API rejects it with a
 * 401; the next request then obtains it again. Concurrent requests share one acquisition.
 *
 * @since 0.1.0
 */
export const makeRefreshing = <E>(
  acquire: Effect.Effect<Redacted.Redacted, E>
): Effect.Effect<Context.Tag.Service<KustomerAuth>> =>
  Effect.gen(function*() {
    const cached = yield* SynchronizedRef.make(Option.none<Redacted.Redacted>())
    const obtain = acquire.pipe(
      Effect.mapError((error) =>
        new KustomerError({
          module: "KustomerAuth",
          method: "apiKey",
          reason: new CredentialsUnavailable({ detail: Cause.pretty(Cause.fail(error)).split("\n")[0] ?? "" })
        })
      )
    )
    return {
      apiKey: SynchronizedRef.modifyEffect(cached, (current) =>
        Option.match(current, {
          onSome: (key) => Effect.succeed([key, current] as const),
          onNone: () => Effect.map(obtain, (key) => [key, Option.some(key)] as const)
        })),
      // Another fiber may have refreshed the key already; either way the next request gets a fresh attempt.
      invalidate: (rejected) =>
        SynchronizedRef.update(cached, (current) =>
          Option.isSome(current) && current.value === rejected ? Option.none() : current).pipe(Effect.as(true))
    }
  })

/**
 * A layer for {@link makeRefreshing}.
 *
 * @since 0.1.0
 */
export const layerRefreshing = <E, R>(
  acquire: Effect.Effect<Redacted.Redacted, E, R>
): Layer.Layer<KustomerAuth, never, R> =>
  Layer.effect(
    KustomerAuth,
    Effect.flatMap(Effect.context<R>(), (context) => makeRefreshing(Effect.provide(acquire, context)))
  )
