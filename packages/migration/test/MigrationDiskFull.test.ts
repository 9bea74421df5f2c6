/**
 * A full disk during a migration: on a phase journal or on the rejects file, the run stops with an error that names
 * the file, and the same command run again once there is room finishes without doubling anything.
 */
import { DiskFull } from "@effect-kustomer/journal"
import { Simulator } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodeFs from "node:fs"
import { fastPipeline, fileSystemWithRoom, readJsonLines, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

/**
 * A bundle of `conversations` lines over `customers` customers, with two messages and a note each; every tenth note
 * cannot be created (an empty body).
 */
const writeBundle = (path: string, conversations: number, customers: number) =>
  NodeFs.writeFileSync(
    path,
    Array.from({ length: conversations }, (_, index) =>
      JSON.stringify({
        externalId: `ticket-${index}`,
        name: `Ticket ${index}`,
        status: "open",
        customer: { externalId: `user-${index % customers}`, name: `Person ${index % customers}` },
        messages: [
          { externalId: `m-${index}-0`, direction: "in", channel: "email", app: "postmark", preview: "Where is it?" },
          { externalId: `m-${index}-1`, direction: "out", channel: "email", app: "postmark", preview: "On its way." }
        ],
        notes: [index % 10 === 0 ? { body: "" } : { externalId: `n-${index}`, body: `Checked ticket ${index}` }]
      })).join("\n") + "\n"
  )

/** What the simulator holds: nothing stored twice, and how many of each. */
const checkStored = (expected: { readonly messages: number; readonly notes: number; readonly conversations: number }) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.Simulator
    const stats = yield* simulator.stats
    for (const resource of ["conversations", "messages", "notes"] as const) {
      assert.deepStrictEqual(stats[resource].externalIdsStoredMoreThanOnce, [], resource)
    }
    assert.strictEqual(stats.conversations.stored, expected.conversations)
    assert.strictEqual(stats.messages.stored, expected.messages)
    assert.strictEqual(stats.notes.stored, expected.notes)
  })

/** Pages the messages' journal may grow to: it fills up after a few of its chunks. */
const pageLimit = 12

/** Small chunks, so that a phase takes many; chunks in doubt are read back at once. */
const pipeline: Migration.Options["pipeline"] = { ...fastPipeline, maxItems: 10, inDoubtCheckDelay: "10 millis" }

describe("a full disk during a migration", () => {
  it.scopedLive("on a phase journal: a clear error naming it, and the resume once there is room doubles nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, 150, 30)
      const options: Migration.Options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline
      }
      const messages = `${dir}/migration.journal.messages`
      const error = yield* Effect.flip(
        Migration.run(options).pipe(
          Effect.provideService(
            DiskFull.PageLimit,
            (path) => path === messages ? Option.some(pageLimit) : Option.none()
          )
        )
      )
      assert.strictEqual(error.reason, "Journal")
      assert.strictEqual(
        error.message,
        `import journal: no space left on the device holding ${messages}: free some space, then run the same ` +
          "command again to resume"
      )
      // It stopped during the messages phase, some of them created.
      const simulator = yield* Simulator.Simulator
      const storedBefore = (yield* simulator.stats).messages.stored
      assert.isAbove(storedBefore, 0)
      assert.isBelow(storedBefore, 300)

      const result = yield* Migration.run(options)
      assert.isTrue(result.resumed)
      yield* checkStored({ conversations: 150, messages: 300, notes: 135 })
      assert.strictEqual(readJsonLines(`${dir}/rejects.jsonl`).length, 15)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("on the rejects file: a clear error naming it, and the resume writes it whole, doubling nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, 150, 30)
      const rejects = `${dir}/rejects.jsonl`
      const options: Migration.Options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        rejects,
        pipeline
      }
      // Room for three lines of the fifteen.
      const full = yield* fileSystemWithRoom(rejects, 3 * 200)
      const error = yield* Effect.flip(
        Migration.run(options).pipe(Effect.provideService(FileSystem.FileSystem, full))
      )
      assert.strictEqual(error.reason, "Output")
      assert.strictEqual(
        error.message,
        `rejects file: no space left on the device holding ${rejects}: free some space, then run the same command ` +
          "again to resume"
      )
      assert.isBelow(readJsonLines(rejects).length, 15)

      const result = yield* Migration.run(options)
      assert.isTrue(result.resumed)
      yield* checkStored({ conversations: 150, messages: 300, notes: 135 })
      const lines = readJsonLines(rejects)
      assert.strictEqual(lines.length, 15)
      assert.strictEqual(new Set(lines.map((line) => JSON.stringify(line["position"]))).size, 15)
    }).pipe(Effect.provide(simulated())))
})
