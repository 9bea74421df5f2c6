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
})
