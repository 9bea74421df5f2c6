import { RejectsFile, RunReport } from "@effect-kustomer/journal"
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { bytesOf, corpus } from "../../client/test/fixtures/malformed/corpus.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const key = "eyJhbGciOiJIUzI1NiJ9.malformed-input-key.c2lnbmF0dXJl"

const simulator = SimulatorServer.layer({ apiKeys: [{ key }], jobLatency: "10 millis" })

describe("malformed inputs, imported end to end through the CLI against the simulator", () => {
  for (const [file, expected] of corpus) {
    it.scopedLive(`${file}: the expected rejects file, stored records and exit code`, () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const path = yield* Path.Path
        const server = yield* SimulatorServer.SimulatorServer
        const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-malformed-" })
        const input = path.join(directory, file)
        const rejects = path.join(directory, "rejects.jsonl")
        yield* fs.writeFile(input, bytesOf(file, server.customerIds[0]))
        const result = yield* runCli(
          [
            "import",
            input,
            "--rejects",
            rejects,
            "--journal",
            path.join(directory, "journal.sqlite"),
            "--report",
            path.join(directory, "report.json")
          ],
          { KUSTOMER_API_KEY: key, KUSTOMER_BASE_URL: server.baseUrl, ...quickFirstPoll }
        )
        const rejected = [...expected.readerRejects, ...expected.importRejects].sort((a, b) => a.line - b.line)
        assert.strictEqual(result.code, expected.fatal !== null ? 1 : rejected.length > 0 ? 2 : 0, result.text)
        if (expected.fatal !== null) assert.include(result.text, expected.fatal.reason)
        const stats = yield* server.simulator.stats
        const report = yield* RunReport.read(path.join(directory, "report.json"))
        // Whatever was stored is reported, fatal error or not.
        assert.strictEqual(report.summary.created, stats.conversations.stored)
        // The valid records before a fatal error are read, sent and settled before the run stops.
        assert.strictEqual(stats.conversations.stored, expected.created)
        if (expected.fatal !== null) assert.strictEqual(report.status, "failed")
        assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [])

        const written = (yield* fs.exists(rejects))
          ? Chunk.toReadonlyArray(yield* Stream.runCollect(RejectsFile.read(rejects)))
          : []
        const lines = written.map((entry) => entry.position.line).sort((a, b) => (a ?? 0) - (b ?? 0))
        assert.deepStrictEqual(lines, rejected.map((reject) => reject.line))
        for (const reject of rejected) {
          const entry = written.find((candidate) => candidate.position.line === reject.line)
          assert.strictEqual(entry?.outcome, "Rejected")
          assert.include(entry?.reason, reject.reason)
        }
        // Lines that are not records keep their text in the rejects file, however deep they nest.
        for (const entry of written) {
          if (file.endsWith(".jsonl") && expected.readerRejects.some((reject) => reject.line === entry.position.line)) {
            assert.isString(entry.record)
          }
        }
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
  }

  it.scopedLive("--encoding windows-1252 reads an export that is not UTF-8; --unknown-fields keep sends nested fields", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-malformed-" })
      const env = { KUSTOMER_API_KEY: key, KUSTOMER_BASE_URL: server.baseUrl, ...quickFirstPoll }
      const csv = path.join(directory, "export.csv")
      const text = `externalId,customer,name\nw-1,${server.customerIds[0]},Caf`
      // "Café – ok" in Windows-1252: é is 0xe9, the en dash 0x96.
      yield* fs.writeFile(csv, new Uint8Array([...new TextEncoder().encode(text), 0xe9, 0x20, 0x96, 0x20, 0x6f, 0x6b]))
      const checked = yield* runCli(["import", csv, "--dry-run"], env)
      assert.include(checked.text, "invalid UTF-8 at byte offset 57")
      const asUtf8 = yield* runCli(["import", csv], env)
      assert.strictEqual(asUtf8.code, 2)
      assert.strictEqual((yield* server.simulator.stats).conversations.stored, 0)
      const asWindows = yield* runCli(["import", csv, "--encoding", "windows-1252"], env)
      assert.strictEqual(asWindows.code, 0, asWindows.text)
      const [stored] = yield* server.simulator.findByExternalId("conversations", "w-1")
      assert.strictEqual(stored?.attributes["name"], "Café – ok")

      const jsonl = path.join(directory, "nested.jsonl")
      yield* fs.writeFileString(
        jsonl,
        JSON.stringify({ externalId: "k-1", customer: server.customerIds[0], queue: { id: "q", bogus: 1 } })
      )
      const rejected = yield* runCli(["import", jsonl, "--dry-run"], env)
      assert.strictEqual(rejected.code, 2)
      assert.include(rejected.text, "queue.bogus")
      const kept = yield* runCli(["import", jsonl, "--unknown-fields", "keep"], env)
      assert.strictEqual(kept.code, 0, kept.text)
      const [withQueue] = yield* server.simulator.findByExternalId("conversations", "k-1")
      assert.deepStrictEqual(withQueue?.attributes["queue"], { id: "q", bogus: 1 })
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("a JSON array cut short is refused before anything is sent: where and why, exit 1", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-malformed-" })
      const input = path.join(directory, "cut.json")
      const records = Array.from(
        { length: 300 },
        (_, index) =>
          JSON.stringify({ externalId: `cut-${index}`, customer: server.customerIds[0], name: `Ticket ${index}` })
      )
      const text = `[\n${records.join(",\n")}\n]\n`
      yield* fs.writeFileString(input, text.slice(0, text.indexOf("cut-250")))
      const result = yield* runCli(["import", input], {
        KUSTOMER_API_KEY: key,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      })
      assert.strictEqual(result.code, 1, result.text)
      assert.include(result.text, `${input} is cut short at byte offset`)
      assert.include(result.text, "(line 252, record 250): the input ends before the JSON array is closed")
      assert.strictEqual((yield* server.simulator.stats).requests.total, 0)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
})
