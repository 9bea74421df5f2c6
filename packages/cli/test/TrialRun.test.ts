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

const secretKey = "eyJhbGciOiJIUzI1NiJ9.trial-run-secret.c2lnbmF0dXJl"

const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(ResultsFile.Line))

describe("--skip and --limit", () => {
  it.scopedLive("import only the records of the window, with their own line numbers; the dry run counts the same", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-trial-test-" })
      const file = path.join(directory, "conversations.jsonl")
      const records = [...DemoData.conversations(40, { customerIds: server.customerIds, nowMillis: 1_790_000_000_000 })]
      yield* fs.writeFileString(file, records.map((record) => JSON.stringify(record)).join("\n"))
      const results = path.join(directory, "results.jsonl")
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const run = yield* runCli(["import", file, "--skip", "10", "--limit", "5", "--results", results], env)
      assert.strictEqual(run.code, 0, run.text)
      assert.match(run.text, /created\s+5\b/)
      const lines = (yield* fs.readFileString(results)).trim().split("\n").map((line) => decodeLine(line))
      assert.deepStrictEqual(lines.map((line) => line.line).sort((a, b) => (a ?? 0) - (b ?? 0)), [11, 12, 13, 14, 15])
      assert.strictEqual((yield* server.simulator.stats).conversations.stored, 5)

      const dry = yield* runCli(["import", file, "--dry-run", "--limit", "7", "--json"], {})
      assert.include(dry.stdout.join(""), "\"records\": 7")
      const refused = yield* runCli(["import", file, "--limit", "0"], env)
      assert.strictEqual(refused.code, 1)
      assert.include(refused.text, "--limit must be a whole number from 1")
    }).pipe(Effect.provide(Layer.merge(SimulatorServer.layer({ apiKeys: [{ key: secretKey }] }), nodeLayer))))

  it.scopedLive("migrate --limit: a trial of the first conversations, and the full run sends the rest once", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-trial-test-" })
      const bundle = path.join(directory, "bundle.jsonl")
      const lines = Array.from({ length: 12 }, (_, index) => ({
        externalId: `trial-${index}`,
        customer: { externalId: `trial-user-${index % 4}` }
      }))
      yield* fs.writeFileString(bundle, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const journal = path.join(directory, "migration.journal")

      const noJournal = yield* runCli(["migrate", bundle, "--limit", "3"], env)
      assert.strictEqual(noJournal.code, 1)
      assert.include(noJournal.text, "--limit needs --journal")
      const skipAlone = yield* runCli(["migrate", bundle, "--skip", "3", "--journal", journal], env)
      assert.strictEqual(skipAlone.code, 1)
      assert.include(skipAlone.text, "--skip goes with --limit")

      const trial = yield* runCli(["migrate", bundle, "--limit", "3", "--journal", journal], env)
      assert.strictEqual(trial.code, 0, trial.text)
      assert.include(trial.text, "Trial: conversations 1–3 of the bundle")
      const afterTrial = yield* server.simulator.stats
      assert.strictEqual(afterTrial.conversations.stored, 3)
      assert.strictEqual(afterTrial.customers.stored, 3)

      const full = yield* runCli(["migrate", bundle, "--journal", journal], env)
      assert.strictEqual(full.code, 0, full.text)
      const stats = yield* server.simulator.stats
      assert.strictEqual(stats.conversations.stored, 12)
      assert.strictEqual(stats.customers.stored, 4)
      assert.strictEqual(stats.conversations.storedTwice + stats.customers.storedTwice, 0)
    }).pipe(
      Effect.provide(
        Layer.merge(
          SimulatorServer.layer({
            apiKeys: [{ key: secretKey }],
            jobLatency: "1 millis",
            itemLatency: "0 millis",
            customers: 0
          }),
          nodeLayer
        )
      )
    ))
})
