/**
 * Reads a `multipart/form-data` body (RFC 7578) held in memory: its parts in order, each with its name, its file
 * name and media type when it is a file, and its bytes. Only what the upload route checks; no streaming.
 */
import * as Either from "effect/Either"
import { Buffer } from "node:buffer"

/** One part of a form. */
export interface FormPart {
  readonly name: string
  readonly filename: string | undefined
  readonly contentType: string | undefined
  readonly data: Uint8Array
}

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

/** The parts of a form body, in order, or why it is not one. */
export const parse = (body: Uint8Array, boundary: string): Either.Either<ReadonlyArray<FormPart>, string> => {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const delimiter = Buffer.from(`--${boundary}`)
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`)
  if (bytes.indexOf(delimiter) !== 0) return Either.left("the body does not start with the boundary")
  const parts: Array<FormPart> = []
  let position = delimiter.length
  for (;;) {
    const after = bytes.toString("latin1", position, position + 2)
    if (after === "--") return Either.right(parts)
    if (after !== "\r\n") return Either.left("a boundary is not followed by CRLF")
    const headersStart = position + 2
    const headersEnd = bytes.indexOf("\r\n\r\n", headersStart, "latin1")
    if (headersEnd < 0) return Either.left("a part has no end of headers")
    const headers = bytes.toString("utf8", headersStart, headersEnd)
    const disposition = headerValue(headers, "content-disposition")
    const name = disposition === undefined ? undefined : dispositionParam(disposition, "name")
    if (disposition === undefined || !/^form-data\b/i.test(disposition) || name === undefined) {
      return Either.left("a part has no Content-Disposition: form-data with a name")
    }
    const dataStart = headersEnd + 4
    const dataEnd = bytes.indexOf(nextDelimiter, dataStart)
    if (dataEnd < 0) return Either.left(`part ${JSON.stringify(name)} is not closed by the boundary`)
    parts.push({
      name,
      filename: dispositionParam(disposition, "filename"),
      contentType: headerValue(headers, "content-type"),
      data: bytes.subarray(dataStart, dataEnd)
    })
    position = dataEnd + nextDelimiter.length
  }
}
