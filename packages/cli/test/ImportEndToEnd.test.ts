import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as DemoData from "../src/DemoData.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

/** A key that looks like a real one: it must never appear in anything the CLI prints. */
const secretKey = "eyJhbGciOiJIUzI1NiJ9.cli-end-to-end-secret.c2lnbmF0dXJl"

/** A simulator on a real port that accepts `secretKey` (with every role) and a key lacking the create role. */
const simulator = SimulatorServer.layer({
  apiKeys: [
    { key: secretKey },
    { key: "eyJ.read-only-key.sig", roles: ["org.permission.bulk.read", "org.permission.conversation.read"] },
    { key: "eyJ.create-only-key.sig", roles: ["org.permission.conversation.create"] }
  ],
  jobLatency: "20 millis"
})

/** Writes `count` demo conversations (every `invalidEvery`-th invalid) to a JSON Lines file; returns its path. */
const writeRecords = (customerIds: ReadonlyArray<string>, count: number, invalidEvery: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-cli-test-" })
    const file = path.join(directory, "conversations.jsonl")
    const records = [...DemoData.conversations(count, { customerIds, nowMillis: 1_790_000_000_000, invalidEvery })]
    yield* fs.writeFileString(file, records.map((record) => JSON.stringify(record)).join("\n"))
    return file
  })

const env = (server: SimulatorServer.Service, key = secretKey) => ({
  KUSTOMER_API_KEY: key,
  KUSTOMER_BASE_URL: server.baseUrl,
  ...quickFirstPoll
})

describe("kustomer-bulk import, end to end against the simulator on a real socket", () => {
  it.scopedLive("imports a file, prints the summary, exits 2 for the rejected records, never prints the key", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeRecords(server.customerIds, 250, 50)
      const result = yield* runCli(["import", file, "--max-items", "60"], env(server))
      assert.strictEqual(result.code, 2)
      assert.match(result.text, /created\s+245\b/)
      assert.match(result.text, /rejected\s+5\b/)
      assert.include(result.text, "5 records were rejected before sending")
      assert.include(result.stderr.join("\n"), `into ${server.baseUrl}`)
      assert.notInclude(result.text, secretKey)
      assert.notInclude(result.text, "cli-end-to-end-secret")
      const stats = yield* server.simulator.stats
      assert.strictEqual(stats.conversations.stored, 245)
      assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [])
      // Importing the same file again creates nothing twice.
      const again = yield* runCli(["import", file, "--base-url", server.baseUrl], { KUSTOMER_API_KEY: secretKey })
      assert.match(again.text, /already existing\s+245\b/)
      assert.strictEqual((yield* server.simulator.stats).conversations.stored, 245)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("keeps a journal, a rejects file and a report, and resumes from the journal", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeRecords(server.customerIds, 120, 40)
      const directory = path.dirname(file)
      const files = [
        "--journal",
        path.join(directory, "run.sqlite"),
        "--rejects",
        path.join(directory, "rejects.jsonl")
      ]
      const report = path.join(directory, "report.json")
      const first = yield* runCli(["import", file, ...files, "--report", report], env(server))
      assert.strictEqual(first.code, 2)
      assert.match(first.text, /created\s+117\b/)
      const rejects = (yield* fs.readFileString(path.join(directory, "rejects.jsonl"))).trim().split("\n")
      assert.lengthOf(rejects, 3)
      assert.include(rejects[0] ?? "", "priority")
      const written: unknown = JSON.parse(yield* fs.readFileString(report))
      assert.deepInclude(written, { status: "finished" })

      const again = yield* runCli(["import", file, ...files], env(server))
      assert.strictEqual(again.code, 2, "the import as a whole still has rejected records")
      assert.include(again.text, "Resuming from")
      assert.include(again.text, "120 records settled by earlier attempts were skipped")
      assert.include(again.text, "Over all attempts: 117 created")
      assert.strictEqual((yield* server.simulator.stats).conversations.stored, 117)

      const other = yield* writeRecords(server.customerIds, 3, 0)
      const refused = yield* runCli(["import", other, ...files], env(server))
      assert.strictEqual(refused.code, 1)
      assert.include(refused.text, "pass another --journal path")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("imports a CSV export through a column mapping", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-cli-test-" })
      const csv = path.join(directory, "tickets.csv")
      const mapping = path.join(directory, "mapping.json")
      const [first, second] = server.customerIds
      yield* fs.writeFileString(
        csv,
        [
          "Ticket ID;Subject;Requester;Tags;Priority;Created",
          `1001;Where is my order?;${first};shipping, vip;3;2026-03-01 10:00`,
          `1002;Refund please;${second};refund;9;2026-03-02 11:30`,
          `1003;Login broken;${first};;2;2026-03-03 08:15`
        ].join("\n")
      )
      yield* fs.writeFileString(
        mapping,
        JSON.stringify({ externalId: "Ticket ID", customer: "Requester", tags: "Tags" })
      )
      const result = yield* runCli([
        "import",
        csv,
        "--mapping",
        mapping,
        "--mapping",
        "name=Subject",
        "--mapping",
        "priority=Priority",
        "--mapping",
        "createdAt=Created",
        "--timezone",
        "UTC",
        "--delimiter",
        ";"
      ], env(server))
      assert.strictEqual(result.code, 2)
      assert.match(result.text, /created\s+2\b/)
      assert.match(result.text, /rejected\s+1\b/)
      const [stored] = yield* server.simulator.findByExternalId("conversations", "1001")
      assert.deepInclude(stored?.attributes ?? {}, {
        name: "Where is my order?",
        tags: ["shipping", "vip"],
        priority: 3
      })
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("exits 0 when every record is created", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeRecords(server.customerIds, 30, 0)
      const result = yield* runCli(["import", file], env(server))
      assert.strictEqual(result.code, 0)
      assert.include(result.text, "Import complete")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("exits 1 on fatal errors, says what to do, and never prints the key", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeRecords(server.customerIds, 5, 0)

      const missingKey = yield* runCli(["import", file], {
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      })
      assert.strictEqual(missingKey.code, 1)
      assert.include(missingKey.text, "KUSTOMER_API_KEY is not set")

      const wrongKey = yield* runCli(["import", file], env(server, `${secretKey}-revoked`))
      assert.strictEqual(wrongKey.code, 1)
      assert.include(wrongKey.text, "HTTP 401")
      assert.include(wrongKey.text, "KUSTOMER_API_KEY")
      assert.notInclude(wrongKey.text, "cli-end-to-end-secret")

      // --html writes the page however the run ends: here, of a run the API refused.
      const page = file.replace(/\.jsonl$/, ".html")
      const refusedWithPage = yield* runCli(["import", file, "--html", page], env(server, `${secretKey}-revoked`))
      assert.strictEqual(refusedWithPage.code, 1)
      const html = yield* FileSystem.FileSystem.pipe(Effect.flatMap((fs) => fs.readFileString(page)))
      assert.include(html, "failed")
      assert.notInclude(html, "cli-end-to-end-secret")

      // The key's roles are read first: what it lacks is listed, in both spellings, before anything is sent.
      const readOnly = yield* runCli(["import", file], env(server, "eyJ.read-only-key.sig"))
      assert.strictEqual(readOnly.code, 1)
      assert.include(readOnly.text, "lacks a role this import of conversations needs")
      assert.include(readOnly.text, "org.permission.conversation.create or org.user.conversation.write: to create")
      assert.notInclude(readOnly.text, "read-only-key")

      // A key that may create but not read job results is found before a record is created.
      const storedBefore = (yield* server.simulator.stats).conversations.stored
      const createOnly = yield* runCli(["import", file], env(server, "eyJ.create-only-key.sig"))
      assert.strictEqual(createOnly.code, 1)
      assert.include(createOnly.text, "lacks 2 roles")
      assert.include(createOnly.text, "org.permission.bulk.read or org.user.bulk.read")
      assert.include(createOnly.text, "org.permission.conversation.read or org.user.conversation.read")
      assert.notInclude(createOnly.text, "create-only-key")
      assert.strictEqual((yield* server.simulator.stats).conversations.stored, storedBefore)

      const missingFile = yield* runCli(["import", file.replace(/\.jsonl$/, "-missing.jsonl")], env(server))
      assert.strictEqual(missingFile.code, 1)
      assert.include(missingFile.text, "no such file")
      assert.notInclude(missingFile.text, "ENOENT")

      const badUrl = yield* runCli(["import", file, "--base-url", "http://example.com"], env(server))
      assert.strictEqual(badUrl.code, 1)
      assert.include(badUrl.text, "must use https")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("a dry run needs no key, sends nothing, and lists the rejected records", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeRecords(server.customerIds, 120, 40)
      const before = (yield* server.simulator.stats).requests.total
      const result = yield* runCli(["import", file, "--dry-run", "--max-items", "50"], {})
      assert.strictEqual(result.code, 2)
      assert.include(result.text, "Dry run — nothing was sent.")
      assert.match(result.text, /bulk requests\s+3\b/)
      assert.include(result.text, "line 40: priority")
      assert.strictEqual((yield* server.simulator.stats).requests.total, before)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("job <id> prints a job's status and per-item results", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeRecords(server.customerIds, 3, 0)
      yield* runCli(["import", file], env(server))
      const [job] = yield* server.simulator.jobs
      const result = yield* runCli(["job", job?.id ?? ""], env(server))
      assert.strictEqual(result.code, 0)
      assert.include(result.text, `Bulk job ${job?.id}: complete`)
      assert.include(result.text, "created")
      assert.include(result.text, "r2")
      const missing = yield* runCli(["job", "0123456789abcdef01234567"], env(server))
      assert.strictEqual(missing.code, 1)
      assert.include(missing.text, "404")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("demo starts its own simulator, creates customers, imports what it generated and checks it", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-demo-test-" })
      const result = yield* runCli(
        ["demo", "--conversations-only", "--records", "150", "--customers", "5", "--out", directory],
        {}
      )
      assert.strictEqual(result.code, 0)
      assert.include(result.text, "Created 5 customers")
      assert.match(result.text, /created\s+150\b/)
      assert.include(
        result.text,
        "The simulator holds 150 conversations (150 distinct externalIds, 0 stored more than once)"
      )
      assert.isTrue(yield* fs.exists(`${directory}/report.json`))
    }).pipe(Effect.provide(nodeLayer)))

  it.scopedLive("demo migrates a generated bundle: customers, conversations, messages and notes, none twice", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-demo-test-" })
      const result = yield* runCli(["demo", "--records", "120", "--customers", "15", "--out", directory], {})
      assert.strictEqual(result.code, 0, result.text)
      const lines = (yield* fs.readFileString(`${directory}/bundle.jsonl`)).trim().split("\n")
        .map((line): { messages: ReadonlyArray<unknown>; notes: ReadonlyArray<unknown> } => JSON.parse(line))
      const messages = lines.reduce((sum, line) => sum + line.messages.length, 0)
      const notes = lines.reduce((sum, line) => sum + line.notes.length, 0)
      assert.include(
        result.text,
        `The simulator holds 15 customers, 120 conversations, ${messages} messages, ${notes} notes (0 stored more than once)`
      )
      assert.isTrue(yield* fs.exists(`${directory}/report.json`))
      // Its simulator ends with the demo: nothing can be resumed, and nothing says it can.
      assert.include(result.text, `Journal: ${directory}/migration.journal`)
      assert.notInclude(result.text, "to resume")
    }).pipe(Effect.provide(nodeLayer)))
})
