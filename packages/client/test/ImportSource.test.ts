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

  it.effect("with an arrayKey, streams the array at that key of an API page, or a top-level array", () =>
    Effect.gen(function*() {
      const valuesOf = (records: ReadonlyArray<ImportSource.SourceRecord>) =>
        records.map((record) => record._tag === "Parsed" ? record.value : undefined)
      const page =
        "{\"count\":2,\"users\":[{\"id\":9}],\"tickets\":[{\"id\":1},{\"id\":2,\"tags\":[\"a\"]}],\"next\":null}"
      const records = yield* collect(ImportSource.jsonArray(bytesOf(page, 5), { arrayKey: "tickets" }))
      assert.deepStrictEqual(valuesOf(records), [{ id: 1 }, { id: 2, tags: ["a"] }])
      assert.deepStrictEqual(records.map((record) => record.position.index), [0, 1])
      const array = yield* collect(ImportSource.jsonArray(bytesOf("[{\"id\":3}]"), { arrayKey: "tickets" }))
      assert.deepStrictEqual(valuesOf(array), [{ id: 3 }])
      const notAnArray = yield* Effect.flip(
        collect(ImportSource.jsonArray(bytesOf("{\"tickets\":{\"id\":1}}"), { arrayKey: "tickets" }))
      )
      assert.include(notAnArray.message, "\"tickets\" is not an array")
      const notJson = yield* Effect.flip(collect(ImportSource.jsonArray(bytesOf("\"x\""), { arrayKey: "tickets" })))
      assert.include(notJson.message, "or an object whose \"tickets\" is one")
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
        }, ["Created"])
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

describe("ImportSource encodings", () => {
  // "Café – ok" in Windows-1252: é is 0xe9, the en dash 0x96 (a C1 control in ISO 8859-1).
  const windows1252 = new Uint8Array([
    ...new TextEncoder().encode("{\"name\":\"Caf"),
    0xe9,
    0x20,
    0x96,
    ...new TextEncoder().encode(" ok\"}\n")
  ])

  it.effect("rejects a line that is not UTF-8, saying the byte offset, instead of replacing characters", () =>
    Effect.gen(function*() {
      const records = yield* collect(ImportSource.jsonLines(Stream.make(windows1252)))
      assert.strictEqual(records[0]?._tag, "Unparsable")
      assert.include(records[0]?._tag === "Unparsable" ? records[0].reason : "", "invalid UTF-8 at byte offset 12")
    }))

  it.effect("reads windows-1252 and latin1 when told to", () =>
    Effect.gen(function*() {
      const asWindows = yield* collect(ImportSource.jsonLines(Stream.make(windows1252), { encoding: "windows-1252" }))
      assert.deepStrictEqual(asWindows[0], ImportSource.parsed({ index: 0, line: 1 }, { name: "Café – ok" }))
      const asLatin1 = yield* collect(ImportSource.jsonLines(Stream.make(windows1252), { encoding: "latin1" }))
      assert.deepStrictEqual(asLatin1[0], ImportSource.parsed({ index: 0, line: 1 }, { name: "Café \u0096 ok" }))
      const csv = new Uint8Array([...new TextEncoder().encode("name\nCaf"), 0xe9, 0x0a])
      const rows = yield* collect(ImportSource.csv(Stream.make(csv), { encoding: "latin1" }))
      assert.deepStrictEqual(rows[0], ImportSource.parsed({ index: 0, line: 2 }, { name: "Café" }))
    }))

  it.effect("a JSON array with bytes that are not UTF-8 fails, after the records before them", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array([...new TextEncoder().encode("[{\"a\":1},\n{\"b\":\""), 0xff, 0x22, 0x7d, 0x5d])
      const records: Array<ImportSource.SourceRecord> = []
      const error = yield* Effect.flip(
        Stream.runForEach(
          ImportSource.jsonArray(Stream.make(bytes)),
          (record) => Effect.sync(() => records.push(record))
        )
      )
      assert.include(error.message, "invalid UTF-8 at byte offset 16 (line 2)")
      assert.deepStrictEqual(records, [ImportSource.parsed({ index: 0 }, { a: 1 })])
    }))
})

describe("ImportSource.jsonArray streaming", () => {
  it.effect("streams a JSON array written on one line, cut inside multi-byte characters", () =>
    Effect.gen(function*() {
      const line = `[${Array.from({ length: 50 }, (_, index) => JSON.stringify({ name: `café ✓ ${index}` })).join(",")}`
      const records: Array<ImportSource.SourceRecord> = []
      // The input breaks off before its end: whatever was complete must have come out already.
      const error = yield* Effect.flip(Stream.runForEach(
        ImportSource.jsonArray(Stream.concat(bytesOf(line, 5), Stream.fail("connection lost"))),
        (record) => Effect.sync(() => records.push(record))
      ))
      assert.strictEqual(error, "connection lost")
      assert.isAtLeast(records.length, 49)
      assert.deepStrictEqual(records[7], ImportSource.parsed({ index: 7 }, { name: "café ✓ 7" }))
    }))
})

describe("ImportSource depth", () => {
  const nested = (depth: number) => {
    let value: unknown = 1
    for (let level = 0; level < depth; level++) value = [value]
    return value
  }

  it.effect("rejects values nested deeper than maxDepth from every source, without recursing", () =>
    Effect.gen(function*() {
      const deep = nested(10_000)
      const fromMemory = yield* collect(ImportSource.fromIterable([{ a: nested(ImportSource.maxDepth - 1) }, deep]))
      assert.deepStrictEqual(fromMemory.map((record) => record._tag), ["Parsed", "Unparsable"])
      const text = `${"[".repeat(10_000)}${"]".repeat(10_000)}`
      const fromArray = yield* collect(ImportSource.jsonArray(bytesOf(`[${text}, {"b":2}]`, 4096)))
      assert.deepStrictEqual(fromArray.map((record) => record._tag), ["Unparsable", "Parsed"])
      const fromCsv = yield* collect(
        ImportSource.csv(bytesOf(`data\n"{""x"":${text}}"\n`, 4096), {
          mapping: { custom: { column: "data", as: "json" } }
        })
      )
      assert.include(fromCsv[0]?._tag === "Unparsable" ? fromCsv[0].reason : "", "nested more than 64 levels")
      // A string full of brackets is not nesting.
      const brackets = yield* collect(ImportSource.jsonLines(bytesOf(`{"s":"${"[".repeat(500)}"}\n`)))
      assert.strictEqual(brackets[0]?._tag, "Parsed")
    }))
})

describe("ImportSource.csv edge cases", () => {
  it.effect("a duplicate header name is fatal and says which columns", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(collect(ImportSource.csv(bytesOf("a,b,a\n1,2,3\n"))))
      assert.include(error.message, "the header names column \"a\" twice (columns 1 and 3)")
    }))

  it.effect("counts physical lines through CRLF, blank lines, a BOM and quoted line breaks", () =>
    Effect.gen(function*() {
      const text = "\uFEFFname,tags\r\n\r\n\"one\r\ntwo\",x\r\n\n\nthree,\"a,\"\"b\"\"\"\r\n"
      const records = yield* collect(ImportSource.csv(bytesOf(text, 2)))
      assert.deepStrictEqual(records, [
        ImportSource.parsed({ index: 0, line: 3 }, { name: "one\r\ntwo", tags: ["x"] }),
        ImportSource.parsed({ index: 1, line: 7 }, { name: "three", tags: ["a", "\"b\""] })
      ])
    }))

  it.effect("a lone CR ends a line too, as in old Mac exports", () =>
    Effect.gen(function*() {
      const records = yield* collect(ImportSource.csv(bytesOf("name,tags\rone,x\r\rtwo,\"a\rb\"\rthree,y")))
      assert.deepStrictEqual(records, [
        ImportSource.parsed({ index: 0, line: 2 }, { name: "one", tags: ["x"] }),
        ImportSource.parsed({ index: 1, line: 4 }, { name: "two", tags: ["a\rb"] }),
        ImportSource.parsed({ index: 2, line: 6 }, { name: "three", tags: ["y"] })
      ])
    }))

  it.effect("an empty input has no header, which is fatal; a header alone yields nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(collect(ImportSource.csv(bytesOf(""))))
      assert.include(error.message, "no header row")
      assert.deepStrictEqual(yield* collect(ImportSource.csv(bytesOf("a,b\n"))), [])
    }))

  it.effect("a delimiter of several characters, and one that could not separate cells", () =>
    Effect.gen(function*() {
      const records = yield* collect(ImportSource.csv(bytesOf("a||b\n1||2\n"), { delimiter: "||" }))
      assert.deepStrictEqual(records, [ImportSource.parsed({ index: 0, line: 2 }, { a: "1", b: "2" })])
      const error = yield* Effect.flip(collect(ImportSource.csv(bytesOf("a\n"), { delimiter: "\"" })))
      assert.include(error.message, "cannot separate cells")
    }))
})
