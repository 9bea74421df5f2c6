/**
 * What the stages of an import share, captured once when the import is built: the client, the journal, the
 * settings and codec, the request counters, the adaptive first-read delay, and how outcomes are recorded.
 */
import type { BulkResource } from "@effect-kustomer/domain"
import { ImportCounts } from "@effect-kustomer/domain"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Stream from "effect/Stream"
import * as BulkJob from "../../BulkJob.js"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import type * as Events from "../../ImportEvent.js"
import type { KustomerClient } from "../../KustomerClient.js"
import { KustomerError as KustomerErrorClass, Unresponsive } from "../../KustomerError.js"
import type { KustomerError } from "../../KustomerError.js"
import type { Pause } from "../../RateLimiter.js"
import * as RetryPolicy from "../../RetryPolicy.js"
import { codecFor, type ItemCodec } from "./codec.js"
import { type InFlightWindow, make as makeWindow } from "./inFlightWindow.js"
import { type Options, type Settings, settingsOf } from "./settings.js"
import type { PendingChunk, SubmittedJob } from "./stageValues.js"

/** Records by outcome. */
export const recordsCounter = Metric.counter("kustomer_import_records_total", {
  description: "Input records by final outcome",
  incremental: true
})

/** A chunk on its way to the API. */
export type Pending = PendingChunk

/** A chunk the API accepted as a job. */
export type Submitted = SubmittedJob

/**
 * Which chunks `chunk` formed and `submit` has not seen yet: a chunk dropped between the two, or one made by hand,
 * breaks the stage protocol (its records would be neither sent nor reported) and is refused.
 */
export interface ChunkLedger {
  /** A chunk formed (or resumed, or revised by `mapChunks`). */
  readonly formed: (chunk: PendingChunk) => Effect.Effect<void>
  /** A chunk reaches `submit`: whether `chunk` (or `mapChunks`) formed it. */
  readonly arrived: (chunk: PendingChunk) => Effect.Effect<boolean>
  /** The numbers of chunks formed that never reached `submit`. */
  readonly missing: Effect.Effect<ReadonlyArray<number>>
}

const makeLedger = Effect.sync((): ChunkLedger => {
  const known = new WeakSet<PendingChunk>()
  const outstanding = new Set<number>()
  return {
    formed: (chunk) =>
      Effect.sync(() => {
        known.add(chunk)
        outstanding.add(chunk.chunk.chunk)
      }),
    arrived: (chunk) =>
      Effect.sync(() => {
        if (!known.has(chunk)) return false
        known.delete(chunk)
        outstanding.delete(chunk.chunk.chunk)
        return true
      }),
    missing: Effect.sync(() => [...outstanding].sort((a, b) => a - b))
  }
})

/** The part of an import that validation and chunking need (a dry run has only this). */
export interface Preparation<RecordError = Checkpoint.CheckpointError> {
  readonly settings: Settings
  readonly codec: ItemCodec
  readonly journal: Checkpoint.ImportCheckpoint
  /**
   * Opens the run in the journal, once for the whole import (every stage that needs what an earlier attempt
   * left asks it; the first to ask opens it).
   */
  readonly begin: Effect.Effect<Checkpoint.Resume, RecordError>
  /** The chunks formed and not yet submitted. */
  readonly ledger: ChunkLedger
  /** The number of the next chunk formed. */
  readonly nextChunk: Ref.Ref<number>
  /** Records final outcomes: metrics and the journal (`chunk`: that chunk is finished). */
  readonly record: (
    outcomes: ReadonlyArray<Events.Outcome>,
    chunk?: number
  ) => Effect.Effect<void, RecordError>
}

/** Everything the stages share. */
export interface Importer extends Preparation {
  readonly client: KustomerClient["Type"]
  readonly counters: Ref.Ref<ImportCounts.RequestCounts>
  readonly bump: (counter: keyof ImportCounts.RequestCounts) => Effect.Effect<void>
  readonly firstRead: BulkJob.FirstRead
  /** Set when the source failed: the run then ends without `Finished`, and fails once what was sent is settled. */
  readonly sourceFailed: Ref.Ref<boolean>
  /** The jobs between submission and results: a slot is taken before a submission, freed when its job settles. */
  readonly window: InFlightWindow
  /** Every pause of the rate limiter, as it starts. */
  readonly pauses: Stream.Stream<Pause>
  /**
   * The id of the existing object with this `externalId` (`resolveExisting`): one counted look-up, at most
   * `resolveConcurrency` at once across the import; `undefined` when it cannot be found or read.
   */
  readonly resolveExisting: (externalId: string) => Effect.Effect<string | undefined>
  /** Runs a request under the retry policy, counting 429s. */
  readonly retry: <A, E>(
    request: Effect.Effect<A, KustomerError | E>,
    options: Pick<RetryPolicy.Options, "write" | "onFailure" | "onRetry">
  ) => Effect.Effect<A, KustomerError | E>
}

/**
 * Watches every request for an answer: any HTTP answer (an error status included) counts; a transport failure
 * (refused, reset, timed out) after `maxSilence` without one becomes `Unresponsive`, which stops the import.
 */
const makeSilenceGuard = (maxSilence: Duration.Duration) =>
  Effect.map(
    Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.make(now)),
    (lastAnswer) => <A, E>(request: Effect.Effect<A, KustomerError | E>): Effect.Effect<A, KustomerError | E> => {
      const answered = Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(lastAnswer, now))
      return request.pipe(
        Effect.tap(() => answered),
        Effect.catchIf(
          (error): error is KustomerError => error instanceof KustomerErrorClass,
          (error) =>
            Effect.gen(function*() {
              if (error.reason._tag !== "Transport") {
                yield* answered
                return yield* Effect.fail(error)
              }
              const silent = (yield* Clock.currentTimeMillis) - (yield* Ref.get(lastAnswer))
              if (silent < Duration.toMillis(maxSilence)) return yield* Effect.fail(error)
              return yield* Effect.fail(
                new KustomerErrorClass({
                  module: error.module,
                  method: error.method,
                  reason: new Unresponsive({ silentFor: Duration.millis(silent), lastError: error.reason.message })
                })
              )
            })
        )
      )
    }
  )

/** The validation and chunking part of an import. */
export const makePreparation = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  options: Options<Item, Encoded>
): Effect.Effect<Preparation> =>
  Effect.gen(function*() {
    const settings = settingsOf(options)
    const journal = settings.checkpoint
    const codec = codecFor(options, settings)
    const begin = yield* Effect.cached(journal.begin({
      resource: codec.name,
      source: options.source?.name ?? "stream",
      fingerprint: options.source?.fingerprint,
      settings: JSON.stringify({
        maxItems: settings.maxItems,
        maxBytes: settings.maxBytes,
        assignExternalIds: options.assignExternalId !== undefined
      })
    }))
    const preparation: Preparation = {
      settings,
      codec,
      journal,
      begin,
      ledger: yield* makeLedger,
      nextChunk: yield* Ref.make(0),
      record: (outcomes, chunk) =>
        Effect.zipRight(
          Effect.forEach(
            outcomes,
            (outcome) => Metric.increment(Metric.tagged(recordsCounter, "outcome", outcome._tag)),
            { discard: true }
          ),
          journal.settled(outcomes, chunk)
        )
    }
    return preparation
  })

/** Builds the shared part of an import from its options, the client and the rate limiter. */
export const make = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  options: Options<Item, Encoded>,
  client: KustomerClient["Type"]
): Effect.Effect<Importer> =>
  Effect.gen(function*() {
    const preparation = yield* makePreparation(options)
    const { settings } = preparation
    const counters = yield* Ref.make(ImportCounts.noRequests)
    const bump = (counter: keyof ImportCounts.RequestCounts) =>
      Ref.update(counters, (counts) => ({ ...counts, [counter]: counts[counter] + 1 }))
    const lookups = yield* Effect.makeSemaphore(settings.resolveConcurrency)
    const heard = yield* makeSilenceGuard(settings.maxSilence)
    const importer: Importer = {
      ...preparation,
      client,
      counters,
      bump,
      firstRead: yield* BulkJob.makeFirstRead(settings.firstPollDelay),
      sourceFailed: yield* Ref.make(false),
      window: yield* makeWindow({
        initial: 32,
        max: settings.maxJobsInFlight,
        headroom: 1.25,
        horizonMillis: 30_000
      }),
      pauses: client.pauses,
      retry: (request, retryOptions) =>
        RetryPolicy.retry(heard(request), {
          schedule: settings.retrySchedule,
          maxRateLimitRetries: settings.maxRateLimitRetries,
          write: retryOptions.write,
          onFailure: (error, decision) =>
            Effect.zipRight(
              decision === "waitForWindow" ? bump("rateLimited") : Effect.void,
              retryOptions.onFailure === undefined ? Effect.void : retryOptions.onFailure(error, decision)
            ),
          onRetry: (attempt, error, delay) =>
            Effect.zipRight(
              bump("retries"),
              retryOptions.onRetry === undefined ? Effect.void : retryOptions.onRetry(attempt, error, delay)
            )
        }),
      resolveExisting: (externalId) =>
        importer.retry(
          Effect.zipRight(bump("lookups"), preparation.codec.find(client, { field: "externalId", value: externalId })),
          { write: false }
        ).pipe(
          Effect.map((found) => Option.getOrUndefined(found)),
          Effect.orElseSucceed(() => undefined),
          lookups.withPermits(1)
        )
    }
    return importer
  })
