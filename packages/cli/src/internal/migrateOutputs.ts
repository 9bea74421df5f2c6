/**
 * What `migrate` leaves on disk however it ends — finished, failed, interrupted (Ctrl+C, SIGTERM): the JSON report,
 * the HTML page and the results file, saved from a finalizer that an interruption cannot skip.
 *
 * A report holds this attempt (its outcomes per phase as they came, the phases on its time axis) and, with a
 * journal, every attempt: their summaries are kept in the journal (`MigrationReport.recordAttempt`), and the
 * outcomes over every attempt are read from its phase journals. The results file is written again from the
 * journal at the end, so that after a crash and a resume it holds every settled object once.
 *
 * A run that failed before its first phase (refused: a journal in use or of another bundle, a key without a role, an
 * output that cannot be written) writes nothing: the files of an earlier or a running migration stay as they are.
 */
import { ImportEvent } from "@effect-kustomer/client"
import { RunTimeline } from "@effect-kustomer/journal"
import { Migration, MigrationReport } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Arr from "effect/Array"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Order from "effect/Order"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { CliError, RunFailure } from "../Failure.js"
import * as HtmlReport from "../HtmlReport.js"
import { Output } from "../Output.js"
import * as RejectGroups from "../RejectGroups.js"
import * as ResultsFile from "../ResultsFile.js"
import * as RunView from "../RunView.js"

/** This attempt as it went: the phases begun (with when) and each one's outcomes so far. */
export interface AttemptLog {
  readonly onPhase: (phase: Migration.Phase) => Effect.Effect<void>
  readonly onEvent: (phase: Migration.Phase, event: ImportEvent.ImportEvent) => Effect.Effect<void>
  /** The key's roles were checked: the migration is about to open its journal and read the bundle. */
  readonly checked: Effect.Effect<void>
  /**
   * Whether the run's files are to be saved, given how it ended: once a phase began; or interrupted once the roles
   * were checked (the journal may be collecting a large bundle's customers). A run that failed before its first
   * phase was refused (a journal of another bundle, a key without a role) and saves nothing.
   */
  readonly saves: (exit: Exit.Exit<unknown, unknown>) => Effect.Effect<boolean>
  readonly state: Effect.Effect<AttemptState>
}

interface AttemptState {
  readonly checked: boolean
  /**
   * The phases begun: when, and the HTTP requests made for the phase so far then (the client's request counter
   * labelled with the phase: `Migration.phaseMetricLabel`).
   */
  readonly spans: ReadonlyArray<{
    readonly resource: Migration.Phase
    readonly startMillis: number
    readonly requestsBefore: number
    /** When the phase's import finished (its `Finished` event; the phases may overlap). */
    readonly endMillis?: number | undefined
  }>
  readonly counts: ReadonlyMap<Migration.Phase, typeof ImportEvent.emptyCounts>
}

/**
 * Spans in the phase table's order: overlapped phases start in whatever order their first records come, and a
 * report lists them the same way every time.
 */
const byPhase = Order.mapInput(
  Order.number,
  (span: { readonly resource: Migration.Phase }) => Migration.phases.indexOf(span.resource)
)

/** A fresh log of the attempt that started at `startedAt`. */
export const attemptLog = (startedAt: number): Effect.Effect<AttemptLog> =>
  Effect.map(Ref.make<AttemptState>({ checked: false, spans: [], counts: new Map() }), (state) => ({
    checked: Ref.update(state, (current) => ({ ...current, checked: true })),
    onPhase: (phase) =>
      Effect.flatMap(
        Effect.all([Clock.currentTimeMillis, RunTimeline.requestsSentBy(Migration.phaseMetricLabel)]),
        ([now, requests]) =>
          Ref.update(state, (current) => ({
            ...current,
            spans: Arr.sort([...current.spans, {
              resource: phase,
              startMillis: now - startedAt,
              requestsBefore: requests.get(phase) ?? 0
            }], byPhase)
          }))
      ),
    onEvent: (phase, event) =>
      ImportEvent.isOutcome(event)
        ? Ref.update(state, (current) => {
          const counts = new Map(current.counts)
          counts.set(phase, ImportEvent.count(counts.get(phase) ?? ImportEvent.emptyCounts, event))
          return { ...current, counts }
        })
        : event._tag === "Finished"
        ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(state, (current) => ({
            ...current,
            spans: current.spans.map((span) => span.resource === phase ? { ...span, endMillis: now - startedAt } : span)
          })))
        : Effect.void,
    saves: (exit) =>
      Effect.map(
        Ref.get(state),
        (current) => current.spans.length > 0 || (current.checked && Exit.isInterrupted(exit))
      ),
    state: Ref.get(state)
  }))

/** What the report needs of the plan. */
export interface OutputsPlan {
  readonly bundle: string
  readonly journal: string | undefined
  readonly rejects: string | undefined
  readonly report: string | undefined
  readonly html?: string | undefined
  readonly results?: string | undefined
}

/** What else the report says: when the attempt started, its time series, how the run was made. */
export interface AttemptFacts {
  readonly startedAt: number
  readonly timeline: RunTimeline.RunTimeline
  readonly run: MigrationReport.RunDetails
}

const isoTime = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

const statusOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit) ? "finished" : Exit.isInterrupted(exit) ? "interrupted" : "failed"

/**
 * Every HTTP request each phase sent — bulk submissions, job and result-page reads, e-mail look-ups, reads of
 * parents in doubt, attachments' documents — from the client's request counter labelled with the phase, whether
 * the phases ran together or one after another.
 */
const requestsByPhase = (
  state: AttemptState,
  requestsNow: ReadonlyMap<string, number>
): ReadonlyMap<Migration.Phase, number> =>
  new Map(state.spans.map((span) => [
    span.resource,
    Math.max(0, (requestsNow.get(span.resource) ?? 0) - span.requestsBefore)
  ]))

/** This attempt's phases: the migration's result when it finished, else the outcomes that came before it stopped. */
const phasesOf = (
  exit: Exit.Exit<Migration.Result, unknown>,
  state: AttemptState,
  requests: ReadonlyMap<Migration.Phase, number>
): ReadonlyArray<MigrationReport.PhaseReport> =>
  Exit.isSuccess(exit)
    ? exit.value.phases.map((phase) => ({
      resource: phase.phase,
      settledBefore: phase.settledBefore,
      foundByEmail: phase.foundByEmail,
      held: phase.held,
      parentReads: phase.parentReads,
      read: phase.summary.read,
      created: phase.summary.created,
      alreadyExisting: phase.summary.alreadyExisting,
      rejected: phase.summary.rejected,
      failed: phase.summary.failed,
      unknown: phase.summary.unknown,
      jobs: phase.summary.jobs,
      requests: requests.get(phase.phase) ?? phase.summary.requests,
      rateLimited: phase.summary.rateLimited,
      retries: phase.summary.retries,
      elapsedMillis: Duration.toMillis(phase.summary.elapsed)
    }))
    : state.spans.map(({ resource }) => {
      const counts = state.counts.get(resource) ?? ImportEvent.emptyCounts
      return {
        resource,
        settledBefore: 0,
        foundByEmail: 0,
        held: 0,
        parentReads: 0,
        read: counts.read,
        created: counts.created,
        alreadyExisting: counts.alreadyExisting,
        rejected: counts.rejected,
        failed: counts.failed,
        unknown: counts.unknown,
        jobs: 0,
        requests: requests.get(resource) ?? 0,
        rateLimited: 0,
        retries: 0,
        elapsedMillis: 0
      }
    })

const sum = (rows: ReadonlyArray<MigrationReport.PhaseReport>, key: keyof typeof ImportEvent.emptyCounts) =>
  rows.reduce((total, row) => total + row[key], 0)

/** The report of this attempt, with every attempt's when there is a journal. */
const reportOf = (
  plan: OutputsPlan,
  exit: Exit.Exit<Migration.Result, RunFailure | CliError>,
  facts: AttemptFacts,
  state: AttemptState,
  finishedAt: number
) =>
  Effect.gen(function*() {
    const output = yield* Output
    const status = statusOf(exit)
    const phases = phasesOf(
      exit,
      state,
      requestsByPhase(state, yield* RunTimeline.requestsSentBy(Migration.phaseMetricLabel))
    )
    const elapsedMillis = finishedAt - facts.startedAt
    const requests = facts.timeline.buckets.reduce((total, bucket) => total + bucket.requests, 0)
    const journal = plan.journal
    const history = journal === undefined
      ? { attempts: [], cumulative: undefined }
      : yield* Effect.all({
        attempts: MigrationReport.recordAttempt(journal, (number) => ({
          attempt: number,
          status,
          startedAt: isoTime(facts.startedAt),
          elapsedMillis,
          read: sum(phases, "read"),
          created: sum(phases, "created"),
          alreadyExisting: sum(phases, "alreadyExisting"),
          rejected: sum(phases, "rejected"),
          failed: sum(phases, "failed"),
          unknown: sum(phases, "unknown"),
          requests
        })),
        cumulative: MigrationReport.cumulativeOf(journal)
      }).pipe(Effect.catchAll((error) =>
        Effect.as(
          output.err(`cannot read the earlier attempts from ${journal}: ${error.message}`),
          { attempts: [], cumulative: undefined }
        )
      ))
    const last = history.attempts[history.attempts.length - 1]
    const report: MigrationReport.MigrationReport = {
      status,
      bundle: plan.bundle,
      ...(journal === undefined ? {} : { journal }),
      ...(plan.rejects === undefined ? {} : { rejects: plan.rejects }),
      startedAt: isoTime(facts.startedAt),
      finishedAt: isoTime(finishedAt),
      elapsedMillis,
      ...(Exit.isSuccess(exit)
        ? {
          resumed: exit.value.resumed,
          importedAt: exit.value.importedAt,
          roles: exit.value.roles,
          attachments: exit.value.attachments,
          ...(exit.value.delta === undefined ? {} : { delta: exit.value.delta })
        }
        : { error: Exit.isFailure(exit) && !Exit.isInterrupted(exit) ? String(exit.cause) : "interrupted" }),
      phases,
      ...(last === undefined ? {} : { attempt: last.attempt, attempts: history.attempts }),
      ...(history.cumulative === undefined ? {} : { cumulative: history.cumulative }),
      // A phase ends when its import finished; one that did not (the run stopped) at the run's end when it finished.
      phaseSpans: state.spans.map((span) => {
        const endMillis = span.endMillis ?? (Exit.isSuccess(exit) ? elapsedMillis : undefined)
        return {
          resource: span.resource,
          startMillis: span.startMillis,
          ...(endMillis === undefined ? {} : { endMillis })
        }
      }),
      run: facts.run,
      timeline: facts.timeline
    }
    return report
  })

/** The results file written again from the journal: every settled object once. */
const resultsFromJournal = (results: string, journal: string) =>
  ResultsFile.rewrite(
    results,
    Stream.map(
      MigrationReport.settledObjects(journal),
      ({ phase, settled }) => ResultsFile.lineOfSettled(settled, phase)
    )
  )

/** The report as saved: decoded, and encoded as written. */
export interface Saved {
  readonly report: MigrationReport.MigrationReport
  readonly encoded: typeof MigrationReport.MigrationReport.Encoded
}

/**
 * Saves the report, the page and the results file of a migration that ended with `exit` (see `AttemptLog.saves`); returns
 * the report, encoded as written. Failures to write are said, never fatal: the run's own outcome stands.
 */
export const save = (
  plan: OutputsPlan,
  exit: Exit.Exit<Migration.Result, RunFailure | CliError>,
  facts: AttemptFacts,
  log: AttemptLog
): Effect.Effect<Saved | undefined, never, FileSystem.FileSystem | Output> =>
  Effect.gen(function*() {
    if (!(yield* log.saves(exit))) return undefined
    const output = yield* Output
    const fs = yield* FileSystem.FileSystem
    const decoded = yield* reportOf(plan, exit, facts, yield* log.state, yield* Clock.currentTimeMillis)
    const report = MigrationReport.encode(decoded)
    const saved: Array<string> = []
    if (plan.report !== undefined) {
      const path = plan.report
      yield* fs.writeFileString(`${path}.partial`, `${JSON.stringify(report, null, 2)}\n`).pipe(
        Effect.zipRight(fs.rename(`${path}.partial`, path)),
        Effect.zipRight(Effect.sync(() => saved.push(`report → ${path}`))),
        Effect.catchAll((error) => output.err(`cannot write the report ${path}: ${error.message}`))
      )
    }
    if (plan.results !== undefined && plan.journal !== undefined) {
      const path = plan.results
      yield* resultsFromJournal(path, plan.journal).pipe(
        Effect.catchAll((error) => output.err(`cannot write the results file ${path} again: ${error.message}`))
      )
    }
    if (plan.html !== undefined) {
      const path = plan.html
      const view = RunView.fromDocument(report)
      if (Either.isRight(view)) {
        yield* Effect.flatMap(
          RejectGroups.readIfAny([plan.rejects]),
          (rejects) => HtmlReport.write(path, view.right, rejects)
        ).pipe(Effect.catchAll((error) => output.err(error.message)))
      }
    }
    if (saved.length > 0 && !Exit.isSuccess(exit)) yield* output.err(`Saved: ${saved.join(", ")}`)
    return { report: decoded, encoded: report }
  })
