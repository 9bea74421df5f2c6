import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CsvMapping, ImportSource } from "../src/index.js"

/** The bytes of `text`, cut into pieces of `size` bytes (to cross every boundary). */
const bytesOf = (text: string, size = 7) => {
  const encoded = new TextEncoder().encode(text)
  const pieces: Array<Uint8Array> = []
  for (let offset = 0; offset < encoded.length; offset += size) pieces.push(encoded.slice(offset, offset + size))
  return Stream.fromIterable(pieces)
}

const collect = <E, R>(stream: Stream.Stream<ImportSource.SourceRecord, E, R>) =>
  Effect.map(Stream.runCollect(stream), (records) => Chunk.toReadonlyArray(records))

describe("ImportSource.jsonLines", () => {
  it.effect("keeps line numbers, skips blank lines, and marks broken lines unparsable", () =>
    Effect.gen(function*() {
      const records = yield* collect(
        ImportSource.jsonLines(bytesOf("{\"a\":1}\n\n{\"a\":\"é\"}\r\n{broken\n{\"a\":3}"))
      )
      assert.deepStrictEqual(records.map((record) => record.position), [
        { index: 0, line: 1 },
        { index: 1, line: 3 },
        { index: 2, line: 4 },
        { index: 3, line: 5 }
      ])
      assert.deepStrictEqual(records[1], ImportSource.parsed({ index: 1, line: 3 }, { a: "é" }))
      assert.strictEqual(records[2]?._tag, "Unparsable")
      assert.include(records[2]?._tag === "Unparsable" ? records[2].reason : "", "not valid JSON")
    }))
})

describe("ImportSource.jsonArray", () => {
  it.effect("streams the elements of a top-level array with their indexes", () =>
    Effect.gen(function*() {
      const records = yield* collect(ImportSource.jsonArray(bytesOf("[{\"a\":1}, {\"b\":[1,2]} ,3]", 3)))
      assert.deepStrictEqual(records.map((record) => record._tag === "Parsed" ? record.value : undefined), [
        { a: 1 },
        { b: [1, 2] },
        3
      ])
      assert.deepStrictEqual(records.map((record) => record.position.index), [0, 1, 2])
    }))

  it.effect("fails with a SourceError on a truncated or non-array file", () =>
    Effect.gen(function*() {
      const truncated = yield* Effect.flip(
        collect(ImportSource.jsonArray(bytesOf("[{\"a\":1},{\"b\":"), { sourceName: "t.json" }))
      )
      assert.strictEqual(truncated._tag, "SourceError")
      assert.include(truncated.message, "t.json")
      const notArray = yield* Effect.flip(collect(ImportSource.jsonArray(bytesOf("{\"a\":1}"))))
      assert.include(notArray.message, "expected a JSON array")
    }))
})

describe("ImportSource.csv", () => {
  const tickets = [
    "Ticket ID,Subject,Priority,Tags,Created,Requester",
    "101,\"Order, late\",3,\"shipping, refund\",2024-01-15 10:23:45,5cb3a1b7c9e77c0013e5f2d1",
    "102,\"Multi",
    "line\",x,,2024-01-16T08:00:00Z,5cb3a1b7c9e77c0013e5f2d1",
    "103,Plain,5,,,5cb3a1b7c9e77c0013e5f2d1"
  ].join("\n")
  const mapping: CsvMapping.Mapping = {
    externalId: "Ticket ID",
    name: "Subject",
    priority: "Priority",
    tags: "Tags",
    createdAt: "Created",
    customer: "Requester",
    status: { value: "done" }
  }

  it.effect("maps columns to fields with conversions, and keeps the starting line of each row", () =>
    Effect.gen(function*() {
      const records = yield* collect(ImportSource.csv(bytesOf(tickets, 11), { mapping }))
      assert.deepStrictEqual(records.map((record) => record.position), [
        { index: 0, line: 2 },
        { index: 1, line: 3 },
        { index: 2, line: 5 }
      ])
      assert.deepStrictEqual(
        records[0],
        ImportSource.parsed({ index: 0, line: 2 }, {
          externalId: "101",
          name: "Order, late",
          priority: 3,
          tags: ["shipping", "refund"],
          createdAt: "2024-01-15T10:23:45.000Z",
          customer: "5cb3a1b7c9e77c0013e5f2d1",
          status: "done"
        })
      )
      assert.strictEqual(records[1]?._tag, "Unparsable")
      assert.include(records[1]?._tag === "Unparsable" ? records[1].reason : "", "\"x\" is not a number")
      assert.deepStrictEqual(records[2]?._tag === "Parsed" ? records[2].value : undefined, {
        externalId: "103",
        name: "Plain",
        priority: 5,
        customer: "5cb3a1b7c9e77c0013e5f2d1",
        status: "done"
      })
    }))

  it.effect("says once, from the header, which mapped columns are missing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        collect(ImportSource.csv(bytesOf("A,B\n1,2\n3,4\n"), { mapping: { name: "Subject", tags: "Tags", x: "A" } }))
      )
      assert.strictEqual(error._tag, "SourceError")
      assert.deepStrictEqual(error.position, { index: 0, line: 1 })
      assert.include(error.message, "the mapping names \"Subject\", \"Tags\", which the header lacks")
    }))

  it.effect("fails with a SourceError on malformed CSV", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(collect(ImportSource.csv(bytesOf("a,b\n\"unclosed,2\n"))))
      assert.strictEqual(error._tag, "SourceError")
    }))
})

describe("ImportSource.fromFile", () => {
  it.effect("guesses the format from the extension and reads the file", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "kustomer-source-"))
      const path = join(dir, "in.ndjson")
      writeFileSync(path, "{\"n\":1}\n{\"n\":2}\n")
      const records = yield* collect(ImportSource.fromFile(path))
      assert.strictEqual(records.length, 2)
      const missing = yield* Effect.flip(collect(ImportSource.fromFile(join(dir, "nope.jsonl"))))
      assert.include(missing.message, "nope.jsonl")
      assert.deepStrictEqual(ImportSource.formatOf("export.CSV"), Option.some("csv"))
      assert.deepStrictEqual(ImportSource.formatOf("export.json"), Option.some("json"))
      assert.isTrue(Option.isNone(ImportSource.formatOf("export.xlsx")))
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
