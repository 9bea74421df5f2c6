import { ImportSource } from "@effect-kustomer/client"
import { NodeFileSystem } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs"
import { ImportInput } from "../src/index.js"

const text = "{\"a\":1}\n\n   \n{\"a\":2}\r\nnot json\n{\"a\":3}"

describe("ImportInput", () => {
  it.scoped("identifies a file by size and SHA-256, and counts JSON Lines records as the reader numbers them", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "input-" })
      NodeFs.writeFileSync(`${dir}/in.jsonl`, text)
      const identity = yield* ImportInput.identify(`${dir}/in.jsonl`, "jsonl")
      const sha256 = NodeCrypto.createHash("sha256").update(text).digest("hex")
      assert.deepStrictEqual(identity, {
        path: `${dir}/in.jsonl`,
        format: "jsonl",
        bytes: Buffer.byteLength(text),
        sha256,
        records: 4
      })
      const records = Chunk.toReadonlyArray(
        yield* Stream.runCollect(ImportSource.jsonLines(ImportSource.fileBytes(`${dir}/in.jsonl`)))
      )
      assert.strictEqual(records.length, identity.records)
      assert.strictEqual(ImportInput.fingerprint(identity), `sha256:${sha256};bytes:${identity.bytes}`)
      assert.strictEqual(
        ImportInput.assignedExternalId(identity)({ index: 41, line: 43 }),
        `import-${sha256.slice(0, 12)}-41`
      )
      const csv = yield* ImportInput.identify(`${dir}/in.jsonl`, "csv")
      assert.isUndefined(csv.records)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("reads JSON Lines at the positions ImportSource gives them, keeping the text of lines that are not JSON", () =>
    Effect.gen(function*() {
      const bytes = Stream.make(new TextEncoder().encode(text))
      const input = ImportInput.records(bytes, "jsonl")
      const ours = Chunk.toReadonlyArray(yield* Stream.runCollect(input.records))
      const theirs = Chunk.toReadonlyArray(yield* Stream.runCollect(ImportSource.jsonLines(bytes)))
      assert.deepStrictEqual(ours.map((record) => record.position), theirs.map((record) => record.position))
      assert.deepStrictEqual(ours.map((record) => record._tag), theirs.map((record) => record._tag))
      assert.strictEqual(input.rawText(2), "not json")
      input.forget(2)
      assert.isUndefined(input.rawText(2))
    }))

  it.scoped("keeps a copy of standard input while identifying it", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const bytes = Stream.make(new TextEncoder().encode("{\"a\":1}\n"), new TextEncoder().encode("{\"a\":2}\n"))
      const spooled = yield* ImportInput.spool(bytes, "jsonl")
      assert.strictEqual(yield* fs.readFileString(spooled.file), "{\"a\":1}\n{\"a\":2}\n")
      assert.strictEqual(spooled.identity.path, "-")
      assert.strictEqual(spooled.identity.records, 2)
      assert.strictEqual(spooled.identity.bytes, 16)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("removes the spool file when its scope ends, whether the import succeeded, failed or was interrupted", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const bytes = Stream.make(new TextEncoder().encode("{\"a\":1}\n"))
      const spooledThen = <A, E>(after: (file: string) => Effect.Effect<A, E>) =>
        Effect.gen(function*() {
          let file = ""
          const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
            const spooled = yield* ImportInput.spool(bytes, "jsonl")
            file = spooled.file
            assert.isTrue(yield* fs.exists(spooled.file))
            return yield* after(spooled.file)
          })))
          return { exit, exists: yield* fs.exists(file) }
        })
      const succeeded = yield* spooledThen(() => Effect.void)
      const failed = yield* spooledThen(() => Effect.fail("the import failed"))
      const interrupted = yield* spooledThen(() => Effect.interrupt)
      assert.isTrue(succeeded.exit._tag === "Success" && failed.exit._tag === "Failure")
      assert.isTrue(interrupted.exit._tag === "Failure")
      assert.deepStrictEqual([succeeded.exists, failed.exists, interrupted.exists], [false, false, false])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("reads a JSON Lines input with the client's reader: encodings, depth, rejects-file lines", () =>
    Effect.gen(function*() {
      const latin1 = new Uint8Array([...new TextEncoder().encode("{\"name\":\"Caf"), 0xe9, 0x22, 0x7d, 0x0a])
      const asLatin1 = ImportInput.records(Stream.make(latin1), "jsonl", { encoding: "latin1" })
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(yield* Stream.runCollect(asLatin1.records)),
        [ImportSource.parsed({ index: 0, line: 1 }, { name: "Café" })]
      )
      const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`
      const lines = [
        deep,
        JSON.stringify({ position: { index: 0, line: 1 }, outcome: "Rejected", reason: "too deep", record: deep })
      ].join("\n")
      const input = ImportInput.records(Stream.make(new TextEncoder().encode(lines)), "jsonl")
      const records = Chunk.toReadonlyArray(yield* Stream.runCollect(input.records))
      assert.deepStrictEqual(records.map((record) => record._tag), ["Unparsable", "Unparsable"])
      assert.strictEqual(input.rawText(0), deep)
      assert.strictEqual(input.rawText(1), deep)
    }))
})
