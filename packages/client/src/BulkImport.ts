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
 * - A submission that failed after it may have reached the API (5xx, reset, timeout) is *in doubt*. Items of a
 *   resource whose duplicates Kustomer refuses (customers, conversations) with an `externalId` are sent again, and
 *   the API's "duplicate detected" for them means the lost request created them. Items it would store again
 *   (companies, messages, notes), and customers known only by e-mail, are read back first and sent again only if
 *   absent.
 *   Items that cannot be checked are reported `Unknown` and never resent — nothing is created twice.
 * - Jobs are polled economically: one read of the batches when the job is expected to be done (the expectation
 *   adapts to how long jobs take), then on `pollSchedule`; a job that is not done within `jobTimeout` leaves its
 *   items `Unknown` with the job id, never `Failed`.
 * - Memory depends on `maxJobsInFlight × maxItems`, not on the input's size.
 * - {@link plan} is the dry run: the same validation and chunking, no request sent.
 *
 * The stages compose with `pipe` and can be recombined. The values between them are classes of their own
 * ({@link PreparedItem}, {@link PendingChunk}, {@link SubmittedJob}); events pass through every stage. The stages
 * keep the run's protocol between them whatever goes in between: `validate` and `chunk` resume from the journal,
 * `submit` hands on the jobs an earlier attempt left, `settle` merges the rate limiter's pauses and ends with
 * `Finished`. Steps of your own go before `validate` (records), between `chunk` and `submit` through
 * {@link mapChunks} / {@link tapChunks} (a chunk revised there is journaled again, so a resume sends it as
 * revised), or between `submit` and `settle` through {@link tapJobs}; `settle` takes an `awaitJob` of your own:
 *
 * ```ts
 * const importer = yield* BulkImport.make({ ...options, checkpoint: journal })
 * records.pipe(
 *   BulkImport.validate(importer),
 *   BulkImport.chunk(importer),
 *   BulkImport.mapChunks(importer, (items) => Effect.forEach(items, addRouting)),
 *   BulkImport.tapChunks((chunk) => Effect.log(`sending chunk ${chunk.chunk}`)),
 *   BulkImport.submit(importer),
 *   BulkImport.settle(importer, { awaitJob: (job, options) => BulkJob.awaitResults(job.jobId, options) })
 * )
 * ```
 *
 * A chunk dropped, changed or made by another step between `chunk` and `submit` is refused (a defect naming the
 * chunk): its records would otherwise be neither sent nor reported, or sent without being journaled.
 *
 * @since 0.1.0
 */
import type { BulkResource, Conversation } from "@effect-kustomer/domain"
import { ImportCounts } from "@effect-kustomer/domain"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Checkpoint from "./ImportCheckpoint.js"
import * as Events from "./ImportEvent.js"
import * as ImportPlan from "./ImportPlan.js"
import type { SourceError, SourceRecord } from "./ImportSource.js"
import * as Compose from "./internal/import/compose.js"
import * as Internal from "./internal/import/importer.js"
import * as Prepare from "./internal/import/prepare.js"
import type * as Settings from "./internal/import/settings.js"
import * as Settle from "./internal/import/settle.js"
import * as StageValues from "./internal/import/stageValues.js"
import * as Submit from "./internal/import/submit.js"
import { KustomerClient } from "./KustomerClient.js"
import type { KustomerError } from "./KustomerError.js"

/**
 * Options of an import. Every field has a default.
 *
 * @since 0.1.0
 */
export type Options<Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase> =
  Settings.Options<Item, Encoded>

/**
 * What fails an import as a whole.
 *
 * @since 0.1.0
 */
export type BulkImportError = KustomerError | SourceError | Checkpoint.CheckpointError

/**
 * Records by outcome.
 *
 * @since 0.1.0
 */
export const recordsCounter = Internal.recordsCounter

/**
 * An import's shared parts, captured when it is built: the client, the rate limiter, the journal, the settings,
 * the request counters. The stages take it, so the streams they return require only what their input requires.
 *
 * @since 0.1.0
 */
export type Importer = Internal.Importer

/**
 * A valid record, encoded once to its wire JSON and measured, between `validate` and `chunk`.
 *
 * @since 0.1.0
 */
export const PreparedItem = StageValues.PreparedItem
/** @since 0.1.0 */
export type PreparedItem = StageValues.PreparedItem

/**
 * A chunk bound for one bulk request, numbered and journaled, between `chunk` and `submit`.
 *
 * @since 0.1.0
 */
export const PendingChunk = StageValues.PendingChunk
/** @since 0.1.0 */
export type PendingChunk = StageValues.PendingChunk

/**
 * A chunk the API accepted as a job, between `submit` and `settle`.
 *
 * @since 0.1.0
 */
export const SubmittedJob = StageValues.SubmittedJob
/** @since 0.1.0 */
export type SubmittedJob = StageValues.SubmittedJob

/**
 * Whether a value between two stages is an event passing through rather than an item, a chunk or a job — for
 * steps of your own between the stages.
 *
 * @since 0.1.0
 */
export const isEvent: <A>(value: A | Events.ImportEvent) => value is Events.ImportEvent = StageValues.isEvent

/**
 * How `settle` awaits a job: the job, and the reading options the import would use (first-read delay, poll
 * schedule, timeout, retries and counting). Default: `BulkJob.awaitResults(job.jobId, options)`.
 *
 * @since 0.1.0
 */
export type AwaitJob = Settle.AwaitJob

/**
 * Builds an import from its options, with the `KustomerClient` in context (and the rate limiter it was built
 * with, whose pauses the import reports).
 *
 * @since 0.1.0
 */
export const make = <
  Item extends BulkResource.BulkItemBase = Conversation.ConversationInput,
  Encoded extends BulkResource.BulkItemBase = Conversation.ConversationInputEncoded
>(options: Options<Item, Encoded> = {}): Effect.Effect<Importer, never, KustomerClient> =>
  Effect.flatMap(KustomerClient, (client) => Internal.make(options, client))

/**
 * Stage 1: records → prepared items, or `Rejected` outcomes (recorded as they are found). A record repeating an
 * `externalId` of an earlier record of the same input is rejected, naming both positions.
 *
 * @since 0.1.0
 */
export const validate: <RecordError>(importer: Internal.Preparation<RecordError>) => <E, R>(
  records: Stream.Stream<SourceRecord, E, R>
) => Stream.Stream<PreparedItem | Events.Rejected, E | RecordError, R> = Prepare.validate

/**
 * Stage 2: prepared items → chunks of at most `maxItems` items and `maxBytes` bytes (a partial chunk goes `linger`
 * after its first item), numbered and journaled; the chunks an earlier attempt left unfinished come first. Events
 * pass through.
 *
 * @since 0.1.0
 */
export const chunk: (importer: Internal.Preparation) => <A extends Events.ImportEvent, E, R>(
  items: Stream.Stream<PreparedItem | A, E, R>
) => Stream.Stream<PendingChunk | A, E | Checkpoint.CheckpointError, R> = Prepare.chunk

/**
 * A step between `chunk` and `submit` that revises each chunk's items (their wire JSON): same records, same order;
 * measured and journaled again. A step that drops or adds records, or makes a chunk too large, stops the import.
 *
 * @since 0.1.0
 */
export const mapChunks: <E2, R2>(
  importer: Internal.Preparation,
  revise: (
    items: ReadonlyArray<Checkpoint.ChunkItem>,
    chunk: number
  ) => Effect.Effect<ReadonlyArray<Checkpoint.ChunkItem>, E2, R2>
) => <A extends Events.ImportEvent, E, R>(
  chunks: Stream.Stream<PendingChunk | A, E, R>
) => Stream.Stream<PendingChunk | A, E | E2 | Checkpoint.CheckpointError, R | R2> = Prepare.mapChunks

/**
 * A step between `chunk` and `submit` that sees each chunk and passes it on unchanged.
 *
 * @since 0.1.0
 */
export const tapChunks: <E2, R2>(
  see: (chunk: Checkpoint.PlannedChunk) => Effect.Effect<void, E2, R2>
) => <A extends Events.ImportEvent, E, R>(
  chunks: Stream.Stream<PendingChunk | A, E, R>
) => Stream.Stream<PendingChunk | A, E | E2, R | R2> = Prepare.tapChunks

/**
 * Stage 3: chunks → accepted jobs, `submitConcurrency` requests at a time, each under the retry policy
 * (`RetryPolicy`); a chunk given up on is settled here. The jobs an earlier attempt left come first. Events pass
 * through.
 *
 * @since 0.1.0
 */
export const submit: (importer: Importer) => <A extends Events.ImportEvent, E, R>(
  chunks: Stream.Stream<PendingChunk | A, E, R>
) => Stream.Stream<SubmittedJob | Events.ImportEvent | A, E | KustomerError | Checkpoint.CheckpointError, R> =
  Submit.submit

/**
 * A step between `submit` and `settle` that sees each accepted job and passes it on unchanged.
 *
 * @since 0.1.0
 */
export const tapJobs =
  <E2, R2>(see: (job: SubmittedJob) => Effect.Effect<void, E2, R2>) =>
  <A extends Events.ImportEvent, E, R>(
    jobs: Stream.Stream<SubmittedJob | A, E, R>
  ): Stream.Stream<SubmittedJob | A, E | E2, R | R2> =>
    Stream.tap(jobs, (value) => StageValues.isEvent(value) ? Effect.void : see(value))

/**
 * Stage 4: jobs → one outcome per item, `maxJobsInFlight` jobs awaited at a time (`awaitJob`, default
 * `BulkJob.awaitResults`), the rate limiter's pauses merged in, `Finished` last. Events pass through.
 *
 * @since 0.1.0
 */
export const settle: (importer: Importer, options?: { readonly awaitJob?: AwaitJob | undefined }) => <
  A extends Events.ImportEvent,
  E,
  R
>(
  jobs: Stream.Stream<SubmittedJob | A, E, R>
) => Stream.Stream<Events.ImportEvent | A, E | KustomerError | Checkpoint.CheckpointError, R> = Settle.settle

/**
 * The default composition over an {@link Importer}: the four stages, and a source that fails ends the run only
 * after what was read from it is settled. Requires only what the source requires.
 *
 * @since 0.1.0
 */
export const streamWith = <E, R>(
  importer: Importer,
  source: Stream.Stream<SourceRecord, E, R>,
  options: { readonly awaitJob?: AwaitJob | undefined } = {}
): Stream.Stream<Events.ImportEvent, E | BulkImportError, R> => Compose.run(importer, source, options)

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
  Stream.unwrap(Effect.map(make(options), (importer) => Compose.run(importer, source)))

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
 * The dry run: the same validation and chunking as {@link stream}, nothing sent (see `ImportPlan`).
 *
 * @since 0.1.0
 */
export const plan = ImportPlan.plan

/**
 * A chunk a dry run formed (see `ImportPlan`).
 *
 * @since 0.1.0
 */
export const ChunkPlanned = ImportPlan.ChunkPlanned
/** @since 0.1.0 */
export type ChunkPlanned = ImportPlan.ChunkPlanned

/**
 * What a dry run emits (see `ImportPlan`).
 *
 * @since 0.1.0
 */
export type PlanEvent = ImportPlan.PlanEvent
