/**
 * The gates of overlapped phases: a record waits at its parent kind's gate until its parent is settled or the
 * parent phase ended; when the parent phase fails or is interrupted, the records waiting there are interrupted —
 * also where an interruption of their own phase cannot reach them (a stream stage's teardown can wait for the fiber
 * the wait runs in without interrupting it: the overlapped run then never ended).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as ParentGates from "../src/internal/parentGates.js"

/** An id map of parents: `read` returns the fates of the keys it holds, and counts its reads. */
const idMap = Effect.gen(function*() {
  const reads = yield* Ref.make(0)
  const fates = yield* Ref.make(new Map<string, string>())
  const read = (keys: ReadonlyArray<string>): Effect.Effect<ReadonlyMap<string, string>> =>
    Effect.zipRight(
      Ref.update(reads, (count) => count + 1),
      Effect.map(Ref.get(fates), (held) =>
        new Map(keys.flatMap((key) => {
          const fate = held.get(key)
          return fate === undefined ? [] : [[key, fate] as const]
        })))
    )
  return {
    read,
    settle: (key: string, fate: string) => Ref.update(fates, (held) => new Map([...held, [key, fate]])),
    reads: Ref.get(reads)
  }
})

/** Yields until `done` holds (other fibers run meanwhile); fails after many rounds. */
const until = (done: Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    for (let round = 0; round < 1_000; round++) {
      if (yield* done) return
      yield* Effect.yieldNow()
    }
    return yield* Effect.dieMessage("never happened")
  })

/** The exit of `fiber` within a second of the test clock, `None` when it still waits. */
const exitWithin = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function*() {
    const awaited = yield* Effect.fork(Effect.timeout(Fiber.await(fiber), "1 second"))
    yield* TestClock.adjust("1 second")
    return yield* Effect.option(Fiber.join(awaited))
  })

describe("ParentGates", () => {
  it.effect("a record waits for its parent, and takes its fate once its phase settled it", () =>
    Effect.gen(function*() {
      const gate = yield* ParentGates.make
      const parents = yield* idMap
      const waiting = yield* Effect.fork(gate.links(parents.read, "held")(["customer-1"]))
      yield* until(Effect.map(parents.reads, (reads) => reads === 1))
      yield* parents.settle("customer-1", "id-1")
      yield* gate.settled
      const exit = yield* exitWithin(waiting)
      assert.deepStrictEqual(exit, Option.some(Exit.succeed(new Map([["customer-1", "id-1"]]))))
    }))

  it.effect("a parent phase that ended having held records back: a parent still without a fate is held", () =>
    Effect.gen(function*() {
      const gate = yield* ParentGates.make
      const parents = yield* idMap
      const waiting = yield* Effect.fork(gate.links(parents.read, "held")(["customer-1"]))
      yield* until(Effect.map(parents.reads, (reads) => reads === 1))
      yield* gate.end(true)
      const exit = yield* exitWithin(waiting)
      assert.deepStrictEqual(exit, Option.some(Exit.succeed(new Map([["customer-1", "held"]]))))
    }))

  it.effect("a parent phase that fails: a record waiting for it is interrupted, even uninterruptible", () =>
    Effect.gen(function*() {
      const gate = yield* ParentGates.make
      const parents = yield* idMap
      // The wait as a stage's teardown runs it: an interruption of the phase does not reach it (a daemon, so that
      // the test ends even when it waits forever).
      const waiting = yield* Effect.forkDaemon(
        Effect.uninterruptible(gate.links(parents.read, "held")(["customer-1"]))
      )
      yield* until(Effect.map(parents.reads, (reads) => reads === 1))
      const parentPhase = yield* Effect.exit(ParentGates.guarded(gate, Effect.fail("no space left on the device")))
      assert.isTrue(Exit.isFailure(parentPhase))
      const exit = yield* exitWithin(waiting)
      assert.isTrue(Option.isSome(exit), "the record still waits for a parent that will never be settled")
      assert.isTrue(Option.isSome(exit) && Exit.isInterrupted(exit.value), "interrupted, not given a fate")
      // Its parent was never taken for one not created: it was read once, before the phase failed.
      assert.strictEqual(yield* parents.reads, 1)
    }))

  it.effect("a parent phase that is interrupted: a record that comes to wait afterwards is interrupted at once", () =>
    Effect.gen(function*() {
      const gate = yield* ParentGates.make
      const parents = yield* idMap
      const started = yield* Deferred.make<void>()
      const parentPhase = yield* Effect.fork(
        ParentGates.guarded(gate, Effect.zipRight(Deferred.succeed(started, undefined), Effect.never))
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(parentPhase)
      const exit = yield* exitWithin(yield* Effect.fork(gate.links(parents.read, "held")(["customer-1"])))
      assert.isTrue(Option.isSome(exit) && Exit.isInterrupted(exit.value), "interrupted at once")
      assert.strictEqual(yield* parents.reads, 0)
    }))

  it.effect("a parent phase that ran to its end leaves its gate open: nothing is interrupted", () =>
    Effect.gen(function*() {
      const gate = yield* ParentGates.make
      const parents = yield* idMap
      yield* parents.settle("customer-1", "id-1")
      yield* ParentGates.guarded(gate, gate.end(false))
      const links = yield* gate.links(parents.read, "held")(["customer-1", "customer-2"])
      assert.deepStrictEqual(links, new Map([["customer-1", "id-1"]]))
    }))
})
