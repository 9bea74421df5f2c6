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
 *   an `externalId` are sent again, and the API's "duplicate detected" for them means the lost request created
 *   them — so nothing is created twice. Customers without one are looked up by e-mail before they are sent again;
 *   other items without an `externalId` are reported `Unknown` and never resent.
 * - Jobs are polled economically: one read of the batches when the job is expected to be done (the expectation
 *   adapts to how long jobs take), then on `pollSchedule`; a job that is not done within `jobTimeout` leaves its
 *   items `Unknown` with the job id, never `Failed`.
 * - Memory depends on `maxJobsInFlight × maxItems`, not on the input's size.
 * - {@link plan} is the dry run: the same validation and chunking, no request sent.
 *
 * The stages compose with `pipe` and can be recombined — e.g. enrich each chunk before it is submitted:
 *
 * ```ts
 * const importer = yield* BulkImport.make(options)
 * records.pipe(
 *   BulkImport.validate(importer),
 *   BulkImport.chunk(importer),
 *   Stream.mapEffect(enrich),
 *   BulkImport.submit(importer),
 *   BulkImport.settle(importer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { BulkResource, Conversation } from "@effect-kustomer/domain"
import { ImportCounts } from "@effect-kustomer/domain"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type * as Checkpoint from "./ImportCheckpoint.js"
import * as Events from "./ImportEvent.js"
import type { Position, SourceError, SourceRecord } from "./ImportSource.js"
import { bodyBytes, chunkedAmong } from "./internal/chunking.js"
import type { Prepared } from "./internal/import/codec.js"
import * as Compose from "./internal/import/compose.js"
import * as Internal from "./internal/import/importer.js"
import * as Prepare from "./internal/import/prepare.js"
import type * as Settings from "./internal/import/settings.js"
import * as Settle from "./internal/import/settle.js"
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

/** What fails an import as a whole. @since 0.1.0 */
export type BulkImportError = KustomerError | SourceError | Checkpoint.CheckpointError

/** Records by outcome. @since 0.1.0 */
export const recordsCounter = Internal.recordsCounter

/**
 * An import's shared parts, captured when it is built: the client, the rate limiter, the journal, the settings,
 * the request counters. The stages take it, so the streams they return require only what their input requires.
 *
 * @since 0.1.0
 */
export type Importer = Internal.Importer

/** A valid record, encoded once to its wire JSON and measured, between `validate` and `chunk`. @since 0.1.0 */
export type PreparedItem = Prepared

/** A chunk bound for one bulk request, between `chunk` and `submit`. @since 0.1.0 */
export type PendingChunk = Internal.Pending

/** A chunk the API accepted as a job, between `submit` and `settle`. @since 0.1.0 */
export type SubmittedJob = Internal.Submitted

/**
 * Whether a value between two stages is an event passing through (events carry a `_tag`; prepared items, chunks
 * and jobs do not) — for steps of your own between the stages.
 *
 * @since 0.1.0
 */
export const isEvent = Prepare.isEvent

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
 * after its first item), numbered and journaled. Events pass through.
 *
 * @since 0.1.0
 */
export const chunk = Prepare.chunk

/**
 * Stage 3: chunks → accepted jobs, `submitConcurrency` requests at a time, each under the retry policy
 * (`RetryPolicy`); a chunk given up on is settled here. Events pass through.
 *
 * @since 0.1.0
 */
export const submit = Submit.submit

/**
 * Stage 4: jobs → one outcome per item, `maxJobsInFlight` jobs awaited at a time (`BulkJob.awaitResults`). Events
 * pass through.
 *
 * @since 0.1.0
 */
export const settle = Settle.settle

/**
 * The default composition over an {@link Importer}: resume from its journal, the four stages, the rate limiter's
 * pauses, `Finished` last. Requires only what the source requires.
 *
 * @since 0.1.0
 */
export const streamWith = <E, R>(
  importer: Importer,
  source: Stream.Stream<SourceRecord, E, R>,
  description: Pick<Options<BulkResource.BulkItemBase, BulkResource.BulkItemBase>, "source" | "assignExternalId"> = {}
): Stream.Stream<Events.ImportEvent, E | BulkImportError, R> =>
  Compose.run(importer, source, {
    source: description.source,
    assignsExternalIds: description.assignExternalId !== undefined
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
  Stream.unwrap(Effect.map(make(options), (importer) =>
    Compose.run(importer, source, {
      source: options.source,
      assignsExternalIds: options.assignExternalId !== undefined
    })))

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
  Stream.unwrap(Effect.gen(function*() {
    // A dry run records nothing: no journal, no metrics.
    const preparation: Internal.Preparation<never> = {
      ...(yield* Internal.makePreparation(options)),
      record: () => Effect.void
    }
    const count = yield* Ref.make(0)
    const planned = (items: Chunk.Chunk<Prepared>) =>
      Effect.map(Ref.getAndUpdate(count, (next) => next + 1), (chunk) => {
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
      })
    return source.pipe(
      Prepare.validate(preparation),
      (items) =>
        chunkedAmong<Prepared, Events.Rejected, E, R>(
          items,
          preparation.settings,
          (value): value is Prepared => !Prepare.isEvent(value)
        ),
      Stream.mapEffect((value): Effect.Effect<PlanEvent> =>
        Prepare.isEvent(value) ? Effect.succeed(value) : planned(value)
      )
    )
  }))
