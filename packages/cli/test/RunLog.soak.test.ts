/** `--verbose` and `--log-level` end to end: real sockets, a simulator that fails requests, a real process. */
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Ref from "effect/Ref"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"
import * as DemoData from "../src/DemoData.js"
import { nodeLayer, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.run-log-secret.c2lnbmF0dXJl"

/** A simulator that answers a third of the requests with a 503, so that chunks are retried. */
const flakySimulator = SimulatorServer.layer({
  apiKeys: [{ key: secretKey }],
  customers: 20,
  jobLatency: "10 millis",
  faults: { seed: 3, serverErrorRate: 0.35, afterAcceptanceShare: 0 }
})

const steadySimulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], customers: 10, jobLatency: "10 millis" })

const repositoryRoot = fileURLToPath(new URL("../../..", import.meta.url))

/** `kustomer-bulk <args>` as a real process (the program's own runtime and logger set-up); killed if interrupted. */
const runProcess = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = ChildProcess.execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=source", "packages/cli/src/bin.ts", ...args],
      { cwd: repositoryRoot, env: { ...process.env, ...env, INIT_CWD: "" } },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }))
    )
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

const logLinesOf = (lines: ReadonlyArray<string>) => lines.filter((line) => line.startsWith("timestamp="))

/** Whether a logfmt line has every `key=value` pair (annotations come in no particular order). */
const hasFields = (line: string | undefined, pairs: ReadonlyArray<string>) =>
  line !== undefined && pairs.every((pair) => line.includes(` ${pair}`))

const writeConversations = (customerIds: ReadonlyArray<string>, count: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-run-log-" })
    const file = `${directory}/conversations.jsonl`
    const records = [...DemoData.conversations(count, { customerIds, nowMillis: 1_790_000_000_000, invalidEvery: 0 })]
    yield* fs.writeFileString(file, records.map((record) => JSON.stringify(record)).join("\n"))
    return { directory, file }
  })

describe("kustomer-bulk --verbose and --log-level, against a simulator that fails requests", () => {
  it.scopedLive(
    "logs retries and jobs to standard error only, never the key; --json stays one document",
    () =>
      Effect.gen(function*() {
        const server = yield* SimulatorServer.SimulatorServer
        const { file } = yield* writeConversations(server.customerIds, 120)
        const env = { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: server.baseUrl }
        // A logger installed around the CLI, as a runtime's pretty logger on standard output would be.
        const elsewhere = yield* Ref.make<ReadonlyArray<unknown>>([])
        const outer = Logger.make((options) =>
          Effect.runSync(Ref.update(elsewhere, (all) => [...all, options.message]))
        )
        const result = yield* runCli(["import", file, "--max-items", "20", "--json", "--verbose"], env).pipe(
          Effect.provide(Logger.add(outer))
        )
        assert.strictEqual(result.code, 0, result.text)
        const logs = logLinesOf(result.stderr)
        assert.isTrue(logs.some((line) => line.includes(`message="retrying chunk"`)), result.stderr.join("\n"))
        assert.isTrue(logs.some((line) => line.includes(`message="chunk accepted as a bulk job"`)))
        assert.isTrue(logs.some((line) => line.includes("state=done")))
        assert.isTrue(logs.some((line) => line.includes(`message=requests`) && line.includes("retries=")))
        assert.strictEqual(result.stdout.length, 1)
        assert.deepStrictEqual(yield* Ref.get(elsewhere), [], "no log went to another logger (standard output)")
        const summary = JSON.parse(result.stdout[0] ?? "").summary
        assert.strictEqual(summary.created + summary.alreadyExisting, 120)
        assert.notInclude(result.text, secretKey)
        assert.notInclude(result.text, "run-log-secret")

        // --log-level info: retries, but not every chunk; without either: no log lines at all.
        const again = yield* writeConversations(server.customerIds, 40)
        const info = yield* runCli(["import", again.file, "--max-items", "10", "--log-level", "info"], env)
        assert.strictEqual(info.code, 0, info.text)
        assert.isTrue(logLinesOf(info.stderr).some((line) => line.includes(`message=requests`)))
        assert.isFalse(logLinesOf(info.stderr).some((line) => line.includes("chunk accepted")))
        const quiet = yield* writeConversations(server.customerIds, 20)
        const plain = yield* runCli(["import", quiet.file, "--max-items", "10"], env)
        assert.strictEqual(plain.code, 0, plain.text)
        assert.deepStrictEqual(logLinesOf(plain.stderr), [])
      }).pipe(Effect.provide(Layer.merge(flakySimulator, nodeLayer))),
    60_000
  )

  it.scopedLive("migrate --verbose logs each phase; job --verbose logs the job's state", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-run-log-" })
      const bundle = `${directory}/bundle.jsonl`
      const lines = [...DemoData.bundle(12, { customers: 4, nowMillis: 1_790_000_000_000 })]
      yield* fs.writeFileString(bundle, lines.map((line) => JSON.stringify(line)).join("\n"))
      const env = { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: server.baseUrl }
      const migrated = yield* runCli(["migrate", bundle, "--verbose"], env)
      assert.strictEqual(migrated.code, 0, migrated.text)
      const phases = logLinesOf(migrated.stderr).filter((line) => line.includes("message=phase"))
      assert.deepStrictEqual(
        phases.map((line) => /phase=(\w+)/.exec(line)?.[1]),
        ["customers", "conversations", "messages", "notes"]
      )
      assert.notInclude(migrated.text, secretKey)
      const jobId = (yield* server.simulator.jobs)[0]?.id ?? ""
      const shown = yield* runCli(["job", jobId, "--verbose"], env)
      assert.isTrue(
        logLinesOf(shown.stderr).some((line) => hasFields(line, [`job=${jobId}`, "state=complete"])),
        shown.stderr.join("\n")
      )
    }).pipe(Effect.provide(Layer.merge(steadySimulator, nodeLayer))), 60_000)

  it.scopedLive(
    "as a real process: --verbose --json keeps standard output one JSON document, logs go to stderr",
    () =>
      Effect.gen(function*() {
        const server = yield* SimulatorServer.SimulatorServer
        const { file } = yield* writeConversations(server.customerIds, 30)
        const result = yield* runProcess(["import", file, "--max-items", "10", "--verbose", "--json"], {
          KUSTOMER_API_KEY: secretKey,
          KUSTOMER_BASE_URL: server.baseUrl
        })
        assert.strictEqual(result.code, 0, result.stderr)
        assert.strictEqual(JSON.parse(result.stdout).summary.read, 30)
        assert.include(result.stderr, `message="chunk accepted as a bulk job"`)
        assert.notInclude(result.stdout + result.stderr, secretKey)
      }).pipe(Effect.provide(Layer.merge(steadySimulator, nodeLayer))),
    60_000
  )
})
