import { ImportCheckpoint, ImportEvent } from "@effect-kustomer/client"
import { Ids } from "@effect-kustomer/domain"
import { NodeFileSystem } from "@effect/platform-node"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import { SqliteJournal } from "../src/index.js"

const run: ImportCheckpoint.RunIdentity = {
  resource: "conversations",
  source: "tickets.jsonl",
  fingerprint: "sha256:abc;bytes:10",
  settings: "{\"maxItems\":100}"
}

const jobId = (text: string): Ids.BulkJobId => Schema.decodeSync(Ids.BulkJobId)(text)

/** A chunk of the records `indexes`, each on line index + 2. */
const chunkOf = (chunk: number, indexes: ReadonlyArray<number>): ImportCheckpoint.PlannedChunk => ({
  chunk,
  items: indexes.map((index) => ({
    position: { index, line: index + 2 },
    clientRef: `r${index}`,
    externalId: index % 2 === 0 ? `ticket-${index}` : undefined,
    json: JSON.stringify({ name: `Ticket ${index}`, _clientRef: `r${index}` })
  }))
})

const created = (index: number, job: string) =>
  new ImportEvent.Created({
    position: { index, line: index + 2 },
    clientRef: `r${index}`,
    externalId: `ticket-${index}`,
    objectId: `obj-${index}`,
    jobId: jobId(job)
  })

const rejected = (index: number) =>
  new ImportEvent.Rejected({
    position: { index, line: index + 2 },
    issues: [{ path: "priority", message: "Expected a number between 1 and 5, actual 9" }],
    record: { name: `Ticket ${index}`, priority: 9 }
  })

const unknown = (index: number) =>
  new ImportEvent.Unknown({
    position: { index, line: index + 2 },
    clientRef: `r${index}`,
    externalId: undefined,
    reason: "in doubt",
    jobId: undefined,
    item: JSON.stringify({ name: `Ticket ${index}`, _clientRef: `r${index}` })
  })

const indexesOf = (chunk: ImportCheckpoint.PlannedChunk) => chunk.items.map((item) => item.position.index)

/** A fresh directory for the test's journals. */
const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "journal-" }))

/** Opens the journal at `path` in its own scope, runs `use`, and closes it. */
const withJournal = <A, E>(
  path: string,
  use: (journal: SqliteJournal.Journal) => Effect.Effect<A, E>
) => Effect.scoped(Effect.flatMap(SqliteJournal.make(path), use))

/** Writes the life of four chunks: settled, submitted, sending (one record settled alone), prepared. */
const firstAttempt = (journal: ImportCheckpoint.ImportCheckpoint) =>
  Effect.gen(function*() {
    const resume = yield* journal.begin(run)
    assert.strictEqual(resume.nextChunk, 0)
    assert.isFalse(resume.isSettled(0))
    yield* journal.settled([rejected(0)])
    yield* journal.prepared(chunkOf(0, [1, 2, 3]))
    yield* journal.sending(0)
    yield* journal.submitted(0, jobId("job-a"))
    yield* journal.settled([created(1, "job-a"), created(2, "job-a"), created(3, "job-a")], 0)
    yield* journal.prepared(chunkOf(1, [4, 5, 6]))
    yield* journal.sending(1)
    yield* journal.submitted(1, jobId("job-b"))
    yield* journal.prepared(chunkOf(2, [7, 8, 9]))
    yield* journal.sending(2)
    yield* journal.settled([unknown(9)])
    yield* journal.prepared(chunkOf(3, [10, 11]))
  })

describe("SqliteJournal", () => {
  it.scoped("remembers that a submitted job resent a chunk in doubt, for the resume to count its duplicates", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          yield* journal.begin(run)
          yield* journal.prepared(chunkOf(0, [0, 1]))
          yield* journal.sending(0)
          yield* journal.submitted(0, jobId("job-first"))
          yield* journal.prepared(chunkOf(1, [2, 3]))
          yield* journal.sending(1)
          yield* journal.submitted(1, jobId("job-resent"), true)
        }))
      const resume = yield* withJournal(path, (journal) => journal.begin(run))
      assert.deepStrictEqual(
        resume.submitted.map((job) => [String(job.jobId), job.resent]),
        [["job-first", false], ["job-resent", true]]
      )
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a fresh journal starts from nothing and records the whole run", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          yield* firstAttempt(journal)
          const status = yield* journal.status
          assert.deepStrictEqual(status, {
            attempt: 1,
            resumed: false,
            settledBefore: 0,
            chunksResumed: 0,
            finishedBefore: false,
            released: 0
          })
          assert.deepStrictEqual(yield* journal.counts, {
            read: 5,
            created: 3,
            alreadyExisting: 0,
            failed: 0,
            rejected: 1,
            unknown: 1
          })
          assert.deepStrictEqual((yield* journal.jobIds).map((id) => String(id)), ["job-a", "job-b"])
          const rejects = Chunk.toReadonlyArray(yield* Stream.runCollect(journal.rejects))
          assert.deepStrictEqual(rejects.map((outcome) => [outcome._tag, outcome.position]), [
            ["Rejected", { index: 0, line: 2 }],
            ["Unknown", { index: 9, line: 11 }]
          ])
          const first = rejects[0]
          assert.deepStrictEqual(first?._tag === "Rejected" ? first.record : undefined, {
            name: "Ticket 0",
            priority: 9
          })
          assert.include(first?._tag === "Rejected" ? first.reason : "", "between 1 and 5")
        }))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("reads back every record's final outcome once, by record, with the id it got (a results file again)", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      yield* withJournal(path, firstAttempt)
      const outcomes = yield* withJournal(path, (journal) => Stream.runCollect(journal.outcomes))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(outcomes).map((settled) => [
          settled.position.index,
          settled.position.line,
          settled.outcome,
          settled.objectId,
          settled.jobId
        ]),
        [
          [0, 2, "Rejected", undefined, undefined],
          [1, 3, "Created", "obj-1", "job-a"],
          [2, 4, "Created", "obj-2", "job-a"],
          [3, 5, "Created", "obj-3", "job-a"],
          [9, 11, "Unknown", undefined, undefined]
        ]
      )
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("resumes: settled records skipped, jobs polled again, sending chunks in doubt, prepared ones unsent", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      yield* withJournal(path, firstAttempt)
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          const resume = yield* journal.begin(run)
          assert.deepStrictEqual([0, 1, 2, 3, 9].map((index) => resume.isSettled(index)), [
            true,
            true,
            true,
            true,
            true
          ])
          assert.deepStrictEqual([4, 7, 10, 12].map((index) => resume.isSettled(index)), [false, false, false, false])
          assert.deepStrictEqual(
            resume.submitted.map((job) => [job.jobId, indexesOf(job.chunk)]),
            [["job-b", [4, 5, 6]]]
          )
          // Record 9 was settled alone (unknown) while its chunk was in doubt: only 7 and 8 come back.
          assert.deepStrictEqual(resume.inDoubt.map(indexesOf), [[7, 8]])
          assert.deepStrictEqual(resume.unsent.map(indexesOf), [[10, 11]])
          assert.strictEqual(resume.nextChunk, 4)
          const item = resume.inDoubt[0]?.items[0]
          assert.deepStrictEqual(item, {
            position: { index: 7, line: 9 },
            clientRef: "r7",
            externalId: undefined,
            json: JSON.stringify({ name: "Ticket 7", _clientRef: "r7" })
          })
          assert.deepStrictEqual(yield* journal.status, {
            attempt: 2,
            resumed: true,
            settledBefore: 5,
            chunksResumed: 3,
            finishedBefore: false,
            released: 0
          })
          yield* journal.settled([created(4, "job-b"), created(5, "job-b"), created(6, "job-b")], 1)
          yield* journal.finished
        }))
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          const resume = yield* journal.begin(run)
          assert.deepStrictEqual(resume.submitted, [])
          assert.strictEqual(resume.inDoubt.length, 1)
          assert.isTrue(resume.isSettled(6))
          const status = yield* journal.status
          assert.strictEqual(status.attempt, 3)
          assert.isTrue(status.finishedBefore)
        }))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("an in-memory journal and the SQLite one agree on what to resume", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      const memory = yield* ImportCheckpoint.inMemory
      yield* firstAttempt(memory.journal)
      yield* withJournal(path, firstAttempt)
      const fromMemory = yield* memory.journal.begin(run)
      const fromFile = yield* withJournal(path, (journal) => journal.begin(run))
      assert.deepStrictEqual(fromFile.submitted.map((job) => job.jobId), fromMemory.submitted.map((job) => job.jobId))
      assert.deepStrictEqual(fromFile.unsent, fromMemory.unsent)
      assert.strictEqual(fromFile.nextChunk, fromMemory.nextChunk)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses a journal of another input, other settings or another resource, with the reason", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      yield* withJournal(path, firstAttempt)
      const refusal = (other: ImportCheckpoint.RunIdentity) =>
        withJournal(path, (journal) => journal.begin(other)).pipe(Effect.flip, Effect.map((error) => error.message))
      const otherInput = yield* refusal({ ...run, source: "other.jsonl", fingerprint: "sha256:def;bytes:12" })
      assert.include(otherInput, "belongs to another input")
      assert.include(otherInput, "tickets.jsonl")
      assert.include(otherInput, "other.jsonl")
      assert.include(yield* refusal({ ...run, settings: "{\"maxItems\":50}" }), "other settings")
      assert.include(yield* refusal({ ...run, resource: "customers" }), "import of conversations")
      // The same content under another path is the same input.
      const moved = yield* withJournal(path, (journal) => journal.begin({ ...run, source: "moved/tickets.jsonl" }))
      assert.isTrue(moved.isSettled(0))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses a file that is not a journal, and starts an empty file afresh", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/notes.db`, "these are my notes, not a journal\n".repeat(20))
      const notes = yield* Effect.flip(withJournal(`${dir}/notes.db`, (journal) => journal.begin(run)))
      assert.include(notes.message, "not an import journal")
      assert.strictEqual(NodeFs.readFileSync(`${dir}/notes.db`, "utf8").slice(0, 10), "these are ")
      NodeFs.writeFileSync(`${dir}/empty.db`, "")
      const resume = yield* withJournal(`${dir}/empty.db`, (journal) => journal.begin(run))
      assert.strictEqual(resume.nextChunk, 0)
      const missingDir = yield* Effect.flip(withJournal(`${dir}/missing/journal.db`, (journal) => journal.begin(run)))
      assert.include(missingDir.message, "cannot open")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a failed request is no verdict: its records are sent again on resume, the API's refusals stay", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      const failed = (index: number, job: string | undefined) =>
        new ImportEvent.Failed({
          position: { index, line: index + 2 },
          clientRef: `r${index}`,
          externalId: `ticket-${index}`,
          reason: job === undefined ? "server error (HTTP 503)" : "customer not found",
          jobId: job === undefined ? undefined : jobId(job),
          item: JSON.stringify({ name: `Ticket ${index}`, _clientRef: `r${index}` })
        })
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          yield* journal.begin(run)
          yield* journal.prepared(chunkOf(0, [0, 1]))
          yield* journal.sending(0)
          yield* journal.settled([failed(0, undefined), failed(1, undefined)], 0)
          yield* journal.prepared(chunkOf(1, [2, 3]))
          yield* journal.sending(1)
          yield* journal.submitted(1, jobId("job-a"))
          yield* journal.settled([failed(2, "job-a"), created(3, "job-a")], 1)
          assert.strictEqual((yield* journal.counts).failed, 3)
        }))
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          const resume = yield* journal.begin(run)
          assert.deepStrictEqual([0, 1, 2, 3].map((index) => resume.isSettled(index)), [false, false, true, true])
          assert.strictEqual((yield* journal.status).released, 2)
          assert.strictEqual((yield* journal.counts).failed, 1)
          const rejects = Chunk.toReadonlyArray(yield* Stream.runCollect(journal.rejects))
          assert.deepStrictEqual(rejects.map((outcome) => outcome.position.index), [2])
          // Sent again and created, the records count once.
          yield* journal.prepared(chunkOf(2, [0, 1]))
          yield* journal.settled([created(0, "job-b"), created(1, "job-b")], 2)
          assert.deepStrictEqual(yield* journal.counts, {
            read: 4,
            created: 3,
            alreadyExisting: 0,
            failed: 1,
            rejected: 0,
            unknown: 0
          })
        }))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses a journal that another import holds open", () =>
    Effect.gen(function*() {
      const path = `${yield* tempDir}/journal.db`
      const scope = yield* Scope.make()
      const first = yield* SqliteJournal.make(path).pipe(Scope.extend(scope))
      yield* first.begin(run)
      const second = yield* Effect.flip(withJournal(path, (journal) => journal.begin(run)))
      assert.include(second.message, "in use by another import")
      yield* Scope.close(scope, Exit.void)
      const after = yield* withJournal(path, (journal) => journal.begin(run))
      assert.strictEqual(after.nextChunk, 0)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a truncated journal file is refused as damaged, and nothing is reported settled", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = `${dir}/journal.db`
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          yield* journal.begin(run)
          for (let chunk = 0; chunk < 40; chunk++) {
            const indexes = Array.from({ length: 100 }, (_, offset) => chunk * 100 + offset)
            yield* journal.prepared(chunkOf(chunk, indexes))
            yield* journal.settled(indexes.map((index) => created(index, `job-${chunk}`)), chunk)
          }
        }))
      const size = NodeFs.statSync(path).size
      for (const keep of [Math.floor(size / 2), 4096, 200]) {
        NodeFs.copyFileSync(path, `${dir}/cut.db`)
        NodeFs.truncateSync(`${dir}/cut.db`, keep)
        const error = yield* Effect.flip(withJournal(`${dir}/cut.db`, (journal) => journal.begin(run)))
        assert.include(error.message, "is damaged", `kept ${keep} of ${size} bytes`)
        assert.include(error.message, "Move it aside")
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a kill in the middle of a write: the torn commit is rolled back, earlier ones stand", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = `${dir}/journal.db`
      // Copies the journal's files while it is open, as a killed process leaves them.
      const crashImage = (name: string) => {
        NodeFs.copyFileSync(path, `${dir}/${name}`)
        NodeFs.copyFileSync(`${path}-wal`, `${dir}/${name}-wal`)
      }
      yield* withJournal(path, (journal) =>
        Effect.gen(function*() {
          yield* journal.begin(run)
          yield* journal.prepared(chunkOf(0, [0, 1, 2]))
          yield* journal.sending(0)
          yield* journal.submitted(0, jobId("job-a"))
          crashImage("before.db")
          yield* journal.settled([created(0, "job-a"), created(1, "job-a"), created(2, "job-a")], 0)
          crashImage("after.db")
        }))
      const walBefore = NodeFs.statSync(`${dir}/before.db-wal`).size
      const walAfter = NodeFs.statSync(`${dir}/after.db-wal`).size
      assert.isAbove(walAfter, walBefore)
      // Cut the last commit in the middle of its frames.
      NodeFs.truncateSync(`${dir}/after.db-wal`, walBefore + Math.floor((walAfter - walBefore) / 2))
      const resume = yield* withJournal(`${dir}/after.db`, (journal) => journal.begin(run))
      assert.deepStrictEqual([0, 1, 2].map((index) => resume.isSettled(index)), [false, false, false])
      assert.deepStrictEqual(resume.submitted.map((job) => [job.jobId, indexesOf(job.chunk)]), [["job-a", [0, 1, 2]]])
      // The complete image holds the commit.
      const complete = yield* withJournal(`${dir}/before.db`, (journal) => journal.begin(run))
      assert.strictEqual(complete.submitted.length, 1)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
