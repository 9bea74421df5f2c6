/**
 * What a durable import knows as it goes — the input, the journal, the outcome files, how it started, the
 * events seen — and the report made of it when the run ends, however it ends.
 */
import type { ImportEvent } from "@effect-kustomer/client"
import type { BulkResource, ImportCounts, RateLimit } from "@effect-kustomer/domain"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as ImportInput from "../ImportInput.js"
import * as RunReport from "../RunReport.js"
import type * as SqliteJournal from "../SqliteJournal.js"
import type { OutcomeFiles } from "./outcomeFiles.js"
import type { RoleReport } from "./roles.js"

/** How the run started, once the journal has been read. */
export interface Started {
  readonly resumed: boolean
  readonly attempt: number
  readonly alreadySettled: number
  readonly totalRecords: number | undefined
  readonly input: ImportInput.Identity | undefined
  readonly roles: RoleReport | undefined
}

/** The run so far. */
export interface RunState {
  readonly startedAt: number
  readonly tracker: RunReport.Tracker
  readonly identity: Ref.Ref<Effect.Effect<ImportInput.Identity | undefined>>
  readonly journal: Ref.Ref<SqliteJournal.Journal | undefined>
  readonly files: Ref.Ref<OutcomeFiles | undefined>
  readonly started: Ref.Ref<Started | undefined>
  /** What the check of the key's roles found, once it ran. */
  readonly roles: Ref.Ref<RoleReport | undefined>
  /** The CSV date-times read as UTC for want of an offset and a time zone, in the records read so far. */
  readonly timesReadAsUtc: Ref.Ref<RunReport.TimesReadAsUtc>
  /** The API's latest rate-limit headers, for the report's requests-per-window chart. */
  readonly rateLimit: Effect.Effect<Option.Option<RateLimit.RateLimitInfo>>
}

/** A run that has not begun; `rateLimit` reads the client's latest rate-limit headers. */
export const make = (rateLimit: Effect.Effect<Option.Option<RateLimit.RateLimitInfo>>): Effect.Effect<RunState> =>
  Effect.gen(function*() {
    return {
      rateLimit,
      startedAt: yield* Clock.currentTimeMillis,
      tracker: yield* RunReport.makeTracker({ rateLimit }),
      identity: yield* Ref.make<Effect.Effect<ImportInput.Identity | undefined>>(Effect.succeed(undefined)),
      journal: yield* Ref.make<SqliteJournal.Journal | undefined>(undefined),
      files: yield* Ref.make<OutcomeFiles | undefined>(undefined),
      started: yield* Ref.make<Started | undefined>(undefined),
      roles: yield* Ref.make<RoleReport | undefined>(undefined),
      timesReadAsUtc: yield* Ref.make(RunReport.noTimesReadAsUtc)
    }
  })

/** The summary of a run that stopped half-way, from what the tracker saw. */
const partialSummary = (observed: RunReport.Observed, elapsed: number): ImportEvent.Summary => ({
  ...observed.counts,
  jobs: observed.jobIds.length,
  submits: 0,
  polls: 0,
  lookups: 0,
  requests: 0,
  rateLimited: 0,
  retries: observed.retries,
  elapsed: Duration.millis(elapsed)
})

const isoTime = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

/** The paths the report names. */
export interface ReportPaths {
  readonly resource: BulkResource.ResourceName
  readonly journal: string | undefined
  readonly rejects: string | undefined
  readonly unknown: string | undefined
}

/** Everything the end of a run knows: its summary, the journal's totals and the report. */
export interface Ending {
  readonly summary: ImportEvent.Summary
  readonly cumulative: ImportCounts.OutcomeCounts | undefined
  readonly identity: ImportInput.Identity | undefined
  readonly written: { readonly rejects: number; readonly unknown: number }
  readonly report: RunReport.RunReport
}

/** The ending of a run that ended with `exit`. */
export const ending = <E extends { readonly message: string }>(
  state: RunState,
  paths: ReportPaths,
  exit: Exit.Exit<ImportEvent.Summary, E>
): Effect.Effect<Ending> =>
  Effect.gen(function*() {
    const finishedAt = yield* Clock.currentTimeMillis
    const observed = yield* state.tracker.observed
    const timeline = yield* state.tracker.timeline.timeline
    const journal = yield* Ref.get(state.journal)
    const status = journal === undefined ? undefined : yield* journal.status
    const begun = journal !== undefined && status !== undefined && status.attempt > 0
    const cumulative = begun ? Option.getOrUndefined(yield* Effect.option(journal.counts)) : undefined
    const allJobIds = begun ? Option.getOrUndefined(yield* Effect.option(journal.jobIds)) : undefined
    const files = yield* Ref.get(state.files)
    const written = files === undefined ? { rejects: 0, unknown: 0 } : yield* files.written
    const identity = yield* Effect.flatten(Ref.get(state.identity))
    const roles = yield* Ref.get(state.roles)
    const timesReadAsUtc = yield* Ref.get(state.timesReadAsUtc)
    const summary = Exit.isSuccess(exit) ? exit.value : partialSummary(observed, finishedAt - state.startedAt)
    const error = Exit.isFailure(exit)
      ? Option.match(Cause.failureOption(exit.cause), {
        onNone: () => Cause.isInterruptedOnly(exit.cause) ? "interrupted" : Cause.pretty(exit.cause),
        onSome: (failure) => failure.message
      })
      : undefined
    const report: RunReport.RunReport = {
      status: Exit.isSuccess(exit) ? "finished" : Exit.isInterrupted(exit) ? "interrupted" : "failed",
      ...(error === undefined ? {} : { error }),
      resource: paths.resource,
      ...(identity === undefined ? {} : { input: RunReport.inputOf(identity) }),
      ...(roles === undefined ? {} : { roles }),
      ...(timesReadAsUtc.count === 0 ? {} : { timesReadAsUtc }),
      ...(paths.journal === undefined ? {} : { journal: paths.journal }),
      ...(paths.rejects === undefined ? {} : { rejects: paths.rejects }),
      ...(paths.unknown === undefined || written.unknown === 0 && (cumulative?.unknown ?? 0) === 0
        ? {}
        : { unknownFile: paths.unknown }),
      resumed: status?.resumed ?? false,
      attempt: begun ? status.attempt : 1,
      startedAt: isoTime(state.startedAt),
      finishedAt: isoTime(finishedAt),
      elapsedMillis: finishedAt - state.startedAt,
      summary: {
        read: summary.read,
        created: summary.created,
        alreadyExisting: summary.alreadyExisting,
        failed: summary.failed,
        rejected: summary.rejected,
        unknown: summary.unknown,
        jobs: summary.jobs,
        submits: summary.submits,
        polls: summary.polls,
        lookups: summary.lookups,
        requests: summary.requests,
        rateLimited: summary.rateLimited,
        retries: summary.retries
      },
      skipped: status?.settledBefore ?? 0,
      ...(status === undefined || status.released === 0 ? {} : { retriedFromEarlierAttempts: status.released }),
      ...(cumulative === undefined ? {} : { cumulative }),
      rateLimitWaits: observed.rateLimitWaits,
      jobIds: observed.jobIds,
      ...(allJobIds === undefined ? {} : { jobIdsAllAttempts: allJobIds }),
      rejectsWritten: written.rejects,
      unknownWritten: written.unknown,
      timeline
    }
    return { summary, cumulative, identity, written, report }
  })
