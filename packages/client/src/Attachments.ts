/**
 * Uploading an attachment's bytes to the presigned POST that `KustomerClient.createAttachment` returns.
 *
 * The upload goes to the storage host, not the API: it is sent with a plain `HttpClient` — no API key, no base
 * URL, no rate limiter (storage does not spend the org's budget). The bytes stream from any `Stream<Uint8Array>`
 * (a file, an HTTP response body) into a multipart body whose length is computed up front; the source must yield
 * exactly the declared size, or the upload fails with {@link AttachmentSizeMismatch} naming the file. An answer
 * of the storage host maps to a `KustomerError` reason: 5xx and dropped connections are retryable, 4xx are not.
 * An upload that stops moving — no byte taken by the storage host, or no answer, for its idle timeout (60 s by
 * default) — fails with the retryable `Stalled` reason instead of waiting for ever. A `Stream` can be run again,
 * so retrying an upload is `Effect.retry` with a `KustomerSchedule`.
 *
 * @since 0.1.0
 */
import type { Attachment } from "@effect-kustomer/domain"
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as IdleTimeout from "./internal/idleTimeout.js"
import * as Multipart from "./internal/multipart.js"
import { excerpt, reasonForRequestError } from "./internal/responses.js"
import { InvalidRequest, KustomerError, type Reason, ServerError, Stalled, Transport } from "./KustomerError.js"

/**
 * The bytes of one attachment: its name and type (sent in the file part), its size as declared when the document
 * was created, and its content.
 *
 * @since 0.1.0
 */
export interface Source<E = never, R = never> {
  readonly name: string
  readonly contentType: string
  readonly contentLength: number
  readonly content: Stream.Stream<Uint8Array, E, R>
}

/**
 * The source yielded more or fewer bytes than the size declared for the attachment: the upload was abandoned
 * (S3 would refuse it, and the message would reference a file of the wrong size).
 *
 * @since 0.1.0
 */
export class AttachmentSizeMismatch extends Data.TaggedError("AttachmentSizeMismatch")<{
  readonly name: string
  readonly declared: number
  /** The bytes read: all of them when fewer, or up to the first chunk past the declared size when more. */
  readonly read: number
  readonly more: boolean
}> {
  override get message() {
    return this.more
      ? `attachment ${JSON.stringify(this.name)}: the source has more than the ${this.declared} bytes declared`
      : `attachment ${JSON.stringify(this.name)}: the source has ${this.read} bytes, ${this.declared} declared`
  }
}

/**
 * A source's content checked against its declared size: fails with {@link AttachmentSizeMismatch} as soon as it
 * passes the size, or at its end when it falls short.
 *
 * @since 0.1.0
 */
export const checkedContent = <E, R>(source: Source<E, R>): Stream.Stream<Uint8Array, E | AttachmentSizeMismatch, R> =>
  Stream.suspend(() => {
    let read = 0
    const mismatch = (more: boolean) =>
      new AttachmentSizeMismatch({ name: source.name, declared: source.contentLength, read, more })
    return source.content.pipe(
      Stream.mapEffect((chunk) => {
        read += chunk.length
        return read > source.contentLength ? Effect.fail(mismatch(true)) : Effect.succeed(chunk)
      }),
      Stream.concat(
        Stream.suspend(() => (read === source.contentLength ? Stream.empty : Stream.fail(mismatch(false))))
      )
    )
  })

/**
 * A file on disk as a source: its size read with `stat`, its bytes streamed in chunks (64 KiB by default).
 *
 * @since 0.1.0
 */
export const fileSource = (
  path: string,
  options: { readonly name: string; readonly contentType: string; readonly chunkSize?: number | undefined }
): Effect.Effect<Source<PlatformError.PlatformError>, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path)
    return {
      name: options.name,
      contentType: options.contentType,
      contentLength: Number(info.size),
      content: fs.stream(path, { chunkSize: FileSystem.KiB(options.chunkSize ?? 64) })
    }
  })

/**
 * How long a streamed transfer may go without a byte before it fails as `Stalled`: 60 s.
 *
 * @since 0.1.0
 */
export const defaultIdleTimeout: Duration.Duration = Duration.seconds(60)

/**
 * Runs a streamed transfer under an idle timeout: `transfer` gets a `progress` effect to run on every chunk read or
 * written; when none comes for `idle` (counted from the start), the transfer is interrupted and fails with
 * `onIdle(idle)` — for a `KustomerError`, the retryable {@link stalled}. Time goes through `Clock`.
 *
 * @since 0.1.0
 */
export const withIdleTimeout: <A, E, R, E2>(
  idle: Duration.DurationInput,
  transfer: (progress: Effect.Effect<void>) => Effect.Effect<A, E, R>,
  onIdle: (idle: Duration.Duration) => E2
) => Effect.Effect<A, E | E2, R> = IdleTimeout.withIdleTimeout

/**
 * The error of a transfer that stopped moving: `module.method` failed with the retryable `Stalled` reason, `detail`
 * saying what was waited for.
 *
 * @since 0.1.0
 */
export const stalled = (module: string, method: string, detail: string) => (idle: Duration.Duration): KustomerError =>
  new KustomerError({ module, method, reason: new Stalled({ idle, detail }) })

/**
 * Options of the uploader.
 *
 * @since 0.1.0
 */
export interface Options {
  /** An upload with no byte taken, or no answer, for this long fails as `Stalled`. Default {@link defaultIdleTimeout}. */
  readonly idleTimeout?: Duration.DurationInput | undefined
}

/**
 * The service: uploads through the `HttpClient` it was built with.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Sends `source` to the presigned POST `upload` (`meta.upload` of the attachment document). */
  readonly upload: <E, R>(
    upload: Attachment.Upload,
    source: Source<E, R>
  ) => Effect.Effect<void, KustomerError | AttachmentSizeMismatch | E, R>
}

/**
 * The uploader.
 *
 * @since 0.1.0
 */
export class Attachments extends Context.Tag("@effect-kustomer/client/Attachments")<Attachments, Service>() {}

const fail = (reason: Reason) => new KustomerError({ module: "Attachments", method: "upload", reason })

/** The `Code` and `Message` of S3's XML error, or an excerpt of whatever came. */
const storageDetail = (body: string): string => {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1]
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1]
  return code === undefined ? excerpt(body) : message === undefined ? code : `${code}: ${message}`
}

/**
 * The reason for a storage host's non-success status: 5xx retryable, anything else (a changed field, a wrong
 * size, an expired policy) not — the request itself is wrong, and never a missing role of the key.
 *
 * @since 0.1.0
 */
export const reasonForStatus = (status: number, body: string): Reason =>
  status >= 500
    ? new ServerError({ status, detail: storageDetail(body) })
    : new InvalidRequest({ status, detail: storageDetail(body) })

/** The host of a URL, for a message (a presigned URL's query may carry credentials). */
const hostOf = (url: string): string =>
  /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#]*)/i.exec(url)?.[1] ?? "the storage host"

const newBoundary = Effect.map(
  Effect.all([Random.nextIntBetween(0, 0x7fffffff), Random.nextIntBetween(0, 0x7fffffff)]),
  ([high, low]) => `----effect-kustomer-${high.toString(16)}${low.toString(16)}`
)

/**
 * Builds the uploader over an `HttpClient` (a plain one: no API key, no base URL, no rate limiter), with its
 * idle timeout.
 *
 * @since 0.1.0
 */
export const makeWith = (httpClient: HttpClient.HttpClient, options: Options = {}): Service => ({
  upload: <E, R>(upload: Attachment.Upload, source: Source<E, R>) =>
    Effect.gen(function*() {
      const context = yield* Effect.context<R>()
      // A body stream's failure reaches the caller as a transport error of the HTTP client: keep the real one.
      const sourceFailure = yield* Ref.make(Option.none<E | AttachmentSizeMismatch>())
      const boundary = yield* newBoundary
      const failedSource = Effect.flatMap(Ref.get(sourceFailure), (failure) =>
        Option.match(failure, {
          onNone: () => Effect.void,
          onSome: (error) => Effect.fail(error)
        }))
      // Each chunk the HTTP client pulls is a sign of life: it pulls as the storage host takes the bytes.
      const send = (progress: Effect.Effect<void>) =>
        Effect.gen(function*() {
          const body = Multipart.build(boundary, Object.entries(upload.fields), {
            name: source.name,
            contentType: source.contentType,
            contentLength: source.contentLength,
            content: checkedContent(source).pipe(
              Stream.tapError((error) => Ref.set(sourceFailure, Option.some(error))),
              Stream.provideContext(context)
            )
          })
          const request = HttpClientRequest.post(upload.url).pipe(
            HttpClientRequest.setHeader("content-length", String(body.contentLength)),
            HttpClientRequest.bodyStream(Stream.tap(body.stream, () => progress), {
              contentType: body.contentType,
              contentLength: body.contentLength
            })
          )
          const response = yield* httpClient.execute(request).pipe(
            Effect.catchAll((error: HttpClientError.HttpClientError) =>
              error._tag === "RequestError"
                ? Effect.zipRight(failedSource, Effect.fail(fail(reasonForRequestError(error))))
                : Effect.fail(fail(new Transport({ delivery: "maybe-sent", detail: error.message })))
            )
          )
          yield* progress
          return { status: response.status, text: yield* Effect.orElseSucceed(response.text, () => "") }
        })
      const answer = yield* IdleTimeout.withIdleTimeout(
        options.idleTimeout ?? defaultIdleTimeout,
        send,
        stalled("Attachments", "upload", `uploading ${JSON.stringify(source.name)} to ${hostOf(upload.url)}`)
      )
      yield* failedSource
      if (answer.status >= 200 && answer.status < 300) return
      return yield* Effect.fail(fail(reasonForStatus(answer.status, answer.text)))
    }).pipe(
      Effect.withSpan("Attachments.upload", {
        attributes: { "kustomer.attachment": source.name, "kustomer.bytes": source.contentLength }
      })
    )
})

/**
 * The uploader over the `HttpClient` in context.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient> = Effect.map(
  HttpClient.HttpClient,
  (httpClient) => makeWith(httpClient)
)

/**
 * The uploader as a layer, over the `HttpClient` in context (the plain one, not the client's stack).
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<Attachments, never, HttpClient.HttpClient> = Layer.effect(Attachments, make)

/**
 * Uploads `source` to `upload` with the `HttpClient` in context (see {@link Service.upload}).
 *
 * @since 0.1.0
 */
export const upload = <E, R>(
  target: Attachment.Upload,
  source: Source<E, R>
): Effect.Effect<void, KustomerError | AttachmentSizeMismatch | E, R | HttpClient.HttpClient> =>
  Effect.flatMap(make, (service) => service.upload(target, source))
