/**
 * The stage protocol: a pipeline composed by hand from the stages keeps resume, the rate limiter's pauses and
 * `Finished`; `settle` takes an `awaitJob` of the caller's; a chunk revised between `chunk` and `submit` is
 * journaled as revised; a chunk dropped or made by another step is refused.
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { BulkImport, BulkJob, ImportCheckpoint, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { conversationRecord } from "./records.js"

const recordsFor = (customer: string, count: number) =>
  Array.from({ length: count }, (_, index) => conversationRecord(index, customer))

/** Adds a tag to a chunk item's wire JSON. */
const tagged = (item: ImportCheckpoint.ChunkItem): ImportCheckpoint.ChunkItem => {
  const wire: Record<string, unknown> = JSON.parse(item.json)
  return { ...item, json: JSON.stringify({ ...wire, tags: ["routed"] }) }
}

describe("stages composed by hand", () => {
  it.effect("keep resume, pauses and Finished: killed after some jobs, then resumed, each record created once", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const records = recordsFor(simulator.customerIds[0] ?? "", 60)
      const { journal } = yield* ImportCheckpoint.inMemory
      const awaited = yield* Ref.make(0)
      const audited = yield* Ref.make<ReadonlyArray<number>>([])
      const pipeline = (stopAfterOutcomes: number | undefined) =>
        Effect.flatMap(
          BulkImport.make({ maxItems: 10, linger: "10 millis", checkpoint: journal }),
          (importer) =>
            ImportSource.fromIterable(records).pipe(
              BulkImport.validate(importer),
              BulkImport.chunk(importer),
              BulkImport.mapChunks(importer, (items) => Effect.succeed(items.map(tagged))),
              BulkImport.tapChunks((chunk) => Ref.update(audited, (seen) => [...seen, chunk.chunk])),
              BulkImport.submit(importer),
              BulkImport.settle(importer, {
                awaitJob: (job, options) =>
                  Effect.zipRight(Ref.update(awaited, (count) => count + 1), BulkJob.awaitResults(job.jobId, options))
              }),
              (events) =>
                stopAfterOutcomes === undefined
                  ? events
                  : events.pipe(Stream.filter(ImportEvent.isOutcome), Stream.take(stopAfterOutcomes)),
              Stream.runCollect,
              Effect.map((events) => Chunk.toReadonlyArray(events))
            )
        )
      const first = yield* runOnTestClock(pipeline(25))
      assert.strictEqual(first.length, 25)
      const second = yield* runOnTestClock(pipeline(undefined))
      const outcomes = second.filter(ImportEvent.isOutcome)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, records.length, "each record created once")
      assert.strictEqual(stats.conversations.storedTwice, 0)
      assert.isAtMost(outcomes.length, records.length - 20, "the resume skipped what was settled")
      assert.strictEqual(second[second.length - 1]?._tag, "Finished", "Finished comes last")
      assert.isAbove(yield* Ref.get(awaited), 0, "the custom awaitJob awaited the jobs")
      assert.isAbove((yield* Ref.get(audited)).length, 0)
      for (const conversation of yield* simulator.conversations) {
        assert.deepStrictEqual(conversation.attributes["tags"], ["routed"], "sent as revised, resumed ones too")
      }
    }).pipe(Effect.provide(simulated())))

  it.effect("a chunk dropped between chunk and submit is refused, naming the chunk", () =>
    Effect.gen(function*() {
      const cause = yield* refusedWith(30, () =>
        Stream.filter((value) => BulkImport.isEvent(value) || value.chunk.chunk !== 1))
      assert.include(cause, "chunks 1 were formed by BulkImport.chunk")
    }).pipe(Effect.provide(simulated())))

  it.effect("a chunk changed by another step is refused before it is sent", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const cause = yield* refusedWith(10, () =>
        Stream.map((value) =>
          BulkImport.isEvent(value)
            ? value
            : new BulkImport.PendingChunk({ chunk: value.chunk.chunk, items: value.chunk.items.slice(1) }, false)
        ))
      assert.include(cause, "without being formed by BulkImport.chunk")
      assert.strictEqual((yield* simulator.stats).conversations.stored, 0, "nothing sent")
    }).pipe(Effect.provide(simulated())))

  it.effect("mapChunks that drops a record is refused", () =>
    Effect.gen(function*() {
      const cause = yield* refusedWith(10, (importer) =>
        BulkImport.mapChunks(importer, (items) => Effect.succeed(items.slice(1))))
      assert.include(cause, "mapChunks must keep a chunk's records")
    }).pipe(Effect.provide(simulated())))
})

/** A step between `chunk` and `submit`. */
type Step = (importer: BulkImport.Importer) => <E, R>(
  chunks: Stream.Stream<BulkImport.PendingChunk | ImportEvent.ImportEvent, E, R>
) => Stream.Stream<BulkImport.PendingChunk | ImportEvent.ImportEvent, E | ImportCheckpoint.CheckpointError, R>

/** Runs `records` conversations through the stages with `step` between chunk and submit; the failure, as text. */
const refusedWith = (records: number, step: Step) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.Simulator
    const importer = yield* BulkImport.make({ maxItems: 10, linger: "10 millis" })
    const exit = yield* runOnTestClock(Effect.exit(
      ImportSource.fromIterable(recordsFor(simulator.customerIds[0] ?? "", records)).pipe(
        BulkImport.validate(importer),
        BulkImport.chunk(importer),
        step(importer),
        BulkImport.submit(importer),
        BulkImport.settle(importer),
        Stream.runDrain
      )
    ))
    assert.isTrue(Exit.isFailure(exit), "refused")
    return Exit.isFailure(exit) ? String(exit.cause) : ""
  })

describe("BulkJob.readings", () => {
  it.effect("streams a job's readings, the last one with every verdict", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const records = recordsFor(simulator.customerIds[0] ?? "", 5)
      const importer = yield* BulkImport.make({ maxItems: 10, linger: "10 millis" })
      const jobs = yield* runOnTestClock(
        ImportSource.fromIterable(records).pipe(
          BulkImport.validate(importer),
          BulkImport.chunk(importer),
          BulkImport.submit(importer),
          Stream.filter((value): value is BulkImport.SubmittedJob => value instanceof BulkImport.SubmittedJob),
          Stream.runCollect
        )
      )
      const job = Chunk.unsafeHead(jobs)
      const readings = yield* runOnTestClock(
        Stream.runCollect(BulkJob.readings(job.jobId, { items: job.chunk.items }))
      )
      const last = Chunk.unsafeLast(readings)
      assert.strictEqual(last.verdicts.size, records.length)
      assert.isTrue([...last.verdicts.values()].every((verdict) => verdict._tag === "Created"))
    }).pipe(Effect.provide(simulated())))
})
