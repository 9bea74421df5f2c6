/**
 * Reads a `multipart/form-data` body (RFC 7578) as it streams in: its parts in order, each with its name, its file
 * name and media type when it is a file, and — for a file — its size and SHA-256 computed as the bytes pass, never
 * the bytes themselves (an upload of any size costs a few chunks of memory). A field's value is kept (up to
 * {@link maxFieldBytes}). Only what the upload route checks.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { Buffer } from "node:buffer"
import { createHash, type Hash } from "node:crypto"

/** One part of a form: a field's value, or a file's size and digest. */
export interface FormPart {
  readonly name: string
  readonly filename: string | undefined
  readonly contentType: string | undefined
  /** The value of a field (a part without a file name); empty for a file. */
  readonly value: string
  /** The part's size in bytes. */
  readonly size: number
  /** The SHA-256 of the part's bytes, as lowercase hex. */
  readonly sha256: string
}

/** A body read to its end: the bytes it had in all, and its parts in order or why it is not a form. */
export interface Form {
  readonly bodyBytes: number
  readonly parts: Either.Either<ReadonlyArray<FormPart>, string>
}

/** The most bytes a part's headers may take. */
export const maxHeaderBytes = 16 * 1024
/** The most bytes a field's value may take (S3's form fields are short: a key, a policy, a signature). */
export const maxFieldBytes = 64 * 1024

/** The boundary of a `multipart/form-data` content type, or `undefined` for any other content type. */
export const boundaryOf = (contentType: string | undefined): string | undefined => {
  if (contentType === undefined || !/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  const boundary = match?.[1] ?? match?.[2]
  return boundary === undefined || boundary.length === 0 ? undefined : boundary
}

const dispositionParam = (headers: string, param: string): string | undefined => {
  const match = new RegExp(`;\\s*${param}="([^"]*)"`, "i").exec(headers)
  return match?.[1]
}

const headerValue = (headers: string, name: string): string | undefined => {
  for (const line of headers.split("\r\n")) {
    const colon = line.indexOf(":")
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim()
  }
  return undefined
}

/** A part being read: its headers, and its bytes so far (kept for a field, hashed for any part). */
interface OpenPart {
  readonly name: string
  readonly filename: string | undefined
  readonly contentType: string | undefined
  readonly hash: Hash
  readonly kept: Array<Buffer> | undefined
  size: number
}

/**
 * A reader fed chunk by chunk. States: `start` (the first delimiter), `afterDelimiter` (`\r\n` for a part, `--`
 * for the end), `headers`, `data` (until `\r\n--boundary`), `done`. Between chunks it keeps only what may be the
 * start of a delimiter or an unfinished line of headers.
 */
const makeReader = (boundary: string) => {
  const delimiter = Buffer.from(`--${boundary}`)
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`)
  const parts: Array<FormPart> = []
  let state: "start" | "afterDelimiter" | "headers" | "data" | "done" = "start"
  let pending: Buffer = Buffer.alloc(0)
  let part: OpenPart | undefined

  const openPart = (headers: string): string | undefined => {
    const disposition = headerValue(headers, "content-disposition")
    const name = disposition === undefined ? undefined : dispositionParam(disposition, "name")
    if (disposition === undefined || !/^form-data\b/i.test(disposition) || name === undefined) {
      return "a part has no Content-Disposition: form-data with a name"
    }
    const filename = dispositionParam(disposition, "filename")
    const contentType = headerValue(headers, "content-type")
    part = {
      name,
      filename,
      contentType,
      hash: createHash("sha256"),
      kept: filename === undefined ? [] : undefined,
      size: 0
    }
    return undefined
  }

  const take = (bytes: Buffer): string | undefined => {
    if (part === undefined || bytes.length === 0) return undefined
    part.size += bytes.length
    part.hash.update(bytes)
    if (part.kept === undefined) return undefined
    if (part.size > maxFieldBytes) return `field ${JSON.stringify(part.name)} is over ${maxFieldBytes} bytes`
    part.kept.push(Buffer.from(bytes))
    return undefined
  }

  const closePart = () => {
    if (part === undefined) return
    parts.push({
      name: part.name,
      filename: part.filename,
      contentType: part.contentType,
      value: part.kept === undefined ? "" : Buffer.concat(part.kept).toString("utf8"),
      size: part.size,
      sha256: part.hash.digest("hex")
    })
    part = undefined
  }

  /** Advances through `bytes` as far as it can; what is left waits for the next chunk. Answers a problem, if any. */
  const step = (bytes: Buffer): string | undefined => {
    let buffer = bytes
    for (;;) {
      switch (state) {
        case "start": {
          if (buffer.length < delimiter.length) return keep(buffer)
          if (!buffer.subarray(0, delimiter.length).equals(delimiter)) {
            return "the body does not start with the boundary"
          }
          buffer = buffer.subarray(delimiter.length)
          state = "afterDelimiter"
          break
        }
        case "afterDelimiter": {
          if (buffer.length < 2) return keep(buffer)
          const after = buffer.toString("latin1", 0, 2)
          if (after === "--") {
            state = "done"
            return keep(Buffer.alloc(0))
          }
          if (after !== "\r\n") return "a boundary is not followed by CRLF"
          buffer = buffer.subarray(2)
          state = "headers"
          break
        }
        case "headers": {
          const end = buffer.indexOf("\r\n\r\n", 0, "latin1")
          if (end < 0) return buffer.length > maxHeaderBytes ? "a part has no end of headers" : keep(buffer)
          const problem = openPart(buffer.toString("utf8", 0, end))
          if (problem !== undefined) return problem
          buffer = buffer.subarray(end + 4)
          state = "data"
          break
        }
        case "data": {
          const end = buffer.indexOf(nextDelimiter)
          if (end < 0) {
            // Everything but what may be the start of the delimiter is the part's.
            const safe = Math.max(0, buffer.length - (nextDelimiter.length - 1))
            const problem = take(buffer.subarray(0, safe))
            return problem ?? keep(buffer.subarray(safe))
          }
          const problem = take(buffer.subarray(0, end))
          if (problem !== undefined) return problem
          closePart()
          buffer = buffer.subarray(end + nextDelimiter.length)
          state = "afterDelimiter"
          break
        }
        case "done":
          // Whatever follows the closing delimiter (a CRLF, an epilogue) is ignored, as RFC 2046 says.
          return keep(Buffer.alloc(0))
      }
    }
  }

  const keep = (rest: Buffer): undefined => {
    pending = Buffer.from(rest)
    return undefined
  }

  return {
    push: (chunk: Uint8Array): string | undefined => {
      const incoming = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      return step(pending.length === 0 ? incoming : Buffer.concat([pending, incoming]))
    },
    end: (): Either.Either<ReadonlyArray<FormPart>, string> => {
      switch (state) {
        case "done":
          return Either.right(parts)
        case "data":
          return Either.left(`part ${JSON.stringify(part?.name ?? "")} is not closed by the boundary`)
        case "headers":
          return Either.left("a part has no end of headers")
        case "start":
          return Either.left("the body does not start with the boundary")
        case "afterDelimiter":
          return Either.left("a boundary is not followed by CRLF")
      }
    }
  }
}

/**
 * Reads a form body from its stream: its size, and its parts or why it is not a form; the stream's own failure as
 * the effect's. After the first problem the rest of the body is read and dropped, so that the refusal is answered on a
 * connection whose request was read to its end.
 */
export const read = <E>(
  body: Stream.Stream<Uint8Array, E>,
  boundary: string
): Effect.Effect<Form, E> =>
  Effect.suspend(() => {
    const reader = makeReader(boundary)
    let problem: string | undefined
    let bodyBytes = 0
    return body.pipe(
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          bodyBytes += chunk.byteLength
          if (problem === undefined) problem = reader.push(chunk)
        })
      ),
      Effect.map(() => ({ bodyBytes, parts: problem === undefined ? reader.end() : Either.left(problem) }))
    )
  })
