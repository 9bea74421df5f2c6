/**
 * The import pipeline: records in, one outcome per record out.
 *
 * ```text
 * source ─▶ validate ─▶ chunk (≤ maxItems, ≤ maxBytes, linger) ─▶ submit (bounded, retried) ─▶ await job ─▶ outcomes
 * ```
 *
 * - Every record keeps its position; every submitted item carries a `_clientRef` derived from that position, and
 *   results are matched back through it.
 * - Invalid records become `Rejected` outcomes; the stream goes on. Only fatal errors fail it: credentials or roles
 *   (401/403), an unreadable source, a journal that refuses.
 * - A submission that failed after it may have reached the API (5xx, reset, timeout) is *in doubt*. Its items with
 *   an `externalId` are sent again, and the API's "duplicate detected" for them means `AlreadyExisting` — so nothing
 *   is created twice. Its items without an `externalId` are reported `Unknown` and never resent.
 * - Jobs are polled economically: one read of the batches when the job is expected to be done (the expectation
 *   adapts to how long jobs take), then on `pollSchedule`; a job that is not done within `jobTimeout` leaves its
 *   items `Unknown` with the job id, never `Failed`.
 * - Memory depends on `maxJobsInFlight × maxItems`, not on the input's size.
 * - {@link plan} is the dry run: the same validation and chunking, no request sent.
 *
 * @since 0.1.0
 */
import { BulkJob, BulkResource, ClientRef, type Conversation, type Ids, ImportCounts } from "@effect-kustomer/domain"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Take from "effect/Take"
import * as Checkpoint from "./ImportCheckpoint.js"
import * as Events from "./ImportEvent.js"
import type { Position, SourceError, SourceRecord } from "./ImportSource.js"
import { bodyBytes, chunked } from "./internal/chunking.js"
import { read as readBatches, type Verdict } from "./internal/results.js"
import { encodesAsItself, unknownFields as unknownFieldsOf } from "./internal/schemaShape.js"
import { byteLength } from "./internal/utf8.js"
import { KustomerClient, prepareBody, type PreparedBody } from "./KustomerClient.js"
import { isFatal, type KustomerError } from "./KustomerError.js"
import * as KustomerSchedule from "./KustomerSchedule.js"
import { RateLimiter } from "./RateLimiter.js"

/**
 * Options of an import. Every field has a default.
 *
 * @since 0.1.0
 */
export interface Options<Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase> {
  /** What to create. Default: conversations. */
  readonly resource?: BulkResource.BulkResource<Item, Encoded> | undefined
  /** Items per request, at most 100 (the API's maximum). Default 100. */
  readonly maxItems?: number | undefined
  /** Bytes per request body, at most 100,000 (the API's limit). Default 100,000. */
  readonly maxBytes?: number | undefined
  /** How long a partial chunk waits for more records before it is sent anyway. Default 1 s. */
  readonly linger?: Duration.DurationInput | undefined
  /** Bulk requests in flight at once. Default 4. */
  readonly submitConcurrency?: number | undefined
  /** Jobs awaited at once; bounds memory. Default 32. */
  readonly maxJobsInFlight?: number | undefined
  /** Retries of a failed submission or job read. Default `KustomerSchedule.retryTransient`. */
  readonly retrySchedule?: Schedule.Schedule<unknown, KustomerError> | undefined
  /** How many 429s one request may meet before it gives up (the limiter makes each wait). Default 50. */
  readonly maxRateLimitRetries?: number | undefined
  /** The first job read happens this long after submission; it adapts to observed job times. Default 2 s. */
  readonly firstPollDelay?: Duration.DurationInput | undefined
  /** Delays between later job reads. Default `KustomerSchedule.pollJob`. */
  readonly pollSchedule?: Schedule.Schedule<unknown> | undefined
  /** How long a job may take before its items are reported unknown (resumable by job id). Default 10 min. */
  readonly jobTimeout?: Duration.DurationInput | undefined
  /** Look up the id of items reported as duplicates of an existing `externalId`. Default true. */
  readonly lookupExisting?: boolean | undefined
  /**
   * Record fields the schema does not know, at any depth (`queue.bogus`, `emails.0.verified`): `reject` the record
   * (default), `keep` them and send them as given, or `drop` them.
   */
  readonly unknownFields?: "reject" | "keep" | "drop" | undefined
  /** Gives records without an `externalId` one, derived from their position, to make them safe to resend. */
  readonly assignExternalId?: ((position: Position) => string) | undefined
  /** The `_clientRef` of a record. Default `r<index>`. */
  readonly clientRef?: ((position: Position) => string) | undefined
  /** The journal. Default: none (no resume). */
  readonly checkpoint?: Checkpoint.ImportCheckpoint | undefined
  /** Describes the input to the journal. */
  readonly source?: { readonly name: string; readonly fingerprint?: string | undefined } | undefined
}

/** What fails an import as a whole. @since 0.1.0 */
export type BulkImportError = KustomerError | SourceError | Checkpoint.CheckpointError

/** Records by outcome. @since 0.1.0 */
export const recordsCounter = Metric.counter("kustomer_import_records_total", {
  description: "Input records by final outcome",
  incremental: true
})

const outcomeMetric = (outcome: Events.Outcome) => Metric.tagged(recordsCounter, "outcome", outcome._tag)

/** The defaults, resolved. */
const settingsOf = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  options: Options<Item, Encoded>
) => ({
  maxItems: Math.max(1, Math.min(options.maxItems ?? BulkResource.maxItemsPerRequest, BulkResource.maxItemsPerRequest)),
  maxBytes: Math.max(64, Math.min(options.maxBytes ?? BulkResource.maxBodyBytes, BulkResource.maxBodyBytes)),
  linger: Duration.decode(options.linger ?? Duration.seconds(1)),
  submitConcurrency: Math.max(1, options.submitConcurrency ?? 4),
  maxJobsInFlight: Math.max(1, options.maxJobsInFlight ?? 32),
  retrySchedule: options.retrySchedule ?? KustomerSchedule.retryTransient,
  maxRateLimitRetries: options.maxRateLimitRetries ?? 50,
  firstPollDelay: Duration.toMillis(Duration.decode(options.firstPollDelay ?? Duration.seconds(2))),
  pollSchedule: options.pollSchedule ?? KustomerSchedule.pollJob,
  jobTimeout: Duration.decode(options.jobTimeout ?? Duration.minutes(10)),
  lookupExisting: options.lookupExisting ?? true,
  unknownFields: options.unknownFields ?? "reject",
  clientRef: options.clientRef ?? ((position: Position) => `r${position.index}`),
  checkpoint: options.checkpoint ?? Checkpoint.disabled
})

/** A valid record, encoded once, ready to be chunked. */
interface Prepared extends Checkpoint.ChunkItem {
  readonly bytes: number
}

/** The resource with its item type erased: the pipeline needs only these operations. */
interface ItemCodec {
  readonly name: string
  readonly prepare: (record: SourceRecord) => Either.Either<Prepared, Events.Rejected>
  readonly submit: (client: KustomerClient["Type"], body: PreparedBody) => Effect.Effect<Ids.BulkJobId, KustomerError>
  readonly lookup: (
    client: KustomerClient["Type"],
    externalId: string
  ) => Effect.Effect<Option.Option<string>, KustomerError>
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const codecOf = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  resource: BulkResource.BulkResource<Item, Encoded>,
  settings: ReturnType<typeof settingsOf>,
  assignExternalId: ((position: Position) => string) | undefined
): ItemCodec => {
  // Unknown fields are checked by hand, at every depth: Schema's `onExcessProperty: "error"` costs more than the
  // decode itself. `keep` preserves them through decoding and encoding, so they are sent as given.
  const onExcessProperty = settings.unknownFields === "keep" ? "preserve" : "ignore"
  const decode = Schema.decodeUnknownEither(resource.item, { errors: "all", onExcessProperty })
  const encode = Schema.encodeEither(resource.item, { onExcessProperty })
  const skipEncode = encodesAsItself(resource.item.ast)
  const unknownFieldIssues = (settings.unknownFields === "reject"
    ? unknownFieldsOf(resource.item.ast, resource.name)
    : undefined) ?? (() => [])
  const maxItemBytes = settings.maxBytes - 2
  const reject = (record: SourceRecord, issues: Events.Rejected["issues"]) =>
    Either.left(
      new Events.Rejected({
        position: record.position,
        issues,
        record: record._tag === "Parsed" ? record.value : undefined
      })
    )
  return {
    name: resource.name,
    prepare: (record) => {
      if (record._tag === "Unparsable") return reject(record, [{ path: "", message: record.reason }])
      const value = record.value
      if (!isObject(value)) return reject(record, [{ path: "", message: "expected an object" }])
      const clientRef = settings.clientRef(record.position)
      const assignsExternalId = assignExternalId !== undefined &&
        (value["externalId"] === undefined || value["externalId"] === null)
      // Usually the record is decoded as read and its `_clientRef` appended to the JSON afterwards: a spread copy
      // with the extra field is slower both to decode and to stringify (it costs a third of the validation).
      const appendRef = !assignsExternalId && !("_clientRef" in value) && clientRef.length >= 1 &&
        clientRef.length <= ClientRef.maxClientRefLength
      let input: Record<string, unknown> = value
      if (!appendRef) {
        input = { ...value, _clientRef: clientRef }
        if (assignsExternalId) input["externalId"] = assignExternalId(record.position)
      }
      const decoded = decode(input)
      const unknownFields = unknownFieldIssues(value)
      if (Either.isLeft(decoded) || unknownFields.length > 0) {
        const invalid = Either.isLeft(decoded)
          ? ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) => ({
            path: issue.path.join("."),
            message: issue.message
          }))
          : []
        return reject(record, [...unknownFields, ...invalid])
      }
      let json: string
      if (skipEncode) {
        json = JSON.stringify(decoded.right)
      } else {
        const encoded = encode(decoded.right)
        if (Either.isLeft(encoded)) return reject(record, [{ path: "", message: encoded.left.message }])
        json = JSON.stringify(encoded.right)
      }
      if (appendRef) {
        const ref = `"_clientRef":${JSON.stringify(clientRef)}}`
        json = json === "{}" ? `{${ref}` : `${json.slice(0, -1)},${ref}`
      }
      const bytes = byteLength(json)
      if (bytes > maxItemBytes) {
        return reject(record, [{
          path: "",
          message: `too large: ${bytes} bytes encoded, and a request body holds at most ${settings.maxBytes}`
        }])
      }
      return Either.right({
        position: record.position,
        clientRef,
        externalId: decoded.right.externalId,
        json,
        bytes
      })
    },
    submit: (client, body) => Effect.map(client.bulkCreatePrepared(resource, body), (job) => job.data.id),
    lookup: (client, externalId) =>
      Effect.map(client.findByExternalId(resource, externalId), (found) => Option.map(found, (object) => object.id))
  }
}

/** The codec of the options' resource (conversations by default). */
const codecFor = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  options: Options<Item, Encoded>,
  settings: ReturnType<typeof settingsOf>
): ItemCodec =>
  options.resource === undefined
    ? codecOf(BulkResource.Conversations, settings, options.assignExternalId)
    : codecOf(options.resource, settings, options.assignExternalId)

/**
 * Validation, then chunking: valid records come out grouped into request bodies, rejected ones are handed to
 * `onRejected` as they are found. Shared by the import ({@link stream}) and its dry run ({@link plan}), so that a
 * dry run forms exactly the chunks an import would send.
 */
const validateAndChunk = <E, R, E2>(
  records: Stream.Stream<SourceRecord, E, R>,
  codec: ItemCodec,
  settings: ReturnType<typeof settingsOf>,
  onRejected: (rejected: ReadonlyArray<Events.Rejected>) => Effect.Effect<void, E2>
): Stream.Stream<Chunk.Chunk<Prepared>, E | E2, R> =>
  records.pipe(
    Stream.mapChunksEffect((batch) =>
      Effect.gen(function*() {
        const valid: Array<Prepared> = []
        const rejected: Array<Events.Rejected> = []
        // A plain loop: this runs once per record, and callbacks created per record show up in profiles.
        for (const record of batch) {
          const prepared = codec.prepare(record)
          if (Either.isLeft(prepared)) rejected.push(prepared.left)
          else valid.push(prepared.right)
        }
        if (rejected.length > 0) yield* onRejected(rejected)
        return Chunk.unsafeFromArray(valid)
      })
    ),
    (items) => chunked(items, settings)
  )

/** A chunk on its way to the API. `inDoubt`: an earlier attempt may have created its items already. */
interface Pending {
  readonly chunk: Checkpoint.PlannedChunk
  readonly inDoubt: boolean
}

/** A chunk the API accepted as a job. */
interface Submitted {
  readonly chunk: Checkpoint.PlannedChunk
  readonly jobId: Ids.BulkJobId
  readonly submittedAt: number
}

/**
 * The next delay of a schedule, without sleeping: `None` when the schedule is done.
 */
const scheduleStepper = <Out, In>(schedule: Schedule.Schedule<Out, In>) =>
  Effect.gen(function*() {
    const state = yield* Ref.make<unknown>(schedule.initial)
    return (input: In) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const [next, , decision] = yield* schedule.step(now, input, yield* Ref.get(state))
        yield* Ref.set(state, next)
        return ScheduleDecision.isDone(decision)
          ? Option.none<Duration.Duration>()
          : Option.some(Duration.millis(Math.max(0, ScheduleIntervals.start(decision.intervals) - now)))
      })
  })

/**
 * The import as a stream of events: exactly one {@link Events.Outcome} per input record, progress in between,
 * and {@link Events.Finished} last.
 *
 * @since 0.1.0
 */
export const stream = <
  E,
  R,
  Item extends BulkResource.BulkItemBase = Conversation.ConversationInput,
  Encoded extends BulkResource.BulkItemBase = Conversation.ConversationInputEncoded
>(
  source: Stream.Stream<SourceRecord, E, R>,
  options: Options<Item, Encoded> = {}
): Stream.Stream<Events.ImportEvent, E | BulkImportError, R | KustomerClient> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const settings = settingsOf(options)
    const codec = codecFor(options, settings)
    const client = yield* KustomerClient
    const limiter = yield* Effect.serviceOption(RateLimiter)
    const journal = settings.checkpoint
    const queue = yield* Effect.acquireRelease(
      Queue.bounded<Take.Take<Events.ImportEvent, E | BulkImportError>>(64),
      (queue) => Queue.shutdown(queue)
    )
    const emitAll = (events: ReadonlyArray<Events.ImportEvent>) =>
      events.length === 0 ? Effect.void : Queue.offer(queue, Take.chunk(Chunk.unsafeFromArray(events)))
    const emit = (event: Events.ImportEvent) => Queue.offer(queue, Take.of(event))

    const counters = yield* Ref.make(ImportCounts.noRequests)
    const bump = (counter: keyof ImportCounts.RequestCounts) =>
      Ref.update(counters, (counts) => ({ ...counts, [counter]: counts[counter] + 1 }))
    const firstPollDelay = yield* Ref.make(settings.firstPollDelay)

    /** Reports final outcomes: to the caller, the metrics and the journal. */
    const settle = (outcomes: ReadonlyArray<Events.Outcome>, chunk?: number) =>
      Effect.gen(function*() {
        yield* Effect.forEach(outcomes, (outcome) => Metric.increment(outcomeMetric(outcome)), { discard: true })
        yield* journal.settled(outcomes, chunk)
        yield* emitAll(outcomes)
      })

    /** Runs a request, retrying 429s (the limiter waits) and transient failures on the retry schedule. */
    const withRetries = <A>(
      request: Effect.Effect<A, KustomerError>,
      onRetry: (attempt: number, error: KustomerError, delay: Duration.Duration) => Effect.Effect<void>
    ): Effect.Effect<Either.Either<A, KustomerError>, KustomerError> =>
      Effect.gen(function*() {
        const nextDelay = yield* scheduleStepper(settings.retrySchedule)
        let attempt = 0
        let rejections = 0
        while (true) {
          attempt++
          const result = yield* Effect.either(request)
          if (Either.isRight(result)) return result
          const error = result.left
          if (isFatal(error)) return yield* Effect.fail(error)
          if (error.reason._tag === "RateLimited") {
            yield* bump("rateLimited")
            if (++rejections <= settings.maxRateLimitRetries) continue
            return result
          }
          if (!error.retryable) return result
          const delay = yield* nextDelay(error)
          if (Option.isNone(delay)) return result
          yield* bump("retries")
          yield* onRetry(attempt, error, delay.value)
          yield* Effect.sleep(delay.value)
        }
      })

    /** Settles the items of a chunk that was given up on. */
    const giveUp = (pending: Pending, items: ReadonlyArray<Checkpoint.ChunkItem>, error: KustomerError) =>
      Effect.gen(function*() {
        if (!pending.inDoubt) {
          return items.map((item) =>
            new Events.Failed({
              position: item.position,
              clientRef: item.clientRef,
              item: item.json,
              externalId: item.externalId,
              reason: error.message,
              jobId: undefined
            })
          )
        }
        // The API may hold these items already: ask it, item by item.
        return yield* Effect.forEach(items, (item) =>
          item.externalId === undefined
            ? Effect.succeed<Events.Outcome>(unknownItem(item, undefined, error.message))
            : Effect.gen(function*() {
              const externalId = item.externalId ?? ""
              yield* bump("lookups")
              const found = yield* Effect.either(codec.lookup(client, externalId))
              return Either.match(found, {
                onLeft: (lookupError): Events.Outcome =>
                  unknownItem(item, undefined, `${error.message}; checking it failed: ${lookupError.message}`),
                onRight: (existing): Events.Outcome =>
                  Option.match(existing, {
                    onNone: () =>
                      new Events.Failed({
                        position: item.position,
                        clientRef: item.clientRef,
                        item: item.json,
                        externalId: item.externalId,
                        reason: `not created: ${error.message}`,
                        jobId: undefined
                      }),
                    onSome: (objectId) =>
                      new Events.AlreadyExisting({
                        position: item.position,
                        clientRef: item.clientRef,
                        externalId,
                        objectId
                      })
                  })
              })
            }), { concurrency: 4 })
      })

    const unknownItem = (item: Checkpoint.ChunkItem, jobId: Ids.BulkJobId | undefined, reason: string) =>
      new Events.Unknown({
        position: item.position,
        clientRef: item.clientRef,
        item: item.json,
        externalId: item.externalId,
        reason,
        jobId
      })

    /** Sends one chunk until the API accepts it, or settles its items. */
    const submit = (initial: Pending): Effect.Effect<Option.Option<Submitted>, BulkImportError> =>
      Effect.gen(function*() {
        let pending = initial
        let items = pending.chunk.items
        const nextDelay = yield* scheduleStepper(settings.retrySchedule)
        let attempt = 0
        let rejections = 0
        while (true) {
          if (pending.inDoubt) {
            const unverifiable = items.filter((item) => item.externalId === undefined)
            if (unverifiable.length > 0) {
              items = items.filter((item) => item.externalId !== undefined)
              yield* settle(
                unverifiable.map((item) =>
                  unknownItem(
                    item,
                    undefined,
                    "an earlier request with this record may have reached the API, and without an externalId it cannot be " +
                      "checked; it was not sent again, to avoid a duplicate"
                  )
                ),
                items.length === 0 ? pending.chunk.chunk : undefined
              )
            }
            if (items.length === 0) return Option.none()
          }
          attempt++
          yield* journal.sending(pending.chunk.chunk)
          yield* bump("submits")
          const body = prepareBody(items.map((item) => item.json))
          const result = yield* Effect.either(codec.submit(client, body))
          if (Either.isRight(result)) {
            const jobId = result.right
            yield* bump("jobs")
            yield* journal.submitted(pending.chunk.chunk, jobId)
            yield* emit(
              new Events.ChunkSubmitted({
                chunk: pending.chunk.chunk,
                jobId,
                items: body.items,
                bytes: body.bytes,
                attempt
              })
            )
            return Option.some({
              chunk: { chunk: pending.chunk.chunk, items },
              jobId,
              submittedAt: yield* Clock.currentTimeMillis
            })
          }
          const error = result.left
          if (isFatal(error)) return yield* Effect.fail(error)
          if (error.reason._tag === "RateLimited") {
            yield* bump("rateLimited")
            if (++rejections <= settings.maxRateLimitRetries) continue
          }
          if (error.reason.mayHaveTakenEffect) pending = { ...pending, inDoubt: true }
          // An in-doubt chunk is resent even after a "non-retryable" answer such as an unreadable 201: the API's
          // duplicate detection on externalId makes the resend safe.
          const worthRetrying = error.retryable || (pending.inDoubt && error.reason.mayHaveTakenEffect)
          const delay = worthRetrying && error.reason._tag !== "RateLimited"
            ? yield* nextDelay(error)
            : Option.none()
          if (Option.isNone(delay)) {
            yield* settle(yield* giveUp(pending, items, error), pending.chunk.chunk)
            return Option.none()
          }
          yield* bump("retries")
          yield* emit(
            new Events.Retrying({ chunk: pending.chunk.chunk, attempt, reason: error.message, delay: delay.value })
          )
          yield* Effect.logDebug("retrying a bulk submission").pipe(
            Effect.annotateLogs({ chunk: pending.chunk.chunk, attempt, reason: error.reason._tag })
          )
          yield* Effect.sleep(delay.value)
        }
      }).pipe(
        Effect.withSpan("BulkImport.submitChunk", {
          attributes: { "kustomer.chunk": initial.chunk.chunk, "kustomer.items": initial.chunk.items.length }
        })
      )

    /** Outcomes from the verdicts of a finished (or abandoned) job. */
    const outcomesOf = (
      job: Submitted,
      verdicts: ReadonlyMap<string, Verdict>,
      missing: string
    ) =>
      Effect.forEach(job.chunk.items, (item): Effect.Effect<Events.Outcome, never> => {
        const verdict = verdicts.get(item.clientRef)
        if (verdict === undefined) return Effect.succeed(unknownItem(item, job.jobId, missing))
        switch (verdict._tag) {
          case "Created":
            return Effect.succeed(
              new Events.Created({
                position: item.position,
                clientRef: item.clientRef,
                externalId: item.externalId,
                objectId: verdict.objectId,
                jobId: job.jobId
              })
            )
          case "Failed":
            return Effect.succeed(
              new Events.Failed({
                position: item.position,
                clientRef: item.clientRef,
                item: item.json,
                externalId: item.externalId,
                reason: verdict.error,
                jobId: job.jobId
              })
            )
          case "Strange":
            return Effect.succeed(unknownItem(item, job.jobId, verdict.detail))
          case "Duplicate": {
            const externalId = item.externalId
            if (externalId === undefined) {
              return Effect.succeed(
                new Events.Failed({
                  position: item.position,
                  clientRef: item.clientRef,
                  item: item.json,
                  externalId,
                  reason: verdict.error,
                  jobId: job.jobId
                })
              )
            }
            const lookup = settings.lookupExisting
              ? Effect.zipRight(
                bump("lookups"),
                Effect.map(
                  Effect.either(codec.lookup(client, externalId)),
                  (found) => Either.isRight(found) ? Option.getOrUndefined(found.right) : undefined
                )
              )
              : Effect.succeed(undefined)
            return Effect.map(lookup, (objectId) =>
              new Events.AlreadyExisting({
                position: item.position,
                clientRef: item.clientRef,
                externalId,
                objectId
              }))
          }
        }
      }, { concurrency: 4 })

    /** Waits for a job's results and settles its items. */
    const awaitJob = (job: Submitted): Effect.Effect<void, BulkImportError> =>
      Effect.gen(function*() {
        const nextPoll = yield* scheduleStepper(settings.pollSchedule)
        // Sleep until the first read is due. The delay may grow meanwhile (a job submitted just before this one
        // was found unfinished): then this job waits longer too, instead of spending a request to find out the same.
        while (true) {
          const due = job.submittedAt + (yield* Ref.get(firstPollDelay)) - (yield* Clock.currentTimeMillis)
          if (due <= 0) break
          yield* Effect.sleep(Duration.millis(Math.ceil(due)))
        }
        let polls = 0
        let lastProgress = ""
        const items = job.chunk.items
        while (true) {
          polls++
          const read = yield* withRetries(
            Effect.zipRight(bump("polls"), client.getBulkJobBatches(job.jobId)),
            () => Effect.void
          )
          if (Either.isLeft(read)) {
            const outcomes = items.map((item) =>
              unknownItem(item, job.jobId, `the job's results could not be read: ${read.left.message}`)
            )
            return yield* settle(outcomes, job.chunk.chunk)
          }
          const reading = readBatches(read.right, items)
          const progress = `${reading.batchesComplete}/${reading.batchesTotal}`
          if (progress !== lastProgress) {
            lastProgress = progress
            yield* emit(
              new Events.JobProgress({
                chunk: job.chunk.chunk,
                jobId: job.jobId,
                complete: reading.batchesComplete,
                total: reading.batchesTotal
              })
            )
          }
          const covered = items.every((item) => reading.verdicts.has(item.clientRef))
          let finished = covered && reading.allComplete
          if (!finished && reading.allComplete) {
            // Every listed batch is complete, yet some items have no result: ask whether the job is over.
            const status = yield* withRetries(
              Effect.zipRight(bump("polls"), client.getBulkJob(job.jobId)),
              () => Effect.void
            )
            finished = Either.isRight(status) && BulkJob.isComplete(status.right.data)
          }
          // Adapt the first-poll delay: slowly shorter after a hit (a read too early costs a request of the budget,
          // one too late only time); after a miss, long enough for a job as slow as this one has proved to be.
          // Growing from the job's own elapsed time rather than compounding the shared delay keeps a burst of jobs
          // that miss together (a backlog behind the API's workers) from pushing every later first read to the cap.
          if (polls === 1) {
            const elapsed = (yield* Clock.currentTimeMillis) - job.submittedAt
            yield* Ref.update(firstPollDelay, (delay) =>
              finished ? Math.max(200, delay * 0.995) : Math.max(delay, Math.min(30_000, elapsed * 1.3)))
          }
          if (finished) {
            const outcomes = yield* outcomesOf(
              job,
              reading.verdicts,
              "the job completed without a result for this item"
            )
            return yield* settle(outcomes, job.chunk.chunk)
          }
          const now = yield* Clock.currentTimeMillis
          const waited = Duration.millis(now - job.submittedAt)
          if (Duration.greaterThanOrEqualTo(waited, settings.jobTimeout)) {
            yield* emit(new Events.JobTimedOut({ chunk: job.chunk.chunk, jobId: job.jobId, waited }))
            const outcomes = yield* outcomesOf(
              job,
              reading.allComplete ? reading.verdicts : new Map(),
              `job ${job.jobId} did not complete within ${Duration.format(settings.jobTimeout)}; ` +
                "it may still complete: resume the import to read its results"
            )
            return yield* settle(outcomes, job.chunk.chunk)
          }
          const delay = yield* nextPoll(undefined)
          const remaining = Duration.toMillis(settings.jobTimeout) - (now - job.submittedAt)
          const pause = Option.match(delay, {
            onNone: () =>
              remaining,
            onSome: (value) => Math.min(Duration.toMillis(value), remaining)
          })
          yield* Effect.sleep(Duration.millis(Math.max(1, Math.ceil(pause))))
        }
      }).pipe(
        Effect.withSpan("BulkImport.awaitJob", {
          attributes: { "kustomer.chunk": job.chunk.chunk, "kustomer.job": job.jobId }
        })
      )

    const driver = Effect.gen(function*() {
      const resume = yield* journal.begin({
        resource: codec.name,
        source: options.source?.name ?? "stream",
        fingerprint: options.source?.fingerprint,
        settings: JSON.stringify({
          maxItems: settings.maxItems,
          maxBytes: settings.maxBytes,
          assignExternalIds: options.assignExternalId !== undefined
        })
      })
      const claimed = new Set<number>()
      for (const entry of [...resume.submitted.map((job) => job.chunk), ...resume.inDoubt, ...resume.unsent]) {
        for (const item of entry.items) claimed.add(item.position.index)
      }
      const fresh = source.pipe(
        Stream.filter((record) => !claimed.has(record.position.index) && !resume.isSettled(record.position.index)),
        (records) => validateAndChunk(records, codec, settings, (rejected) => settle(rejected)),
        Stream.mapAccum(resume.nextChunk, (next, items): [number, Pending] => [next + 1, {
          chunk: {
            chunk: next,
            items: Chunk.toReadonlyArray(items).map(({ bytes: _bytes, ...item }) => item)
          },
          inDoubt: false
        }]),
        Stream.tap((pending) => journal.prepared(pending.chunk))
      )
      const resumed = Stream.fromIterable<Pending>([
        ...resume.inDoubt.map((chunk) => ({ chunk, inDoubt: true })),
        ...resume.unsent.map((chunk) => ({ chunk, inDoubt: false }))
      ])
      const resumedAt = yield* Clock.currentTimeMillis
      const accepted = Stream.concat(resumed, fresh).pipe(
        Stream.mapEffect((pending) => submit(pending), { concurrency: settings.submitConcurrency, unordered: true }),
        Stream.filterMap((job) => job)
      )
      const jobs = Stream.concat(
        Stream.fromIterable(resume.submitted.map((job): Submitted => ({ ...job, submittedAt: resumedAt }))),
        accepted
      )
      yield* jobs.pipe(
        Stream.mapEffect((job) => awaitJob(job), { concurrency: settings.maxJobsInFlight, unordered: true }),
        Stream.runDrain
      )
      yield* journal.finished
      yield* emit(new Events.Finished(yield* Ref.get(counters)))
    })

    if (Option.isSome(limiter)) {
      yield* Stream.runForEach(
        limiter.value.pauses,
        (pause) => emit(new Events.RateLimitedUntil({ untilMillis: pause.untilMillis, cause: pause.cause }))
      ).pipe(
        Effect.forkScoped
      )
    }
    yield* driver.pipe(
      Effect.exit,
      Effect.flatMap((exit) => Queue.offer(queue, exit._tag === "Success" ? Take.end : Take.failCause(exit.cause))),
      Effect.forkScoped
    )
    return Stream.fromQueue(queue).pipe(Stream.flattenTake)
  }))

/**
 * The totals of a finished import.
 *
 * @since 0.1.0
 */
export const summarize = <E, R>(
  events: Stream.Stream<Events.ImportEvent, E, R>,
  onEvent: (event: Events.ImportEvent) => Effect.Effect<void> = () => Effect.void
): Effect.Effect<Events.Summary, E, R> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const totals = yield* Stream.runFoldEffect(
      events,
      { ...ImportCounts.noOutcomes, ...ImportCounts.noRequests },
      (totals, event) =>
        Effect.as(
          onEvent(event),
          Events.isOutcome(event)
            ? Events.count(totals, event)
            : event._tag === "Finished"
            ? { ...totals, ...ImportCounts.requestsOf(event) }
            : totals
        )
    )
    const end = yield* Clock.currentTimeMillis
    return {
      ...totals,
      requests: ImportCounts.requestsSent(totals),
      elapsed: Duration.millis(end - start)
    }
  })

/**
 * Runs an import to the end and returns its {@link Events.Summary}; `onEvent` sees every event on the way.
 *
 * @since 0.1.0
 */
export const run = <
  E,
  R,
  Item extends BulkResource.BulkItemBase = Conversation.ConversationInput,
  Encoded extends BulkResource.BulkItemBase = Conversation.ConversationInputEncoded
>(
  source: Stream.Stream<SourceRecord, E, R>,
  options: Options<Item, Encoded> & {
    readonly onEvent?: ((event: Events.ImportEvent) => Effect.Effect<void>) | undefined
  } = {}
): Effect.Effect<Events.Summary, E | BulkImportError, R | KustomerClient> =>
  summarize(stream(source, options), options.onEvent)

/**
 * A chunk a dry run formed: what one bulk request of the import would carry.
 *
 * @since 0.1.0
 */
export class ChunkPlanned extends Data.TaggedClass("ChunkPlanned")<{
  readonly chunk: number
  /** Items in the request. */
  readonly items: number
  /** Bytes of the request body. */
  readonly bytes: number
  /** Where its first and last records are in the source. */
  readonly first: Position
  readonly last: Position
  /** Items without an `externalId`: if their request were lost in flight, they could not be checked. */
  readonly withoutExternalId: number
}> {}

/** What a dry run emits: rejected records and planned chunks, in source order. @since 0.1.0 */
export type PlanEvent = Events.Rejected | ChunkPlanned

/**
 * A dry run: validates and chunks exactly as {@link stream} would — the same validation, the same chunking, the
 * same options — and sends nothing. Emits a `Rejected` outcome for every invalid record and a
 * {@link ChunkPlanned} for every request the import would send. Needs no client and no credentials.
 *
 * @since 0.1.0
 */
export const plan = <
  E,
  R,
  Item extends BulkResource.BulkItemBase = Conversation.ConversationInput,
  Encoded extends BulkResource.BulkItemBase = Conversation.ConversationInputEncoded
>(
  source: Stream.Stream<SourceRecord, E, R>,
  options: Omit<Options<Item, Encoded>, "checkpoint" | "source"> = {}
): Stream.Stream<PlanEvent, E, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const settings = settingsOf(options)
    const codec = codecFor(options, settings)
    const queue = yield* Effect.acquireRelease(
      Queue.bounded<Take.Take<PlanEvent, E>>(64),
      (queue) => Queue.shutdown(queue)
    )
    const planned = (items: Chunk.Chunk<Prepared>, chunk: number) => {
      const all = Chunk.toReadonlyArray(items)
      const first = all[0]?.position ?? { index: 0 }
      return new ChunkPlanned({
        chunk,
        items: all.length,
        bytes: bodyBytes(all.map((item) => item.bytes)),
        first,
        last: all[all.length - 1]?.position ?? first,
        withoutExternalId: all.filter((item) => item.externalId === undefined).length
      })
    }
    yield* validateAndChunk(
      source,
      codec,
      settings,
      (rejected) => Queue.offer(queue, Take.chunk(Chunk.unsafeFromArray(rejected)))
    ).pipe(
      Stream.zipWithIndex,
      Stream.runForEach(([items, chunk]) => Queue.offer(queue, Take.of(planned(items, chunk)))),
      Effect.exit,
      Effect.flatMap((exit) => Queue.offer(queue, exit._tag === "Success" ? Take.end : Take.failCause(exit.cause))),
      Effect.forkScoped
    )
    return Stream.fromQueue(queue).pipe(Stream.flattenTake)
  }))
