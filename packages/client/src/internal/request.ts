/**
 * The request machinery behind `KustomerClient`: the `HttpClient` stack (base URL, time limit, rate limit), one
 * exchange with the API (bearer key, one more try after a 401 when the key may have changed), and the mapping of
 * its answer to a value or a {@link KustomerError}.
 */
import { RateLimit } from "@effect-kustomer/domain"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { KustomerAuth } from "../KustomerAuth.js"
import type { KustomerConfig } from "../KustomerConfig.js"
import { Decode, KustomerError, type Reason, Transport } from "../KustomerError.js"
import { excerpt, reasonForRequestError, reasonForStatus } from "./responses.js"

/** Requests sent, by method and status class. */
export const requestsCounter = Metric.counter("kustomer_requests_total", {
  description: "HTTP requests sent to the Kustomer API",
  incremental: true
})

/** One call of an endpoint. */
export interface Call<A> {
  readonly method: string
  /** The request; a URL starting with `/` is resolved against the base URL. */
  readonly request: HttpClientRequest.HttpClientRequest
  readonly requiredRoles: ReadonlyArray<string>
  /** Decodes a success body. */
  readonly decode: (body: unknown) => Either.Either<A, ParseResult.ParseError>
  /** A non-success status with its own meaning for this call (e.g. 404 → `None`). */
  readonly onStatus?: ((status: number) => Option.Option<A>) | undefined
}

/** Runs one call: the request runner every endpoint is built from. */
export type Run = <A>(call: Call<A>) => Effect.Effect<A, KustomerError>

/** The error of a client method. */
export const fail = (method: string, reason: Reason) => new KustomerError({ module: "KustomerClient", method, reason })

const noResponseWithin = (timeout: Duration.Duration) => `no complete response within ${Duration.format(timeout)}`

/**
 * The `HttpClient` every call goes through: the caller's adjustments, a time limit on each attempt (inside the
 * rate limiter, so that waiting for the budget never counts against it), the rate limiter, and the base URL.
 */
export const stack = (options: {
  readonly base: HttpClient.HttpClient
  readonly config: KustomerConfig["Type"]
  readonly transformClient: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  readonly rateLimit: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}): HttpClient.HttpClient => {
  const { config } = options
  const adjusted = options.transformClient === undefined ? options.base : options.transformClient(options.base)
  const timed = HttpClient.transform(adjusted, (response, request) =>
    Effect.timeoutFail(response, {
      duration: config.requestTimeout,
      onTimeout: () =>
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new Error(noResponseWithin(config.requestTimeout))
        })
    }))
  const limited = options.rateLimit === undefined ? timed : options.rateLimit(timed)
  return limited.pipe(
    HttpClient.mapRequest((request) =>
      HttpClientRequest.acceptJson(
        request.url.startsWith("/") ? HttpClientRequest.prependUrl(request, config.baseUrl) : request
      )
    )
  )
}

const statusClass = (status: number) => (status === 0 ? "none" : `${Math.floor(status / 100)}xx`)

const countRequest = (method: string, status: string) =>
  Metric.increment(Metric.tagged(Metric.tagged(requestsCounter, "method", method), "status", status))

/**
 * Runs calls: one HTTP exchange each (two after a 401 when the auth layer has a fresh key), publishing every
 * response's rate-limit information on `latest`.
 */
export const makeRunner = (options: {
  readonly httpClient: HttpClient.HttpClient
  readonly auth: KustomerAuth["Type"]
  readonly config: KustomerConfig["Type"]
  readonly latest: SubscriptionRef.SubscriptionRef<Option.Option<RateLimit.RateLimitInfo>>
}) => {
  const { auth, config, httpClient, latest } = options

  /** One HTTP exchange: the status, the body text, and the rate-limit information. */
  const exchange = (call: Call<unknown>, apiKey: Redacted.Redacted) =>
    Effect.gen(function*() {
      const response = yield* httpClient.execute(HttpClientRequest.bearerToken(call.request, apiKey)).pipe(
        Effect.flatMap((received) =>
          received.text.pipe(
            // The stack limits the wait for the headers; this limits a body that stalls after them.
            Effect.timeoutFail({
              duration: config.requestTimeout,
              onTimeout: () =>
                fail(
                  call.method,
                  new Transport({ delivery: "maybe-sent", detail: noResponseWithin(config.requestTimeout) })
                )
            }),
            Effect.map((body) => ({ status: received.status, headers: received.headers, body }))
          )
        ),
        Effect.catchTag("RequestError", (error) => Effect.fail(fail(call.method, reasonForRequestError(error)))),
        Effect.catchTag("ResponseError", (error) =>
          Effect.fail(
            fail(
              call.method,
              new Transport({ delivery: "maybe-sent", detail: `the response body could not be read: ${error.reason}` })
            )
          )),
        Effect.tapError(() => countRequest(call.method, "none"))
      )
      const now = yield* Clock.currentTimeMillis
      const info = RateLimit.fromHeaders(response.headers, now)
      if (Option.isSome(info)) yield* SubscriptionRef.set(latest, info)
      yield* countRequest(call.method, statusClass(response.status))
      return { ...response, info, now }
    })

  const decodeSuccess = <A>(call: Call<A>, status: number, body: string): Effect.Effect<A, KustomerError> => {
    let parsed: unknown
    try {
      parsed = body.length === 0 ? undefined : JSON.parse(body)
    } catch {
      return Effect.fail(
        fail(call.method, new Decode({ status, detail: "the body is not JSON", bodyExcerpt: excerpt(body) }))
      )
    }
    return Either.match(call.decode(parsed), {
      onLeft: (error) =>
        Effect.fail(
          fail(
            call.method,
            new Decode({
              status,
              detail: ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 6).join(" "),
              bodyExcerpt: excerpt(body)
            })
          )
        ),
      onRight: (value) => Effect.succeed(value)
    })
  }

  return <A>(call: Call<A>): Effect.Effect<A, KustomerError> =>
    Effect.gen(function*() {
      let apiKey = yield* auth.apiKey
      let response = yield* exchange(call, apiKey)
      if (response.status === 401 && (yield* auth.invalidate(apiKey))) {
        apiKey = yield* auth.apiKey
        response = yield* exchange(call, apiKey)
      }
      const { body, info, now, status } = response
      if (status >= 200 && status < 300) return yield* decodeSuccess(call, status, body)
      const handled = call.onStatus?.(status) ?? Option.none()
      if (Option.isSome(handled)) return handled.value
      const retryAfter = Option.flatMap(info, (rateLimit) => RateLimit.waitAfterRejection(rateLimit, now))
      return yield* Effect.fail(
        fail(call.method, reasonForStatus({ status, body, requiredRoles: call.requiredRoles, retryAfter }))
      )
    })
}
