/**
 * The results file (`--results FILE`): one JSON line per input record — or, for `job <id> --results`, per item of
 * the job's batches — with the Kustomer id of the object it became, so that a source system can be updated with
 * the new ids.
 *
 * ```json
 * {"line":3,"index":2,"externalId":"ticket-3","outcome":"Created","objectId":"5f…","jobId":"65…"}
 * {"line":4,"index":3,"externalId":"ticket-4","outcome":"AlreadyExisting","objectId":"5f…"}
 * {"line":5,"index":4,"outcome":"Rejected","reason":"priority: Expected …"}
 * ```
 *
 * Absent fields are left out of a line. Lines are written as outcomes arrive (a job's outcomes at a time), never held for the whole run. `line` is the
 * line the record starts on (text inputs), `index` its position in the input from 0; `resource` names the phase
 * of a migration. A resumed import appends: records settled by earlier attempts are in the file already.
 *
 * @since 0.1.0
 */
import { BatchResults, ImportEvent } from "@effect-kustomer/client"
import type { BulkJob } from "@effect-kustomer/domain"
import type { SqliteJournal } from "@effect-kustomer/journal"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { CliError } from "./Failure.js"

/**
 * What became of a record or item. `Updated` is a job item the API reported as updated.
 *
 * @since 0.1.0
 */
export const Outcome = Schema.Literal("Created", "Updated", "AlreadyExisting", "Failed", "Rejected", "Unknown")

/** @since 0.1.0 */
export type Outcome = typeof Outcome.Type

/**
 * One line of the results file.
 *
 * @since 0.1.0
 */
export const Line = Schema.Struct({
  resource: Schema.optional(Schema.String),
  line: Schema.optional(Schema.Number),
  index: Schema.Number,
  clientRef: Schema.optional(Schema.String),
  externalId: Schema.optional(Schema.String),
  outcome: Outcome,
  objectId: Schema.optional(Schema.String),
  jobId: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String)
})

/** @since 0.1.0 */
export type Line = typeof Line.Type

/**
 * The line of an import's outcome; `resource` for a migration's phase.
 *
 * @since 0.1.0
 */
export const lineOf = (outcome: ImportEvent.Outcome, resource?: string): Line => {
  const common = { resource, line: outcome.position.line, index: outcome.position.index }
  switch (outcome._tag) {
    case "Created":
      return ({
        ...common,
        externalId: outcome.externalId,
        outcome: "Created",
        objectId: outcome.objectId,
        jobId: outcome.jobId
      })
    case "AlreadyExisting":
      return ({ ...common, externalId: outcome.externalId, outcome: "AlreadyExisting", objectId: outcome.objectId })
    case "Failed":
    case "Unknown":
      return ({
        ...common,
        externalId: outcome.externalId,
        outcome: outcome._tag,
        jobId: outcome.jobId,
        reason: outcome.reason
      })
    case "Rejected":
      return ({ ...common, outcome: "Rejected", reason: outcome.reason })
  }
}

/**
 * The line of an outcome as a journal recorded it (`SqliteJournal.Journal.outcomes`): the same line an import
 * writes as the outcome arrives, so that a results file can be written again from the journal after a crash.
 *
 * @since 0.1.0
 */
export const lineOfSettled = (settled: SqliteJournal.Settled, resource?: string): Line => ({
  resource,
  line: settled.position.line,
  index: settled.position.index,
  externalId: settled.outcome === "Rejected" ? undefined : settled.externalId,
  outcome: settled.outcome,
  objectId: settled.outcome === "Created" || settled.outcome === "AlreadyExisting" ? settled.objectId : undefined,
  jobId: settled.outcome === "AlreadyExisting" ? undefined : settled.jobId,
  reason: settled.reason
})

/**
 * A job item's outcome, as an import reports the same verdict: a duplicate `externalId` is an object that already
 * exists, an answer this version cannot read is `Unknown`; `Updated` keeps the status the API gave.
 */
const outcomeOf = (item: BatchResults.ReportedItem): Outcome => {
  switch (item.verdict._tag) {
    case "Created":
      return item.status === "updated" ? "Updated" : "Created"
    case "Duplicate":
      return "AlreadyExisting"
    case "Failed":
      return "Failed"
    case "Strange":
      return "Unknown"
  }
}

/**
 * The lines of a job's batches, one per item, as `BatchResults.read` reports them (and an import reads them): from
 * `results` when the items carried `_clientRef`, else from the created object ids and the errors by index. An
 * entry the API sent in a shape this version cannot read is `Unknown` with the entry in its reason — never dropped.
 *
 * @since 0.1.0
 */
export const jobLines = (jobId: string, batches: BulkJob.BatchListDocument): ReadonlyArray<Line> =>
  BatchResults.read(batches).reported.map((item) => ({
    index: item.index,
    clientRef: item.clientRef,
    externalId: item.externalId,
    outcome: outcomeOf(item),
    objectId: item.objectId,
    jobId,
    reason: BatchResults.reason(item.verdict)
  }))

const encodeLine = Schema.encodeSync(Line)

/**
 * Writes lines to a results file, a few at a time. Writing never fails the import it serves: the first error is
 * kept, later lines are dropped, and {@link Writer.close} reports it.
 *
 * @since 0.1.0
 */
export interface Writer {
  readonly path: string
  /** Buffers a line; writes the buffer when it is full. */
  readonly write: (line: Line) => Effect.Effect<void>
  /** Writes what is buffered. */
  readonly flush: Effect.Effect<void>
  /** Writes what is buffered; fails when any write failed. */
  readonly close: Effect.Effect<void, CliError>
  /** Lines written or buffered. */
  readonly count: Effect.Effect<number>
}

/** Lines buffered before they are written: one full bulk request's outcomes. */
const bufferedLines = 100

/**
 * Opens a results file for the length of the scope: `fresh` empties it, `append` adds to it. What is buffered is
 * written when the scope closes, also on interruption.
 *
 * @since 0.1.0
 */
export const open = (
  path: string,
  mode: "fresh" | "append" = "fresh"
): Effect.Effect<Writer, CliError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (error: { readonly message: string }) =>
      new CliError({ message: `cannot write the results file ${path}: ${error.message}` })
    const file = yield* fs.open(path, { flag: mode === "append" ? "a" : "w" }).pipe(Effect.mapError(fail))
    const buffer = yield* Ref.make<Array<string>>([])
    const count = yield* Ref.make(0)
    const firstError = yield* Ref.make(Option.none<CliError>())
    const encoder = new TextEncoder()
    const flush = Effect.gen(function*() {
      const lines = yield* Ref.getAndSet(buffer, [])
      if (lines.length === 0 || Option.isSome(yield* Ref.get(firstError))) return
      yield* file.writeAll(encoder.encode(lines.join(""))).pipe(
        Effect.catchAll((error) => Ref.set(firstError, Option.some(fail(error))))
      )
    })
    yield* Effect.addFinalizer(() => flush)
    return {
      path,
      write: (line) =>
        Effect.gen(function*() {
          yield* Ref.update(count, (n) => n + 1)
          const pending = yield* Ref.updateAndGet(buffer, (lines) => {
            lines.push(`${JSON.stringify(encodeLine(line))}\n`)
            return lines
          })
          if (pending.length >= bufferedLines) yield* flush
        }),
      flush,
      close: Effect.zipRight(
        flush,
        Effect.flatMap(Ref.get(firstError), (error) => Option.isSome(error) ? Effect.fail(error.value) : Effect.void)
      ),
      count: Ref.get(count)
    }
  })

/**
 * What an import's `onEvent` does with the results file: an outcome's line is buffered; any other event (a job
 * submitted, progress, a wait) writes what is buffered, so the file follows the import.
 *
 * @since 0.1.0
 */
export const onEvent = (writer: Writer, resource?: string) => (event: ImportEvent.ImportEvent): Effect.Effect<void> =>
  ImportEvent.isOutcome(event) ? writer.write(lineOf(event, resource)) : writer.flush

/**
 * A run's results file, as {@link openFor} gives it: where the outcomes go, and its end.
 *
 * @since 0.1.0
 */
export interface Sink {
  readonly onEvent: (event: ImportEvent.ImportEvent, resource?: string) => Effect.Effect<void>
  readonly close: Effect.Effect<void, CliError>
}

/**
 * Writes a results file again from `lines` (read back from a journal): to a temporary file beside it, renamed over
 * it once complete, so that a crash while rewriting leaves the file as it was.
 *
 * @since 0.1.0
 */
export const rewrite = <E, R>(
  path: string,
  lines: Stream.Stream<Line, E, R>
): Effect.Effect<void, CliError | E, FileSystem.FileSystem | R> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const temporary = `${path}.partial`
    yield* Effect.scoped(Effect.gen(function*() {
      const writer = yield* open(temporary, "fresh")
      yield* Stream.runForEach(lines, (line) => writer.write(line))
      yield* writer.close
    }))
    yield* fs.rename(temporary, path).pipe(
      Effect.mapError((error) => new CliError({ message: `cannot write the results file ${path}: ${error.message}` }))
    )
  })

/**
 * No results file: every operation does nothing.
 *
 * @since 0.1.0
 */
export const noSink: Sink = { onEvent: () => Effect.void, close: Effect.void }

/**
 * The results file of a run, if one was asked for: appended to when the run resumes from an existing journal,
 * else emptied. Without a path, every operation does nothing.
 *
 * @since 0.1.0
 */
export const openFor = (
  path: string | undefined,
  journal: string | undefined
): Effect.Effect<Sink, CliError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    if (path === undefined) return noSink
    const fs = yield* FileSystem.FileSystem
    const resumes = journal !== undefined && (yield* Effect.orElseSucceed(fs.exists(journal), () => false))
    const writer = yield* open(path, resumes ? "append" : "fresh")
    return {
      onEvent: (event: ImportEvent.ImportEvent, resource?: string) => onEvent(writer, resource)(event),
      close: writer.close
    }
  })
