import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

/** A bundle of `conversations` lines over `customers` customers, two messages and a note each. */
const bundle = (conversations: number, customers: number) =>
  Array.from({ length: conversations }, (_, index) => ({
    externalId: `ticket-${index}`,
    name: `Ticket ${index}`,
    status: "open",
    customer: { externalId: `user-${index % customers}`, name: `Person ${index % customers}` },
    messages: [
      { externalId: `m-${index}-0`, direction: "in", channel: "email", app: "postmark", preview: "Where is it?" },
      { externalId: `m-${index}-1`, direction: "out", channel: "email", app: "postmark", preview: "On its way." }
    ],
    notes: [{ externalId: `n-${index}`, body: `Checked ticket ${index}` }]
  }))

const writeBundle = (path: string, conversations: number, customers: number) =>
  NodeFs.writeFileSync(path, bundle(conversations, customers).map((line) => JSON.stringify(line)).join("\n") + "\n")

/** Removes a SQLite file with whatever it may have beside it. */
const removeDatabase = (path: string) => {
  for (const suffix of ["", "-wal", "-shm"]) NodeFs.rmSync(`${path}${suffix}`, { force: true })
}

/** Objects the simulator holds, by resource. */
const storedCounts = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const stats = yield* simulator.stats
  return {
    customers: stats.customers.stored,
    conversations: stats.conversations.stored,
    messages: stats.messages.stored,
    notes: stats.notes.stored
  }
})

describe("Migration journal set", () => {
  it.scopedLive("the id map deleted between runs, its phase journals left: refused, nothing created", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, 30, 6)
      const options: Migration.Options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        pipeline: fastPipeline
      }
      yield* Migration.run(options)
      const before = yield* storedCounts
      assert.deepStrictEqual([before.conversations, before.messages, before.notes], [30, 60, 30])

      removeDatabase(`${dir}/migration.journal`)
      const error = yield* Effect.flip(Migration.run(options))
      assert.strictEqual(error.reason, "Journal")
      assert.strictEqual(
        error.message,
        `import journal: the id map ${dir}/migration.journal is missing but phase journals ` +
          ["customers", "conversations", "messages", "notes"].map((phase) => `${dir}/migration.journal.${phase}`)
            .join(", ") +
          " exist: the journal set is incomplete; restore it or start again with a new --journal path"
      )
      assert.deepStrictEqual(yield* storedCounts, before)
      // Refused again, however often it is run: the refusal created no id map.
      assert.isFalse(NodeFs.existsSync(`${dir}/migration.journal`))
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a phase journal replaced by another run's: refused before anything is sent", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, 20, 5)
      const first: Migration.Options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/first.journal`,
        pipeline: fastPipeline
      }
      // The first migration stops after its conversations, the second one (of the same bundle) runs to its end.
      const stopped = yield* Effect.exit(Migration.run({
        ...first,
        onPhase: (phase) => phase === "messages" ? Effect.dieMessage("stopped before the messages") : Effect.void
      }))
      assert.isTrue(Exit.isFailure(stopped))
      yield* Migration.run({ ...first, journal: `${dir}/second.journal` })
      const before = yield* storedCounts

      NodeFs.copyFileSync(`${dir}/second.journal.conversations`, `${dir}/first.journal.conversations`)
      const error = yield* Effect.flip(Migration.run(first))
      assert.strictEqual(error.reason, "Journal")
      assert.strictEqual(
        error.message,
        `import journal: the phase journal ${dir}/first.journal.conversations belongs to another migration than ` +
          `the id map ${dir}/first.journal (one of them was replaced): the journal set is mixed; restore the ` +
          "original files or start again with a new --journal path"
      )
      assert.deepStrictEqual(yield* storedCounts, before)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a phase journal missing after its phase began: refused", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, 20, 5)
      const options: Migration.Options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        pipeline: fastPipeline
      }
      yield* Migration.run(options)
      const before = yield* storedCounts
      removeDatabase(`${dir}/migration.journal.messages`)
      const error = yield* Effect.flip(Migration.run(options))
      assert.strictEqual(
        error.message,
        `import journal: the phase journal ${dir}/migration.journal.messages is missing, though the id map ` +
          `${dir}/migration.journal records that the messages phase began: the journal set is incomplete; ` +
          "restore it or start again with a new --journal path"
      )
      assert.deepStrictEqual(yield* storedCounts, before)
    }).pipe(Effect.provide(simulated())))

  for (const phases of ["sequential", "overlapped"] as const) {
    it.scopedLive(`the id map deleted while the migration runs: it stops, and the next run refuses (${phases})`, () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        writeBundle(`${dir}/bundle.jsonl`, 20, 5)
        const options: Migration.Options = {
          bundle: `${dir}/bundle.jsonl`,
          journal: `${dir}/migration.journal`,
          pipeline: fastPipeline,
          phases
        }
        // Deleted as the messages phase begins (one after another), or once conversations are created (together).
        let deleted = false
        const remove = Effect.sync(() => {
          if (!deleted) removeDatabase(`${dir}/migration.journal`)
          deleted = true
        })
        const error = yield* Effect.flip(Migration.run({
          ...options,
          onPhase: (phase) => phases === "sequential" && phase === "messages" ? remove : Effect.void,
          onEvent: (phase, event) =>
            phases === "overlapped" && phase === "conversations" && event._tag === "Created" ? remove : Effect.void
        }))
        assert.isTrue(deleted)
        assert.strictEqual(error.reason, "Journal")
        assert.strictEqual(
          error.message,
          `import journal: ${dir}/migration.journal was deleted or replaced while the migration ran, so what it ` +
            "records would be lost: the migration stopped. Start again with a new --journal path"
        )
        const again = yield* Effect.flip(Migration.run(options))
        assert.match(again.message, /the id map .* is missing but phase journals .* exist/)
        const stored = yield* storedCounts
        // One after another, the messages phase stopped before its first request; together, the check at every
        // phase journal's write stopped every phase by its next chunk.
        if (phases === "sequential") {
          assert.strictEqual(stored.messages, 0)
          assert.strictEqual(stored.notes, 0)
        }
      }).pipe(Effect.provide(simulated())))
  }

  it.scopedLive("a phase journal deleted during its phase: the phase stops by its end", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, 40, 5)
      let deleted = false
      const error = yield* Effect.flip(Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        pipeline: { ...fastPipeline, maxItems: 10 },
        // One after another: the notes phase never begins.
        phases: "sequential",
        onEvent: (phase, event) =>
          phase === "messages" && event._tag === "Created" && !deleted
            ? Effect.sync(() => {
              deleted = true
              removeDatabase(`${dir}/migration.journal.messages`)
            })
            : Effect.void
      }))
      assert.isTrue(deleted)
      assert.strictEqual(
        error.message,
        `import journal: ${dir}/migration.journal.messages was deleted or replaced while the migration ran, so ` +
          "what it records would be lost: the migration stopped. Start again with a new --journal path"
      )
      // The notes were never sent.
      assert.strictEqual((yield* storedCounts).notes, 0)
    }).pipe(Effect.provide(simulated())))
})
