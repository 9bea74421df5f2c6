import { type ImportCheckpoint, ImportEvent } from "@effect-kustomer/client"
import { Simulator } from "@effect-kustomer/simulator"
import { NodeFileSystem } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeFs from "node:fs"
import { DiskFull, DurableImport, JournalFile, SqliteJournal } from "../src/index.js"
import { fastPipeline, fileSystemWithRoom, inputFile, readJsonLines, simulated, tempDir } from "./harness.js"

describe("a full disk on an import", () => {
  it.scopedLive("on an import's rejects file: a clear error naming it, and the resume writes it whole", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const input = inputFile({ records: 1_000, customers: simulator.customerIds, invalidEvery: 3 })
      NodeFs.writeFileSync(`${dir}/tickets.jsonl`, input.text)
      const rejects = `${dir}/rejects.jsonl`
      const options: DurableImport.Options = {
        input: `${dir}/tickets.jsonl`,
        journal: `${dir}/tickets.journal`,
        rejects,
        pipeline: fastPipeline
      }
      const full = yield* fileSystemWithRoom(rejects, 10_000)
      const error = yield* Effect.flip(
        DurableImport.run(options).pipe(Effect.provideService(FileSystem.FileSystem, full))
      )
      assert.strictEqual(error.reason, "Output")
      assert.strictEqual(error.message, `rejects file: no space left on the device holding ${rejects}`)

      const result = yield* DurableImport.run(options)
      assert.isTrue(result.resumed)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, input.valid)
      assert.deepStrictEqual(stats.conversations.externalIdsStoredMoreThanOnce, [])
      const lines = readJsonLines(rejects).map((line) => JSON.stringify(line["position"]))
      assert.strictEqual(lines.length, input.rejectedLines.length)
      assert.strictEqual(new Set(lines).size, input.rejectedLines.length)
    }).pipe(Effect.provide(simulated())))
})

/** A plain connection to a SQLite file, for as long as the scope lasts. */
const connect = (path: string) =>
  Effect.flatMap(
    Layer.build(SqliteClient.layer({ filename: path, disableWAL: true })),
    (context) => Effect.provide(SqliteClient.SqliteClient, context)
  )

const identity: ImportCheckpoint.RunIdentity = {
  resource: "conversations",
  source: "tickets.jsonl",
  fingerprint: "sha256:abc;bytes:10",
  settings: "{}"
}

const chunkOf = (chunk: number, indexes: ReadonlyArray<number>): ImportCheckpoint.PlannedChunk => ({
  chunk,
  items: indexes.map((index) => ({
    position: { index },
    clientRef: `r${index}`,
    externalId: `ticket-${index}`,
    json: JSON.stringify({ name: `Ticket ${index}`, externalId: `ticket-${index}`, _clientRef: `r${index}` })
  }))
})

const created = (index: number) =>
  new ImportEvent.Created({
    position: { index },
    clientRef: `r${index}`,
    externalId: `ticket-${index}`,
    objectId: `object-${index}`,
    jobId: undefined
  })

const indexes = Array.from({ length: 2_000 }, (_, index) => index)

describe("a journal write that fails", () => {
  it.scoped("for want of room: said by name, every write after it refused, nothing of it recorded", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* SqliteJournal.make(path)
        yield* journal.begin(identity)
        yield* journal.prepared(chunkOf(0, indexes))
      }))
      const pages = yield* Effect.scoped(Effect.gen(function*() {
        const sql = yield* connect(path)
        const rows = yield* sql.unsafe("PRAGMA page_count").values
        return Number(rows[0]?.[0])
      }))
      const reason = `no space left on the device holding ${path}: free some space, then run the same command again ` +
        "to resume"
      // The disk is full: settling the chunk (2,000 outcomes) needs pages it does not have.
      yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* SqliteJournal.make(path)
        yield* journal.begin(identity)
        const failed = yield* Effect.flip(
          journal.settled(indexes.map((index) => created(index)), 0)
        )
        assert.strictEqual(failed.reason, reason)
        const failure = yield* journal.failure
        assert.strictEqual(Option.getOrUndefined(failure)?.kind, "NoSpace")
        // A small write that would fit is refused too: it would record a state after the failed one.
        assert.strictEqual((yield* Effect.flip(journal.sending(1))).reason, reason)
      })).pipe(Effect.provideService(DiskFull.PageLimit, () => Option.some(pages)))
      // Room again: the chunk is resumed as it was before, none of its outcomes recorded.
      yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* SqliteJournal.make(path)
        const resume = yield* journal.begin(identity)
        assert.deepStrictEqual(resume.unsent.map((chunk) => chunk.items.length), [indexes.length])
        assert.isFalse(resume.isSettled(0))
        assert.strictEqual((yield* journal.counts).read, 0)
      }))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("at its commit: an error the run stops with, not a defect, and the transaction rolled back", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/commit.db`
      const sql = yield* connect(path)
      yield* sql.unsafe("PRAGMA foreign_keys = ON")
      yield* sql.unsafe("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
      yield* sql.unsafe(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
      )
      const transaction = JournalFile.transaction(sql)
      // A deferred constraint is checked at the commit, as a full disk shows in WAL mode: the commit fails.
      const failed = yield* Effect.flip(transaction(sql.unsafe("INSERT INTO child (id, parent) VALUES (1, 7)")))
      assert.strictEqual(String(failed.cause), "SqliteError: FOREIGN KEY constraint failed")
      assert.strictEqual((yield* sql.unsafe("SELECT count(*) AS n FROM child").values)[0]?.[0], 0)
      // The connection is usable again: the failed transaction is not left open.
      yield* transaction(sql.unsafe("INSERT INTO parent (id) VALUES (7)"))
      assert.strictEqual((yield* sql.unsafe("SELECT count(*) AS n FROM parent").values)[0]?.[0], 1)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a journal deleted while it is open: its next write at the end of the run refuses", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      const journal = yield* SqliteJournal.make(path)
      yield* journal.begin(identity)
      yield* journal.prepared(chunkOf(0, [0, 1]))
      NodeFs.rmSync(path)
      const failed = yield* Effect.flip(journal.finished)
      assert.strictEqual(
        failed.reason,
        `${path} was deleted or replaced while the import ran, so what it records would be lost: the import ` +
          "stopped. Start again with a new --journal path"
      )
      assert.strictEqual(Option.getOrUndefined(yield* journal.failure)?.kind, "Incomplete")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
