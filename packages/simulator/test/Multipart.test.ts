/** The upload route's form reader: parts found, files counted and hashed, whatever the chunks the body comes in. */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as Multipart from "../src/internal/multipart.js"

const encoder = new TextEncoder()
const boundary = "b-9f2e"

/** A file whose bytes come close to the delimiter (`\r\n--b-9f2` with no `e`) in many places. */
const trickyFile = (): Uint8Array => {
  const near = encoder.encode(`\r\n--${boundary.slice(0, -1)}x\r\n-`)
  const bytes = new Uint8Array(5_000)
  for (let index = 0; index < bytes.length; index++) bytes[index] = near[index % near.length] ?? 0
  return bytes
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const body = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return body
}

const formOf = (file: Uint8Array): Uint8Array =>
  concat([
    encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nattachments/1\r\n`),
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n"
    ),
    file,
    encoder.encode(`\r\n--${boundary}--\r\n`)
  ])

/** The body in pieces of `size` bytes. */
const inPieces = (body: Uint8Array, size: number): Stream.Stream<Uint8Array> => {
  const pieces: Array<Uint8Array> = []
  for (let offset = 0; offset < body.length; offset += size) pieces.push(body.subarray(offset, offset + size))
  return Stream.fromChunk(Chunk.fromIterable(pieces))
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

describe("Multipart.read", () => {
  it.effect("finds the same parts, size and SHA-256 in pieces of any size, a delimiter split across them", () =>
    Effect.gen(function*() {
      const file = trickyFile()
      const body = formOf(file)
      for (const size of [1, 2, 3, 7, 13, 64, 1_000, body.length]) {
        const form = yield* Multipart.read(inPieces(body, size), boundary)
        assert.strictEqual(form.bodyBytes, body.length)
        const parts = Either.getOrThrow(form.parts)
        assert.deepStrictEqual(
          parts.map((part) => [part.name, part.filename, part.value, part.size]),
          [["key", undefined, "attachments/1", 13], ["file", "a.bin", "", file.length]],
          `pieces of ${size}`
        )
        assert.strictEqual(parts[1]?.sha256, sha256(file), `pieces of ${size}`)
        assert.strictEqual(parts[1]?.contentType, "application/octet-stream")
      }
    }))

  it.effect("says why a body is not a form, and still reads it to its end", () =>
    Effect.gen(function*() {
      const body = formOf(trickyFile())
      const unclosed = yield* Multipart.read(inPieces(body.subarray(0, body.length - 12), 5), boundary)
      assert.deepStrictEqual(unclosed.parts, Either.left("part \"file\" is not closed by the boundary"))
      const other = yield* Multipart.read(inPieces(body, 5), "another")
      assert.deepStrictEqual(other.parts, Either.left("the body does not start with the boundary"))
      assert.strictEqual(other.bodyBytes, body.length)
      const noName = encoder.encode(`--${boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${boundary}--`)
      const unnamed = yield* Multipart.read(inPieces(noName, 3), boundary)
      assert.deepStrictEqual(unnamed.parts, Either.left("a part has no Content-Disposition: form-data with a name"))
      const longField = concat([
        encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="policy"\r\n\r\n`),
        new Uint8Array(Multipart.maxFieldBytes + 1).fill(65),
        encoder.encode(`\r\n--${boundary}--\r\n`)
      ])
      const tooLong = yield* Multipart.read(inPieces(longField, 4_096), boundary)
      assert.deepStrictEqual(tooLong.parts, Either.left(`field "policy" is over ${Multipart.maxFieldBytes} bytes`))
      assert.strictEqual(tooLong.bodyBytes, longField.length)
    }))
})
