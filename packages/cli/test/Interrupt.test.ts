/** Ctrl+C on a real process: the report and the resume hint survive a second signal and a wrapper's relay. */
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { fileURLToPath } from "node:url"
import * as DemoData from "../src/DemoData.js"
import { groupAlive, type Running, spawnGroup } from "./fixtures/processGroup.js"
import { nodeLayer } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.interrupt-test-secret.c2lnbmF0dXJl"
const repositoryRoot = fileURLToPath(new URL("../../..", import.meta.url))

/** Slow jobs, so that an import of a few thousand records is still running when the signals come. */
const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], jobLatency: "300 millis" })

/**
 * `kustomer-bulk <args>` in its own process group: `direct`, one Node process running the program (TypeScript loaded
 * by tsx's hooks); `wrapped`, through the `tsx` command, a wrapper process with the program in a child. The whole
 * group is killed when the test's scope closes.
 */
const spawnCli = (how: "direct" | "wrapped", args: ReadonlyArray<string>, env: Record<string, string>) => {
  const program = ["--conditions=source", "packages/cli/src/bin.ts", ...args]
  return how === "direct"
    ? spawnGroup(process.execPath, ["--import", "tsx", ...program], { cwd: repositoryRoot, env })
    : spawnGroup(`${repositoryRoot}/node_modules/.bin/tsx`, program, { cwd: repositoryRoot, env })
}

/** Writes `count` conversations to a JSON Lines file in a fresh directory; returns the directory. */
const writeInput = (customerIds: ReadonlyArray<string>, count: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-interrupt-test-" })
    const records = [...DemoData.conversations(count, { customerIds, nowMillis: 1_790_000_000_000 })]
    yield* fs.writeFileString(`${directory}/input.jsonl`, records.map((record) => JSON.stringify(record)).join("\n"))
    return directory
  })

/** Starts an import of 3,000 records and waits until the simulator holds some of them. */
const importUnderway = (how: "direct" | "wrapped") =>
  Effect.gen(function*() {
    const server = yield* SimulatorServer.SimulatorServer
    const path = yield* Path.Path
    const directory = yield* writeInput(server.customerIds, 3_000)
    const running = yield* spawnCli(how, [
      "import",
      path.join(directory, "input.jsonl"),
      "--journal",
      path.join(directory, "run.journal"),
      "--report",
      path.join(directory, "report.json"),
      "--max-items",
      "20",
      "--concurrency",
      "1"
    ], { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: server.baseUrl })
    yield* server.simulator.stats.pipe(
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (stats) => stats.conversations.stored > 0 }),
      Effect.timeoutFail({ duration: Duration.seconds(45), onTimeout: () => new Error(running.stderr()) })
    )
    return { running, directory }
  })

/** Exit 130, and nothing of the import left running in the background. */
const assertStopped = (running: Running) =>
  Effect.gen(function*() {
    const code = yield* Deferred.await(running.exited).pipe(
      Effect.timeoutFail({ duration: Duration.seconds(30), onTimeout: () => new Error(running.stderr()) })
    )
    assert.strictEqual(code, 130, running.stderr())
    assert.notInclude(running.stderr(), secretKey)
    yield* Effect.sync(() => groupAlive(running.pid)).pipe(
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (alive) => !alive }),
      Effect.timeout(Duration.seconds(5))
    )
    assert.isFalse(groupAlive(running.pid))
  })

/** The end every interruption of the program must have: stopped, the report on disk, the resume hint printed. */
const assertInterrupted = (running: Running, directory: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    yield* assertStopped(running)
    const report = JSON.parse(yield* fs.readFileString(`${directory}/report.json`))
    assert.strictEqual(report.status, "interrupted")
    assert.include(running.stderr(), `Interrupted. Run the same command again to resume from ${directory}/run.journal`)
  })

describe("kustomer-bulk import, interrupted (a real process)", () => {
  it.scopedLive(
    "Ctrl+C, then more 10 to 60 ms later: the report and the hint are written, exit 130",
    () =>
      Effect.gen(function*() {
        const { directory, running } = yield* importUnderway("direct")
        // The first signal, then the repeats a terminal and its wrappers send, 10 to 60 ms after it.
        process.kill(-running.pid, "SIGINT")
        for (const gap of [10, 20, 30]) {
          yield* Effect.sleep(Duration.millis(gap))
          process.kill(-running.pid, "SIGINT")
        }
        yield* assertInterrupted(running, directory)
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a closed terminal (SIGHUP to the group): saved as on Ctrl+C, exit 130",
    () =>
      Effect.gen(function*() {
        const { directory, running } = yield* importUnderway("direct")
        process.kill(-running.pid, "SIGHUP")
        yield* assertInterrupted(running, directory)
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    { timeout: 120_000 }
  )

  // tsx relays the signal and kills its child if the child does not acknowledge it within a few tens of
  // milliseconds, so through tsx only this holds: nothing keeps running. (`pnpm kustomer-bulk` runs the built
  // program under its own launcher instead.)
  it.scopedLive(
    "SIGINT to a wrapper alone stops the import in its child: nothing keeps running",
    () =>
      Effect.gen(function*() {
        const { running } = yield* importUnderway("wrapped")
        process.kill(running.pid, "SIGINT")
        yield* assertStopped(running)
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    { timeout: 120_000 }
  )
})
