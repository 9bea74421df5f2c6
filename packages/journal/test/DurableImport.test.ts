import { Simulator } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import * as Os from "node:os"
import { DurableImport, RejectsFile, RunReport } from "../src/index.js"
import { fastPipeline, inputFile, simulated, tempDir } from "./harness.js"

const rejectsOf = (path: string) =>
  Effect.map(Stream.runCollect(RejectsFile.read(path)), (entries) => Chunk.toReadonlyArray(entries))

const linesOf = (entries: ReadonlyArray<RejectsFile.Entry>) =>
  entries.map((entry) => entry.position.line ?? -1).sort((a, b) => a - b)

/** Runs an import and interrupts it once `outcomes` outcomes were seen: an in-process stand-in for a crash. */
const interruptedAfter = (options: DurableImport.Options, outcomes: number) =>
  Effect.gen(function*() {
    const stop = yield* Deferred.make<void>()
    const seen = yield* Ref.make(0)
    const result = yield* Effect.raceFirst(
      Effect.asSome(DurableImport.run({
        ...options,
        onEvent: (event) =>
          event._tag === "Created" || event._tag === "Rejected" || event._tag === "Failed"
            ? Effect.flatMap(
              Ref.updateAndGet(seen, (count) => count + 1),
              (count) => count >= outcomes ? Deferred.succeed(stop, undefined) : Effect.void
            )
            : Effect.void
      })),
      Effect.as(Deferred.await(stop), undefined)
    )
    assert.isUndefined(result, "the import was meant to be interrupted before its end")
  })

/** Sets every chunk the journal shows as submitted back to "sending": a crash between the POST and its answer. */
const forgetSubmissions = (path: string) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(SqliteClient.layer({ filename: path, disableWAL: true }))
    const sql = yield* Effect.provide(SqliteClient.SqliteClient, context)
    const rows = yield* sql`UPDATE journal_chunks SET state = 'sending', job_id = NULL WHERE state = 'submitted'
      RETURNING chunk`
    return rows.length
  }))

describe("DurableImport", () => {
  it.scopedLive("imports a file: rejects with their lines, a report, exactly the valid records stored", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const input = inputFile({
        records: 1_000,
        customers: simulator.customerIds,
        invalidEvery: 97,
        unknownCustomerEvery: 149,
        brokenEvery: 251,
        blankEvery: 50
      })
      NodeFs.writeFileSync(`${dir}/tickets.jsonl`, input.text)
      const started: Array<DurableImport.Start> = []
      const result = yield* DurableImport.run({
        input: `${dir}/tickets.jsonl`,
        journal: `${dir}/tickets.journal`,
        rejects: `${dir}/rejects.jsonl`,
        report: `${dir}/report.json`,
        pipeline: fastPipeline,
        onStart: (start) => Effect.sync(() => started.push(start))
      })
      assert.strictEqual(result.summary.read, 1_000)
      assert.strictEqual(result.summary.created, input.valid)
      assert.strictEqual(result.summary.rejected, input.rejectedLines.length)
      assert.strictEqual(result.summary.failed, input.failedLines.length)
      assert.isFalse(result.resumed)
      assert.strictEqual(result.totalRecords, 1_000)
      assert.strictEqual(started.length, 1)
      assert.strictEqual(started[0]?.totalRecords, 1_000)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, input.valid)
      assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [])

      const rejects = yield* rejectsOf(`${dir}/rejects.jsonl`)
      assert.deepStrictEqual(linesOf(rejects), [...input.rejectedLines, ...input.failedLines].sort((a, b) => a - b))
      const broken = rejects.find((entry) => typeof entry.record === "string")
      assert.include(broken?.reason ?? "", "not valid JSON")
      assert.include(String(broken?.record), "\"priority\": ")
      const failed = rejects.find((entry) => entry.outcome === "Failed")
      assert.include(failed?.reason ?? "", "customer")
      assert.isDefined(failed?.jobId)
      assert.isFalse(JSON.stringify(failed?.record).includes("_clientRef"))
      const invalid = rejects.find((entry) => entry.outcome === "Rejected" && typeof entry.record === "object")
      assert.include(invalid?.reason ?? "", "priority")

      const report = yield* RunReport.read(`${dir}/report.json`)
      assert.strictEqual(report.status, "finished")
      assert.strictEqual(report.summary.created, input.valid)
      assert.strictEqual(report.input?.records, 1_000)
      assert.strictEqual(report.input?.bytes, Buffer.byteLength(input.text))
      assert.lengthOf(report.input?.sha256 ?? "", 64)
      assert.strictEqual(report.jobIds.length, report.summary.jobs)
      assert.deepStrictEqual(report.jobIdsAllAttempts, report.jobIds)
      assert.strictEqual(report.rejectsWritten, rejects.length)
      assert.deepStrictEqual(report.cumulative, {
        read: 1_000,
        created: input.valid,
        alreadyExisting: 0,
        failed: input.failedLines.length,
        rejected: input.rejectedLines.length,
        unknown: 0
      })
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("resumes after an interruption: nothing created twice, each reject written once", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const input = inputFile({
        records: 3_000,
        customers: simulator.customerIds,
        invalidEvery: 41,
        unknownCustomerEvery: 173
      })
      NodeFs.writeFileSync(`${dir}/tickets.jsonl`, input.text)
      const options: DurableImport.Options = {
        input: `${dir}/tickets.jsonl`,
        journal: `${dir}/tickets.journal`,
        rejects: `${dir}/rejects.jsonl`,
        report: `${dir}/report.json`,
        // Few jobs in flight, so that an interruption leaves work to do.
        pipeline: { ...fastPipeline, submitConcurrency: 1, maxJobsInFlight: 2 }
      }
      yield* interruptedAfter(options, 700)
      const interrupted = yield* RunReport.read(`${dir}/report.json`)
      assert.strictEqual(interrupted.status, "interrupted")
      assert.isFalse(interrupted.resumed)
      const afterFirst = yield* simulator.stats
      assert.isAbove(afterFirst.conversations.stored, 0)
      assert.isBelow(afterFirst.conversations.stored, input.valid)
      yield* interruptedAfter(options, 700)
      const result = yield* DurableImport.run(options)
      assert.isTrue(result.resumed)
      assert.isAbove(result.skipped, 0)
      assert.strictEqual(result.skipped + result.summary.read, 3_000)
      assert.strictEqual(result.report.attempt, 3)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, input.valid)
      assert.strictEqual(stats.conversations.distinctExternalIds, input.valid)
      assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [])
      const cumulative = result.cumulative
      assert.strictEqual((cumulative?.created ?? 0) + (cumulative?.alreadyExisting ?? 0), input.valid)
      assert.strictEqual(cumulative?.unknown, 0)
      const rejects = yield* rejectsOf(`${dir}/rejects.jsonl`)
      assert.deepStrictEqual(linesOf(rejects), [...input.rejectedLines, ...input.failedLines].sort((a, b) => a - b))
      // A run over a finished journal does nothing.
      const again = yield* DurableImport.run(options)
      assert.strictEqual(again.summary.read, 0)
      assert.strictEqual(again.skipped, 3_000)
      assert.strictEqual(
        (yield* simulator.stats).requests.byRoute["POST /v1/conversations/bulk"],
        stats.requests.byRoute["POST /v1/conversations/bulk"]
      )
      assert.strictEqual((yield* rejectsOf(`${dir}/rejects.jsonl`)).length, rejects.length)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("chunks caught in flight: resent when their records have an externalId, unknown when not", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      // Odd records have no externalId.
      const lines = Array.from({ length: 400 }, (_, index) => {
        const customer = simulator.customerIds[index % simulator.customerIds.length] ?? ""
        return JSON.stringify({
          customer,
          ...(index % 2 === 0 ? { externalId: `ticket-${index}` } : {}),
          name: `Ticket ${index}`
        })
      })
      NodeFs.writeFileSync(`${dir}/tickets.jsonl`, `${lines.join("\n")}\n`)
      const options: DurableImport.Options = {
        input: `${dir}/tickets.jsonl`,
        journal: `${dir}/tickets.journal`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: { ...fastPipeline, maxItems: 50 }
      }
      yield* interruptedAfter(options, 100)
      const forgotten = yield* forgetSubmissions(`${dir}/tickets.journal`)
      assert.isAbove(forgotten, 0)
      const result = yield* DurableImport.run(options)
      const stats = yield* simulator.stats
      assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [])
      // Every record with an externalId exists once; records without one were created at most once.
      assert.strictEqual(stats.conversations.distinctExternalIds, 200)
      assert.isAtMost(stats.conversations.stored, 400)
      // The resent records were found as duplicates of what the lost requests created: this import created them.
      assert.strictEqual(result.summary.alreadyExisting, 0)
      // Records in doubt go to the unknown file, never to the rejects file that is meant to be imported again.
      assert.lengthOf(yield* rejectsOf(`${dir}/rejects.jsonl`), 0)
      const unknown = yield* rejectsOf(`${dir}/rejects.unknown.jsonl`)
      assert.isAbove(unknown.length, 0)
      assert.isTrue(unknown.every((entry) => entry.outcome === "Unknown" && entry.externalId === undefined))
      assert.strictEqual(unknown.length, result.cumulative?.unknown)
      assert.strictEqual(result.unknownFile, `${dir}/rejects.unknown.jsonl`)
      assert.strictEqual(result.report.unknownFile, `${dir}/rejects.unknown.jsonl`)
      // The unknown records were in fact created by the job whose id the journal lost: nothing twice, nothing lost.
      assert.strictEqual(stats.conversations.stored, 400)
      assert.strictEqual((result.cumulative?.created ?? 0) + unknown.length, 400)
      // Imported as they are, they would be created twice: the file is refused before anything is sent.
      const requests = stats.requests.total
      const refused = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/rejects.unknown.jsonl`, pipeline: fastPipeline })
      )
      assert.strictEqual(refused.reason, "Input")
      assert.include(refused.message, "records in doubt")
      assert.strictEqual((yield* simulator.stats).requests.total, requests)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("assigned externalIds make records without one safe to resend", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const input = inputFile({ records: 600, customers: simulator.customerIds, withExternalIds: false })
      NodeFs.writeFileSync(`${dir}/tickets.jsonl`, input.text)
      const options: DurableImport.Options = {
        input: `${dir}/tickets.jsonl`,
        journal: `${dir}/tickets.journal`,
        rejects: `${dir}/rejects.jsonl`,
        report: `${dir}/report.json`,
        assignExternalIds: true,
        pipeline: { ...fastPipeline, maxItems: 50 }
      }
      yield* interruptedAfter(options, 150)
      yield* forgetSubmissions(`${dir}/tickets.journal`)
      const result = yield* DurableImport.run(options)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, 600)
      assert.strictEqual(stats.conversations.distinctExternalIds, 600)
      assert.strictEqual(result.cumulative?.unknown, 0)
      assert.strictEqual((result.cumulative?.created ?? 0) + (result.cumulative?.alreadyExisting ?? 0), 600)
      const sha = result.report.input?.sha256.slice(0, 12) ?? ""
      const stored = yield* simulator.findByExternalId("conversations", `import-${sha}-599`)
      assert.strictEqual(stored.length, 1)
      assert.strictEqual(stored[0]?.attributes["name"], "Ticket 599")
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("refuses to resume a journal with another input or other settings, before sending anything", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/a.jsonl`, inputFile({ records: 50, customers: simulator.customerIds }).text)
      NodeFs.writeFileSync(`${dir}/b.jsonl`, inputFile({ records: 60, customers: simulator.customerIds }).text)
      yield* DurableImport.run({ input: `${dir}/a.jsonl`, journal: `${dir}/a.journal`, pipeline: fastPipeline })
      const requests = (yield* simulator.stats).requests.total
      const otherInput = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/b.jsonl`, journal: `${dir}/a.journal`, report: `${dir}/report.json` })
      )
      assert.strictEqual(otherInput.reason, "Journal")
      assert.include(otherInput.message, "belongs to another input")
      const report = yield* RunReport.read(`${dir}/report.json`)
      assert.strictEqual(report.status, "failed")
      assert.include(report.error ?? "", "another input")
      const otherSettings = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/a.jsonl`, journal: `${dir}/a.journal`, pipeline: { maxItems: 10 } })
      )
      assert.include(otherSettings.message, "other settings")
      const otherIds = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/a.jsonl`, journal: `${dir}/a.journal`, assignExternalIds: true })
      )
      assert.include(otherIds.message, "other settings")
      assert.strictEqual((yield* simulator.stats).requests.total, requests)
      NodeFs.writeFileSync(`${dir}/garbage.journal`, "x".repeat(4096))
      const garbage = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/a.jsonl`, journal: `${dir}/garbage.journal` })
      )
      assert.strictEqual(garbage.reason, "Journal")
      assert.include(garbage.message, "not an import journal")
      const missing = yield* Effect.flip(DurableImport.run({ input: `${dir}/missing.jsonl` }))
      assert.strictEqual(missing.reason, "Input")
      const noFormat = yield* Effect.flip(DurableImport.run({ input: `${dir}/a.txt` }))
      assert.include(noFormat.message, "name it")
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("standard input is kept for the journal; the same bytes resume, other bytes are refused", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const input = inputFile({ records: 300, customers: simulator.customerIds, invalidEvery: 50 })
      const bytesOf = (text: string) => Stream.make(new TextEncoder().encode(text))
      const options: DurableImport.Options = {
        input: "-",
        format: "jsonl",
        stdin: bytesOf(input.text),
        journal: `${dir}/stdin.journal`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: fastPipeline
      }
      yield* interruptedAfter(options, 120)
      const result = yield* DurableImport.run(options)
      assert.isTrue(result.resumed)
      assert.strictEqual((yield* simulator.stats).conversations.stored, input.valid)
      assert.deepStrictEqual(linesOf(yield* rejectsOf(`${dir}/rejects.jsonl`)), input.rejectedLines)
      const other = yield* Effect.flip(DurableImport.run({ ...options, stdin: bytesOf(`${input.text}\n{}`) }))
      assert.include(other.message, "another input")
      // Without a journal, standard input streams straight through.
      const streamed = yield* DurableImport.run({
        input: "-",
        format: "jsonl",
        stdin: bytesOf(input.text),
        pipeline: fastPipeline
      })
      assert.strictEqual(streamed.summary.alreadyExisting, input.valid)
      assert.strictEqual(streamed.report.input?.bytes, Buffer.byteLength(input.text))
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("the copy of standard input is removed however the run ends: finished, failed or interrupted", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const input = inputFile({ records: 50, customers: simulator.customerIds })
      // A temporary directory of this test's own, so that another process's copy of its standard input (a test
      // running beside this one) is not taken for this one's.
      const spoolDir = `${dir}/tmp`
      NodeFs.mkdirSync(spoolDir)
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const previous = process.env["TMPDIR"]
          process.env["TMPDIR"] = spoolDir
          return previous
        }),
        (previous) =>
          Effect.sync(() => {
            if (previous === undefined) delete process.env["TMPDIR"]
            else process.env["TMPDIR"] = previous
          })
      )
      assert.strictEqual(Os.tmpdir(), spoolDir)
      const spools = () =>
        new Set(NodeFs.readdirSync(Os.tmpdir()).filter((name) => name.startsWith("kustomer-import-")))
      const before = spools()
      const seen = new Set<string>()
      const options: DurableImport.Options = {
        input: "-",
        format: "jsonl",
        stdin: Stream.make(new TextEncoder().encode(input.text)),
        journal: `${dir}/stdin.journal`,
        pipeline: fastPipeline,
        onStart: () =>
          Effect.sync(() => {
            for (const name of spools()) if (!before.has(name)) seen.add(name)
          })
      }
      yield* DurableImport.run(options)
      const failed = yield* Effect.flip(DurableImport.run({ ...options, report: `${dir}/missing/report.json` }))
      assert.strictEqual(failed.reason, "Output")
      const interrupted = yield* Effect.exit(DurableImport.run({ ...options, onStart: () => Effect.interrupt }))
      assert.isTrue(Exit.isInterrupted(interrupted))
      assert.isAbove(seen.size, 0)
      const left = spools()
      for (const name of seen) assert.isFalse(left.has(name), `${name} was left behind`)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("the rejects file, fixed, is imported again as a normal input", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const input = inputFile({ records: 500, customers: simulator.customerIds, invalidEvery: 25, brokenEvery: 99 })
      NodeFs.writeFileSync(`${dir}/tickets.jsonl`, input.text)
      yield* DurableImport.run({
        input: `${dir}/tickets.jsonl`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: fastPipeline
      })
      // As they are, the rejects are rejected again for the same reasons.
      const again = yield* DurableImport.run({
        input: `${dir}/rejects.jsonl`,
        rejects: `${dir}/rejects-again.jsonl`,
        pipeline: fastPipeline
      })
      assert.strictEqual(again.summary.rejected, input.rejectedLines.length)
      const first = yield* rejectsOf(`${dir}/rejects.jsonl`)
      const second = yield* rejectsOf(`${dir}/rejects-again.jsonl`)
      assert.deepStrictEqual(second.map((entry) => entry.reason), first.map((entry) => entry.reason))
      assert.deepStrictEqual(second.map((entry) => entry.record), first.map((entry) => entry.record))
      // Fixed (priorities set right, broken lines completed), they are created.
      const fixed = first.map((entry) => ({
        ...entry,
        record: typeof entry.record === "string"
          ? `${entry.record}1, "customer": "${simulator.customerIds[0]}"}`
          : { ...(typeof entry.record === "object" ? entry.record : {}), priority: 1 }
      }))
      yield* fs.writeFileString(`${dir}/fixed.jsonl`, fixed.map((entry) => RejectsFile.encode(entry)).join(""))
      const retried = yield* DurableImport.run({ input: `${dir}/fixed.jsonl`, pipeline: fastPipeline })
      assert.strictEqual(retried.summary.created, input.rejectedLines.length)
      assert.strictEqual((yield* simulator.stats).conversations.stored, 500)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("output files that cannot be written stop the import before the first request", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/a.jsonl`, inputFile({ records: 300, customers: simulator.customerIds }).text)
      NodeFs.mkdirSync(`${dir}/a-directory`)
      const requests = (yield* simulator.stats).requests.total
      const refused = (options: Partial<DurableImport.Options>) =>
        Effect.flip(DurableImport.run({ input: `${dir}/a.jsonl`, pipeline: fastPipeline, ...options }))
      const report = yield* refused({ report: `${dir}/missing/report.json` })
      assert.strictEqual(report.reason, "Output")
      assert.include(report.message, `--report ${dir}/missing/report.json`)
      assert.include(report.message, "does not exist")
      const rejects = yield* refused({ rejects: `${dir}/a-directory` })
      assert.include(rejects.message, "is not a file")
      const journal = yield* refused({ journal: `${dir}/missing/run.journal`, rejects: `${dir}/rejects.jsonl` })
      assert.include(journal.message, "--journal")
      const unknown = yield* refused({ unknown: `${dir}/missing/unknown.jsonl` })
      assert.include(unknown.message, "--unknown")
      const overInput = yield* refused({ rejects: `${dir}/a.jsonl` })
      assert.include(overInput.message, "is also the input")
      assert.strictEqual((yield* simulator.stats).requests.total, requests)
      assert.isFalse(NodeFs.existsSync(`${dir}/rejects.jsonl`))
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a damaged journal stops the import with a clear error and sends nothing", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/a.jsonl`, inputFile({ records: 2_000, customers: simulator.customerIds }).text)
      yield* DurableImport.run({ input: `${dir}/a.jsonl`, journal: `${dir}/a.journal`, pipeline: fastPipeline })
      const size = NodeFs.statSync(`${dir}/a.journal`).size
      NodeFs.truncateSync(`${dir}/a.journal`, Math.floor(size / 3))
      const requests = (yield* simulator.stats).requests.total
      const error = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/a.jsonl`, journal: `${dir}/a.journal`, pipeline: fastPipeline })
      )
      assert.strictEqual(error.reason, "Journal")
      assert.include(error.message, "is damaged")
      assert.strictEqual((yield* simulator.stats).requests.total, requests)
    }).pipe(Effect.provide(simulated())))
})
