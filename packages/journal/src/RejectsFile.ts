/**
 * The rejects file: one JSON line for every record that was not created — rejected before sending, refused by
 * the API, or of unknown fate — so that it can be fixed and imported again.
 *
 * ```json
 * {"position":{"index":41,"line":43},"outcome":"Rejected","reason":"priority: Expected …","record":{…}}
 * {"position":{"index":97,"line":99},"outcome":"Failed","reason":"customer not found","record":{…},"jobId":"…","externalId":"ticket-97"}
 * ```
 *
 * - `position`: the record's index in its input (from 0) and, for text files, the line it starts on (from 1).
 * - `record`: the record as read for `Rejected`; for an input line that is not JSON, the line's text (a string);
 *   for `Failed` and `Unknown`, the item as it was sent (with an assigned `externalId`, if any), minus
 *   `_clientRef`.
 * - `jobId`, `externalId`: when known.
 *
 * Feeding the file back as input is a normal import: a line of this shape is read as its `record` (a string
 * `record` is parsed as the line it was). On a resumed import the file is appended to, and a record is never
 * written twice: what the file already holds is read first (a torn last line is cut off), and outcomes the
 * journal holds but the file missed (the process died in between) are written then.
 *
 * @since 0.1.0
 */
import type { ImportEvent } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { isNoSpace, noSpaceLeft } from "./DiskFull.js"
import * as Bitmap from "./internal/bitmap.js"
import { type Scan, scan } from "./internal/rejectsScan.js"

/**
 * One line of the rejects file.
 *
 * @since 0.1.0
 */
export const Entry = Schema.Struct({
  position: Schema.Struct({ index: Schema.Number, line: Schema.optional(Schema.Number) }),
  outcome: Schema.Literal("Rejected", "Failed", "Unknown"),
  reason: Schema.String,
  record: Schema.Unknown,
  jobId: Schema.optional(Schema.String),
  externalId: Schema.optional(Schema.String)
})

/** @since 0.1.0 */
export type Entry = typeof Entry.Type

/**
 * The rejects file cannot be read or written; `noSpace`: because the disk holding it is full.
 *
 * @since 0.1.0
 */
export class RejectsFileError extends Data.TaggedError("RejectsFileError")<{
  readonly path: string
  readonly reason: string
  readonly noSpace?: boolean
}> {
  override get message(): string {
    return this.noSpace === true ? `rejects file: ${this.reason}` : `rejects file ${this.path}: ${this.reason}`
  }
}

/**
 * The error of a failed read or write of the rejects file at `path`; a full disk is said by name.
 *
 * @since 0.1.0
 */
export const errorAt = (path: string) => (error: { readonly message: string }): RejectsFileError =>
  isNoSpace(error)
    ? new RejectsFileError({ path, reason: noSpaceLeft(path), noSpace: true })
    : new RejectsFileError({ path, reason: error.message })

const isEntry = Schema.is(Entry)
const decodeEntryLine = Schema.decodeUnknownOption(Schema.parseJson(Entry))
const decodeItem = Schema.decodeUnknownOption(
  Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
)
const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())

/** The item as sent, without the pipeline's `_clientRef`. */
const sentRecord = (item: string): unknown =>
  Option.match(decodeItem(item), {
    onNone: () => item,
    onSome: ({ _clientRef: _clientRef, ...record }) => record
  })

/**
 * The line of a rejected, failed or unknown outcome; none for a created or existing one. `rawText` is the input
 * line of a record that was not JSON.
 *
 * @since 0.1.0
 */
export const entryOf = (outcome: ImportEvent.Outcome, rawText?: string): Option.Option<Entry> => {
  const position = outcome.position.line === undefined
    ? { index: outcome.position.index }
    : { index: outcome.position.index, line: outcome.position.line }
  switch (outcome._tag) {
    case "Created":
    case "AlreadyExisting":
      return Option.none()
    case "Rejected":
      return Option.some({
        position,
        outcome: "Rejected",
        reason: outcome.reason,
        record: rawText ?? outcome.record ?? null
      })
    case "Failed":
    case "Unknown":
      return Option.some({
        position,
        outcome: outcome._tag,
        reason: outcome.reason,
        record: sentRecord(outcome.item),
        ...(outcome.jobId === undefined ? {} : { jobId: outcome.jobId }),
        ...(outcome.externalId === undefined ? {} : { externalId: outcome.externalId })
      })
  }
}

/**
 * A line's text, newline included.
 *
 * @since 0.1.0
 */
export const encode = (entry: Entry): string => `${JSON.stringify(entry)}\n`

/**
 * What a value read from an input means when it is a line of a rejects file: its record, or — for a line that was
 * not JSON — that line's text to parse again. `None` for any other value.
 *
 * @since 0.1.0
 */
export const unwrap = (
  value: unknown
): Option.Option<
  { readonly _tag: "Record"; readonly record: unknown } | { readonly _tag: "Text"; readonly text: string }
> => {
  if (!isEntry(value) || !Object.hasOwn(value, "record")) return Option.none()
  return typeof value.record === "string"
    ? Option.some({ _tag: "Text", text: value.record })
    : Option.some({ _tag: "Record", record: value.record })
}

/**
 * Parses a line of text as JSON: the value, or why it is not JSON.
 *
 * @since 0.1.0
 */
export const parseLine = (text: string) => decodeJson(text)

/**
 * Appends lines to a rejects file, in batches, never the same record twice.
 *
 * @since 0.1.0
 */
export interface Writer {
  readonly path: string
  /** Buffers entries whose record is not in the file yet; writes when enough are buffered. */
  readonly write: (entries: ReadonlyArray<Entry>) => Effect.Effect<void, RejectsFileError>
  /** Writes what is buffered. */
  readonly flush: Effect.Effect<void, RejectsFileError>
  /** Whether the file holds (or will hold, once flushed) the record at this index. */
  readonly has: (index: number) => boolean
  /** Lines written by this writer. */
  readonly written: Effect.Effect<number>
  /** Lines the file held when it was opened. */
  readonly existing: number
}

/** Lines buffered before they are written. */
const bufferedLines = 256

/**
 * Opens a rejects file for the length of the scope. `fresh` empties it; `append` keeps what it holds, after
 * cutting off a torn last line.
 *
 * @since 0.1.0
 */
export const open = (
  path: string,
  mode: "fresh" | "append"
): Effect.Effect<Writer, RejectsFileError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = errorAt(path)
    const exists = mode === "append" && (yield* fs.exists(path).pipe(Effect.mapError(fail)))
    const found: Scan = exists
      ? yield* scan(fs, path, decodeEntryLine).pipe(Effect.mapError(fail))
      : { indexes: Bitmap.empty(), entries: 0, completeBytes: 0, size: 0 }
    if (found.size > found.completeBytes) {
      yield* fs.truncate(path, found.completeBytes).pipe(Effect.mapError(fail))
    }
    const file = yield* fs.open(path, { flag: exists ? "a" : "w" }).pipe(Effect.mapError(fail))
    const indexes = found.indexes
    const buffer = yield* Ref.make<Array<string>>([])
    const written = yield* Ref.make(0)
    const encoder = new TextEncoder()
    const flush = Effect.gen(function*() {
      const lines = yield* Ref.getAndSet(buffer, [])
      if (lines.length === 0) return
      yield* file.writeAll(encoder.encode(lines.join(""))).pipe(Effect.mapError(fail))
      yield* Ref.update(written, (count) => count + lines.length)
    })
    yield* Effect.addFinalizer(() => Effect.ignore(flush))
    const writer: Writer = {
      path,
      write: (entries) =>
        Effect.gen(function*() {
          const fresh = entries.filter((entry) => Bitmap.add(indexes, entry.position.index))
          if (fresh.length === 0) return
          const lines = yield* Ref.updateAndGet(buffer, (current) => {
            for (const entry of fresh) current.push(encode(entry))
            return current
          })
          if (lines.length >= bufferedLines) yield* flush
        }),
      flush,
      has: (index) => Bitmap.has(indexes, index),
      written: Ref.get(written),
      existing: found.entries
    }
    return writer
  })

/**
 * The entries of a rejects file; lines that are not entries are skipped.
 *
 * @since 0.1.0
 */
export const read = (path: string): Stream.Stream<Entry, RejectsFileError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) => fs.stream(path))).pipe(
    Stream.mapError(errorAt(path)),
    Stream.decodeText(),
    Stream.splitLines,
    Stream.filterMap((line) => decodeEntryLine(line))
  )

/**
 * The unknown file that goes with a rejects file: `x.jsonl` → `x.unknown.jsonl` (any other name gets
 * `.unknown.jsonl` appended).
 *
 * @since 0.1.0
 */
export const unknownPathFor = (rejects: string): string =>
  rejects.endsWith(".jsonl") ? `${rejects.slice(0, -".jsonl".length)}.unknown.jsonl` : `${rejects}.unknown.jsonl`
