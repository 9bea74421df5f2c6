/**
 * Where the records of an import come from. Every source yields {@link SourceRecord}s that keep their position
 * (record index, and the physical line for text files) all the way to their outcome. A record that cannot be
 * read (a broken JSON line, a CSV row with the wrong number of cells, bytes that are not UTF-8, a value nested
 * more than {@link maxDepth} levels) is an `Unparsable` record, not a failure: the import reports it and goes on.
 * Only an input that cannot be read any further fails the stream, with a {@link SourceError}, after the records
 * before that point.
 *
 * The readers live in `internal/sources/`: JSON Lines, JSON array and CSV (with {@link CsvMapping}); they share the
 * decoding of bytes to text and the depth check. Standard input is the application's to read (the CLI uses
 * `NodeStream.stdin`): any `Stream<Uint8Array>` is a source here.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as CsvMapping from "./CsvMapping.js"
import * as Csv from "./internal/sources/csv.js"
import * as Depth from "./internal/sources/depth.js"
import * as JsonArray from "./internal/sources/jsonArray.js"
import * as JsonLines from "./internal/sources/jsonLines.js"
import { parsed, SourceError, type SourceRecord } from "./internal/sources/record.js"
import type { Encoding } from "./internal/sources/text.js"

export {
  /**
   * `line 12` or `record 7`: how a position is shown to people.
   *
   * @since 0.1.0
   */
  describePosition,
  /**
   * JSON text as a record: the depth is checked on the text before parsing, so a value too deep for the rest of
   * the pipeline is never built; text that is not JSON, or too deep, is kept with the reject.
   *
   * @since 0.1.0
   */
  fromJsonText,
  /**
   * A record read from a source.
   *
   * @since 0.1.0
   */
  type Parsed,
  /**
   * A parsed record; a value nested more than `maxDepth` levels deep is a reject instead.
   *
   * @since 0.1.0
   */
  parsed,
  /**
   * Where a record stands in its source: `index` counts records from 0; `line` is the 1-based physical line of a
   * text file on which the record starts.
   *
   * @since 0.1.0
   */
  Position,
  /**
   * The source cannot be read any further (missing file, broken JSON array, bad CSV header, I/O error).
   *
   * @since 0.1.0
   */
  SourceError,
  /**
   * A record read from a source: its parsed value, or why it could not be parsed.
   *
   * @since 0.1.0
   */
  type SourceRecord,
  /**
   * A record that could not be read, why, and its text when the input had some (a line that is not JSON).
   *
   * @since 0.1.0
   */
  type Unparsable,
  /**
   * A record that could not be read; `text` is the input's text for it, kept for the rejects file.
   *
   * @since 0.1.0
   */
  unparsable
} from "./internal/sources/record.js"

export {
  /**
   * The text encodings an input may be in.
   *
   * @since 0.1.0
   */
  type Encoding,
  /**
   * The encodings, as options and flags name them.
   *
   * @since 0.1.0
   */
  encodings
} from "./internal/sources/text.js"

/**
 * The deepest nesting a record may have (`{}` is 1); deeper records are rejected.
 *
 * @since 0.1.0
 */
export const maxDepth: number = Depth.maxDepth

/**
 * The input formats the file helpers understand.
 *
 * @since 0.1.0
 */
export type Format = "jsonl" | "json" | "csv"

/**
 * The format of a file from its name: `.jsonl`/`.ndjson` → `jsonl`, `.json` → `json`, `.csv` → `csv`.
 *
 * @since 0.1.0
 */
export const formatOf = (path: string): Option.Option<Format> => {
  const lower = path.toLowerCase()
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return Option.some("jsonl")
  if (lower.endsWith(".json")) return Option.some("json")
  if (lower.endsWith(".csv")) return Option.some("csv")
  return Option.none()
}

/**
 * Records from values in memory; positions are their indexes. Values nested too deeply are rejected.
 *
 * @since 0.1.0
 */
export const fromIterable = (values: Iterable<unknown>): Stream.Stream<SourceRecord> =>
  fromStream(Stream.fromIterable(values))

/**
 * Records from any stream of values; positions are their indexes. Values nested too deeply are rejected.
 *
 * @since 0.1.0
 */
export const fromStream = <E, R>(values: Stream.Stream<unknown, E, R>): Stream.Stream<SourceRecord, E, R> =>
  Stream.zipWithIndex(values).pipe(Stream.map(([value, index]) => parsed({ index }, value)))

/**
 * JSON Lines: one JSON value per line; positions are physical lines (blank lines are skipped but counted). A line
 * that is not JSON, nests too deeply or is not valid in the encoding is `Unparsable`, with its text.
 *
 * A line already written as `JSON.stringify` writes its value (no white space outside strings, escapes only as it
 * writes them, numbers as JavaScript prints them, no repeated key) stays with its record, and an import that sends
 * the record as read sends that line rather than serialising the value again. Records are values: to change one,
 * make a new record (a spread, or {@link parsed}); a record whose `value` were changed in place would be sent as it
 * was read.
 *
 * @since 0.1.0
 */
export const jsonLines = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: { readonly encoding?: Encoding | undefined } = {}
): Stream.Stream<SourceRecord, E, R> => JsonLines.read(bytes, options.encoding)

/**
 * A JSON array of records, parsed incrementally so that a file of any size streams. With `arrayKey`, the array may
 * also be that key's value in a top-level object — an API page such as `{"tickets": [...], "next_page": ...}` —
 * still streamed (the object's other values are dropped as they are parsed). A syntax error or a byte that is not
 * valid in the encoding ends the stream with a {@link SourceError}, after the records before it.
 *
 * @since 0.1.0
 */
export const jsonArray = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: {
    readonly sourceName?: string | undefined
    readonly encoding?: Encoding | undefined
    /** A top-level key (without dots) whose array holds the records, when the document is an object. */
    readonly arrayKey?: string | undefined
  } = {}
): Stream.Stream<SourceRecord, E | SourceError, R> =>
  JsonArray.read(bytes, options.sourceName ?? "JSON input", options.encoding, options.arrayKey)

/**
 * How CSV is read: the mapping, the cell delimiter (default `,`), the time zone of its date-times.
 *
 * @since 0.1.0
 */
export interface CsvOptions {
  readonly mapping?: CsvMapping.Mapping | undefined
  readonly delimiter?: string | undefined
  /**
   * The zone in which the export wrote its date-times without an offset: an IANA name (`Europe/Paris`, checked
   * with `CsvMapping.timeZoneOf`) or a `DateTime.TimeZone`. Default UTC; each record then names the columns of
   * such times in `timesReadAsUtc`, so that the caller can warn.
   */
  readonly timeZone?: string | DateTime.TimeZone | undefined
}

/**
 * CSV with a header row. Each row becomes a record through `mapping` (without one, column names are field
 * paths). A bad row (wrong number of cells, stray quote, cell that cannot be converted) is `Unparsable` with its
 * line; a header that cannot be used (duplicate name, mapped columns missing) or a quote left open at the end
 * fails with a {@link SourceError}, as does, before anything is read, a `timeZone` that does not exist.
 * Date-times without an offset are read in `timeZone` (see {@link CsvOptions}).
 *
 * @since 0.1.0
 */
export const csv = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: CsvOptions & { readonly encoding?: Encoding | undefined; readonly sourceName?: string | undefined } = {}
): Stream.Stream<SourceRecord, E | SourceError, R> => Csv.read(bytes, options)

/**
 * How an input is read, whatever its format.
 *
 * @since 0.1.0
 */
export interface ReadOptions {
  /** Default `utf-8`. */
  readonly encoding?: Encoding | undefined
  readonly csv?: CsvOptions | undefined
  /** `json`: the top-level key whose array holds the records when the document is an object ({@link jsonArray}). */
  readonly arrayKey?: string | undefined
  /** Names the input in errors. */
  readonly sourceName?: string | undefined
}

/**
 * Records from a stream of bytes in a known format.
 *
 * @since 0.1.0
 */
export const fromBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: Format | undefined,
  options: ReadOptions = {}
): Stream.Stream<SourceRecord, E | SourceError, R> => {
  const sourceName = options.sourceName ?? "input"
  switch (format) {
    case "jsonl":
      return jsonLines(bytes, options)
    case "json":
      return jsonArray(bytes, { sourceName, encoding: options.encoding, arrayKey: options.arrayKey })
    case "csv":
      return csv(bytes, { ...options.csv, encoding: options.encoding, sourceName })
    case undefined:
      return Stream.fail(
        new SourceError({ source: sourceName, reason: "unknown format; name it (jsonl, json or csv)" })
      )
  }
}

/**
 * The bytes of a file, failing with a {@link SourceError} that names it.
 *
 * @since 0.1.0
 */
export const fileBytes = (path: string): Stream.Stream<Uint8Array, SourceError, FileSystem.FileSystem> =>
  Stream.unwrap(
    Effect.map(FileSystem.FileSystem, (fs) =>
      fs.stream(path, { chunkSize: FileSystem.KiB(64) }).pipe(
        Stream.mapError((error) => new SourceError({ source: path, reason: error.message }))
      ))
  )

/**
 * Options of {@link fromFile}.
 *
 * @since 0.1.0
 */
export interface FileOptions {
  /** The format; guessed from the file's extension when absent. */
  readonly format?: Format | undefined
  /** Default `utf-8`. */
  readonly encoding?: Encoding | undefined
  readonly csv?: CsvOptions | undefined
  /** `json`: the top-level key whose array holds the records when the document is an object ({@link jsonArray}). */
  readonly arrayKey?: string | undefined
}

/**
 * Records from a file, in the given format or the one its extension names.
 *
 * @since 0.1.0
 */
export const fromFile = (
  path: string,
  options: FileOptions = {}
): Stream.Stream<SourceRecord, SourceError, FileSystem.FileSystem> =>
  fromBytes(fileBytes(path), options.format ?? Option.getOrUndefined(formatOf(path)), {
    encoding: options.encoding,
    csv: options.csv,
    arrayKey: options.arrayKey,
    sourceName: path
  })
