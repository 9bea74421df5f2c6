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
 * converters encode with it). The migration runs its phases on the same engine as an import — chunked,
 * rate-limited, verified through the bulk jobs' results:
 *
 * 0. **companies** (only when customers name their company as an object): each distinct one once, read back by
 *    `externalId` (Kustomer does not deduplicate companies), and its customers linked to its id;
 * 1. **customers**: every distinct customer once (by `externalId`, else by e-mail), however many conversations
 *    share it; one that already exists is looked up, so its id is known;
 * 2. **conversations**, with their customer's id;
 * 3. **messages**, with their conversation's id and its customer's id;
 * 4. **notes**, with their conversation's id.
 *
 * The phases start together (`phases: "overlapped"`, the default), and each object goes as soon as its own parents
 * are settled — their ids in the id map and their outcomes committed in their phase's journal — so the budget is
 * not left idle between phases; `phases: "sequential"` runs each phase to its end before the next begins.
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
 * refused before that, with an `OffsetlessTimes.OffsetlessTimes` naming how many and the first (unless
 * `offsetlessTimes: "utc"`). The bundle is read once per phase and never held in memory; the id map and
 * each phase's journal live in SQLite files, so a migration killed at any moment and run again with the same
 * journal continues where it stopped, without creating anything twice.
 *
 * A newer export of the same source is migrated as a *delta* over that journal (`delta: true`): objects matched by
 * key (`externalId`), not by line; what is new created, conversations whose status, tags, priority, assignee or
 * custom attributes changed updated with the bulk update, what is gone counted, never deleted (`Result.delta`).
 *
 * @since 0.1.0
 */
import type { KustomerClient } from "@effect-kustomer/client"
import type { Preflight, RunError } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import type * as Attachments from "./internal/attachments.js"
import * as DryRun from "./internal/dryRun.js"
import type * as Failure from "./internal/failure.js"
import { toMigrationError } from "./internal/failure.js"
import * as IdMap from "./internal/idMap.js"
import type * as Input from "./internal/input.js"
import * as PhaseRun from "./internal/phaseRun.js"
import * as Pipeline from "./internal/pipeline.js"
import type * as RejectsBundle from "./internal/rejectsBundle.js"
import * as RoleNeeds from "./internal/roleNeeds.js"
import * as Run from "./internal/run.js"

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
 * object (`Bundle.Company`); `updates` (the conversations whose fields changed, sent with the bulk update) only in a
 * delta (`Options.delta`).
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
 * Options of {@link run}: the bundle and how it is read, the journal, the rejects file, the pipeline's settings,
 * the people map, a trial's `lines`, how attachments are carried, and callbacks for phases, events and the role
 * check.
 *
 * @since 0.1.0
 */
export type Options = Run.Options

/**
 * What one phase did in this attempt: its summary, what an earlier attempt settled, customers found by e-mail,
 * objects held for a parent in doubt, reads of parents in doubt.
 *
 * @since 0.1.0
 */
export type PhaseResult = Run.PhaseResult

/**
 * The result of a migration that ran to its end: per phase, whether it resumed, the `importedAt` it gave, the
 * rejects written, the unmapped people, what was left out, the attachments and the role check.
 *
 * @since 0.1.0
 */
export type Result = Run.Result

/**
 * What a delta (`Options.delta`) did: its number among the journal's deltas, and per resource the objects it
 * created, updated (conversations), found unchanged, and those gone from the export (reported, never deleted).
 *
 * @since 0.1.0
 */
export type DeltaSummary = Run.DeltaSummary

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
 * to another host), a size limit, the idle timeout of a download or upload (default 60 s), how many at once.
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
 * What a rejects file lists: the objects not created for a reason of their own (a line each), and those not created
 * only because one of them was not (counted on its line, sent again with it).
 *
 * @since 0.1.0
 */
export type RejectsCounts = RejectsBundle.RejectsCounts

/**
 * Where a phase is among those the bundle needs (`number` of `of`, from 1).
 *
 * @since 0.1.0
 */
export type PhasePlace = PhaseRun.PhasePlace

/**
 * The label of the client's request counter (`KustomerClient.requestsCounter`) that names the phase a request was
 * made for: every request of a phase, its parents read again and its attachments included, carries it.
 *
 * @since 0.1.0
 */
export const phaseMetricLabel = PhaseRun.phaseMetricLabel

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
 * // The HTTP client is the migration's too: attachments' uploads and source downloads.
 * const MigrationLive = Layer.merge(
 *   KustomerClient.layerConfig().pipe(Layer.provideMerge(NodeHttpClient.layerUndici)),
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
> => Run.run(options)

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
