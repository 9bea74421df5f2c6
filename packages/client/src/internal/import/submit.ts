/**
 * The `submit` stage: each chunk is sent until the API accepts it as a job, under the retry policy, with bounded
 * concurrency. A chunk given up on is settled here: `Failed`, or — when an earlier attempt may have reached the
 * API — checked item by item by its key (`externalId`, or a customer's e-mail).
 *
 * A chunk in doubt (an earlier request with it may have reached the API) is sent again only where that is safe:
 * items with an `externalId` of a resource whose duplicates the API refuses (customers, conversations). Any
 * other item — a customer without one, a company, message or note, whose duplicates Kustomer stores again — is
 * read back after `inDoubtCheckDelay` (by e-mail, by its `externalId`, or in its conversation's listing): found,
 * it is settled; not found, it is sent again. Items that cannot be checked are `Unknown`. Items that may exist
 * from before the import (`mayAlreadyExist`) are read back the same way before their first request.
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
import { emitting } from "../emitting.js"
import { findExisting, type Found } from "./existing.js"
import type { Importer, Pending, Submitted } from "./importer.js"
import { isEvent, PendingChunk, SubmittedJob } from "./stageValues.js"

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

const readFailedReason = "an earlier request with this record may have reached the API, and reading back whether " +
  "it exists failed; it was not sent again, to avoid a duplicate"

const mayExistUncheckedReason = "it may exist already (what it belongs to existed before this run), and without " +
  "an externalId it cannot be checked; it was not sent, to avoid a duplicate"

const mayExistReadFailedReason = "it may exist already (what it belongs to existed before this run), and reading " +
  "back whether it does failed; it was not sent, to avoid a duplicate"

/**
 * An item of an in-doubt chunk that a look-up found: taken to be the lost request's, `Created` without a job (it may
 * have existed before: undetermined, see `Created`).
 */
const createdEarlier = (item: Checkpoint.ChunkItem, objectId: string) =>
  new Events.Created({
    position: item.position,
    clientRef: item.clientRef,
    externalId: item.externalId,
    objectId,
    jobId: undefined
  })

/** An item found to exist before this import sent it. */
const existedBefore = (item: Checkpoint.ChunkItem, externalId: string, objectId: string) =>
  new Events.AlreadyExisting({ position: item.position, clientRef: item.clientRef, externalId, objectId })

/**
 * Asks the API whether the items of an in-doubt chunk exist. Found items were created by the lost request —
 * unless some other item of it was not found: a job creates every valid item it holds, so the lost request was
 * never processed, and what was found existed before the import.
 */
const reconcile = (importer: Importer, items: ReadonlyArray<Checkpoint.ChunkItem>, error: KustomerError) =>
  Effect.map(findExisting(importer, items), (found) => {
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
        ? existedBefore(item, item.externalId, objectId)
        : createdEarlier(item, objectId)
    })
  })

/** What becomes of a chunk's items before it is sent: some are sent, the others settled without sending. */
interface Sorted {
  /** To send. */
  readonly send: ReadonlyArray<Checkpoint.ChunkItem>
  /** Settled without sending: found, or impossible to check. */
  readonly settled: ReadonlyArray<Events.Outcome>
}

/** Splits items into those to send and those settled, from what each one's check decided. */
const sorted = (checked: ReadonlyArray<Either.Either<Checkpoint.ChunkItem, Events.Outcome>>): Sorted => ({
  send: checked.flatMap((entry) => Either.isRight(entry) ? [entry.right] : []),
  settled: checked.flatMap((entry) => Either.isLeft(entry) ? [entry.left] : [])
})

/**
 * Whether an in-doubt item is read back rather than sent again: always when it is keyed by e-mail (the API
 * reports no duplicate for an e-mail), and for a resource whose duplicates the API does not refuse.
 */
const readsBack = (importer: Importer, item: Checkpoint.ChunkItem): boolean => {
  const key = importer.codec.keyOf(item)
  return key !== undefined && (key.field === "email" || !importer.codec.deduplicates)
}

/** What reading back found of an item, as its fate: found (settled by `onFound`), absent (sent), or unknown. */
const fateOf = (
  item: Checkpoint.ChunkItem,
  result: Found,
  reasons: { readonly unchecked: string; readonly readFailed: string },
  onFound: (objectId: string) => Events.Outcome
): Either.Either<Checkpoint.ChunkItem, Events.Outcome> => {
  if (result === undefined) return Either.left(unknownItem(item, undefined, reasons.unchecked))
  if (Either.isLeft(result)) {
    return Either.left(unknownItem(item, undefined, `${reasons.readFailed}: ${result.left.message}`))
  }
  return Option.match(result.right, {
    onNone: () => Either.right(item),
    onSome: (objectId) => Either.left(onFound(objectId))
  })
}

/** Reads back `toRead` (a subset of `items`): what each of them found, by `_clientRef`. */
const readBack = (importer: Importer, toRead: ReadonlyArray<Checkpoint.ChunkItem>) =>
  Effect.map(
    findExisting(importer, toRead),
    (results) => new Map(toRead.map((item, index) => [item.clientRef, results[index]] as const))
  )

/**
 * Sorts an in-doubt chunk's items. Those the API recognises as duplicates (an `externalId`, on customers and
 * conversations) are sent again; the others are read back — found: `Created` (or `AlreadyExisting` when they
 * may have existed before the import), absent: sent again; without a key: `Unknown`. First it waits for the job
 * the lost request may have become to finish (the jobs' observed turnaround; before a read, at least
 * `inDoubtCheckDelay`), so that the resend or the read finds either all of that request's items or none.
 */
const checkInDoubt = (
  importer: Importer,
  items: ReadonlyArray<Checkpoint.ChunkItem>,
  sentAt: number,
  mayExist: ReadonlySet<string>
) =>
  Effect.gen(function*() {
    const toRead = items.filter((item) => readsBack(importer, item))
    const turnaround = yield* importer.firstRead.delayMillis
    const checkDelay = Duration.toMillis(importer.settings.inDoubtCheckDelay)
    const waited = (yield* Clock.currentTimeMillis) - sentAt
    yield* Effect.sleep(
      Duration.millis(Math.max(0, (toRead.length > 0 ? Math.max(turnaround, checkDelay) : turnaround) - waited))
    )
    const found = yield* readBack(importer, toRead)
    const reasons = { unchecked: unverifiableReason, readFailed: readFailedReason }
    return sorted(items.map((item) => {
      if (importer.codec.keyOf(item) === undefined) return Either.left(unknownItem(item, undefined, unverifiableReason))
      if (!found.has(item.clientRef)) return Either.right(item)
      return fateOf(item, found.get(item.clientRef), reasons, (objectId) =>
        mayExist.has(item.clientRef) && item.externalId !== undefined
          ? existedBefore(item, item.externalId, objectId)
          : createdEarlier(item, objectId))
    }))
  })

/**
 * The items of a chunk that may exist from before the import (`mayAlreadyExist`), by `_clientRef`: only for a
 * resource whose duplicates the API does not refuse (for the others, the API's duplicate verdict tells).
 */
const mayExistOf = (importer: Importer, items: ReadonlyArray<Checkpoint.ChunkItem>) => {
  const ask = importer.settings.mayAlreadyExist
  if (ask === undefined || importer.codec.deduplicates) return Effect.succeed(new Set<string>())
  return Effect.map(
    ask(items),
    (flags) => new Set(items.flatMap((item, index) => flags[index] ? [item.clientRef] : []))
  )
}

/**
 * Reads back the items that may exist from before the import: found, they are `AlreadyExisting` and not sent;
 * absent, they are sent; impossible to check, they are `Unknown` and not sent.
 */
const checkExisting = (importer: Importer, items: ReadonlyArray<Checkpoint.ChunkItem>, mayExist: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const found = yield* readBack(importer, items.filter((item) => mayExist.has(item.clientRef)))
    const reasons = { unchecked: mayExistUncheckedReason, readFailed: mayExistReadFailedReason }
    return sorted(items.map((item) => {
      if (!found.has(item.clientRef)) return Either.right(item)
      const externalId = item.externalId
      if (externalId === undefined) return Either.left(unknownItem(item, undefined, mayExistUncheckedReason))
      return fateOf(item, found.get(item.clientRef), reasons, (objectId) => existedBefore(item, externalId, objectId))
    }))
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
    const number = initial.chunk.chunk
    // Items that may exist from before the import are read back once, before the first request.
    const mayExist = yield* mayExistOf(importer, initial.chunk.items)
    // `unverified`: the items that may exist from before the import and that this run has not read and found absent
    // — those a read after a lost answer finds may have existed before; the others were created by the import.
    const state = yield* Ref.make({
      pending: initial,
      items: initial.chunk.items,
      attempt: 0,
      check: initial.inDoubt,
      sentAt: yield* Clock.currentTimeMillis,
      unverified: mayExist
    })
    const attempt = Effect.gen(function*() {
      const current = yield* Ref.get(state)
      let items = current.items
      let unverified = current.unverified
      const check = current.check
        ? yield* checkInDoubt(importer, items, current.sentAt, current.unverified)
        : current.attempt === 0 && mayExist.size > 0
        ? yield* checkExisting(importer, items, mayExist)
        : undefined
      if (check !== undefined) {
        items = check.send
        // Every item a check lets through was read and found absent (what was found, or could not be read, is
        // settled and not sent): found after a later lost answer, it is this import's.
        unverified = new Set()
        if (check.settled.length > 0) {
          yield* settleNow(importer, emit, check.settled, items.length === 0 ? number : undefined)
        }
      }
      yield* Ref.set(state, {
        ...current,
        unverified,
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
      yield* importer.journal.submitted(number, jobId, current.pending.inDoubt)
      yield* emit(
        new Events.ChunkSubmitted({
          chunk: number,
          jobId,
          items: body.items,
          bytes: body.bytes,
          attempt: current.attempt + 1
        })
      )
      return Option.some<Submitted>(
        new SubmittedJob({ chunk: number, items }, jobId, yield* Clock.currentTimeMillis, current.pending.inDoubt)
      )
    })
    const result = yield* importer.retry(attempt, {
      write: true,
      onFailure: (_error, decision) =>
        decision === "reconcile"
          ? Ref.update(
            state,
            (current) => ({ ...current, pending: new PendingChunk(current.pending.chunk, true), check: true })
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

/** A chunk that `chunk` (or `mapChunks`) did not form: the stage protocol was broken between the two stages. */
const strayChunk = (chunk: Pending) =>
  Effect.dieMessage(
    `chunk ${chunk.chunk.chunk} reached BulkImport.submit without being formed by BulkImport.chunk (or revised by ` +
      "BulkImport.mapChunks): a chunk changed or made by another step would be sent without being journaled"
  )

/**
 * The `submit` stage: chunks in, accepted jobs (and the outcomes of chunks given up on) out. The jobs an earlier
 * attempt submitted whose results were not read come first, each holding its slot of the window.
 */
export const submit = (importer: Importer) =>
<A extends Events.ImportEvent, E, R>(
  chunks: Stream.Stream<Pending | A, E, R>
): Stream.Stream<Submitted | Events.ImportEvent | A, E | KustomerError | Checkpoint.CheckpointError, R> =>
  Stream.unwrap(Effect.gen(function*() {
    const resume = yield* importer.begin
    const resumedAt = yield* Clock.currentTimeMillis
    const resumed = Stream.mapEffect(
      Stream.fromIterable(resume.submitted),
      (job) => Effect.as(importer.window.occupy, new SubmittedJob(job.chunk, job.jobId, resumedAt, job.resent ?? false))
    )
    const submitted = Stream.flatMap(
      chunks,
      (value) =>
        isEvent(value)
          ? Stream.succeed(value)
          : emitting<Submitted | Events.ImportEvent, KustomerError | Checkpoint.CheckpointError, never>((emit) =>
            Effect.flatMap(
              importer.ledger.arrived(value),
              (formed) =>
                formed
                  ? Effect.zipRight(importer.window.acquire, submitChunk(importer, value, emit))
                  : strayChunk(value)
            )
          ),
      { concurrency: importer.settings.submitConcurrency }
    )
    return Stream.concat(resumed, submitted)
  }))
