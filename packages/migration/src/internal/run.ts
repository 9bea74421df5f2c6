/**
 * A migration run from start to end: the output checks, the role check, the id map, the people, the rejects file,
 * a trial's window and the attachments' carrier — then the phases the bundle needs, together (each record waiting
 * for its parents) or one after another.
 */
import { type ImportEvent, KustomerClient } from "@effect-kustomer/client"
import { Preflight, RunError } from "@effect-kustomer/journal"
import * as PlatformPath from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Path from "node:path"
import * as Attachments from "./attachments.js"
import * as DeltaRun from "./deltaRun.js"
import { outputError, toMigrationError } from "./failure.js"
import * as Input from "./input.js"
import type * as Ledger from "./ledger.js"
import * as LeftOut from "./leftOut.js"
import { runOverlapped } from "./overlap.js"
import * as People from "./people.js"
import { type PhasePlace, runPhase } from "./phaseRun.js"
import * as Pipeline from "./pipeline.js"
import type { Phase } from "./pipeline.js"
import * as Reads from "./reads.js"
import * as Rejects from "./rejects.js"
import * as RejectsBundle from "./rejectsBundle.js"
import * as RoleNeeds from "./roleNeeds.js"

/**
 * Options of `Migration.run`.
 *
 * @since 0.1.0
 */
export interface Options extends Input.BundleInput {
  /**
   * The journal: the id map lives in this file, each phase's journal next to it (`<journal>.customers`, …). When
   * it exists, the migration resumes. Without one, they live in a temporary directory and a rerun starts over
   * (nothing is created twice: objects with an `externalId` are found as duplicates).
   */
  readonly journal?: string | undefined
  /**
   * A JSON Lines file for what was not created (`Bundle.Reject`): a line per object not created for a reason of its
   * own, with its resource, bundle line and reason, the objects not created because of it, and the bundle line that
   * sends it again. The file is itself a bundle: fixed, it is migrated as one, with a journal of its own.
   */
  readonly rejects?: string | undefined
  /** Everything else of the pipeline (chunk sizes, concurrency, schedules). */
  readonly pipeline?: Pipeline.PipelineOptions | undefined
  /**
   * How the phases run: `overlapped` (the default) starts them all at once, sending each object as soon as its
   * parents have ids — a conversation once its customer has one, a message once its conversation has — so the
   * budget is not idle between phases; `sequential` runs each phase to its end before the next begins. Both store
   * every object once, and resume the same journal.
   */
  readonly phases?: "overlapped" | "sequential" | undefined
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
  readonly lines?: Input.LineWindow | undefined
  /**
   * How the bundle's attachments (`{ name, contentType, size, path | url }` on a message or note) are carried:
   * each one's document is created (a request of the budget), its bytes streamed to the upload, and the message or
   * note sent referencing it.
   */
  readonly attachments?: Attachments.AttachmentOptions | undefined
  /**
   * Called once, before the first phase, with the number of objects the bundle holds — its companies, customers,
   * conversations (a line each), messages and notes — counted as it was read for the role check and the id map,
   * for a progress display's total (not called for a trial).
   */
  readonly onTotal?: ((objects: number) => Effect.Effect<void>) | undefined
  /** Called once the key's roles were checked, before anything is created (e.g. to show the report's warnings). */
  readonly onChecked?: ((roles: Preflight.RoleReport) => Effect.Effect<void>) | undefined
  /**
   * A delta: `bundle` is a newer export of the source that `journal` migrated (which must have run to its end).
   * Objects are matched by key (`externalId`; a customer's or company's key), not by line: what is new is created,
   * conversations whose status, tags, priority, assignee or custom attributes changed are updated, and what the
   * export no longer has is counted as gone, never deleted. Its progress is kept beside the journal
   * (`<journal>.delta-<n>`): run again, it continues; finished, it sends nothing.
   */
  readonly delta?: boolean | undefined
  /**
   * Called once, before the first phase, with a reading of the attachments carried so far (for a progress display
   * to read as often as it draws).
   */
  readonly onAttachments?: ((counts: () => Attachments.AttachmentCounts) => Effect.Effect<void>) | undefined
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
  /**
   * What the rejects file lists (nothing without one): `rootCauses`, the objects not created for a reason of their
   * own, and `dependants`, not created only because one of those was not (counted on its line, sent again with it).
   */
  readonly rejectsFile: RejectsBundle.RejectsCounts
  /** People the bundle names who are no Kustomer user (their objects went without them), most named first. */
  readonly unmappedPeople: ReadonlyArray<People.Unmapped>
  /**
   * What the bundle holds and the migration did not send: the companies of customers whose company could not be
   * created (the customers were).
   */
  readonly leftOut: LeftOut.LeftOutCounts
  /** The attachments of messages and notes: carried (with their bytes), not carried (rejects), held for later. */
  readonly attachments: Attachments.AttachmentCounts
  /**
   * The check of the key's roles: whether it could be done, every role needed, and whether the `createdAt`/
   * `createdBy` of messages and notes were kept.
   */
  readonly roles: Preflight.RoleReport
  /** A delta's outcome per resource: created, updated, unchanged, and gone from the export (never deleted). */
  readonly delta?: DeltaSummary | undefined
}

/**
 * What a delta did: its number among the journal's deltas, and per resource the objects it created, updated
 * (conversations), found unchanged, and those gone from the export (reported, never deleted).
 */
export interface DeltaSummary {
  readonly generation: number
  /** Per resource, in the order of the phases. */
  readonly resources: ReadonlyArray<Ledger.DeltaCounts>
}

/** Runs a migration to its end (see `Migration.run`). */
export const run = (options: Options) =>
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
    const { delta, idMap, importedAt, ledger, resumed } = yield* DeltaRun.openJournals(options, fingerprint)
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
    if (options.onAttachments !== undefined) yield* options.onAttachments(() => carrier.counts())
    if (options.onTotal !== undefined && window === undefined) {
      const parties = yield* Effect.mapError(
        Effect.all([idMap.partyCount("customers"), idMap.partyCount("companies")]),
        toMigrationError
      )
      yield* options.onTotal(contents.lines + contents.messages + contents.notes + parties[0] + parties[1])
    }
    const context = { options, client, idMap, rejects, people, leftOut, importedAt, fingerprint, window, carrier }
    const run = Pipeline.phasesFor(contents, delta)
    const phaseContext = { ...context, ledger, delta }
    const results = options.phases === "sequential"
      ? yield* Effect.forEach(
        run,
        (phase, index) => runPhase(phase, phaseContext, { number: index + 1, of: run.length })
      )
      : yield* runOverlapped(run, phaseContext)
    const rejectsFile = options.rejects === undefined
      ? { rootCauses: 0, dependants: 0 }
      : yield* RejectsBundle.writeObjects({
        input: options,
        idMap,
        // An update that failed is sent again by the next run of the delta: it has no line to fix.
        phases: run.filter((phase) => phase !== "updates"),
        window,
        rejects
      }).pipe(Effect.mapError(toMigrationError))
    const failed = yield* rejects.failure
    if (Option.isSome(failed)) return yield* outputError(failed.value)
    const summary = yield* Effect.mapError(
      DeltaRun.finish(idMap, ledger, { delta, trial: window !== undefined }),
      toMigrationError
    )
    return {
      phases: results,
      resumed,
      importedAt,
      rejectsWritten: rejects.written(),
      rejectsFile,
      unmappedPeople: people.unmapped(),
      leftOut: leftOut.counts(),
      attachments: carrier.counts(),
      roles,
      delta: summary
    } satisfies Result
  })).pipe(Effect.withSpan("Migration.run", { attributes: { "migration.bundle": options.bundle } }))
