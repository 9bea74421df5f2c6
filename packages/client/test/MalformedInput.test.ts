import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ImportSource } from "../src/index.js"
import { bytesOf, corpus } from "./fixtures/malformed/corpus.js"

/** The bytes of `data` in pieces of `size` bytes, so that every boundary (mid-character, mid-line) is crossed. */
const piecesOf = (data: Uint8Array, size: number) => {
  const pieces: Array<Uint8Array> = []
  for (let offset = 0; offset < data.length; offset += size) pieces.push(data.slice(offset, offset + size))
  return Stream.fromIterable(pieces)
}

const formatOf = (file: string) => Option.getOrThrow(ImportSource.formatOf(file))

describe("malformed inputs: the corpus, read", () => {
  for (const [file, expected] of corpus) {
    for (const size of [1, 5, 64 * 1024]) {
      it.effect(`${file} in pieces of ${size} bytes: rejects with their physical lines, fatal only where expected`, () =>
        Effect.gen(function*() {
          const records: Array<ImportSource.SourceRecord> = []
          const result = yield* ImportSource.fromBytes(piecesOf(bytesOf(file), size), formatOf(file), {
            sourceName: file
          }).pipe(
            Stream.runForEach((record) => Effect.sync(() => records.push(record))),
            Effect.either
          )
          assert.strictEqual(records.length, expected.records)
          assert.deepStrictEqual(
            records.flatMap((record) => record._tag === "Parsed" ? [record.position.line] : []),
            [...expected.parsedLines]
          )
          const rejects = records.flatMap((record) => record._tag === "Unparsable" ? [record] : [])
          assert.deepStrictEqual(
            rejects.map((record) => record.position.line),
            expected.readerRejects.map((reject) => reject.line)
          )
          for (const [at, reject] of expected.readerRejects.entries()) {
            assert.include(rejects[at]?.reason, reject.reason)
          }
          assert.deepStrictEqual(records.map((record) => record.position.index), records.map((_, index) => index))
          if (expected.fatal === null) {
            assert.isTrue(Either.isRight(result), `${file} should not be fatal`)
          } else {
            assert.isTrue(Either.isLeft(result), `${file} should be fatal`)
            if (Either.isLeft(result)) {
              assert.strictEqual(result.left.position?.line, expected.fatal.line)
              assert.include(result.left.message, expected.fatal.reason)
            }
          }
        }))
    }
  }

  it.effect("keeps the text of JSON lines it cannot use, and changes no character of those it can", () =>
    Effect.gen(function*() {
      const records = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ImportSource.jsonLines(piecesOf(bytesOf("records.jsonl"), 3)))
      )
      const deep = records.find((record) => record.position.line === 11)
      assert.strictEqual(deep?._tag === "Unparsable" ? deep.text?.length : undefined, 4000)
      const cafe = records.find((record) => record.position.line === 10)
      assert.deepInclude(cafe?._tag === "Parsed" ? cafe.value : undefined, { name: "café ✓" })
    }))
})
