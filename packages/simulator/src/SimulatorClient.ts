/**
 * An `HttpClient` that calls the simulator in process: each request is turned into an `HttpServerRequest`, run
 * through the simulator's app in the calling fiber, and its response handed back — no sockets, no event-loop
 * hops. Because everything runs on the caller's fibers, `TestClock` controls all of the simulator's time: the
 * rate-limit window, job progress, stalls and slow responses.
 *
 * The URL's origin is ignored (use {@link baseUrl} or any other); only the path and query are routed. A
 * connection-reset fault fails the request with a `RequestError` whose reason is `Transport`, as a dropped
 * connection does with a real client.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Simulator from "./Simulator.js"
import type { SimulatorOptions } from "./SimulatorConfig.js"

/**
 * A base URL for in-process use. Any origin works; this one documents the intent.
 *
 * @since 0.1.0
 */
export const baseUrl = "http://simulator.invalid"

type WebBody = string | Uint8Array | FormData | undefined

const concat = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array => {
  let length = 0
  for (const chunk of chunks) length += chunk.length
  const bytes = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string, cause?: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Encode", description, cause })

const webBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<WebBody, HttpClientError.RequestError> => {
  const body: HttpBody.HttpBody = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "FormData":
      return Effect.succeed(body.formData)
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Effect.succeed(body.body)
        : Effect.fail(encodeError(request, "the in-process client sends only string or byte bodies"))
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => concat(chunks)),
        Effect.mapError((cause) => encodeError(request, "could not read the request body stream", cause))
      )
  }
}

const contentTypeOf = (body: HttpBody.HttpBody): string | undefined =>
  body._tag === "Uint8Array" || body._tag === "Stream" ? body.contentType : undefined

/**
 * An `HttpClient` over any simulator app (see the module description).
 *
 * @since 0.1.0
 */
export const fromApp = (app: HttpApp.Default<Simulator.ConnectionReset>): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = yield* webBody(request)
      const headers: Record<string, string> = { ...request.headers }
      const contentType = contentTypeOf(request.body)
      if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
      const webRequest = new Request(url.toString(), {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body })
      })
      const response = yield* app.pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
        Effect.catchTag("ConnectionReset", (reset) =>
          Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              description: `connection reset by the simulator (${reset.phase.replace("_", " ")})`,
              cause: reset
            })
          ))
      )
      return HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response))
    })
  )

/**
 * The in-process client of the {@link Simulator.Simulator} in context.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<HttpClient.HttpClient, never, Simulator.Simulator> = Effect.map(
  Simulator.Simulator,
  (simulator) => fromApp(simulator.app)
)

/**
 * Provides `HttpClient.HttpClient` as the in-process client of the {@link Simulator.Simulator} in context.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<HttpClient.HttpClient, never, Simulator.Simulator> = Layer.effect(
  HttpClient.HttpClient,
  make
)

/**
 * A fresh simulator and its in-process `HttpClient`, in one layer. Build it inside the test (e.g. with
 * `Effect.provide` in `it.effect`), so the simulator runs on the test's `TestClock`.
 *
 * @since 0.1.0
 */
export const layerSimulator = (
  options: SimulatorOptions = {}
): Layer.Layer<HttpClient.HttpClient | Simulator.Simulator> => Layer.provideMerge(layer, Simulator.layer(options))
