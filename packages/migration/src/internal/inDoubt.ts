/**
 * Parents in doubt — customers or conversations whose job's verdict was never read (an outage while it was
 * polled, a job that outlived its timeout) — are read again before their children are judged: once their job
 * has completed, each is found by its `externalId` (or a customer by its e-mail) and linked, or known not to have
 * been created. A parent whose job has not completed, or whose read fails, stays in doubt, and its children are
 * held for a later attempt — never rejected for a parent that may exist.
 */
import { type KustomerClient, type KustomerError, RetryPolicy } from "@effect-kustomer/client"
import { BulkJob as BulkJobDocument, BulkResource, Ids } from "@effect-kustomer/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as IdMap from "./idMap.js"
import * as Phases from "./phases.js"
import type * as Pipeline from "./pipeline.js"

/** The parents a phase can hold children for. */
export type ParentKind = Pipeline.ParentKind

/** How the reads are made: the client, and the retry policy's schedule. */
export interface Reader {
  readonly client: KustomerClient.KustomerClient["Type"]
  readonly schedule: Schedule.Schedule<unknown, KustomerError.KustomerError>
  /** Rate-limited answers waited out before a read gives up (the pipeline's `maxRateLimitRetries`). */
  readonly maxRateLimitRetries: number
  /** Counts a request made. */
  readonly onRequest: Effect.Effect<void>
}

const decodeJobId = Schema.decodeUnknownOption(Ids.BulkJobId)

/** Runs a read under the one retry policy. */
const retried = <A>(reader: Reader, read: Effect.Effect<A, KustomerError.KustomerError>) =>
  RetryPolicy.retry(Effect.zipRight(reader.onRequest, read), {
    schedule: reader.schedule,
    maxRateLimitRetries: reader.maxRateLimitRetries,
    write: false
  })

/** Whether a job has completed; `None` when it cannot be read. */
const jobCompleted = (reader: Reader, jobId: string) =>
  Option.match(decodeJobId(jobId), {
    onNone: () => Effect.succeed(Option.none<boolean>()),
    onSome: (id) =>
      retried(reader, reader.client.getBulkJob(id)).pipe(
        Effect.map((job) => Option.some(BulkJobDocument.isComplete(job.data))),
        Effect.orElseSucceed(() => Option.none<boolean>())
      )
  })

/** Finds a parent of a completed job: by `externalId`, else a customer by its e-mail key. */
const findParent = (
  reader: Reader,
  kind: ParentKind,
  row: IdMap.InDoubtRow<number>,
  emailKey: Option.Option<string>
): Effect.Effect<Option.Option<Option.Option<string>>> => {
  const externalId = row.externalId
  const lookup = externalId !== undefined
    ? Option.some(
      kind === "customers"
        ? reader.client.findByExternalId(BulkResource.Customers, externalId)
        : reader.client.findByExternalId(BulkResource.Conversations, externalId)
    )
    : Option.map(
      Option.filter(emailKey, (key) => key.startsWith(Phases.emailKeyPrefix)),
      (key) => reader.client.findCustomerByEmail(key.slice(Phases.emailKeyPrefix.length))
    )
  return Option.match(lookup, {
    onNone: () => Effect.succeed(Option.some(Option.none())),
    onSome: (read) =>
      retried(reader, read).pipe(
        Effect.map((found) => Option.some(Option.map(found, (object) => object.id))),
        Effect.orElseSucceed(() => Option.none())
      )
  })
}

/** The fate of one parent of a completed job, or `None` when it is still in doubt (its look-up failed). */
const fateOf = (
  reader: Reader,
  kind: ParentKind,
  row: IdMap.InDoubtRow<number>,
  emailKey: Option.Option<string>
): Effect.Effect<Option.Option<IdMap.Parent>> =>
  Effect.map(findParent(reader, kind, row, emailKey), (found) =>
    Option.map(found, (id) =>
      Option.match(id, {
        // Found once its job completed: created by that job, or there before the migration (the job's item was then
        // a duplicate). Recorded as found existing, so that its children are read back before they are sent, and a
        // rollback or a verification tells the two apart by the migration's own `importedAt`.
        onSome: (objectId) => IdMap.Parent.Linked({ id: objectId, existed: true }),
        onNone: () =>
          IdMap.Parent.NotCreated({
            reason: row.externalId === undefined && Option.isNone(emailKey)
              ? `${row.reason}; its job ${row.jobId} has completed, but without an externalId it cannot be found`
              : `${row.reason}; its job ${row.jobId} completed without creating it`
          })
      })))

/** The parents of `kind` whose creation is in doubt (their job's verdict never read). */
export const rowsOf = (kind: ParentKind, idMap: IdMap.IdMap) =>
  kind === "customers" ? idMap.customersInDoubt : idMap.conversationsInDoubt

/**
 * Reads the parents in doubt of one kind again and records what is now known. Returns how many stay in doubt.
 */
export const settleParents = (
  kind: ParentKind,
  idMap: IdMap.IdMap,
  reader: Reader
): Effect.Effect<number, IdMap.IdMapError> =>
  Effect.gen(function*() {
    const rows = yield* rowsOf(kind, idMap)
    if (rows.length === 0) return 0
    const jobs = [...new Set(rows.map((row) => row.jobId))]
    const completed = new Map(
      yield* Effect.forEach(
        jobs,
        (jobId) =>
          Effect.map(jobCompleted(reader, jobId), (done) => [jobId, Option.getOrElse(done, () => false)] as const),
        { concurrency: 4 }
      )
    )
    const fates = yield* Effect.forEach(rows, (row) =>
      completed.get(row.jobId) !== true
        ? Effect.succeed(Either.left(row))
        : Effect.gen(function*() {
          const emailKey = kind === "customers" ? yield* idMap.customerKey(row.key) : Option.none<string>()
          const fate = yield* fateOf(reader, kind, row, emailKey)
          return Option.match(fate, {
            onNone: () => Either.left(row),
            onSome: (parent) => Either.right({ row, parent })
          })
        }), { concurrency: 4 })
    for (const fate of fates) {
      if (Either.isLeft(fate)) continue
      const { parent, row } = fate.right
      yield* kind === "customers" ? idMap.settleCustomer(row.key, parent) : idMap.settleConversation(row.key, parent)
    }
    return fates.filter((fate) => Either.isLeft(fate)).length
  })
