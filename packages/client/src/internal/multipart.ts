/**
 * A `multipart/form-data` body (RFC 7578) as a stream: every field, then the file — last, as an S3 presigned POST
 * requires — with its bytes passed through as they come, so a file is never held whole in memory. Its length is
 * known before the first byte (the parts around the file plus the file's declared size): S3 refuses a POST
 * without `Content-Length`.
 */
import * as Stream from "effect/Stream"

const encoder = new TextEncoder()

/** What a form needs to know about its file. */
export interface FilePart<E, R> {
  readonly name: string
  readonly contentType: string
  /** The file's size in bytes, as declared; `content` must yield exactly this many. */
  readonly contentLength: number
  readonly content: Stream.Stream<Uint8Array, E, R>
}

/** A form body ready to send. */
export interface MultipartBody<E, R> {
  /** `multipart/form-data; boundary=…` */
  readonly contentType: string
  /** The body's length in bytes, provided the file yields its declared size. */
  readonly contentLength: number
  readonly stream: Stream.Stream<Uint8Array, E, R>
}

/** A quoted parameter of `Content-Disposition`: quotes and line breaks percent-encoded, as browsers do. */
export const quoted = (value: string): string =>
  `"${value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}"`

/** The bytes before the file's content: every field part, then the file part's headers. */
export const head = (
  boundary: string,
  fields: ReadonlyArray<readonly [name: string, value: string]>,
  file: { readonly name: string; readonly contentType: string }
): Uint8Array => {
  let text = ""
  for (const [name, value] of fields) {
    text += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`
  }
  text += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quoted(file.name)}\r\n` +
    `Content-Type: ${file.contentType.replace(/[\r\n]/g, "")}\r\n\r\n`
  return encoder.encode(text)
}

/** The bytes after the file's content: the end of its part and the closing boundary. */
export const tail = (boundary: string): Uint8Array => encoder.encode(`\r\n--${boundary}--\r\n`)

/** The form of `fields` (in order) and the file, under the name `file`, last. */
export const build = <E, R>(
  boundary: string,
  fields: ReadonlyArray<readonly [name: string, value: string]>,
  file: FilePart<E, R>
): MultipartBody<E, R> => {
  const before = head(boundary, fields, file)
  const after = tail(boundary)
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: before.length + file.contentLength + after.length,
    stream: Stream.make(before).pipe(Stream.concat(file.content), Stream.concat(Stream.make(after)))
  }
}
