/**
 * A rollback's requests: the plan's conversations marked `deleted: true` through their bulk update, then its
 * customers deleted through their bulk delete — at most `maxItems` (≤ 100) a request, through the client (so its
 * rate limiter), every request under the one retry policy, every job awaited and read item by item.
 *
 * Each chunk is recorded `sending` before its request and `submitted` with its job once accepted, so a rollback
 * killed at any moment resumes without doing anything twice: a submitted job is polled again, not sent again; a
 * chunk caught being sent (its answer lost, its retries spent) is sent again — an update to `deleted: true` sets
 * what is already set, and a delete of an object already deleted comes back `not found` (or with no job at all),
 * which counts as undone (`gone`).
 */
import {
  BulkJob,
  type KustomerClient,
  type KustomerError,
  KustomerSchedule,
  RetryPolicy
} from "@effect-kustomer/client"
import { BulkResource, Conversation, Ids } from "@effect-kustomer/domain"
import * as Arr from "effect/Array"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { PipelineOptions } from "./pipeline.js"
import type { RollbackJournal } from "./rollbackJournal.js"

/** The resources a rollback sends requests for, in the order it undoes them: children's parents last. */
export const undoOrder = ["conversations", "customers"] as const
export type Undoable = typeof undoOrder[number]

/** What the requests need. */
export interface Sender {
  readonly client: KustomerClient.KustomerClient["Type"]
  readonly journal: RollbackJournal
  readonly pipeline: PipelineOptions
  /** Counts a request made. */
  readonly onRequest: Effect.Effect<void>
}

const notFound = /not[ _-]?found/i

const conversationUpdate = Schema.decodeSync(Conversation.ConversationUpdate)

/** Runs a request under the one retry policy (updates and deletes are safe to send again), counting it. */
const retried = (sender: Sender) => <A>(request: Effect.Effect<A, KustomerError.KustomerError>) =>
  RetryPolicy.retry(Effect.zipRight(sender.onRequest, request), {
    schedule: sender.pipeline.retrySchedule ?? KustomerSchedule.retryTransient,
    maxRateLimitRetries: sender.pipeline.maxRateLimitRetries ?? 50,
    write: false
  })

/** The request of one chunk: its job, or none when a delete found none of its ids. */
const send = (sender: Sender, resource: Undoable, ids: ReadonlyArray<string>) =>
  resource === "conversations"
    ? Effect.map(
      retried(sender)(sender.client.bulkUpdate(
        BulkResource.Conversations,
        ids.map((id) => conversationUpdate({ id, deleted: true, _clientRef: id }))
      )),
      Option.some
    )
    : retried(sender)(sender.client.bulkDelete(BulkResource.Customers, ids))

/** Whether the policy gives up on an error for good (a missing role, a revoked key): the whole rollback stops. */
const isFatal = (error: KustomerError.KustomerError) => RetryPolicy.decide(error, { write: false }) === "fatal"

/** Records the verdict of each id of a job. */
const settleReading = (
  sender: Sender,
  resource: Undoable,
  ids: ReadonlyArray<string>,
  reading: BulkJob.Reading
) =>
  Effect.gen(function*() {
    const verdicts = resource === "conversations"
      ? ids.map((id) => reading.verdicts.get(id))
      : ids.map((_, index) => reading.reported.find((item) => item.index === index)?.verdict)
    const settled = Arr.zip(ids, verdicts)
    const undone = settled.filter(([, verdict]) => verdict?._tag === "Created").map(([id]) => id)
    yield* sender.journal.update(resource, undone, { state: "undone" })
    for (const [id, verdict] of settled) {
      if (verdict?._tag === "Created") continue
      const reason = verdict === undefined
        ? "the job did not report it"
        : verdict._tag === "Strange"
        ? verdict.detail
        : verdict.error
      const gone = verdict !== undefined && verdict._tag !== "Strange" && notFound.test(reason)
      yield* sender.journal.update(resource, [id], {
        state: gone ? "gone" : "failed",
        reason: gone ? "not there any more" : reason
      })
    }
  })

/** Awaits a job and records its verdicts; a job that cannot be read to its end stays submitted (in doubt). */
export const settleJob = (sender: Sender, resource: Undoable, jobId: string, ids: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const reading = yield* Effect.either(BulkJob.awaitResults(Ids.BulkJobId.make(jobId), {
      items: resource === "conversations" ? ids.map((id) => ({ clientRef: id })) : undefined,
      firstRead: sender.pipeline.firstPollDelay ?? Duration.seconds(2),
      schedule: sender.pipeline.pollSchedule ?? KustomerSchedule.pollJob,
      timeout: sender.pipeline.jobTimeout ?? Duration.minutes(10),
      readWith: retried(sender)
    }))
    if (Either.isLeft(reading)) {
      if (isFatal(reading.left)) return yield* reading.left
      return yield* sender.journal.update(resource, ids, {
        state: "submitted",
        job: jobId,
        reason: `its job ${jobId} could not be read to its end (${reading.left.message}): run the rollback again`
      })
    }
    yield* settleReading(sender, resource, ids, reading.right)
  })

/** Sends one chunk and settles it; a request that fails for good leaves it `sending`, to be sent again. */
export const sendChunk = (sender: Sender, resource: Undoable, ids: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    yield* sender.journal.update(resource, ids, { state: "sending" })
    const answer = yield* Effect.either(send(sender, resource, ids))
    if (Either.isLeft(answer)) {
      if (isFatal(answer.left)) return yield* answer.left
      return yield* sender.journal.update(resource, ids, {
        state: "sending",
        reason: `its request failed (${answer.left.message}): run the rollback again`
      })
    }
    if (Option.isNone(answer.right)) {
      return yield* sender.journal.update(resource, ids, { state: "gone", reason: "not there any more" })
    }
    const jobId = answer.right.value.data.id
    yield* sender.journal.update(resource, ids, { state: "submitted", job: jobId })
    yield* settleJob(sender, resource, jobId, ids)
  })

/** Whether a target is still to undo, or in doubt. */
const unsettled = (target: { readonly state: string }) =>
  target.state === "pending" || target.state === "sending" || target.state === "submitted"

/**
 * Undoes one resource's targets: the jobs submitted earlier polled again, then the rest (and what an earlier attempt
 * saw refused) sent in chunks. Customers wait until no conversation is still to undo or in doubt.
 */
export const undo = (sender: Sender, resource: Undoable) =>
  Effect.gen(function*() {
    if (resource === "customers" && (yield* sender.journal.targets("conversations")).some(unsettled)) return
    const targets = yield* sender.journal.targets(resource)
    const submitted = Arr.groupBy(
      targets.filter((target) => target.state === "submitted" && target.job !== null),
      (target) => target.job ?? ""
    )
    yield* Effect.forEach(
      Object.entries(submitted),
      ([jobId, rows]) => settleJob(sender, resource, jobId, rows.map((row) => row.id)),
      { concurrency: sender.pipeline.maxJobsInFlight ?? 4, discard: true }
    )
    // What the API refused in an earlier attempt is sent again: its reason may have passed (a lock, a limit).
    const toSend = targets.filter((target) =>
      target.state === "pending" || target.state === "sending" || target.state === "failed"
    )
    const size = Math.max(1, Math.min(BulkResource.maxItemsPerRequest, sender.pipeline.maxItems ?? 100))
    yield* Effect.forEach(
      Arr.chunksOf(toSend.map((target) => target.id), size),
      (ids) => sendChunk(sender, resource, ids),
      { concurrency: sender.pipeline.submitConcurrency ?? 4, discard: true }
    )
  })
