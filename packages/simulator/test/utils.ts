/** Helpers shared by the simulator tests: a tiny API caller over any `HttpClient`, and item factories. */
import { BulkJob } from "@effect-kustomer/domain"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { Simulator, SimulatorClient } from "../src/index.js"

/** A response, read whole. */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly text: string
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly body: unknown
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Options of one call. */
export interface CallOptions {
  /** Bearer key; `null` sends no Authorization header. Defaults to the caller's key. */
  readonly key?: string | null
  /** A JSON value to send, or a raw string body. */
  readonly json?: unknown
  readonly raw?: string
}

/** Calls the API at `baseUrl` with the `HttpClient` in context. */
export const makeApi = (baseUrl: string, apiKey: string) => {
  const call = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    options: CallOptions = {}
  ): Effect.Effect<Reply, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const key = options.key === undefined ? apiKey : options.key
      let request = HttpClientRequest.make(method)(`${baseUrl}${path}`)
      if (key !== null) request = HttpClientRequest.bearerToken(request, key)
      if (options.raw !== undefined) request = HttpClientRequest.bodyText(request, options.raw, "application/json")
      else if (options.json !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, options.json)
      const response = yield* client.execute(request)
      const text = yield* response.text
      return { status: response.status, headers: response.headers, text, body: parse(text) }
    })
  return {
    get: (path: string, options?: CallOptions) => call("GET", path, options),
    post: (path: string, options?: CallOptions) => call("POST", path, options),
    put: (path: string, options?: CallOptions) => call("PUT", path, options),
    delete: (path: string, options?: CallOptions) => call("DELETE", path, options)
  }
}

/** The API of the in-process simulator in context. */
export const inProcessApi = Effect.map(
  Simulator.Simulator,
  (simulator) => makeApi(SimulatorClient.baseUrl, simulator.apiKey)
)

/** Reads a nested field of a JSON value, or `undefined`. */
export const at = (value: unknown, ...path: ReadonlyArray<string | number>): unknown => {
  let current = value
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined
      const items: ReadonlyArray<unknown> = current
      current = items[key]
    } else {
      if (!Predicate.isRecord(current)) return undefined
      current = current[key]
    }
  }
  return current
}

/** A field that must be a string. */
export const str = (value: unknown, ...path: ReadonlyArray<string | number>): string => {
  const found = at(value, ...path)
  if (typeof found !== "string") throw new Error(`expected a string at ${path.join(".")}, got ${JSON.stringify(found)}`)
  return found
}

/**
 * The path of a look-up by external id as Kustomer spells it: `externalId=` for customers and conversations, the
 * lower-case `externalid=` for messages (notes have none). Written out here, not taken from the domain, so that
 * these tests pin the spelling the simulator serves.
 */
export const externalIdPath = (resource: "customers" | "conversations" | "messages", externalId: string): string =>
  `/v1/${resource}/${resource === "messages" ? "externalid" : "externalId"}=${encodeURIComponent(externalId)}`

/** `n` valid conversations for `customer`, with external ids `${prefix}-0..n-1`. */
export const conversations = (
  customer: string,
  count: number,
  prefix = "conv",
  withClientRef = false
): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, index) => ({
    customer,
    externalId: `${prefix}-${index}`,
    name: `Conversation ${index}`,
    ...(withClientRef ? { _clientRef: `${prefix}-ref-${index}` } : {})
  }))

/** Polls a job (advancing the TestClock by `step` between polls) until it is complete; returns the last body. */
export const awaitJobOnTestClock = (
  api: ReturnType<typeof makeApi>,
  jobId: string,
  step: Duration.DurationInput = "100 millis"
) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const reply = yield* api.get(`/v1/bulk/${jobId}`)
      if (at(reply.body, "data", "attributes", "status") === "complete") return reply.body
      yield* TestClock.adjust(step)
    }
    return yield* Effect.die(new Error(`job ${jobId} did not complete`))
  })

/** Polls a job over a real connection until it is complete (each poll is a real round trip, no sleeping). */
export const awaitJobLive = (api: ReturnType<typeof makeApi>, jobId: string) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const reply = yield* api.get(`/v1/bulk/${jobId}`)
      if (at(reply.body, "data", "attributes", "status") === "complete") return reply.body
      yield* Effect.yieldNow()
    }
    return yield* Effect.die(new Error(`job ${jobId} did not complete`))
  })

/**
 * Submits `items` to a bulk endpoint, waits for the job on the test clock, and returns the submission's status
 * and the job's batches (decoded, and as sent). A submission the simulator refuses fails the test with its body.
 */
export const submitAndAwait = (path: string, items: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const created = yield* api.post(path, { json: items })
    if (created.status >= 300) assert.fail(`${path}: ${created.status} ${JSON.stringify(created.body)}`)
    const jobId = Schema.decodeUnknownSync(BulkJob.BulkJobDocument)(created.body).data.id
    yield* awaitJobOnTestClock(api, jobId)
    const reply = yield* api.get(`/v1/bulk/${jobId}/batches`)
    const batches = Schema.decodeUnknownSync(BulkJob.BatchListDocument)(reply.body).data
    return { status: created.status, raw: reply.body, batches: batches.map((batch) => batch.attributes) }
  })
