/**
 * When the phases of a migration overlap, a record waits for its parents: a conversation for its customer, a
 * customer for its company, a message for its conversation and customer. A gate per parent kind tells the waiting
 * phases when more parents are settled — after their ids (or why they have none) are written to the id map and
 * their phase's journal has committed the outcomes — and when the parent phase ended, after which a parent still
 * without a fate will never get one in this attempt.
 *
 * A parent phase that stops before its end (it failed, or the run is being stopped) stops its gate: the records
 * waiting there are interrupted instead of waiting for parents that will never be settled. Interrupting the
 * waiting phase does not always reach them: the wait runs in a fiber its stream stages fork, and a stage's
 * teardown can wait for that fiber without interrupting it; the run, failed or interrupted, then never ended.
 *
 * A wait re-reads only the keys still missing, once per batch of parents settled, so its cost grows with the
 * parents, not with the records waiting for them.
 */
import type { ImportCheckpoint } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"

/**
 * How far a parent phase got: a number that grows with every batch settled, whether it ended, and whether it held
 * records back (their parents in doubt): those have no fate yet, and their children are held with them.
 */
interface GateState {
  readonly settledBatches: number
  readonly ended: boolean
  readonly held: boolean
  /** The parent phase stopped before its end: nothing more will be settled, and nothing waits. */
  readonly stopped: boolean
}

/** A parent kind's gate. */
export interface Gate {
  /** A batch of parents is settled and durable: waiting records look again. */
  readonly settled: Effect.Effect<void>
  /**
   * The parent phase ended, having held records back or not: records still waiting take what the id map says
   * (nothing: not created), or `held` when the phase held some (the parent may be one of them).
   */
  readonly end: (held: boolean) => Effect.Effect<void>
  /**
   * The parent phase stopped before its end (failed or interrupted): records waiting, and any that come to wait,
   * are interrupted — never given a fate the parent phase did not settle.
   */
  readonly stop: Effect.Effect<void>
  /**
   * Reads the fates of `keys` with `read` (which returns those that have one), waiting for more parents to be
   * settled while some have none and the parent phase has not ended. A key still without a fate when the phase
   * ended having held records back gets `held`; the wait is interrupted once the parent phase stopped.
   */
  readonly links: <K, P, E>(
    read: (keys: ReadonlyArray<K>) => Effect.Effect<ReadonlyMap<K, P>, E>,
    held: P
  ) => (keys: ReadonlyArray<K>) => Effect.Effect<ReadonlyMap<K, P>, E>
}

/** A gate that never waits: the parent phase ran before (phases one after another), or does not run at all. */
export const open: Gate = {
  settled: Effect.void,
  end: () => Effect.void,
  stop: Effect.void,
  links: (read) => (keys) => read(keys)
}

/** A gate whose parent phase runs alongside the phases waiting on it. */
export const make: Effect.Effect<Gate> = Effect.map(
  SubscriptionRef.make<GateState>({ settledBatches: 0, ended: false, held: false, stopped: false }),
  (state): Gate => {
    /** Waits until a batch was settled after `seen`, or the phase ended or stopped. */
    const moved = (seen: GateState) =>
      Stream.runDrain(Stream.takeUntil(
        state.changes,
        (now) => now.ended || now.stopped || now.settledBatches !== seen.settledBatches
      ))
    const links = <K, P, E>(read: (keys: ReadonlyArray<K>) => Effect.Effect<ReadonlyMap<K, P>, E>, held: P) =>
    (
      keys: ReadonlyArray<K>
    ): Effect.Effect<ReadonlyMap<K, P>, E> =>
      Effect.gen(function*() {
        const found = new Map<K, P>()
        let missing: ReadonlyArray<K> = [...new Set(keys)]
        while (missing.length > 0) {
          // Read the state before the fates: a batch settled in between is seen as a move, never missed.
          const seen = yield* SubscriptionRef.get(state)
          if (seen.stopped) return yield* Effect.interrupt
          const fates = yield* read(missing)
          for (const [key, fate] of fates) found.set(key, fate)
          missing = missing.filter((key) => !fates.has(key))
          if (missing.length === 0) break
          if (seen.ended) {
            if (seen.held) { for (const key of missing) found.set(key, held) }
            break
          }
          yield* moved(seen)
        }
        return found
      })
    return {
      settled: SubscriptionRef.update(state, (now) => ({ ...now, settledBatches: now.settledBatches + 1 })),
      end: (held) => SubscriptionRef.update(state, (now) => ({ ...now, ended: true, held })),
      stop: SubscriptionRef.update(state, (now) => ({ ...now, stopped: true })),
      links
    }
  }
)

/**
 * Runs a parent phase so that its gate is stopped when it fails or is interrupted: its children stop waiting for
 * parents it will never settle, and the run ends (with the failure, or interrupted) instead of waiting forever.
 */
export const guarded = <A, E, R>(gate: Gate, phase: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.onExit(phase, (exit) => Exit.isSuccess(exit) ? Effect.void : gate.stop)

/** A phase's journal that opens the phase's gate once each batch of outcomes is committed. */
export const signalling = (
  journal: ImportCheckpoint.ImportCheckpoint,
  gate: Gate
): ImportCheckpoint.ImportCheckpoint =>
  gate === open ? journal : {
    ...journal,
    settled: (outcomes, chunk) => Effect.zipRight(journal.settled(outcomes, chunk), gate.settled)
  }
