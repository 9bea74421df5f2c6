/**
 * A full history migration from a *bundle*: JSON Lines, one conversation per line, with its customer, messages
 * and notes nested, each in Kustomer's own field names, without the ids that link them:
 *
 * ```json
 * {"externalId":"zd-1001","name":"Order never arrived","status":"done","createdAt":"2024-02-01T09:00:00Z",
 *  "customer":{"externalId":"zd-user-55","name":"Ada Lovelace","emails":[{"type":"home","email":"ada@example.com"}]},
 *  "messages":[{"externalId":"zd-c-9001","direction":"in","channel":"email","app":"postmark","preview":"Where is it?"}],
 *  "notes":[{"externalId":"zd-c-9002","body":"Refund approved"}]}
 * ```
 *
 * The customer may also be given as `{"email": "ada@example.com"}`. The migration runs four phases on the same
 * engine as an import — chunked, rate-limited, verified through the bulk jobs' results:
 *
 * 1. **customers**: every distinct customer once (by `externalId`, else by e-mail), however many conversations
 *    share it; one that already exists is looked up, so its id is known;
 * 2. **conversations**, with their customer's id;
 * 3. **messages**, with their conversation's id and its customer's id;
 * 4. **notes**, with their conversation's id.
 *
 * `importedAt` is set on every object unless the bundle sets it (it waives Kustomer's per-customer creation
 * limit); `createdAt` is sent as given. An object whose parent was not created is not sent: it is reported
 * rejected with its parent's reason. The bundle is read once per phase and never held in memory; the id map and
 * each phase's journal live in SQLite files, so a migration killed at any moment and run again with the same
 * journal continues where it stopped, without creating anything twice.
 *
 * @since 0.1.0
 */
import {
  BulkImport,
  BulkResource,
  ImportCheckpoint,
  ImportEvent,
  ImportSource,
  type KustomerClient
} from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ImportInput from "./ImportInput.js"
import * as IdMap from "./internal/migration/idMap.js"
import * as Phases from "./internal/migration/phases.js"
import * as RejectsFile from "./RejectsFile.js"
import * as SqliteJournal from "./SqliteJournal.js"

/**
 * The phases, in the order they run.
 *
 * @since 0.1.0
 */
export const phases = ["customers", "conversations", "messages", "notes"] as const

/** @since 0.1.0 */
export type Phase = typeof phases[number]

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The bundle: a JSON Lines file. */
  readonly bundle: string
  /**
   * The journal: the id map lives in this file, each phase's journal next to it (`<journal>.customers`, …). When
   * it exists, the migration resumes. Without one, they live in a temporary directory and a rerun starts over
   * (nothing is created twice: objects with an `externalId` are found as duplicates).
   */
  readonly journal?: string | undefined
  /** A JSON Lines file for what was not created: one line per object, with its resource and bundle line. */
  readonly rejects?: string | undefined
  /** Everything else of the pipeline (chunk sizes, concurrency, schedules). */
  readonly pipeline?: PipelineOptions | undefined
  /** Sees every event of every phase. */
  readonly onEvent?: ((phase: Phase, event: ImportEvent.ImportEvent) => Effect.Effect<void>) | undefined
  /** Called when a phase starts. */
  readonly onPhase?: ((phase: Phase) => Effect.Effect<void>) | undefined
}

/**
 * What one phase did in this attempt.
 *
 * @since 0.1.0
 */
export interface PhaseResult {
  readonly phase: Phase
  readonly summary: ImportEvent.Summary
  /** Objects an earlier attempt settled: skipped by this one. */
  readonly settledBefore: number
}

/**
 * The result of a migration that ran to its end.
 *
 * @since 0.1.0
 */
export interface Result {
  readonly phases: ReadonlyArray<PhaseResult>
  readonly resumed: boolean
  /** The `importedAt` given to every object that had none. */
  readonly importedAt: string
  /** Lines written to the rejects file by this attempt. */
  readonly rejectsWritten: number
}

/**
 * Why a migration stopped.
 *
 * @since 0.1.0
 */
export class MigrationError extends Data.TaggedError("MigrationError")<{
  readonly reason: "Input" | "Journal" | "Api" | "Output"
  readonly detail: string
}> {
  override get message(): string {
    return this.detail
  }
}

/** The pipeline's options that do not depend on the resource. */
type PipelineOptions = Omit<BulkImport.Options<never, never>, "resource" | "checkpoint" | "source">

const eventsOf = <I extends BulkResource.BulkItemBase, E extends BulkResource.BulkItemBase, SE, R>(
  resource: BulkResource.BulkResource<I, E>,
  source: Stream.Stream<ImportSource.SourceRecord, SE, R>,
  options: PipelineOptions & Pick<BulkImport.Options<I, E>, "checkpoint" | "source">
) => BulkImport.stream(source, { ...options, resource })

const journalError = (error: { readonly message: string }) =>
  new MigrationError({ reason: "Journal", detail: error.message })

/** Where the id map and the phase journals live: the journal's path, or a temporary directory. */
const journalBase = (options: Options): Effect.Effect<string, MigrationError, FileSystem.FileSystem | Scope.Scope> =>
  options.journal !== undefined
    ? Effect.succeed(options.journal)
    : Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "kustomer-migrate-" })).pipe(
      Effect.map((dir) => `${dir}/migration.journal`),
      Effect.mapError((error) => new MigrationError({ reason: "Journal", detail: error.message }))
    )

/** Refuses a journal of another bundle; returns whether this is a resume and the run's `importedAt`. */
const beginMap = (idMap: IdMap.IdMap, fingerprint: string, journal: string) =>
  Effect.gen(function*() {
    const known = yield* idMap.meta("bundle")
    if (Option.isSome(known) && known.value !== fingerprint) {
      return yield* new MigrationError({
        reason: "Journal",
        detail: `${journal} belongs to a migration of another bundle (or of this one before it changed): ` +
          "give a new --journal, or run the bundle it was made for"
      })
    }
    if (Option.isNone(known)) yield* idMap.setMeta("bundle", fingerprint)
    const stored = yield* idMap.meta("importedAt")
    const importedAt = Option.isSome(stored)
      ? stored.value
      : DateTime.formatIso(DateTime.unsafeMake(yield* Clock.currentTimeMillis))
    if (Option.isNone(stored)) yield* idMap.setMeta("importedAt", importedAt)
    return { resumed: Option.isSome(known), importedAt }
  }).pipe(Effect.mapError((error) => (error._tag === "IdMapError" ? journalError(error) : error)))

/** Records every distinct customer in the id map, once per journal. */
const collectCustomers = (
  idMap: IdMap.IdMap,
  records: Stream.Stream<ImportSource.SourceRecord, ImportSource.SourceError, FileSystem.FileSystem>
) =>
  Effect.gen(function*() {
    if (Option.isSome(yield* idMap.meta("customersCollected"))) return
    yield* Phases.customersToCollect(records).pipe(
      Stream.grouped(500),
      Stream.runForEach((customers) => idMap.addCustomers(Array.from(customers)))
    )
    yield* idMap.setMeta("customersCollected", "1")
  })

/** A parent's id or why it has none, from its outcome. */
const linkOf = (outcome: ImportEvent.Outcome): IdMap.Link => {
  switch (outcome._tag) {
    case "Created":
      return outcome.objectId === undefined
        ? Either.left("created, but the API did not report its id")
        : Either.right(outcome.objectId)
    case "AlreadyExisting":
      return outcome.objectId === undefined
        ? Either.left("it already exists, but its id could not be looked up")
        : Either.right(outcome.objectId)
    case "Failed":
    case "Rejected":
    case "Unknown":
      return Either.left(outcome.reason)
  }
}

/**
 * The phase's journal, writing parents' ids to the id map before their outcomes are committed: killed in
 * between, a resume sends them again and finds them as duplicates.
 */
const linkingCheckpoint = (
  journal: ImportCheckpoint.ImportCheckpoint,
  settle: (outcome: ImportEvent.Outcome) => Effect.Effect<void, IdMap.IdMapError>
): ImportCheckpoint.ImportCheckpoint => ({
  ...journal,
  settled: (outcomes, chunk) =>
    Effect.forEach(outcomes, (outcome) => settle(outcome), { discard: true }).pipe(
      Effect.mapError((error) => new ImportCheckpoint.CheckpointError({ reason: error.message })),
      Effect.zipRight(journal.settled(outcomes, chunk))
    )
})

const settleFor = (phase: Phase, idMap: IdMap.IdMap) => (outcome: ImportEvent.Outcome) => {
  switch (phase) {
    case "customers":
      return idMap.settleCustomer(outcome.position.index, linkOf(outcome))
    case "conversations":
      return idMap.settleConversation(outcome.position.index, linkOf(outcome))
    default:
      return Effect.void
  }
}

/** The rejects file's line for an outcome: the import's entry, with the resource it belongs to. */
const rejectLine = (phase: Phase, outcome: ImportEvent.Outcome): Option.Option<string> =>
  Option.map(RejectsFile.entryOf(outcome), (entry) => `${JSON.stringify({ resource: phase, ...entry })}\n`)

/**
 * Runs a migration to its end. Fails only when it cannot go on (bundle unreadable, journal refused, credentials);
 * objects that cannot be created are outcomes, counted per phase and written to the rejects file.
 *
 * @since 0.1.0
 */
export const run = (
  options: Options
): Effect.Effect<Result, MigrationError, KustomerClient.KustomerClient | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const identity = yield* ImportInput.identify(options.bundle, "jsonl").pipe(
      Effect.mapError((error) => new MigrationError({ reason: "Input", detail: error.message }))
    )
    const base = yield* journalBase(options)
    const idMap = yield* Effect.mapError(IdMap.open(base), journalError)
    const begun = yield* beginMap(idMap, ImportInput.fingerprint(identity), base)
    const bundle = () => ImportSource.fromFile(options.bundle, { format: "jsonl" })
    yield* collectCustomers(idMap, bundle()).pipe(
      Effect.mapError((error) =>
        error._tag === "SourceError"
          ? new MigrationError({ reason: "Input", detail: error.message })
          : journalError(error)
      )
    )
    const rejects = options.rejects === undefined ? undefined : yield* fs.open(options.rejects, {
      flag: begun.resumed ? "a" : "w"
    }).pipe(Effect.mapError((error) => new MigrationError({ reason: "Output", detail: error.message })))
    let rejectsWritten = 0
    const encoder = new TextEncoder()

    const runPhase = (phase: Phase) =>
      Effect.gen(function*() {
        if (options.onPhase !== undefined) yield* options.onPhase(phase)
        const journal = yield* SqliteJournal.make(`${base}.${phase}`).pipe(Effect.mapError(journalError))
        const checkpoint = linkingCheckpoint(journal, settleFor(phase, idMap))
        const settings = {
          ...options.pipeline,
          checkpoint,
          source: { name: `${options.bundle}#${phase}`, fingerprint: ImportInput.fingerprint(identity) },
          // Children need their parents' ids, also of parents that already existed.
          lookupExisting: phase === "customers" || phase === "conversations"
        }
        const events = phase === "customers"
          ? eventsOf(BulkResource.Customers, Phases.customerRecords(idMap.customers, begun.importedAt), settings)
          : phase === "conversations"
          ? eventsOf(
            BulkResource.Conversations,
            Phases.conversationRecords(bundle(), idMap, begun.importedAt),
            settings
          )
          : phase === "messages"
          ? eventsOf(BulkResource.Messages, Phases.childRecords(bundle(), phase, idMap, begun.importedAt), settings)
          : eventsOf(BulkResource.Notes, Phases.childRecords(bundle(), phase, idMap, begun.importedAt), settings)
        const onEvent = (event: ImportEvent.ImportEvent) =>
          Effect.gen(function*() {
            if (rejects !== undefined && ImportEvent.isOutcome(event)) {
              const line = rejectLine(phase, event)
              if (Option.isSome(line)) {
                yield* Effect.orDie(rejects.write(encoder.encode(line.value)))
                rejectsWritten += 1
              }
            }
            if (options.onEvent !== undefined) yield* options.onEvent(phase, event)
          })
        const summary = yield* BulkImport.summarize(events, onEvent)
        const status = yield* journal.status
        return { phase, summary, settledBefore: status.settledBefore } satisfies PhaseResult
      }).pipe(Effect.scoped, Effect.withSpan(`Migration.${phase}`))

    const results = yield* Effect.forEach(phases, (phase) =>
      runPhase(phase).pipe(
        Effect.mapError((error): MigrationError => {
          switch (error._tag) {
            case "MigrationError":
              return error
            case "SourceError":
              return new MigrationError({ reason: "Input", detail: error.message })
            case "CheckpointError":
            case "IdMapError":
              return journalError(error)
            case "KustomerError":
              return new MigrationError({ reason: "Api", detail: error.message })
          }
        })
      ))
    return { phases: results, resumed: begun.resumed, importedAt: begun.importedAt, rejectsWritten } satisfies Result
  })).pipe(Effect.withSpan("Migration.run", { attributes: { "migration.bundle": options.bundle } }))
