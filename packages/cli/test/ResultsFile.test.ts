import { BulkJob } from "@effect-kustomer/domain"
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as DemoData from "../src/DemoData.js"
import * as ResultsFile from "../src/ResultsFile.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.results-file-secret.c2lnbmF0dXJl"

const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], jobLatency: "20 millis" })

const env = (server: SimulatorServer.Service) => ({
  KUSTOMER_API_KEY: secretKey,
  KUSTOMER_BASE_URL: server.baseUrl,
  ...quickFirstPoll
})

const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(ResultsFile.Line))

const readLines = (file: string) =>
  Effect.map(
    Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(file)),
    (text) => text.trim().split("\n").map((line) => decodeLine(line))
  )

/** A JSON Lines file of `count` demo conversations, every `invalidEvery`-th invalid, in a fresh directory. */
const writeRecords = (customerIds: ReadonlyArray<string>, count: number, invalidEvery: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-results-test-" })
    const file = path.join(directory, "conversations.jsonl")
    const records = [...DemoData.conversations(count, { customerIds, nowMillis: 1_790_000_000_000, invalidEvery })]
    yield* fs.writeFileString(file, records.map((record) => JSON.stringify(record)).join("\n"))
    return { file, directory }
  })

describe("--results", () => {
  it.scopedLive("import writes one line per record with the Kustomer id, and a next run with --resolve-existing the existing id", () =>
    Effect.gen(function*() {
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const { directory, file } = yield* writeRecords(server.customerIds, 60, 20)
      const results = path.join(directory, "results.jsonl")
      const first = yield* runCli(["import", file, "--max-items", "25", "--results", results], env(server))
      assert.strictEqual(first.code, 2)
      const lines = yield* readLines(results)
      assert.lengthOf(lines, 60)
      assert.deepStrictEqual(
        lines.map((line) => line.line).sort((a, b) => (a ?? 0) - (b ?? 0)),
        Array.from({ length: 60 }, (_, index) => index + 1)
      )
      const rejected = lines.filter((line) => line.outcome === "Rejected")
      assert.deepStrictEqual(rejected.map((line) => line.line).sort((a, b) => (a ?? 0) - (b ?? 0)), [20, 40, 60])
      assert.include(rejected[0]?.reason ?? "", "priority")
      const created = lines.filter((line) => line.outcome === "Created")
      assert.lengthOf(created, 57)
      for (const line of created) {
        const [stored] = yield* server.simulator.findByExternalId("conversations", line.externalId ?? "")
        assert.strictEqual(line.objectId, stored?.id)
        assert.strictEqual(line.jobId, stored?.jobId)
      }

      // A re-run reports the existing records without looking them up; with --resolve-existing, with their ids.
      yield* runCli(["import", file, "--results", results], env(server))
      const again = yield* readLines(results)
      assert.lengthOf(again, 60, "a fresh run (no journal) replaces the file")
      const existing = again.filter((line) => line.outcome === "AlreadyExisting")
      assert.lengthOf(existing, 57)
      assert.isTrue(existing.every((line) => line.objectId === undefined))
      yield* runCli(["import", file, "--results", results, "--resolve-existing"], env(server))
      const resolved = (yield* readLines(results)).filter((line) => line.outcome === "AlreadyExisting")
      assert.lengthOf(resolved, 57)
      for (const line of resolved) {
        const [stored] = yield* server.simulator.findByExternalId("conversations", line.externalId ?? "")
        assert.strictEqual(line.objectId, stored?.id)
      }
      assert.notInclude(first.text, secretKey)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("migrate writes one line per object with its resource", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-results-test-" })
      const bundle = path.join(directory, "bundle.jsonl")
      const generated = [...DemoData.bundle(6, { customers: 2, nowMillis: 1_790_000_000_000 })]
      yield* fs.writeFileString(bundle, generated.map((line) => JSON.stringify(line)).join("\n"))
      const results = path.join(directory, "results.jsonl")
      const run = yield* runCli(["migrate", bundle, "--results", results], env(server))
      assert.strictEqual(run.code, 0, run.text)
      const lines = yield* readLines(results)
      const stats = yield* server.simulator.stats
      const byResource = (resource: string) => lines.filter((line) => line.resource === resource)
      assert.lengthOf(byResource("conversations"), 6)
      assert.lengthOf(byResource("messages"), stats.messages.stored)
      assert.isTrue(lines.every((line) => line.outcome === "Created" && line.objectId !== undefined))
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("job <id> --results writes one line per item of the job's batches", () =>
    Effect.gen(function*() {
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const { directory, file } = yield* writeRecords(server.customerIds, 4, 0)
      yield* runCli(["import", file], env(server))
      const [job] = yield* server.simulator.jobs
      const results = path.join(directory, "job.jsonl")
      const run = yield* runCli(["job", job?.id ?? "", "--results", results], env(server))
      assert.strictEqual(run.code, 0, run.text)
      const lines = yield* readLines(results)
      assert.deepStrictEqual(lines.map((line) => line.index), [0, 1, 2, 3])
      for (const line of lines) {
        assert.strictEqual(line.outcome, "Created")
        assert.strictEqual(line.jobId, job?.id)
        assert.isDefined(line.clientRef)
        assert.isDefined(line.objectId)
      }
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
})

describe("ResultsFile.jobLines", () => {
  const decodeBatches = Schema.decodeUnknownSync(BulkJob.BatchListDocument)

  it("reads batches without results: created ids by position and errors by index, none dropped", () => {
    const batches = decodeBatches({
      data: [
        {
          id: "1",
          attributes: {
            status: "complete",
            objectIds: ["a1", "a2"],
            successCount: 2,
            failureCount: 1,
            errors: [{ index: 2, externalId: "x-3", message: "customer not found" }]
          }
        },
        { id: "2", attributes: { status: "complete", objectIds: ["b1"], successCount: 1, failureCount: 0 } }
      ]
    })
    const lines = ResultsFile.jobLines("job-1", batches)
    assert.deepStrictEqual(lines.map((line) => [line.index, line.outcome, line.objectId ?? line.reason]), [
      [0, "Created", "a1"],
      [1, "Created", "a2"],
      [2, "Failed", "customer not found"],
      [3, "Created", "b1"]
    ])
    assert.strictEqual(lines[2]?.externalId, "x-3")
  })

  it("reports a duplicate externalId as already existing, as an import does, in results and in errors", () => {
    const batches = decodeBatches({
      data: [{
        id: "1",
        attributes: {
          status: "complete",
          results: [
            { _clientRef: "r0", status: "error", error: { code: "invalid", message: "duplicate detected" } },
            { _clientRef: "r1", status: "error", error: "customer not found" }
          ]
        }
      }, {
        id: "2",
        attributes: { status: "complete", failureCount: 1, errors: [{ index: 0, message: "duplicate detected" }] }
      }]
    })
    const lines = ResultsFile.jobLines("job-1", batches)
    assert.deepStrictEqual(lines.map((line) => line.outcome), ["AlreadyExisting", "Failed", "AlreadyExisting"])
  })

  it("keeps an unreadable result entry as Unknown with the entry", () => {
    const batches = decodeBatches({
      data: [{
        id: "1",
        attributes: {
          status: "complete",
          results: [{ _clientRef: "r0", objectId: "o0", status: "created" }, { _clientRef: "r1", status: 42 }]
        }
      }]
    })
    const lines = ResultsFile.jobLines("job-1", batches)
    assert.deepStrictEqual(lines.map((line) => [line.clientRef, line.outcome]), [["r0", "Created"], ["r1", "Unknown"]])
    assert.include(lines[1]?.reason ?? "", "42")
  })
})
