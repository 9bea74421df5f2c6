/**
 * `migrate`'s report, page and results file, however the run ends: interrupted, resumed, run again once finished,
 * refused because another migration holds the journal.
 */
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as DemoData from "../src/DemoData.js"
import * as ResultsFile from "../src/ResultsFile.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.migrate-reports-secret.c2lnbmF0dXJl"

const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(ResultsFile.Line))

/** Slow jobs and one small chunk at a time, so that an interruption lands in the middle of the migration. */
const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], customers: 0, jobLatency: "150 millis" })

/** The same, with customers to import conversations for. */
const withCustomers = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], jobLatency: "150 millis" })

const conversations = 60
const customers = 12
const messagesEach = 2

/** A bundle of `conversations` conversations of `customers` customers, each with `messagesEach` messages. */
const writeBundle = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.writeFileString(
      path,
      Array.from({ length: conversations }, (_, index) =>
        JSON.stringify({
          externalId: `rep-${index}`,
          customer: { externalId: `rep-user-${index % customers}` },
          messages: Array.from({ length: messagesEach }, (_, at) => ({
            externalId: `rep-${index}-m${at}`,
            direction: "in",
            channel: "email",
            app: "postmark",
            preview: `message ${at}`
          }))
        })).join("\n") + "\n"
    ))

interface CumulativeRow {
  readonly resource: string
  readonly created: number
  readonly alreadyExisting: number
  readonly rejected: number
  readonly failed: number
  readonly unknown: number
}

const settledOf = (rows: ReadonlyArray<CumulativeRow>) =>
  Object.fromEntries(rows.map((row) => [row.resource, row.created + row.alreadyExisting]))

const setup = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const server = yield* SimulatorServer.SimulatorServer
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-migrate-reports-" })
  const files = {
    bundle: path.join(dir, "bundle.jsonl"),
    journal: path.join(dir, "m.journal"),
    report: path.join(dir, "report.json"),
    html: path.join(dir, "report.html"),
    results: path.join(dir, "results.jsonl"),
    rejects: path.join(dir, "rejects.jsonl")
  }
  yield* writeBundle(files.bundle)
  const env = {
    KUSTOMER_API_KEY: secretKey,
    KUSTOMER_BASE_URL: server.baseUrl,
    ...quickFirstPoll
  }
  const args = [
    "migrate",
    files.bundle,
    "--journal",
    files.journal,
    "--report",
    files.report,
    "--html",
    files.html,
    "--results",
    files.results,
    "--rejects",
    files.rejects,
    "--max-items",
    "5",
    "--concurrency",
    "1"
  ]
  return { fs, server, files, env, args }
})

describe("migrate's reports, however the run ends", () => {
  it.scopedLive(
    "interrupted, resumed, run again: each report holds every attempt and the totals of all",
    () =>
      Effect.gen(function*() {
        const { args, env, files, fs, server } = yield* setup
        const running = yield* Effect.fork(runCli(args, env))
        yield* server.simulator.stats.pipe(
          Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (stats) => stats.conversations.stored >= 10 }),
          Effect.timeout(Duration.seconds(60))
        )
        yield* Fiber.interrupt(running)
        const interrupted = JSON.parse(yield* fs.readFileString(files.report))
        assert.strictEqual(interrupted.status, "interrupted")
        assert.strictEqual(interrupted.attempt, 1)
        assert.isAbove(interrupted.phases.length, 0)
        assert.include(yield* fs.readFileString(files.html), "interrupted")

        const resumed = yield* runCli(args, env)
        assert.strictEqual(resumed.code, 0, resumed.text)
        assert.include(resumed.text, "All attempts together")
        // The progress counts this attempt's objects against what was left of the bundle.
        assert.match(resumed.text, /\d+\/\d+ objects \(100%\)/)
        // Every HTTP request of each phase: the customers' look-ups and job reads are in its count.
        const phaseRequests = JSON.parse(yield* fs.readFileString(files.report)).phases as ReadonlyArray<
          { resource: string; requests: number; jobs: number }
        >
        phaseRequests.filter((phase) => phase.jobs > 0).forEach((phase) =>
          assert.isAbove(phase.requests, phase.jobs, phase.resource)
        )
        const report = JSON.parse(yield* fs.readFileString(files.report))
        assert.strictEqual(report.status, "finished")
        assert.deepStrictEqual(report.attempts.map((attempt: { status: string }) => attempt.status), [
          "interrupted",
          "finished"
        ])
        const expected = { customers, conversations, messages: conversations * messagesEach, notes: 0 }
        // How the run was made: the host, the command (never the key), the bundle's SHA-256.
        assert.match(report.run.bundleSha256, /^[0-9a-f]{64}$/)
        assert.strictEqual(report.run.command[0], "migrate")
        assert.strictEqual(report.run.host, new URL(env.KUSTOMER_BASE_URL).host)
        assert.deepStrictEqual(report.phaseSpans.map((span: { resource: string }) => span.resource), [
          "customers",
          "conversations",
          "messages",
          "notes"
        ])
        // Each phase's span runs from its start to its own end (its import finished); the phases overlap (the
        // default), so each began before the first one's import finished.
        const spans: ReadonlyArray<{ startMillis: number; endMillis: number }> = report.phaseSpans
        spans.forEach((span) => {
          assert.isAtLeast(span.endMillis, span.startMillis)
          assert.isAtMost(span.startMillis, spans[0]?.endMillis ?? 0)
        })
        assert.deepStrictEqual(settledOf(report.cumulative), expected)
        // Every settled object's id once, whatever the interruption cut short.
        const lines = (yield* fs.readFileString(files.results)).trim().split("\n").map((line) => decodeLine(line))
        const keys = lines.map((line) => `${line.resource}:${line.index}`)
        assert.strictEqual(new Set(keys).size, keys.length)
        assert.strictEqual(lines.length, customers + conversations + conversations * messagesEach)
        assert.isTrue(lines.every((line) => line.objectId !== undefined))

        // A finished migration run again: nothing to send, and the report keeps the totals of all attempts.
        const again = yield* runCli(args, env)
        assert.strictEqual(again.code, 0, again.text)
        const kept = JSON.parse(yield* fs.readFileString(files.report))
        assert.strictEqual(kept.attempts.length, 3)
        assert.deepStrictEqual(settledOf(kept.cumulative), expected)
        assert.strictEqual((yield* fs.readFileString(files.results)).trim().split("\n").length, lines.length)
        assert.notInclude(again.text, "migrate-reports-secret")
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a second migrate on a journal in use is refused and touches none of the first one's files",
    () =>
      Effect.gen(function*() {
        const { args, env, files, fs, server } = yield* setup
        const running = yield* Effect.fork(runCli(args, env))
        yield* server.simulator.stats.pipe(
          Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (stats) => stats.conversations.stored >= 5 }),
          Effect.timeout(Duration.seconds(60))
        )
        // Something of the first run's own in each file the second one names.
        yield* Effect.forEach([files.report, files.html], (file) => fs.writeFileString(file, "first run's\n"))
        const sizesBefore = yield* Effect.forEach([files.rejects, files.results], (file) => fs.readFileString(file))
        const second = yield* runCli(args, env)
        assert.strictEqual(second.code, 1, second.text)
        assert.include(second.text, "in use by another migration")
        assert.strictEqual(yield* fs.readFileString(files.report), "first run's\n")
        assert.strictEqual(yield* fs.readFileString(files.html), "first run's\n")
        const sizesAfter = yield* Effect.forEach([files.rejects, files.results], (file) => fs.readFileString(file))
        // The first run may have appended meanwhile; never emptied.
        sizesAfter.forEach((text, index) => assert.isTrue(text.startsWith(sizesBefore[index] ?? "")))
        const first = yield* Fiber.join(running)
        assert.strictEqual(first.code, 0, first.text)
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "every output path is checked before the first request: --html where it cannot be written",
    () =>
      Effect.gen(function*() {
        const { args, env, files, server } = yield* setup
        const htmlAt = args.indexOf("--html") + 1
        const nowhere = `${files.html}.missing/report.html`
        const migrate = yield* runCli(args.map((arg, index) => index === htmlAt ? nowhere : arg), env)
        assert.strictEqual(migrate.code, 1, migrate.text)
        assert.include(migrate.text, "--html")
        const importArgs = ["import", files.bundle, "--html", nowhere, "--results", files.results]
        const imported = yield* runCli(importArgs, env)
        assert.strictEqual(imported.code, 1, imported.text)
        assert.include(imported.text, "--html")
        const stats = yield* server.simulator.stats
        assert.strictEqual(stats.customers.stored + stats.conversations.stored, 0)
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "a second import on a journal in use is refused and leaves the first one's report alone",
    () =>
      Effect.gen(function*() {
        const { env, files, fs, server } = yield* setup
        const input = `${files.bundle}.conversations.jsonl`
        yield* fs.writeFileString(
          input,
          [...DemoData.conversations(400, { customerIds: server.customerIds, nowMillis: 1_790_000_000_000 })]
            .map((record) => JSON.stringify(record)).join("\n")
        )
        const args = ["import", input, "--journal", files.journal, "--report", files.report, "--max-items", "5"]
        const running = yield* Effect.fork(runCli([...args, "--concurrency", "1"], env))
        yield* server.simulator.stats.pipe(
          Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (stats) => stats.conversations.stored >= 5 }),
          Effect.timeout(Duration.seconds(60))
        )
        yield* fs.writeFileString(files.report, "first run's\n")
        const second = yield* runCli(args, env)
        assert.strictEqual(second.code, 1, second.text)
        assert.include(second.text, "in use by another import")
        assert.strictEqual(yield* fs.readFileString(files.report), "first run's\n")
        yield* Fiber.interrupt(running)
      }).pipe(Effect.provide(Layer.merge(withCustomers, nodeLayer))),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "a resumed migrate exits 2 while an object was not created in any attempt",
    () =>
      Effect.gen(function*() {
        const { env, files, fs } = yield* setup
        yield* fs.writeFileString(
          files.bundle,
          [
            { externalId: "ok-1", customer: { externalId: "ok-user" } },
            { externalId: "bad-2", status: "bogus", customer: { externalId: "ok-user" } },
            { externalId: "ok-3", customer: { externalId: "ok-user" } }
          ].map((line) => JSON.stringify(line)).join("\n") + "\n"
        )
        const args = ["migrate", files.bundle, "--journal", files.journal, "--report", files.report]
        const first = yield* runCli(args, env)
        assert.strictEqual(first.code, 2, first.text)
        const again = yield* runCli(args, env)
        assert.strictEqual(again.code, 2, again.text)
        const report = JSON.parse(yield* fs.readFileString(files.report))
        const conversationsRow = report.cumulative.find((row: CumulativeRow) => row.resource === "conversations")
        assert.deepInclude(conversationsRow, { created: 2, rejected: 1 })
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    { timeout: 60_000 }
  )

  it.scoped("a missing input file is said plainly before anything else, for import and migrate, dry run or not", () =>
    Effect.gen(function*() {
      const env = { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: "http://127.0.0.1:9" }
      for (const args of [["migrate"], ["import"], ["migrate", "--dry-run"], ["import", "--dry-run"]]) {
        const [command, ...flags] = args
        const run = yield* runCli([command ?? "", "no-such-export.jsonl", ...flags], env)
        assert.strictEqual(run.code, 1, run.text)
        assert.match(
          run.stderr[0] ?? "",
          /no-such-export\.jsonl: no such file \(looked for \/.*no-such-export\.jsonl\)/
        )
        assert.notInclude(run.text, "ENOENT")
      }
    }).pipe(Effect.provide(nodeLayer)))
})
