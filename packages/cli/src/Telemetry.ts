/**
 * OpenTelemetry export: the spans (`BulkImport.submitChunk`, `KustomerClient.bulkCreate`, …), the metrics
 * (`kustomer_requests_total`, `kustomer_import_records_total`) and the logs of a command, sent over OTLP/HTTP to
 * the collector named by `--otel-endpoint URL` or the standard `OTEL_EXPORTER_OTLP_ENDPOINT`, as service
 * `kustomer-bulk`. Nothing is exported when neither is set.
 *
 * The standard variables it reads besides the endpoint: `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, the
 * default, or `http/json`; `grpc` is refused), `OTEL_EXPORTER_OTLP_HEADERS` (`name=value,…`, e.g. a collector's
 * token) and `OTEL_SDK_DISABLED=true` (no export). The exporters live in a scope around the command, so what is
 * still buffered is sent when the command ends.
 *
 * @since 0.1.0
 */
import * as Otlp from "@effect/opentelemetry/Otlp"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { CliError } from "./Failure.js"

/** The service name spans and metrics carry. @since 0.1.0 */
export const serviceName = "kustomer-bulk"

/**
 * Where and how to export.
 *
 * @since 0.1.0
 */
export interface Settings {
  /** The collector's base URL; signals go to `/v1/traces`, `/v1/metrics` and `/v1/logs` under it. */
  readonly endpoint: string
  readonly protocol: "http/protobuf" | "http/json"
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Parses `OTEL_EXPORTER_OTLP_HEADERS`: comma-separated `name=value` pairs, values percent-encoded.
 *
 * @since 0.1.0
 */
export const parseHeaders = (text: string): Either.Either<Record<string, string>, string> => {
  const headers: Record<string, string> = {}
  for (const pair of text.split(",").map((part) => part.trim()).filter((part) => part.length > 0)) {
    const equals = pair.indexOf("=")
    if (equals <= 0) return Either.left(`"${pair.split("=")[0] ?? ""}" is not a name=value pair`)
    try {
      headers[pair.slice(0, equals).trim()] = decodeURIComponent(pair.slice(equals + 1).trim())
    } catch {
      return Either.left(`the value of "${pair.slice(0, equals).trim()}" is not percent-encoded correctly`)
    }
  }
  return Either.right(headers)
}

const fail = (message: string) => Effect.fail(new CliError({ message }))

const nonEmpty = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map((value) => Option.filter(value, (text) => text.trim().length > 0))
  )

/**
 * The export settings from `--otel-endpoint` (first) and the standard variables; `None` when nothing is to be
 * exported. Fails with a message naming the flag or variable that is wrong.
 *
 * @since 0.1.0
 */
export const settings = (flag: Option.Option<string>): Effect.Effect<Option.Option<Settings>, CliError> =>
  Effect.gen(function*() {
    const variables = yield* Config.all({
      endpoint: nonEmpty("OTEL_EXPORTER_OTLP_ENDPOINT"),
      protocol: nonEmpty("OTEL_EXPORTER_OTLP_PROTOCOL"),
      headers: nonEmpty("OTEL_EXPORTER_OTLP_HEADERS"),
      disabled: nonEmpty("OTEL_SDK_DISABLED")
    }).pipe(Effect.orElseSucceed(() => undefined))
    if (variables === undefined) return Option.none()
    const endpoint = Option.orElse(flag, () => variables.endpoint)
    const disabled = Option.exists(variables.disabled, (value) => value.trim().toLowerCase() === "true")
    if (Option.isNone(endpoint) || (disabled && Option.isNone(flag))) return Option.none()
    const source = Option.isSome(flag) ? "--otel-endpoint" : "OTEL_EXPORTER_OTLP_ENDPOINT"
    const url = URL.canParse(endpoint.value) ? new URL(endpoint.value) : undefined
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return yield* fail(`${source}: "${endpoint.value}" is not an http(s) URL (e.g. http://localhost:4318)`)
    }
    const protocol = Option.getOrElse(variables.protocol, () => "http/protobuf").trim()
    if (protocol !== "http/protobuf" && protocol !== "http/json") {
      return yield* fail(
        `OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; use http/protobuf (default) or http/json`
      )
    }
    const headers = Option.match(variables.headers, {
      onNone: () => Either.right({}),
      onSome: parseHeaders
    })
    if (Either.isLeft(headers)) return yield* fail(`OTEL_EXPORTER_OTLP_HEADERS: ${headers.left}`)
    return Option.some({ endpoint: endpoint.value.replace(/\/+$/, ""), protocol, headers: headers.right })
  })

/**
 * The exporters for `settings`: traces, metrics and logs over OTLP/HTTP. Scoped: closing it sends what is left.
 *
 * @since 0.1.0
 */
export const layer = (settings: Settings, serviceVersion: string): Layer.Layer<never, never, HttpClient.HttpClient> => {
  const options = {
    baseUrl: settings.endpoint,
    resource: { serviceName, serviceVersion },
    headers: settings.headers
  }
  return settings.protocol === "http/json" ? Otlp.layerJson(options) : Otlp.layerProtobuf(options)
}

/**
 * Runs `effect` with its spans, metrics and logs exported when `--otel-endpoint` or `OTEL_EXPORTER_OTLP_ENDPOINT`
 * says where; unchanged otherwise.
 *
 * @since 0.1.0
 */
export const exporting =
  (flag: Option.Option<string>, serviceVersion: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CliError, R | HttpClient.HttpClient> =>
    Effect.flatMap(settings(flag), (found) =>
      Option.match(found, {
        onNone: () => effect,
        onSome: (settings) => Effect.provide(effect, layer(settings, serviceVersion))
      }))
