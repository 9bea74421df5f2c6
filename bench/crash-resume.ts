/**
 * The long crash-and-resume run: a durable import of many records, its importer process killed with SIGKILL at
 * seeded random points many times and started again each time, then checked against the simulator's own counts.
 * The CI test (`packages/journal/test/CrashResume.test.ts`) runs the same experiment smaller.
 *
 *   pnpm tsx --conditions=source bench/crash-resume.ts [--records 100000] [--kills 60] [--seed 7] [--minutes 8]
 *
 * The simulator runs in this process on a loopback port, with a seeded fault profile (server errors and resets
 * before and after acceptance, slow responses, stalled jobs, 429 storms); the importer
 * (`packages/journal/test/fixtures/importer.ts`) is a child process. Kills stop after `--minutes`; a last run then
 * finishes the import. The figures go to `bench/results/crash-resume.json`.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import { crashAndResume } from "../packages/journal/test/fixtures/crashHarness.js"

const root = NodePath.join(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "..")

const flag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`)
  const parsed = index === -1 ? Number.NaN : Number(process.argv[index + 1])
  return Number.isFinite(parsed) ? parsed : fallback
}

const settings = {
  records: flag("records", 100_000),
  kills: flag("kills", 60),
  seed: flag("seed", 7),
  minutes: flag("minutes", 8),
  maxLinesBeforeKill: flag("lines", 40),
  maxDelayBeforeKill: flag("delay", 250)
}

const program = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  // Kept when the run fails, for a look at the journal, rejects and report.
  const dir = yield* fs.makeTempDirectory({ prefix: "crash-resume-bench-" })
  yield* Console.log(`files in ${dir}`)
  const result = yield* crashAndResume({
    dir,
    records: settings.records,
    kills: settings.kills,
    seed: settings.seed,
    killWindowMillis: settings.minutes * 60_000,
    maxLinesBeforeKill: settings.maxLinesBeforeKill,
    maxDelayBeforeKill: settings.maxDelayBeforeKill,
    log: (line) => Console.log(line)
  })
  const verdict = {
    exactlyOnce: result.stored === result.valid && result.distinctExternalIds === result.valid &&
      result.externalIdsStoredMoreThanOnce === 0 && result.lost === 0,
    rejectsComplete: result.invalidMissingFromRejects === 0 && result.rejectsWrittenTwice === 0 &&
      result.validInRejects === 0
  }
  const output = {
    benchmark: "crash-resume",
    description: "a durable import killed with SIGKILL at random points and resumed each time, against a " +
      "simulator with a seeded fault profile",
    command: "pnpm tsx --conditions=source bench/crash-resume.ts",
    machine: {
      cpus: NodeOs.cpus().length,
      cpu: NodeOs.cpus()[0]?.model ?? "unknown",
      node: process.version,
      platform: process.platform
    },
    settings,
    verdict,
    records: result.records,
    valid: result.valid,
    invalid: result.invalidLines.length,
    kills: result.kills,
    attempts: result.attempts.length,
    attemptsInJournal: result.report.attempt,
    stored: result.stored,
    distinctExternalIds: result.distinctExternalIds,
    duplicated: result.externalIdsStoredMoreThanOnce,
    lost: result.lost,
    resendsCaughtAsDuplicates: result.duplicatesRejected,
    requests: result.requests,
    faults: result.faults,
    rejectsFile: {
      lines: result.rejectLines.length,
      invalidMissing: result.invalidMissingFromRejects,
      writtenTwice: result.rejectsWrittenTwice,
      validRecordsInIt: result.validInRejects
    },
    lastReport: {
      cumulative: result.report.cumulative,
      jobsAllAttempts: result.report.jobIdsAllAttempts?.length,
      rateLimitWaits: result.report.rateLimitWaits
    },
    elapsedSeconds: Math.round(result.elapsedMillis / 100) / 10,
    killPoints: result.attempts.map((attempt) => ({
      attempt: attempt.attempt,
      killed: attempt.killed,
      afterLines: attempt.lines,
      millis: attempt.millis,
      lastLine: attempt.lastLine.slice(0, 80)
    }))
  }
  yield* Console.log(JSON.stringify({ ...output, killPoints: undefined }, null, 2))
  yield* fs.makeDirectory(NodePath.join(root, "bench/results"), { recursive: true })
  yield* fs.writeFileString(
    NodePath.join(root, "bench/results/crash-resume.json"),
    `${JSON.stringify(output, null, 2)}\n`
  )
  if (!verdict.exactlyOnce || !verdict.rejectsComplete) {
    return yield* Effect.dieMessage("the import lost or duplicated records: see bench/results/crash-resume.json")
  }
  yield* fs.remove(dir, { recursive: true })
})

program.pipe(Effect.scoped, Effect.provide(NodeContext.layer), NodeRuntime.runMain)
