/**
 * Response bodies: error bodies (JSON:API error objects, or the plain `{ code, message, meta }`), the HTML page a
 * proxy sends with a 502, and the connection reset signal (a response that must never be sent).
 */
import type { ErrorBody } from "@effect-kustomer/domain"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"

/**
 * Raised by the simulator's app when a fault destroys the connection instead of answering. The real server
 * destroys the socket; the in-process client turns it into a transport `RequestError`.
 */
export class ConnectionReset extends Data.TaggedError("ConnectionReset")<{
  readonly phase: "before_acceptance" | "after_acceptance"
}> {}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable"
}

/** A JSON response. */
export const json = (status: number, body: unknown): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(body, { status })

/** The shape of an error body: JSON:API's list, or one plain object. */
export type ErrorStyle = "jsonapi" | "plain"

/** The JSON:API error body `{ errors: [{ status, code, title, detail }] }`. */
export const errorBody = (status: number, code: string, detail: string): ErrorBody.ApiErrorBody => ({
  errors: [{ status, code, title: titles[status] ?? "Error", detail }]
})

/** The plain error body `{ code, message, meta }`. */
export const plainErrorBody = (status: number, code: string, detail: string) => ({
  code,
  message: detail,
  meta: { status }
})

/** An error response with an error body of the given style (JSON:API by default). */
export const error = (
  status: number,
  code: string,
  detail: string,
  style: ErrorStyle = "jsonapi"
): HttpServerResponse.HttpServerResponse =>
  json(status, style === "plain" ? plainErrorBody(status, code, detail) : errorBody(status, code, detail))

const serverErrorCodes: Record<number, string> = {
  500: "internal_server_error",
  502: "bad_gateway",
  503: "service_unavailable"
}

/** A simulated server error with an error body. */
export const serverError = (
  status: 500 | 502 | 503,
  style: ErrorStyle = "jsonapi"
): HttpServerResponse.HttpServerResponse =>
  error(status, serverErrorCodes[status] ?? "server_error", "simulated server fault", style)

const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
  "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"

/** A 502 with an HTML body, as a reverse proxy answers when the upstream fails. */
export const htmlBadGateway = (): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(badGatewayPage, { status: 502, contentType: "text/html" })
