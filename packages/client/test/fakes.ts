/** Wire-level fakes: an `HttpClient` answering from a function, and the layers a client needs around it. */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { KustomerAuth, KustomerClient, KustomerConfig } from "../src/index.js"

/** A secret that must never show up anywhere but the Authorization header. */
export const secretKey = "eyJhbGciOiJIUzI1NiJ9.super-secret-test-key.c2lnbmF0dXJl"

export interface Reply {
  readonly status: number
  readonly body?: string
  readonly headers?: Record<string, string>
}

export interface Seen {
  readonly method: string
  readonly url: string
  readonly authorization: string | undefined
  readonly body: string
  /** The clock's time when the request was sent. */
  readonly at: number
}

/**
 * An `HttpClient` whose responses come from `answer` (a failure of `answer` is a transport failure); every request
 * it sees is recorded in `seen`.
 */
export const fakeHttp = (
  answer: (request: HttpClientRequest.HttpClientRequest, url: URL, index: number) => Effect.Effect<Reply, unknown>,
  seen: Ref.Ref<ReadonlyArray<Seen>>
) =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const index = (yield* Ref.get(seen)).length
      const at = yield* Clock.currentTimeMillis
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      yield* Ref.update(seen, (all) => [...all, {
        method: request.method,
        url: url.toString(),
        authorization: request.headers["authorization"],
        body,
        at
      }])
      const reply = yield* Effect.mapError(
        answer(request, url, index),
        (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
      )
      return HttpClientResponse.fromWeb(
        request,
        new Response(reply.body ?? null, { status: reply.status, headers: reply.headers ?? {} })
      )
    })
  )

/** A client over `fakeHttp`, with a fixed key and a loopback base URL. */
export const clientWith = (
  answer: Parameters<typeof fakeHttp>[0],
  options: {
    readonly auth?: Layer.Layer<KustomerAuth.KustomerAuth>
    readonly client?: KustomerClient.Options
  } = {}
) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
    const client = yield* KustomerClient.make(options.client).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(HttpClient.HttpClient, fakeHttp(answer, seen)),
          options.auth ?? KustomerAuth.layer(Redacted.make(secretKey)),
          KustomerConfig.layer({ baseUrl: "http://127.0.0.1:4010" })
        )
      )
    )
    return { client, seen }
  })

/** Replies with JSON. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers }
})
