/**
 * A terminal's Ctrl+C on `migrate` (`pnpm test:soak`, after `pnpm build`): the built CLI started through its
 * launcher (`bin/kustomer-bulk.mjs`, which runs it again under a heap cap) — directly as the installed bin is, and
 * through `pnpm -s kustomer-bulk` — in a process group of its own, and SIGINT sent twice to the whole group, 30 ms
 * apart, as a terminal and its wrappers do. The process group ends only once the report and the page are saved,
 * says so, and exits 130; the resume's report then holds both attempts, with totals over both equal to the bundle.
 * An import through pnpm keeps its report the same way.
 */
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import * as DemoData from "../src/DemoData.js"
import { groupAlive, spawnGroup } from "./fixtures/processGroup.js"
import { nodeLayer } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.migrate-interrupt-secret.c2lnbmF0dXJl"
const root = fileURLToPath(new URL("../../..", import.meta.url))
const launcher = NodePath.join(root, "packages/cli/bin/kustomer-bulk.mjs")

const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], customers: 0, jobLatency: "200 millis" })

const conversations = 300
const customers = 40

/** The launcher (or pnpm running it) in a process group of its own, killed with the test's scope. */
const spawnCli = (how: "launcher" | "pnpm", args: ReadonlyArray<string>, env: Record<string, string>) =>
  how === "launcher"
    ? spawnGroup(process.execPath, [launcher, ...args], { cwd: root, env })
    : spawnGroup("pnpm", ["-s", "kustomer-bulk", ...args], { cwd: root, env })

const interruptedThenResumed = (how: "launcher" | "pnpm") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const server = yield* SimulatorServer.SimulatorServer
    const built = yield* fs.exists(NodePath.join(root, "packages/cli/dist/kustomer-bulk.mjs"))
    assert.isTrue(built, "the CLI is built (run pnpm build first; pnpm test:soak does)")
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-migrate-interrupt-" })
    const bundle = NodePath.join(dir, "bundle.jsonl")
    yield* fs.writeFileString(
      bundle,
      Array.from({ length: conversations }, (_, index) =>
        JSON.stringify({
          externalId: `int-${index}`,
          customer: { externalId: `int-user-${index % customers}` },
          messages: [{ externalId: `int-${index}-m`, direction: "in", channel: "email", app: "postmark" }]
        })).join("\n") + "\n"
    )
    const report = NodePath.join(dir, "report.json")
    const html = NodePath.join(dir, "report.html")
    const args = [
      "migrate",
      bundle,
      "--journal",
      NodePath.join(dir, "m.journal"),
      "--report",
      report,
      "--html",
      html,
      "--max-items",
      "10",
      "--concurrency",
      "1"
    ]
    const env = { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: server.baseUrl }
    const running = yield* spawnCli(how, args, env)
    yield* server.simulator.stats.pipe(
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (stats) => stats.conversations.stored > 0 }),
      Effect.timeoutFail({ duration: Duration.seconds(60), onTimeout: () => new Error(running.stderr()) })
    )
    // A terminal's Ctrl+C twice: SIGINT to the whole group, 30 ms apart.
    process.kill(-running.pid, "SIGINT")
    yield* Effect.sleep(Duration.millis(30))
    process.kill(-running.pid, "SIGINT")
    const code = yield* Deferred.await(running.exited).pipe(
      Effect.timeoutFail({ duration: Duration.seconds(30), onTimeout: () => new Error(running.stderr()) })
    )
    assert.strictEqual(code, 130, running.stderr())
    assert.include(running.stderr(), "saving the journal and the reports")
    assert.include(running.stderr(), `Saved: report → ${report}`)
    assert.notInclude(running.stderr(), secretKey)
    yield* Effect.sync(() => groupAlive(running.pid)).pipe(
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (alive) => !alive }),
      Effect.timeout(Duration.seconds(5))
    )
    assert.isFalse(groupAlive(running.pid), "nothing of the run is left in the background")
    const interrupted = JSON.parse(yield* fs.readFileString(report))
    assert.strictEqual(interrupted.status, "interrupted")
    assert.include(yield* fs.readFileString(html), "interrupted")

    const resumed = yield* spawnCli(how, args, env)
    const resumedCode = yield* Deferred.await(resumed.exited).pipe(
      Effect.timeoutFail({ duration: Duration.seconds(90), onTimeout: () => new Error(resumed.stderr()) })
    )
    assert.strictEqual(resumedCode, 0, resumed.stderr())
    const final = JSON.parse(yield* fs.readFileString(report))
    assert.strictEqual(final.status, "finished")
    assert.deepStrictEqual(final.attempts.map((attempt: { status: string }) => attempt.status), [
      "interrupted",
      "finished"
    ])
    const settled = Object.fromEntries(
      final.cumulative.map((row: { resource: string; created: number; alreadyExisting: number }) => [
        row.resource,
        row.created + row.alreadyExisting
      ])
    )
    assert.deepStrictEqual(settled, { customers, conversations, messages: conversations, notes: 0 })
  }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer)))

/** An import through pnpm, Ctrl+C twice: the report is saved and the exit code is 130. */
const importInterrupted = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const server = yield* SimulatorServer.SimulatorServer
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-import-interrupt-" })
  const input = NodePath.join(dir, "conversations.jsonl")
  yield* fs.writeFileString(
    input,
    [...DemoData.conversations(2_000, { customerIds: server.customerIds, nowMillis: 1_790_000_000_000 })]
      .map((record) => JSON.stringify(record)).join("\n")
  )
  const report = NodePath.join(dir, "report.json")
  const args = [
    "import",
    input,
    "--journal",
    NodePath.join(dir, "run.journal"),
    "--report",
    report,
    "--max-items",
    "10"
  ]
  const running = yield* spawnCli("pnpm", [...args, "--concurrency", "1"], {
    KUSTOMER_API_KEY: secretKey,
    KUSTOMER_BASE_URL: server.baseUrl
  })
  yield* server.simulator.stats.pipe(
    Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (stats) => stats.conversations.stored > 0 }),
    Effect.timeoutFail({ duration: Duration.seconds(60), onTimeout: () => new Error(running.stderr()) })
  )
  process.kill(-running.pid, "SIGINT")
  yield* Effect.sleep(Duration.millis(30))
  process.kill(-running.pid, "SIGINT")
  const code = yield* Deferred.await(running.exited).pipe(
    Effect.timeoutFail({ duration: Duration.seconds(30), onTimeout: () => new Error(running.stderr()) })
  )
  assert.strictEqual(code, 130, running.stderr())
  assert.strictEqual(JSON.parse(yield* fs.readFileString(report)).status, "interrupted")
  assert.include(running.stderr(), "Interrupted. Run the same command again to resume")
}).pipe(
  Effect.provide(
    Layer.merge(SimulatorServer.layer({ apiKeys: [{ key: secretKey }], jobLatency: "200 millis" }), nodeLayer)
  )
)

describe("kustomer-bulk migrate, Ctrl+C twice on a real process group", () => {
  it.scopedLive(
    "through the launcher: both reports saved, exit 130; the resume's totals equal the bundle",
    () => interruptedThenResumed("launcher"),
    { timeout: 240_000 }
  )

  it.scopedLive("through pnpm -s kustomer-bulk: the same", () => interruptedThenResumed("pnpm"), { timeout: 240_000 })

  it.scopedLive("import through pnpm -s kustomer-bulk: the report saved, exit 130", () => importInterrupted, {
    timeout: 120_000
  })
})
