import { ImportEvent, ImportSource } from "@effect-kustomer/client"
import { NodeFileSystem } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import { ImportInput, RejectsFile } from "../src/index.js"

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "rejects-" }))

const rejected = (index: number) =>
  new ImportEvent.Rejected({
    position: { index, line: index + 1 },
    issues: [{ path: "priority", message: "Expected a number between 1 and 5, actual 9" }],
    record: { name: `Ticket ${index}`, priority: 9 }
  })

const entry = (index: number) => Option.getOrThrow(RejectsFile.entryOf(rejected(index)))

const readAll = (path: string) =>
  Effect.map(Stream.runCollect(RejectsFile.read(path)), (entries) => Chunk.toReadonlyArray(entries))

describe("RejectsFile", () => {
  it("describes rejected, failed and unknown records; not created ones", () => {
    assert.deepStrictEqual(entry(4), {
      position: { index: 4, line: 5 },
      outcome: "Rejected",
      reason: "priority: Expected a number between 1 and 5, actual 9",
      record: { name: "Ticket 4", priority: 9 }
    })
    const failed = new ImportEvent.Failed({
      position: { index: 7 },
      clientRef: "r7",
      externalId: "ticket-7",
      reason: "customer not found",
      jobId: undefined,
      item: JSON.stringify({ name: "Ticket 7", externalId: "ticket-7", _clientRef: "r7" })
    })
    assert.deepStrictEqual(Option.getOrThrow(RejectsFile.entryOf(failed)), {
      position: { index: 7 },
      outcome: "Failed",
      reason: "customer not found",
      record: { name: "Ticket 7", externalId: "ticket-7" },
      externalId: "ticket-7"
    })
    const notJson = new ImportEvent.Rejected({
      position: { index: 1, line: 2 },
      issues: [{ path: "", message: "not valid JSON" }],
      record: undefined
    })
    assert.strictEqual(Option.getOrThrow(RejectsFile.entryOf(notJson, "{\"name\": ")).record, "{\"name\": ")
    const created = new ImportEvent.AlreadyExisting({
      position: { index: 2 },
      clientRef: "r2",
      externalId: "ticket-2",
      objectId: undefined
    })
    assert.isTrue(Option.isNone(RejectsFile.entryOf(created)))
  })

  it.scoped("a fresh file is emptied; a record is written once; appending cuts a torn last line", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/rejects.jsonl`
      NodeFs.writeFileSync(path, "left over from another import\n")
      yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* RejectsFile.open(path, "fresh")
        yield* writer.write([entry(0), entry(1)])
        yield* writer.write([entry(1), entry(2)])
        yield* writer.flush
        assert.strictEqual(yield* writer.written, 3)
      }))
      assert.deepStrictEqual((yield* readAll(path)).map((line) => line.position.index), [0, 1, 2])
      // A kill in the middle of a line.
      NodeFs.appendFileSync(path, RejectsFile.encode(entry(3)).slice(0, 20))
      yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* RejectsFile.open(path, "append")
        assert.strictEqual(writer.existing, 3)
        assert.isTrue(writer.has(2))
        yield* writer.write([entry(2), entry(3)])
      }))
      const text = NodeFs.readFileSync(path, "utf8")
      assert.isTrue(text.endsWith("\n"))
      assert.deepStrictEqual((yield* readAll(path)).map((line) => line.position.index), [0, 1, 2, 3])
      assert.strictEqual(text.split("\n").length, 5)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a rejects file read as input gives back its records, and the text of lines that were not JSON", () =>
    Effect.gen(function*() {
      const lines = [
        RejectsFile.encode(entry(0)),
        RejectsFile.encode(Option.getOrThrow(RejectsFile.entryOf(
          new ImportEvent.Rejected({ position: { index: 1, line: 2 }, issues: [], record: undefined }),
          "{\"name\": \"Ticket 1\", \"priority\": 1}"
        ))),
        RejectsFile.encode(Option.getOrThrow(RejectsFile.entryOf(
          new ImportEvent.Rejected({ position: { index: 2, line: 3 }, issues: [], record: undefined }),
          "{\"name\": "
        ))),
        "{\"name\": \"plain record\"}\n"
      ]
      const input = ImportInput.records(Stream.make(new TextEncoder().encode(lines.join(""))), "jsonl")
      const records = Chunk.toReadonlyArray(yield* Stream.runCollect(input.records))
      assert.deepStrictEqual(records.slice(0, 2), [
        ImportSource.parsed({ index: 0, line: 1 }, { name: "Ticket 0", priority: 9 }),
        ImportSource.parsed({ index: 1, line: 2 }, { name: "Ticket 1", priority: 1 })
      ])
      assert.strictEqual(records[2]?._tag, "Unparsable")
      assert.strictEqual(input.rawText(2), "{\"name\": ")
      assert.deepStrictEqual(records[3], ImportSource.parsed({ index: 3, line: 4 }, { name: "plain record" }))
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
