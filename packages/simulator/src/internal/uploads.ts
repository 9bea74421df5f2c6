/**
 * Attachments on the wire: `POST /v1/attachments` (an API route, behind the guard) stores a pending document and
 * answers with an S3-style presigned POST to `POST /__uploads/{id}` — the simulator's stand-in for the storage
 * host. The upload route is not the API: no key, no rate limit, S3's XML errors; it refuses a request that
 * carries `Authorization`, since a client that sends its API key to the storage host leaks it.
 */
import { Attachment } from "@effect-kustomer/domain"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { fieldsProblem } from "./attachments.js"
import type { AttachmentRecord } from "./attachments.js"
import { injectFault } from "./bulkCreate.js"
import type { Handler, Response } from "./guard.js"
import * as Multipart from "./multipart.js"
import * as Responses from "./responses.js"
import type { ConnectionReset } from "./responses.js"
import type { SimulatorState } from "./state.js"
import { isoString } from "./time.js"

/** The path of an upload, under the origin the create request came to. */
export const uploadPath = (id: string): string => `/__uploads/${id}`

const escapeXml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** An error as S3 words it: `<Error><Code>…</Code><Message>…</Message></Error>`. */
export const s3Error = (status: number, code: string, message: string): Response =>
  HttpServerResponse.text(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error>`,
    { status, contentType: "application/xml" }
  )

/** The origin the request was sent to: from the URL a web request keeps, else from `Host` (Node's requests). */
const originOf = (request: HttpServerRequest.HttpServerRequest): string => {
  const original = request.originalUrl
  if (/^https?:\/\//i.test(original)) return new URL(original).origin
  const host = request.headers["host"]
  return host === undefined ? "http://127.0.0.1" : `http://${host}`
}

const decodeCreate = Schema.decodeUnknownEither(Attachment.AttachmentCreate)

const documentOf = (record: AttachmentRecord, origin: string) => ({
  data: {
    type: "attachment",
    id: record.id,
    attributes: {
      name: record.name,
      contentType: record.contentType,
      contentLength: record.contentLength,
      uploaded: record.uploaded !== undefined,
      createdAt: isoString(record.createdAtMillis)
    },
    links: { self: `${Attachment.createPath}/${record.id}` }
  },
  meta: { upload: { url: `${origin}${uploadPath(record.id)}`, fields: record.fields } }
})

/**
 * The handler of `POST /v1/attachments`, run behind the guard (so the guard's faults apply: hangs, slow answers,
 * 429 storms). The 5xx and reset faults of the profile are those of bulk POSTs and of uploads, not of this route.
 */
export const makeCreate = (state: SimulatorState): Handler => {
  const errorBody = state.config.answers.errorBody
  return (call) =>
    Effect.gen(function*() {
      const text = yield* Effect.either(call.request.text)
      if (Either.isLeft(text)) return Responses.error(400, "bad_request", "could not read the request body", errorBody)
      let parsed: unknown
      try {
        parsed = JSON.parse(text.right)
      } catch {
        return Responses.error(400, "bad_request", "request body is not valid JSON", errorBody)
      }
      const body = decodeCreate(parsed)
      if (Either.isLeft(body)) {
        return Responses.error(400, "bad_request", `invalid attachment: ${body.left.message}`, errorBody)
      }
      const nowMillis = yield* Clock.currentTimeMillis
      const record = state.store.attachments.create(body.right, nowMillis)
      return Responses.json(201, documentOf(record, originOf(call.request)))
    })
}

/** What an upload stored: the file's size and SHA-256 (its bytes are counted and hashed as they come, not kept). */
export interface StoredFile {
  readonly size: number
  readonly sha256: string
}

/** Why an upload is refused, S3's way, or the form's file as stored. */
const readUpload = (
  state: SimulatorState,
  request: HttpServerRequest.HttpServerRequest,
  record: AttachmentRecord
): Effect.Effect<Either.Either<StoredFile, Response>> =>
  Effect.gen(function*() {
    const refuse = (status: number, code: string, message: string) => Either.left(s3Error(status, code, message))
    if (request.headers["authorization"] !== undefined) {
      return refuse(400, "InvalidArgument", "Only one auth mechanism allowed: send no Authorization header.")
    }
    const nowMillis = yield* Clock.currentTimeMillis
    if (nowMillis > record.expiresAtMillis) return refuse(403, "AccessDenied", "Invalid according to Policy: expired.")
    const boundary = Multipart.boundaryOf(request.headers["content-type"])
    if (boundary === undefined) {
      return refuse(412, "PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data.")
    }
    const declared = request.headers["content-length"]
    if (declared === undefined) return refuse(411, "MissingContentLength", "You must provide the Content-Length.")
    const body = yield* Effect.either(Multipart.read(request.stream, boundary))
    if (Either.isLeft(body)) return refuse(400, "IncompleteBody", "The body could not be read.")
    if (body.right.bodyBytes !== Number(declared)) {
      return refuse(400, "IncompleteBody", `Content-Length ${declared}, body ${body.right.bodyBytes} bytes.`)
    }
    const parts = body.right.parts
    if (Either.isLeft(parts)) return refuse(400, "MalformedPOSTRequest", parts.left)
    const last = parts.right[parts.right.length - 1]
    if (last === undefined || last.name !== "file" || last.filename === undefined) {
      return refuse(400, "InvalidArgument", "POST requires exactly one file upload per request, as the last field.")
    }
    const fields = new Map<string, string>()
    for (const part of parts.right.slice(0, -1)) {
      if (part.name === "file") return refuse(400, "InvalidArgument", "Only one file per request.")
      fields.set(part.name, part.value)
    }
    const problem = fieldsProblem(state.store.attachments, record, fields)
    if (Either.isLeft(problem)) return refuse(...problem.left)
    if (last.size !== record.contentLength) {
      const code = last.size < record.contentLength ? "EntityTooSmall" : "EntityTooLarge"
      return refuse(
        400,
        code,
        `Your proposed upload is ${last.size} bytes; the policy allows exactly ${record.contentLength}.`
      )
    }
    return Either.right({ size: last.size, sha256: last.sha256 })
  })

/**
 * `POST /__uploads/{id}`: the storage host. Not behind the guard — no key, not counted against the rate limit —
 * but the fault profile applies (its own stream of draws), counted in `attachments.uploadFaults`. A successful
 * upload answers 204 (S3's default) and replaces any earlier upload of the same document.
 */
export const upload = (
  state: SimulatorState,
  request: HttpServerRequest.HttpServerRequest,
  id: string
): Effect.Effect<Response, ConnectionReset> =>
  Effect.gen(function*() {
    const book = state.store.attachments
    book.uploadRequests += 1
    const fault = state.nextUploadFaults().bulk
    const inject = (phase: "before_acceptance" | "after_acceptance") =>
      fault !== undefined && fault.phase === phase
        ? injectFault(fault, state.config.answers.errorBody, () => {
          book.uploadFaults += 1
        })
        : undefined
    const before = inject("before_acceptance")
    if (before !== undefined) return yield* before
    const record = book.byId.get(id)
    const read: Either.Either<StoredFile, Response> = record === undefined
      ? Either.left(s3Error(404, "NoSuchUpload", `No attachment ${id} is waiting for an upload.`))
      : yield* readUpload(state, request, record)
    if (Either.isLeft(read)) {
      book.uploadsRefused += 1
      return read.left
    }
    if (record !== undefined) book.markUploaded(record, read.right)
    const after = inject("after_acceptance")
    if (after !== undefined) return yield* after
    return HttpServerResponse.empty({ status: 204 })
  })
