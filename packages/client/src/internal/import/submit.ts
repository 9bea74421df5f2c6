/**
 * The `submit` stage: each chunk is sent until the API accepts it as a job, under the retry policy, with bounded
 * concurrency. A chunk given up on is settled here: `Failed`, or — when an earlier attempt may have reached the
 * API — checked item by item by its key (`externalId`, or a customer's e-mail).
 *
 * A chunk in doubt (an earlier request with it may have reached the API) is sent again only where that is safe:
 * items with an `externalId` (the API reports a duplicate), and customers without one once a look-up by e-mail,
 * made after `inDoubtCheckDelay`, has not found them. Items that cannot be checked are `Unknown`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import * as Events from "../../ImportEvent.js"
import { prepareBody } from "../../KustomerClient.js"
import { isFatal, KustomerError } from "../../KustomerError.js"
import type { ItemKey } from "./codec.js"
import { emitting } from "./emitting.js"
import type { Importer, Pending, Submitted } from "./importer.js"
import { isEvent } from "./prepare.js"

type Emit = (value: Submitted | Events.ImportEvent) => Effect.Effect<void>

/** What `Failed` and `Unknown` say of a sent item. */
const sentItem = (item: Checkpoint.ChunkItem, jobId: Submitted["jobId"] | undefined, reason: string) => ({
  position: item.position,
  clientRef: item.clientRef,
  item: item.json,
  externalId: item.externalId,
  reason,
  jobId
})

/** `Unknown`: the item may or may not exist, and the API cannot tell. */
export const unknownItem = (item: Checkpoint.ChunkItem, jobId: Submitted["jobId"] | undefined, reason: string) =>
  new Events.Unknown(sentItem(item, jobId, reason))

/** `Failed`: the API refused the item, or it could not be sent. */
export const failedItem = (item: Checkpoint.ChunkItem, jobId: Submitted["jobId"] | undefined, reason: string) =>
  new Events.Failed(sentItem(item, jobId, reason))

const unverifiableReason = "an earlier request with this record may have reached the API, and without an " +
  "externalId it cannot be checked; it was not sent again, to avoid a duplicate"

const emailUncheckedReason = "an earlier request with this record may have reached the API, and looking it up " +
  "by e-mail failed; it was not sent again, to avoid a duplicate"

/** An item of an in-doubt chunk that a look-up found: the request whose answer was lost created it. */
const createdEarlier = (item: Checkpoint.ChunkItem, objectId: string) =>
  new Events.Created({
    position: item.position,
    clientRef: item.clientRef,
    externalId: item.externalId,
    objectId,
    jobId: undefined
  })

/** Looks an item up by its key: the id of the object, `None` when there is none. */
const findItem = (importer: Importer, key: ItemKey) =>
  Effect.zipRight(importer.bump("lookups"), Effect.either(importer.codec.find(importer.client, key)))

/**
 * Asks the API, item by item, whether the items of an in-doubt chunk exist. Found items were created by the lost
 * request — unless some other item of it was not found: a job creates every valid item it holds, so the lost
 * request was never processed, and what was found existed before the import.
 */
const reconcile = (importer: Importer, items: ReadonlyArray<Checkpoint.ChunkItem>, error: KustomerError) =>
  Effect.gen(function*() {
    const found = yield* Effect.forEach(items, (item) => {
      const key = importer.codec.keyOf(item)
      return key === undefined ? Effect.succeed(undefined) : findItem(importer, key)
    }, { concurrency: 4 })
    const someMissing = found.some((result) =>
      result !== undefined && Either.isRight(result) && Option.isNone(result.right)
    )
    return items.map((item, index): Events.Outcome => {
      const result = found[index]
      if (result === undefined) return unknownItem(item, undefined, error.message)
      if (Either.isLeft(result)) {
        return unknownItem(item, undefined, `${error.message}; checking it failed: ${result.left.message}`)
      }
      if (Option.isNone(result.right)) return failedItem(item, undefined, `not created: ${error.message}`)
      const objectId = result.right.value
      return someMissing && item.externalId !== undefined
        ? new Events.AlreadyExisting({
          position: item.position,
          clientRef: item.clientRef,
          externalId: item.externalId,
          objectId
        })
        : createdEarlier(item, objectId)
    })
  })

/** What becomes of an in-doubt chunk's items before it is sent again. */
interface InDoubtCheck {
  /** Safe to send again. */
  readonly resend: ReadonlyArray<Checkpoint.ChunkItem>
  /** Settled without sending: found (created by the lost request), or impossible to check. */
  readonly settled: ReadonlyArray<Events.Outcome>
}

/**
 * Sorts an in-doubt chunk's items: those with an `externalId` are sent again (the API reports duplicates); those
 * found by e-mail are settled as created; the rest are `Unknown`. First it waits for the job the lost request may
 * have become to finish (the jobs' observed turnaround; for look-ups by e-mail at least `inDoubtCheckDelay`), so
 * that the resend finds either all of that request's items or none of them.
 */
const checkInDoubt = (importer: Importer, items: ReadonlyArray<Checkpoint.ChunkItem>, sentAt: number) =>
  Effect.gen(function*() {
    const byEmail = items.some((item) => importer.codec.keyOf(item)?.field === "email")
    const turnaround = yield* importer.firstRead.delayMillis
    const checkDelay = Duration.toMillis(importer.settings.inDoubtCheckDelay)
    const waited = (yield* Clock.currentTimeMillis) - sentAt
    yield* Effect.sleep(
      Duration.millis(Math.max(0, (byEmail ? Math.max(turnaround, checkDelay) : turnaround) - waited))
    )
    const checked = yield* Effect.forEach(
      items,
      (item): Effect.Effect<Either.Either<Checkpoint.ChunkItem, Events.Outcome>> => {
        const key = importer.codec.keyOf(item)
        if (key === undefined) return Effect.succeed(Either.left(unknownItem(item, undefined, unverifiableReason)))
        if (key.field === "externalId") return Effect.succeed(Either.right(item))
        return Effect.map(findItem(importer, key), (found) =>
          Either.match(found, {
            onLeft: (lookupError) =>
              Either.left(unknownItem(item, undefined, `${emailUncheckedReason}: ${lookupError.message}`)),
            onRight: (existing) =>
              Option.match(existing, {
                onNone: () => Either.right(item),
                onSome: (objectId) => Either.left(createdEarlier(item, objectId))
              })
          }))
      },
      { concurrency: 4 }
    )
    const check: InDoubtCheck = {
      resend: checked.flatMap((entry) => Either.isRight(entry) ? [entry.right] : []),
      settled: checked.flatMap((entry) => Either.isLeft(entry) ? [entry.left] : [])
    }
    return check
  })

/** Settles the items of a chunk that was given up on. */
const giveUp = (
  importer: Importer,
  pending: Pending,
  items: ReadonlyArray<Checkpoint.ChunkItem>,
  error: KustomerError
) =>
  pending.inDoubt
    ? reconcile(importer, items, error)
    : Effect.succeed(items.map((item) => failedItem(item, undefined, error.message)))

/** Whether a submission's failure says the API was never reached: no connection, or no such endpoint. */
const neverReached = (error: KustomerError): boolean =>
  (error.reason._tag === "Transport" && error.reason.delivery === "not-sent") || error.reason._tag === "NotFound"

/** Records outcomes and emits them. */
const settleNow = (importer: Importer, emit: Emit, outcomes: ReadonlyArray<Events.Outcome>, chunk?: number) =>
  Effect.zipRight(importer.record(outcomes, chunk), Effect.forEach(outcomes, emit, { discard: true }))

/** Sends one chunk until the API accepts it, or settles its items. */
const submitChunk = (importer: Importer, initial: Pending, emit: Emit) =>
  Effect.gen(function*() {
    // `check`: the items are to be checked before the next attempt, since the request sent at `sentAt` (or by an
    // earlier run: then from now) may have reached the API.
    const state = yield* Ref.make({
      pending: initial,
      items: initial.chunk.items,
      attempt: 0,
      check: initial.inDoubt,
      sentAt: yield* Clock.currentTimeMillis
    })
    const number = initial.chunk.chunk
    const attempt = Effect.gen(function*() {
      const current = yield* Ref.get(state)
      let items = current.items
      if (current.check) {
        const check = yield* checkInDoubt(importer, items, current.sentAt)
        items = check.resend
        if (check.settled.length > 0) {
          yield* settleNow(importer, emit, check.settled, items.length === 0 ? number : undefined)
        }
      }
      yield* Ref.set(state, {
        ...current,
        items,
        attempt: current.attempt + 1,
        check: false,
        sentAt: yield* Clock.currentTimeMillis
      })
      if (items.length === 0) return Option.none<Submitted>()
      yield* importer.journal.sending(number)
      yield* importer.bump("submits")
      const body = prepareBody(items.map((item) => item.json))
      const jobId = yield* importer.codec.submit(importer.client, body)
      yield* importer.bump("jobs")
      yield* importer.journal.submitted(number, jobId)
      yield* emit(
        new Events.ChunkSubmitted({
          chunk: number,
          jobId,
          items: body.items,
          bytes: body.bytes,
          attempt: current.attempt + 1
        })
      )
      return Option.some<Submitted>({
        chunk: { chunk: number, items },
        jobId,
        submittedAt: yield* Clock.currentTimeMillis,
        resent: current.pending.inDoubt
      })
    })
    const result = yield* importer.retry(attempt, {
      write: true,
      onFailure: (_error, decision) =>
        decision === "reconcile"
          ? Ref.update(
            state,
            (current) => ({ ...current, pending: { ...current.pending, inDoubt: true }, check: true })
          )
          : Effect.void,
      onRetry: (failedAttempt, error, delay) =>
        Effect.zipRight(
          emit(new Events.Retrying({ chunk: number, attempt: failedAttempt, reason: error.message, delay })),
          Effect.logDebug("retrying a bulk submission").pipe(
            Effect.annotateLogs({ chunk: number, attempt: failedAttempt, reason: error.reason._tag })
          )
        )
    }).pipe(Effect.either)
    if (Either.isRight(result)) {
      // An accepted job keeps its slot in the window until it settles.
      if (Option.isSome(result.right)) return yield* emit(result.right.value)
      return yield* importer.window.release(undefined)
    }
    yield* importer.window.release(undefined)
    const error = result.left
    if (!(error instanceof KustomerError) || isFatal(error)) return yield* Effect.fail(error)
    // An API that has not accepted a single submission of this run and cannot be reached (or has no bulk
    // endpoint at this address) is a wrong address or an outage: the run stops, its records are not failed.
    if ((yield* Ref.get(importer.counters)).jobs === 0 && neverReached(error)) return yield* Effect.fail(error)
    const { items, pending } = yield* Ref.get(state)
    yield* settleNow(importer, emit, yield* giveUp(importer, pending, items, error), number)
  }).pipe(
    Effect.withSpan("BulkImport.submitChunk", {
      attributes: { "kustomer.chunk": initial.chunk.chunk, "kustomer.items": initial.chunk.items.length }
    })
  )

/** The `submit` stage: chunks in, accepted jobs (and the outcomes of chunks given up on) out. */
export const submit = (importer: Importer) =>
<A extends Events.ImportEvent, E, R>(
  chunks: Stream.Stream<Pending | A, E, R>
): Stream.Stream<Submitted | Events.ImportEvent | A, E | KustomerError | Checkpoint.CheckpointError, R> =>
  Stream.flatMap(
    chunks,
    (value) =>
      isEvent(value)
        ? Stream.succeed(value)
        : emitting<Submitted | Events.ImportEvent, KustomerError | Checkpoint.CheckpointError, never>((emit) =>
          Effect.zipRight(importer.window.acquire, submitChunk(importer, value, emit))
        ),
    { concurrency: importer.settings.submitConcurrency }
  )
