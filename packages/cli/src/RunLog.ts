/**
 * The CLI's structured logs: one logfmt line per log entry on standard error (never standard output, so that
 * `--json` keeps it clean), and the log entries of an import's events — retries, rate-limit waits, jobs and their
 * states, phase changes. Quiet by default (warnings only); `--log-level <level>` (handled by `@effect/cli`) or
 * `--verbose` (debug) shows more.
 *
 * Levels: `info` shows phases, retries, rate-limit waits and the request counts; `debug` adds every accepted
 * chunk, each job's progress and every record that was not created; `trace` adds the created ones.
 *
 * @since 0.1.0
 */
import type { ImportEvent, ImportSource } from "@effect-kustomer/client"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { Output } from "./Output.js"

/**
 * The logger: logfmt lines written through `output.err`, so that they go to standard error (and to the captured
 * output in tests).
 *
 * @since 0.1.0
 */
export const logger = (output: Output): Logger.Logger<unknown, void> =>
  Logger.map(Logger.logfmtLogger, (line) => {
    // Output.err only appends a line (to a stream, or to a list in tests): it is synchronous.
    Effect.runSync(output.err(line))
  })

/**
 * The level below which nothing is logged when neither `--log-level` nor `--verbose` is given.
 *
 * @since 0.1.0
 */
export const defaultLevel: LogLevel.LogLevel = LogLevel.Warning

/**
 * Runs `effect` with the CLI's logger, quiet below {@link defaultLevel} unless `--log-level` says otherwise.
 *
 * @since 0.1.0
 */
export const withLogger = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Output> =>
  Effect.flatMap(Output, (output) =>
    // The only logger: one that a runtime installed (a pretty logger on standard output) would break --json.
    effect.pipe(
      Logger.withMinimumLogLevel(defaultLevel),
      Effect.locally(FiberRef.currentLoggers, HashSet.make(logger(output)))
    ))

/**
 * `--verbose`: debug logs for `effect`.
 *
 * @since 0.1.0
 */
export const verbosely = (verbose: boolean) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  verbose ? Logger.withMinimumLogLevel(effect, LogLevel.Debug) : effect

const at = (position: ImportSource.Position) =>
  position.line === undefined ? { record: position.index } : { line: position.line }

const isoTime = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

/** The message, level and annotations of one event. */
const entryOf = (
  event: ImportEvent.ImportEvent,
  nowMillis: number
): { readonly level: LogLevel.LogLevel; readonly message: string; readonly fields: Record<string, unknown> } => {
  switch (event._tag) {
    case "Created":
      return { level: LogLevel.Trace, message: "created", fields: { ...at(event.position), id: event.objectId } }
    case "AlreadyExisting":
      return {
        level: LogLevel.Trace,
        message: "already existing",
        fields: { ...at(event.position), externalId: event.externalId, id: event.objectId }
      }
    case "Failed":
    case "Unknown":
      return {
        level: LogLevel.Debug,
        message: event._tag === "Failed" ? "failed" : "unknown",
        fields: { ...at(event.position), externalId: event.externalId, job: event.jobId, reason: event.reason }
      }
    case "Rejected":
      return { level: LogLevel.Debug, message: "rejected", fields: { ...at(event.position), reason: event.reason } }
    case "ChunkSubmitted":
      return {
        level: LogLevel.Debug,
        message: "chunk accepted as a bulk job",
        fields: { chunk: event.chunk, job: event.jobId, items: event.items, bytes: event.bytes, attempt: event.attempt }
      }
    case "JobProgress":
      return {
        level: LogLevel.Debug,
        message: "job progress",
        fields: {
          chunk: event.chunk,
          job: event.jobId,
          state: event.complete >= event.total ? "done" : "running",
          complete: event.complete,
          total: event.total
        }
      }
    case "RateLimitedUntil":
      return {
        level: LogLevel.Info,
        message: event.cause === "rejected"
          ? "the API answered 429: waiting for the rate-limit window"
          : "request budget spent: waiting for the rate-limit window",
        fields: { until: isoTime(event.untilMillis), waitMillis: Math.max(0, event.untilMillis - nowMillis) }
      }
    case "Retrying":
      return {
        level: LogLevel.Info,
        message: "retrying chunk",
        fields: {
          chunk: event.chunk,
          attempt: event.attempt,
          reason: event.reason,
          delayMillis: Math.round(Duration.toMillis(event.delay))
        }
      }
    case "JobTimedOut":
      return {
        level: LogLevel.Warning,
        message: "job did not finish in time: its items are unknown",
        fields: { chunk: event.chunk, job: event.jobId, waitedMillis: Math.round(Duration.toMillis(event.waited)) }
      }
    case "Finished":
      return {
        level: LogLevel.Info,
        message: "requests",
        fields: {
          jobs: event.jobs,
          submits: event.submits,
          polls: event.polls,
          lookups: event.lookups,
          rateLimited: event.rateLimited,
          retries: event.retries
        }
      }
  }
}

/**
 * Logs one import event (with its migration phase, when there is one).
 *
 * @since 0.1.0
 */
export const event = (event: ImportEvent.ImportEvent, phase?: string): Effect.Effect<void> =>
  Effect.flatMap(
    Effect.all([Clock.currentTimeMillis, FiberRef.get(FiberRef.currentMinimumLogLevel)]),
    ([now, minimum]) => {
      const entry = entryOf(event, now)
      // Most events (an outcome per record) are below the level shown: nothing more is made of them.
      if (LogLevel.lessThan(entry.level, minimum)) return Effect.void
      const fields = Object.fromEntries(
        Object.entries(phase === undefined ? entry.fields : { phase, ...entry.fields }).filter(([, value]) =>
          value !== undefined
        )
      )
      return Effect.logWithLevel(entry.level, entry.message).pipe(Effect.annotateLogs(fields))
    }
  )

/**
 * Logs the start of a migration phase.
 *
 * @since 0.1.0
 */
export const phase = (phase: string, number: number, of: number): Effect.Effect<void> =>
  Effect.logInfo("phase").pipe(Effect.annotateLogs({ phase, number, of }))
