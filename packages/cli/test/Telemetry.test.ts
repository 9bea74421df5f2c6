import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as DemoData from "../src/DemoData.js"
import * as Telemetry from "../src/Telemetry.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.telemetry-secret.c2lnbmF0dXJl"

const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], customers: 20, jobLatency: "10 millis" })

/** One request an OTLP collector received. */
interface Received {
  readonly path: string
  readonly contentType: string
  readonly body: Buffer
}

/** A minimal OTLP/HTTP collector on a free port: it keeps every request and answers 200 `{}`. */
const otlpReceiver = Effect.gen(function*() {
  const received: Array<Received> = []
  const server = yield* Effect.acquireRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          received.push({
            path: request.url ?? "",
            contentType: request.headers["content-type"] ?? "",
            body: Buffer.concat(chunks)
          })
          response.writeHead(200, { "content-type": "application/json" }).end("{}")
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )
  const port = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${port}`, received: Effect.sync(() => [...received]) }
})

const writeConversations = (customerIds: ReadonlyArray<string>, count: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-telemetry-" })
    const file = `${directory}/conversations.jsonl`
    const records = [...DemoData.conversations(count, { customerIds, nowMillis: 1_790_000_000_000, invalidEvery: 10 })]
    yield* fs.writeFileString(file, records.map((record) => JSON.stringify(record)).join("\n"))
    return file
  })

interface JsonSpan {
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: unknown }>
}

const spansOf = (received: ReadonlyArray<Received>): ReadonlyArray<JsonSpan> =>
  received.filter((request) => request.path === "/v1/traces").flatMap((request) =>
    JSON.parse(request.body.toString("utf8")).resourceSpans.flatMap((resource: { scopeSpans: Array<unknown> }) =>
      resource.scopeSpans.flatMap((scope) => (scope as { spans: Array<JsonSpan> }).spans)
    )
  )

const metricNamesOf = (received: ReadonlyArray<Received>): ReadonlyArray<string> =>
  received.filter((request) => request.path === "/v1/metrics").flatMap((request) =>
    JSON.parse(request.body.toString("utf8")).resourceMetrics.flatMap((resource: { scopeMetrics: Array<unknown> }) =>
      resource.scopeMetrics.flatMap((scope) =>
        (scope as { metrics: Array<{ name: string }> }).metrics.map((metric) => metric.name)
      )
    )
  )

describe("Telemetry settings", () => {
  const settingsWith = (flag: string | undefined, env: Record<string, string>) =>
    Telemetry.settings(Option.fromNullable(flag)).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.either
    )

  it.effect("the flag wins over the variable; nothing without either, nor with OTEL_SDK_DISABLED", () =>
    Effect.gen(function*() {
      const fromFlag = yield* settingsWith("http://a:4318/", { OTEL_EXPORTER_OTLP_ENDPOINT: "http://b:4318" })
      assert.deepStrictEqual(
        fromFlag,
        Either.right(Option.some({ endpoint: "http://a:4318", protocol: "http/protobuf" as const, headers: {} }))
      )
      const fromEnv = yield* settingsWith(undefined, {
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example.com",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_HEADERS: "x-token=a%20b, tenant=acme"
      })
      assert.deepStrictEqual(
        fromEnv,
        Either.right(Option.some({
          endpoint: "https://collector.example.com",
          protocol: "http/json" as const,
          headers: { "x-token": "a b", tenant: "acme" }
        }))
      )
      assert.deepStrictEqual(yield* settingsWith(undefined, {}), Either.right(Option.none()))
      assert.deepStrictEqual(
        yield* settingsWith(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://b:4318", OTEL_SDK_DISABLED: "true" }),
        Either.right(Option.none())
      )
    }))

  it.effect("a wrong URL, protocol or header list says which setting is wrong", () =>
    Effect.gen(function*() {
      const messageOf = (result: Either.Either<unknown, { readonly message: string }>) =>
        Either.isLeft(result) ? result.left.message : ""
      assert.include(messageOf(yield* settingsWith("localhost:4318", {})), "--otel-endpoint")
      assert.include(
        messageOf(yield* settingsWith("http://a:4318", { OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })),
        "OTEL_EXPORTER_OTLP_PROTOCOL"
      )
      assert.include(
        messageOf(yield* settingsWith("http://a:4318", { OTEL_EXPORTER_OTLP_HEADERS: "novalue" })),
        "OTEL_EXPORTER_OTLP_HEADERS"
      )
    }))
})

describe("kustomer-bulk import --otel-endpoint, against an in-process OTLP/HTTP receiver", () => {
  it.scopedLive(
    "the import's spans and its request and outcome counters arrive when the command ends",
    () =>
      Effect.gen(function*() {
        const server = yield* SimulatorServer.SimulatorServer
        const receiver = yield* otlpReceiver
        const file = yield* writeConversations(server.customerIds, 60)
        const env = {
          KUSTOMER_API_KEY: secretKey,
          KUSTOMER_BASE_URL: server.baseUrl,
          ...quickFirstPoll,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json"
        }
        const result = yield* runCli(["import", file, "--max-items", "20", "--otel-endpoint", receiver.url], env)
        assert.strictEqual(result.code, 2, result.text)
        // The exporters are flushed when the command's scope closes: everything is there once it returns.
        const received = yield* receiver.received
        const spans = spansOf(received)
        const names = new Set(spans.map((span) => span.name))
        for (const name of ["DurableImport.run", "BulkImport.submitChunk", "KustomerClient.bulkCreate"]) {
          assert.isTrue(names.has(name), `${name} in ${[...names].join(", ")}`)
        }
        assert.strictEqual(spans.filter((span) => span.name === "BulkImport.submitChunk").length, 3)
        const traces = received.find((request) => request.path === "/v1/traces")
        assert.include(traces?.body.toString("utf8") ?? "", `"stringValue":"kustomer-bulk"`)
        assert.include(traces?.contentType ?? "", "application/json")
        const metrics = metricNamesOf(received)
        assert.include(metrics, "kustomer_import_records_total")
        assert.include(metrics, "kustomer_requests_total")
        for (const request of received) {
          assert.notInclude(request.body.toString("latin1"), secretKey)
          assert.notInclude(request.body.toString("latin1"), "telemetry-secret")
        }
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    30_000
  )

  it.scopedLive("OTEL_EXPORTER_OTLP_ENDPOINT alone exports protobuf, the OTLP default", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const receiver = yield* otlpReceiver
      const file = yield* writeConversations(server.customerIds, 10)
      const result = yield* runCli(["import", file], {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url
      })
      assert.strictEqual(result.code, 2, result.text)
      const received = yield* receiver.received
      const traces = received.filter((request) => request.path === "/v1/traces")
      assert.isAbove(traces.length, 0)
      assert.include(traces[0]?.contentType ?? "", "application/x-protobuf")
      assert.include(Buffer.concat(traces.map((request) => request.body)).toString("latin1"), "BulkImport.submitChunk")
      const metrics = received.filter((request) => request.path === "/v1/metrics")
      assert.include(
        Buffer.concat(metrics.map((request) => request.body)).toString("latin1"),
        "kustomer_requests_total"
      )
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))), 30_000)
})
