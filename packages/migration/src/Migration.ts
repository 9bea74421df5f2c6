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
 * The customer may also be given as `{"email": "ada@example.com"}`. `Bundle.Line` is the line's Schema (the
 * converters encode with it). The migration runs four phases on the same
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
 * rejected with its parent's reason.
 *
 * Before anything is created, the key's roles are checked against what the bundle needs (`Preflight.checkRoles`):
 * the create roles of the customers, conversations, messages and notes it holds, `bulk.read`, the read roles of
 * the look-ups and listings the phases use, the users' read role when it names people, and `org.admin` when
 * messages or notes carry `createdAt`/`createdBy` (without it Kustomer replaces them silently) — unless
 * `acceptImportDates`, and then the result says they were not kept. A key lacking any is refused with the whole
 * list, before anything is written. A CSV bundle read without a time zone whose date-times lack an offset is
 * refused before that, with a `Preflight.OffsetlessTimes` naming how many and the first (unless
 * `offsetlessTimes: "utc"`). The bundle is read once per phase and never held in memory; the id map and
 * each phase's journal live in SQLite files, so a migration killed at any moment and run again with the same
 * journal continues where it stopped, without creating anything twice.
 *
 * @since 0.1.0
 */
import { type ImportEvent, KustomerClient } from "@effect-kustomer/client"
import { Preflight, RunError } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as PlatformPath from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Path from "node:path"
import * as Attachments from "./internal/attachments.js"
import * as DryRun from "./internal/dryRun.js"
import type * as Failure from "./internal/failure.js"
import { journalBase, openMap, toMigrationError } from "./internal/failure.js"
import * as IdMap from "./internal/idMap.js"
import * as Input from "./internal/input.js"
import * as LeftOut from "./internal/leftOut.js"
import * as People from "./internal/people.js"
import type * as PhaseRun from "./internal/phaseRun.js"
import { runPhase } from "./internal/phaseRun.js"
import * as Pipeline from "./internal/pipeline.js"
import * as Reads from "./internal/reads.js"
import * as Rejects from "./internal/rejects.js"
import * as RoleNeeds from "./internal/roleNeeds.js"

/**
 * What can stop a migration, as the `cause` of its `RunError` (`@effect-kustomer/journal`, the error an import
 * stops with too): the journal's causes (`RunError.Cause`: the bundle, a journal, the API, a missing role, the
 * rejects file), the id map's failure ({@link IdMapError}), and the file system's when no temporary directory can
 * be made for the journals.
 *
 * @since 0.1.0
 */
export type Cause = Failure.Cause

/**
 * The id map cannot be opened, read or written; `noSpace`: because its disk is full.
 *
 * @since 0.1.0
 */
export const IdMapError = IdMap.IdMapError
/** @since 0.1.0 */
export type IdMapError = IdMap.IdMapError

/**
 * The phases, in the order they run. `companies` runs only for a bundle whose customers name their company as an
 * object (`Bundle.Company`).
 *
 * @since 0.1.0
 */
export const phases = Pipeline.phases

/** @since 0.1.0 */
export type Phase = Pipeline.Phase

/**
 * How the bundle is read: JSON Lines (the default), or CSV through a column mapping, where dotted fields such as
 * `customer.email` or `customer.externalId` build the nested customer. A CSV bundle's date-times without an offset
 * are read in `csv.timeZone`; without one they are refused before anything is created (`offsetlessTimes`). The
 * zone joins the journal's fingerprint (by its canonical name; `UTC` as a bundle read without one): a journal is
 * resumed only in the zone it was begun in.
 *
 * @since 0.1.0
 */
export type BundleInput = Input.BundleInput

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 */
export interface Options extends BundleInput {
  /**
   * The journal: the id map lives in this file, each phase's journal next to it (`<journal>.customers`, …). When
   * it exists, the migration resumes. Without one, they live in a temporary directory and a rerun starts over
   * (nothing is created twice: objects with an `externalId` are found as duplicates).
   */
  readonly journal?: string | undefined
  /** A JSON Lines file for what was not created: one line per object, with its resource and bundle line. */
  readonly rejects?: string | undefined
  /** Everything else of the pipeline (chunk sizes, concurrency, schedules). */
  readonly pipeline?: Pipeline.PipelineOptions | undefined
  /** Sees every event of every phase. */
  readonly onEvent?: ((phase: Phase, event: ImportEvent.ImportEvent) => Effect.Effect<void>) | undefined
  /** Other files the caller writes (a report, a results file): checked with the journal and rejects file. */
  readonly otherOutputs?: ReadonlyArray<{ readonly what: string; readonly path: string | undefined }> | undefined
  /**
   * How the history's people (`author` of a message or note, `assignee` of a conversation) become Kustomer users:
   * a map (source id or e-mail → user id) first, then the org's users by e-mail (read once, when the bundle names
   * anyone). Unmapped people are never guessed: see {@link Result.unmappedPeople}.
   */
  readonly people?: People.PeopleOptions | undefined
  /** Called when a phase starts. */
  readonly onPhase?: ((phase: Phase, place: PhasePlace) => Effect.Effect<void>) | undefined
  /**
   * Migrate messages and notes that carry `createdAt`/`createdBy` with a key that lacks `org.admin`, knowing that
   * Kustomer replaces them with the time of the import and the key's user: the result's `roles` says they were
   * not kept. Default false: such a migration is refused before anything is created.
   */
  readonly acceptImportDates?: boolean | undefined
  /**
   * A trial: migrate only `limit` conversations (bundle lines, after `skip` of them) with the companies,
   * customers, messages and notes they need. The journal is the whole bundle's: a later run without `lines`
   * continues it and sends the rest, nothing twice.
   */
  readonly lines?: LineWindow | undefined
  /**
   * How the bundle's attachments (`{ name, contentType, size, path | url }` on a message or note) are carried:
   * each one's document is created (a request of the budget), its bytes streamed to the upload, and the message or
   * note sent referencing it.
   */
  readonly attachments?: AttachmentOptions | undefined
  /** Called once the key's roles were checked, before anything is created (e.g. to show the report's warnings). */
  readonly onChecked?: ((roles: Preflight.RoleReport) => Effect.Effect<void>) | undefined
}

/**
 * Which conversations (bundle lines, counted from 0) a trial takes: `skip` of them, then `limit`.
 *
 * @since 0.1.0
 */
export type LineWindow = Input.LineWindow

/**
 * What the attachments of a run came to: carried (uploaded and referenced; `bytes` their size), not carried
 * (each a line of the rejects file with its reason), held (their message or note waits for a later attempt).
 *
 * @since 0.1.0
 */
export type AttachmentCounts = Attachments.AttachmentCounts

/**
 * How the source's attachments are carried: credentials for the source's URLs (per host, HTTP Basic; never sent
 * to another host), a size limit, how many at once.
 *
 * @since 0.1.0
 */
export type AttachmentOptions = Attachments.AttachmentOptions

/**
 * Credentials for the source's URLs on one host and its subdomains, sent as HTTP Basic and never to another host.
 *
 * @since 0.1.0
 */
export type SourceCredentials = Attachments.SourceCredentials

/**
 * Where a phase is among those the bundle needs (`number` of `of`, from 1).
 *
 * @since 0.1.0
 */
export type PhasePlace = PhaseRun.PhasePlace

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
  /** Customers known only by e-mail that Kustomer already had: linked, not created (customers phase only). */
  readonly foundByEmail: number
  /**
   * Objects held back, neither sent nor rejected, because their parent is in doubt (its job's verdict could not
   * be read yet): a later attempt with the same journal reads the parent again and sends them.
   */
  readonly held: number
  /** Requests made to read parents in doubt again (job reads and look-ups), before the phase's records. */
  readonly parentReads: number
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
  /** People the bundle names who are no Kustomer user (their objects went without them), most named first. */
  readonly unmappedPeople: ReadonlyArray<People.Unmapped>
  /**
   * What the bundle holds and the migration did not send: the companies of customers whose company could not be
   * created (the customers were).
   */
  readonly leftOut: LeftOut.LeftOutCounts
  /** The attachments of messages and notes: carried (with their bytes), not carried (rejects), held for later. */
  readonly attachments: AttachmentCounts
  /**
   * The check of the key's roles: whether it could be done, every role needed, and whether the `createdAt`/
   * `createdBy` of messages and notes were kept.
   */
  readonly roles: Preflight.RoleReport
}

/**
 * Runs a migration to its end. Fails only when it cannot go on (bundle unreadable, journal refused, credentials),
 * with the `RunError` an import stops with, its {@link Cause} the failure below it; objects that cannot be created
 * are outcomes, counted per phase and written to the rejects file.
 *
 * @example
 * ```ts
 * import { KustomerClient } from "@effect-kustomer/client"
 * import { Migration } from "@effect-kustomer/migration"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Console, Effect, Layer } from "effect"
 *
 * const migrate = Migration.run({
 *   bundle: "bundle.jsonl",
 *   // Run again with the same journal after a crash: it continues where it stopped, creating nothing twice.
 *   journal: "migration.journal",
 *   rejects: "rejects.jsonl"
 * }).pipe(
 *   Effect.tap((result) =>
 *     Effect.forEach(result.phases, (phase) => Console.log(`${phase.phase}: ${phase.summary.created} created`))
 *   )
 * )
 *
 * // The key and the org come from KUSTOMER_API_KEY and KUSTOMER_ORG (or KUSTOMER_BASE_URL / KUSTOMER_REGION).
 * const MigrationLive = Layer.merge(
 *   KustomerClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici)),
 *   NodeFileSystem.layer
 * )
 *
 * // Run it with NodeRuntime.runMain(main)
 * export const main = migrate.pipe(Effect.provide(MigrationLive))
 * ```
 *
 * @since 0.1.0
 */
export const run = (
  options: Options
): Effect.Effect<
  Result,
  RunError.RunError<Cause>,
  KustomerClient.KustomerClient | FileSystem.FileSystem | HttpClient.HttpClient
> =>
  Effect.scoped(Effect.gen(function*() {
    const fingerprint = yield* Effect.mapError(Input.fingerprintOf(options), toMigrationError)
    const problems = yield* Preflight.outputProblems(options.bundle, [
      { what: "--journal", path: options.journal },
      { what: "--rejects", path: options.rejects },
      ...(options.otherOutputs ?? [])
    ])
    if (problems.length > 0) return yield* new RunError.RunError({ reason: "Output", detail: problems.join("; ") })
    const client = yield* KustomerClient.KustomerClient
    // A key lacking a role the bundle needs is refused before anything is created, and before anything is written.
    const { contents, roles } = yield* Effect.mapError(RoleNeeds.check(options, client), toMigrationError)
    if (options.onChecked !== undefined) yield* options.onChecked(roles)
    const base = yield* journalBase(options)
    const { idMap, importedAt, resumed } = yield* openMap(options, base, fingerprint)
    // The org's users are read only when the bundle names someone (an author or an assignee).
    const people = contents.namesPeople
      ? yield* Effect.mapError(
        Reads.retriedRead(options, People.make(options.people ?? {}, client.listUsers)),
        toMigrationError
      )
      : People.none
    const rejects = yield* Rejects.rejectsWriter(options.rejects).pipe(
      Effect.mapError((error) => RunError.fromCause(error))
    )

    const leftOut = LeftOut.make()
    const window = options.lines === undefined
      ? undefined
      : yield* Effect.mapError(Input.windowKeys(options, options.lines), toMigrationError)
    const carrier = yield* Attachments.make({
      client,
      store: idMap,
      baseDir: Path.dirname(options.bundle),
      ...Reads.readPolicyOf(options),
      options: options.attachments ?? {},
      onReject: (reject) => rejects.writeAttachment(reject)
    }).pipe(Effect.provide(PlatformPath.layer))
    const context = { options, client, idMap, rejects, people, leftOut, importedAt, fingerprint, window, carrier }
    const run = Pipeline.phasesFor(contents)
    const results = yield* Effect.forEach(
      run,
      (phase, index) => runPhase(phase, context, { number: index + 1, of: run.length })
    )
    return {
      phases: results,
      resumed,
      importedAt,
      rejectsWritten: rejects.written(),
      unmappedPeople: people.unmapped(),
      leftOut: leftOut.counts(),
      attachments: carrier.counts(),
      roles
    } satisfies Result
  })).pipe(Effect.withSpan("Migration.run", { attributes: { "migration.bundle": options.bundle } }))

/**
 * Every role a key needs to migrate this bundle — what `run` checks before it creates anything — read from the
 * bundle without a request: for a dry run to list before a key is made (Kustomer keys cannot gain roles later).
 *
 * @since 0.1.0
 */
export const rolesNeeded = (
  input: BundleInput & Pick<Options, "people">
): Effect.Effect<ReadonlyArray<Preflight.RoleNeed>, RunError.RunError<Cause>, FileSystem.FileSystem> =>
  Effect.mapError(RoleNeeds.rolesNeeded(input), toMigrationError)

/**
 * What a dry run found in one phase.
 *
 * @since 0.1.0
 */
export type PlannedPhase = DryRun.PlannedPhase

/**
 * A dry run: reads the bundle, finds its distinct customers and checks every object against its resource's schema
 * as the migration would (as if every parent had been created), and counts the requests it would send. Sends
 * nothing and needs no credentials; rejected objects go to the rejects file. A CSV bundle's date-times without an
 * offset are refused as {@link run} refuses them.
 *
 * @since 0.1.0
 */
export const dryRun: (
  options: BundleInput & Pick<Options, "rejects" | "pipeline">
) => Effect.Effect<ReadonlyArray<PlannedPhase>, RunError.RunError<Cause>, FileSystem.FileSystem> = DryRun.dryRun
