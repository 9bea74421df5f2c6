import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as DemoData from "../src/DemoData.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.json-output-secret.c2lnbmF0dXJl"

const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], jobLatency: "20 millis" })

const env = (server: SimulatorServer.Service) => ({
  KUSTOMER_API_KEY: secretKey,
  KUSTOMER_BASE_URL: server.baseUrl,
  ...quickFirstPoll
})

/** Standard output must be exactly one JSON document, of the shape `schema` reads. */
const onlyJson = <A, I>(stdout: ReadonlyArray<string>, schema: Schema.Schema<A, I>): A => {
  assert.lengthOf(stdout, 1, `standard output holds one document, got: ${stdout.join("\n")}`)
  return Schema.decodeUnknownSync(Schema.parseJson(schema))(stdout[0])
}

const Counts = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const ImportDocument = Schema.Struct({ exitCode: Schema.Number, status: Schema.String, summary: Counts })
const MigrateDocument = Schema.Struct({ exitCode: Schema.Number, status: Schema.String, phases: Schema.Array(Counts) })
const JobDocument = Schema.Struct({
  job: Schema.Struct({ data: Schema.Struct({ id: Schema.String }) }),
  batches: Schema.Struct({ data: Schema.Array(Schema.Unknown) })
})

const writeFile = (name: string, lines: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-json-test-" })
    const file = path.join(directory, name)
    yield* fs.writeFileString(file, lines.map((line) => JSON.stringify(line)).join("\n"))
    return file
  })

describe("--json", () => {
  it.scopedLive("import: the report on standard output, the summary on standard error", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const records = [
        ...DemoData.conversations(30, {
          customerIds: server.customerIds,
          nowMillis: 1_790_000_000_000,
          invalidEvery: 10
        })
      ]
      const file = yield* writeFile("conversations.jsonl", records)
      const result = yield* runCli(["import", file, "--json"], env(server))
      assert.strictEqual(result.code, 2)
      const document = onlyJson(result.stdout, ImportDocument)
      assert.strictEqual(document.exitCode, 2)
      assert.strictEqual(document.status, "finished")
      assert.deepInclude(document.summary, { read: 30, created: 27, rejected: 3 })
      assert.match(result.stderr.join("\n"), /created\s+27\b/)
      assert.notInclude(result.text, secretKey)

      const dry = yield* runCli(["import", file, "--json", "--dry-run"], {})
      assert.deepInclude(onlyJson(dry.stdout, Counts), { exitCode: 2, dryRun: true, records: 30, rejected: 3 })
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("migrate and job: one document each on standard output", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const bundle = yield* writeFile("bundle.jsonl", [
        ...DemoData.bundle(5, { customers: 2, nowMillis: 1_790_000_000_000 })
      ])
      const migrated = yield* runCli(["migrate", bundle, "--json"], env(server))
      assert.strictEqual(migrated.code, 0, migrated.text)
      const document = onlyJson(migrated.stdout, MigrateDocument)
      assert.strictEqual(document.status, "finished")
      assert.strictEqual(document.exitCode, 0)
      assert.deepInclude(document.phases[1], { resource: "conversations", created: 5 })
      assert.include(migrated.stderr.join("\n"), "conversations")

      const [job] = yield* server.simulator.jobs
      const shown = yield* runCli(["job", job?.id ?? "", "--json"], env(server))
      assert.strictEqual(shown.code, 0)
      const shownJob = onlyJson(shown.stdout, JobDocument)
      assert.strictEqual(shownJob.job.data.id, job?.id)
      assert.isAbove(shownJob.batches.data.length, 0)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
})
