/**
 * Where the records of an import come from. Every source yields {@link SourceRecord}s that keep their position
 * (record index, and line number for text files) all the way to their outcome. A record that cannot be parsed
 * (a broken JSON line) is an `Unparsable` record, not a failure: the import reports it and goes on. Only an
 * unreadable source fails the stream, with a {@link SourceError}.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { JSONParser } from "@streamparser/json"
import { parse as parseCsv } from "csv-parse"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * Where a record stands in its source: `index` counts records from 0; `line` is the 1-based line of a text file
 * on which the record starts.
 *
 * @since 0.1.0
 */
export interface Position {
  readonly index: number
  readonly line?: number
}

/**
 * `line 12` or `record 7`: how a position is shown to people.
 *
 * @since 0.1.0
 */
export const describePosition = (position: Position): string =>
  position.line === undefined ? `record ${position.index}` : `line ${position.line}`

/** A record read from a source: its parsed value, or why it could not be parsed. @since 0.1.0 */
export type SourceRecord = Parsed | Unparsable

/** @since 0.1.0 */
export interface Parsed {
  readonly _tag: "Parsed"
  readonly position: Position
  readonly value: unknown
}

/** @since 0.1.0 */
export interface Unparsable {
  readonly _tag: "Unparsable"
  readonly position: Position
  readonly reason: string
}

/** @since 0.1.0 */
export const parsed = (position: Position, value: unknown): SourceRecord => ({ _tag: "Parsed", position, value })

/** @since 0.1.0 */
export const unparsable = (position: Position, reason: string): SourceRecord => ({
  _tag: "Unparsable",
  position,
  reason
})

/**
 * The source cannot be read any further (missing file, broken JSON array, I/O error).
 *
 * @since 0.1.0
 */
export class SourceError extends Data.TaggedError("SourceError")<{
  readonly source: string
  readonly reason: string
  readonly position?: Position
}> {
  override get message(): string {
    const at = this.position === undefined ? "" : ` at ${describePosition(this.position)}`
    return `cannot read ${this.source}${at}: ${this.reason}`
  }
}

/** The input formats the file helpers understand. @since 0.1.0 */
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

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** One entry read from csv-parse with `info: true`. */
interface CsvEntry {
  readonly record: Readonly<Record<string, string>>
  readonly info: { readonly lines: number }
}

const isCsvEntry = (value: unknown): value is CsvEntry =>
  isRecord(value) && isRecord(value["record"]) && isRecord(value["info"]) &&
  typeof value["info"]["lines"] === "number"

/**
 * Records from values in memory; positions are their indexes.
 *
 * @since 0.1.0
 */
export const fromIterable = (values: Iterable<unknown>): Stream.Stream<SourceRecord> =>
  Stream.zipWithIndex(Stream.fromIterable(values)).pipe(
    Stream.map(([value, index]) => parsed({ index }, value))
  )

/**
 * Records from any stream of values; positions are their indexes.
 *
 * @since 0.1.0
 */
export const fromStream = <E, R>(values: Stream.Stream<unknown, E, R>): Stream.Stream<SourceRecord, E, R> =>
  Stream.zipWithIndex(values).pipe(Stream.map(([value, index]) => parsed({ index }, value)))

/**
 * JSON Lines: one JSON value per line. Blank lines are skipped; a line that is not JSON is `Unparsable`.
 *
 * @since 0.1.0
 */
export const jsonLines = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<SourceRecord, E, R> =>
  // Lines are split and parsed in a plain loop over each chunk of bytes: per-line stream steps (decodeText,
  // splitLines, mapAccum) cost twice as much as the JSON.parse itself.
  Stream.suspend(() => {
    const decoder = new TextDecoder("utf-8")
    let pending = ""
    let line = 0
    let index = 0
    const recordOf = (text: string): SourceRecord | undefined => {
      line++
      if (text.trim().length === 0) return undefined
      const position: Position = { index: index++, line }
      try {
        return parsed(position, JSON.parse(text))
      } catch (error) {
        return unparsable(position, `not valid JSON: ${errorText(error)}`)
      }
    }
    /** The records of the complete lines in `text`; the unterminated rest waits for more. */
    const completeLines = (text: string, from: number) => {
      const records: Array<SourceRecord> = []
      let start = 0
      let newline = text.indexOf("\n", from)
      while (newline !== -1) {
        const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline
        const record = recordOf(text.slice(start, end))
        if (record !== undefined) records.push(record)
        start = newline + 1
        newline = text.indexOf("\n", start)
      }
      pending = text.slice(start)
      return Chunk.unsafeFromArray(records)
    }
    return bytes.pipe(
      Stream.mapChunks((chunks) => {
        // Nothing before `pending.length` can be a line break: it was searched already.
        const from = pending.length
        let text = pending
        for (const chunk of chunks) text += decoder.decode(chunk, { stream: true })
        return completeLines(text, from)
      }),
      Stream.concat(Stream.suspend(() => {
        const last = recordOf(pending + decoder.decode())
        pending = ""
        return last === undefined ? Stream.empty : Stream.succeed(last)
      }))
    )
  })

/**
 * A JSON array of records, parsed incrementally so that a file of any size streams. A syntax error ends the
 * stream with a {@link SourceError}, since nothing after it can be trusted.
 *
 * @since 0.1.0
 */
export const jsonArray = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  sourceName = "JSON input"
): Stream.Stream<SourceRecord, E | SourceError, R> =>
  Stream.suspend(() => {
    const parser = new JSONParser({ paths: ["$.*"], keepStack: false })
    let pending: Array<SourceRecord> = []
    let index = 0
    // Whether the first significant byte has been seen, and whether it opened an array.
    let started = false
    let sawArray = false
    const checkStart = (chunk: Uint8Array) => {
      for (const byte of chunk) {
        // Skip white space and a UTF-8 byte order mark.
        if (
          byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0xef || byte === 0xbb ||
          byte === 0xbf
        ) {
          continue
        }
        started = true
        sawArray = byte === 0x5b
        return
      }
    }
    parser.onValue = ({ value }) => {
      pending.push(parsed({ index }, value))
      index++
    }
    const take = () => {
      const out = pending
      pending = []
      return Chunk.unsafeFromArray(out)
    }
    const fail = (reason: string) => new SourceError({ source: sourceName, reason, position: { index } })
    const feed = (chunk: Uint8Array) =>
      Effect.try({
        try: () => {
          if (!started) checkStart(chunk)
          if (started && !sawArray) throw new Error("expected a JSON array of records")
          if (!parser.isEnded) parser.write(chunk)
          return take()
        },
        catch: (error) => fail(errorText(error))
      })
    const finish = Effect.suspend(() => {
      if (!sawArray) return Effect.fail(fail("expected a JSON array of records"))
      if (!parser.isEnded) return Effect.fail(fail("the JSON array is not closed (truncated file?)"))
      return Effect.succeed(take())
    })
    return bytes.pipe(
      Stream.mapChunksEffect((chunks) =>
        Effect.map(
          Effect.forEach(chunks, (chunk) => feed(chunk)),
          (parts) => Chunk.flatten(Chunk.unsafeFromArray(parts))
        )
      ),
      Stream.concat(Stream.flattenChunks(Stream.fromEffect(finish)))
    )
  })

/**
 * How one CSV column becomes one field: its column name, and how to convert the cell text.
 *
 * - `string` (default): the text as is;
 * - `number`: a number (`"3"` → `3`);
 * - `boolean`: `true/false/yes/no/1/0`;
 * - `list`: split on `separator` (default `,`), trimmed, empty parts dropped;
 * - `datetime`: any date `Date.parse` understands, written as ISO 8601 (a time without a zone is taken as UTC);
 * - `json`: the cell is JSON text.
 *
 * @since 0.1.0
 */
export interface CsvColumn {
  readonly column: string
  readonly as?: "string" | "number" | "boolean" | "list" | "datetime" | "json"
  readonly separator?: string
}

/**
 * Maps record fields (dotted paths such as `custom.orderNumberStr` or `queue.id`) to CSV columns. A plain string
 * names the column and converts by the field's usual type (see {@link conversionFor}). Fields may also be set to
 * a constant with `{ value }`.
 *
 * @since 0.1.0
 */
export type CsvMapping = Readonly<Record<string, string | CsvColumn | { readonly value: unknown }>>

/**
 * The conversion a field gets when the mapping names only its column: `priority` is a number; `tags`,
 * `assignedUsers`, `assignedTeams` are lists; `createdAt`, `importedAt` and custom `…At` are date-times; custom
 * `…Num` numbers; custom `…Bool` booleans; everything else text.
 *
 * @since 0.1.0
 */
export const conversionFor = (field: string): NonNullable<CsvColumn["as"]> => {
  if (field === "priority" || (field.startsWith("custom.") && field.endsWith("Num"))) return "number"
  if (field === "tags" || field === "assignedUsers" || field === "assignedTeams") return "list"
  if (field === "createdAt" || field === "importedAt" || (field.startsWith("custom.") && field.endsWith("At"))) {
    return "datetime"
  }
  if (field.startsWith("custom.") && field.endsWith("Bool")) return "boolean"
  return "string"
}

const convert = (text: string, column: CsvColumn): unknown => {
  switch (column.as ?? "string") {
    case "string":
      return text
    case "number": {
      const value = Number(text.trim())
      if (text.trim() === "" || Number.isNaN(value)) {
        throw new Error(`column "${column.column}": "${text}" is not a number`)
      }
      return value
    }
    case "boolean": {
      const lower = text.trim().toLowerCase()
      if (["true", "yes", "1", "y"].includes(lower)) return true
      if (["false", "no", "0", "n"].includes(lower)) return false
      throw new Error(`column "${column.column}": "${text}" is not a boolean`)
    }
    case "list":
      return text.split(column.separator ?? ",").map((part) => part.trim()).filter((part) => part.length > 0)
    case "datetime": {
      const trimmed = text.trim()
      const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) ? trimmed : `${trimmed.replace(" ", "T")}Z`
      const millis = Date.parse(zoned)
      if (Number.isNaN(millis)) throw new Error(`column "${column.column}": "${text}" is not a date-time`)
      return new Date(millis).toISOString()
    }
    case "json":
      return JSON.parse(text)
  }
}

const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const keys = path.split(".")
  let node = target
  keys.slice(0, -1).forEach((key) => {
    const next = node[key]
    if (isRecord(next)) {
      node = next
    } else {
      const created: Record<string, unknown> = {}
      node[key] = created
      node = created
    }
  })
  node[keys[keys.length - 1] ?? path] = value
}

/**
 * Builds a record from one CSV row. Empty cells leave their field out.
 *
 * @since 0.1.0
 */
export const applyMapping = (row: Readonly<Record<string, string>>, mapping: CsvMapping | undefined) => {
  const record: Record<string, unknown> = {}
  const entries: Array<[string, CsvMapping[string]]> = mapping === undefined
    ? Object.keys(row).map((column) => [column, column])
    : Object.entries(mapping)
  for (const [field, spec] of entries) {
    if (typeof spec === "object" && "value" in spec) {
      setPath(record, field, spec.value)
      continue
    }
    const column: CsvColumn = typeof spec === "string" ? { column: spec, as: conversionFor(field) } : spec
    const cell = row[column.column]
    if (cell === undefined) {
      if (mapping !== undefined) {
        throw new Error(`the mapping names column "${column.column}", which the file does not have`)
      }
      continue
    }
    if (cell.trim() === "") continue
    setPath(record, field, convert(cell, column))
  }
  return record
}

/** Options of {@link csv}. @since 0.1.0 */
export interface CsvOptions {
  readonly mapping?: CsvMapping | undefined
  readonly delimiter?: string | undefined
  readonly sourceName?: string | undefined
}

/**
 * CSV with a header row. Each row becomes a record through `mapping` (without one, column names are field
 * paths). A row whose cells cannot be converted is `Unparsable`; a malformed file fails with a {@link SourceError}.
 *
 * @since 0.1.0
 */
export const csv = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: CsvOptions = {}
): Stream.Stream<SourceRecord, E | SourceError, R> =>
  Stream.suspend(() => {
    const parser = parseCsv({
      columns: true,
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: false,
      delimiter: options.delimiter ?? ","
    })
    let index = 0
    let lastLine = 1
    let failure: unknown = undefined
    parser.on("error", (error) => {
      failure = error
    })
    // A failing stream records its error synchronously (`errored`) and emits it a tick later.
    const failed = () => failure ?? parser.errored ?? undefined
    const sourceName = options.sourceName ?? "CSV input"
    const drain = (): Effect.Effect<Chunk.Chunk<SourceRecord>, SourceError> =>
      Effect.suspend(() => {
        const out: Array<SourceRecord> = []
        let entry: unknown
        while ((entry = parser.read()) !== null) {
          if (!isCsvEntry(entry)) continue
          const { info, record } = entry
          const position: Position = { index, line: lastLine + 1 }
          lastLine = info.lines
          index++
          try {
            out.push(parsed(position, applyMapping(record, options.mapping)))
          } catch (error) {
            out.push(unparsable(position, errorText(error)))
          }
        }
        const error = failed()
        return error === undefined
          ? Effect.succeed(Chunk.unsafeFromArray(out))
          : Effect.fail(
            new SourceError({ source: sourceName, reason: errorText(error), position: { index, line: lastLine + 1 } })
          )
      })
    const finish = Effect.suspend(() => {
      parser.end()
      return drain()
    })
    return bytes.pipe(
      Stream.mapChunksEffect((chunks) => {
        Chunk.forEach(chunks, (chunk) => {
          if (failed() === undefined) parser.write(chunk)
        })
        return drain()
      }),
      Stream.concat(Stream.flattenChunks(Stream.fromEffect(finish)))
    )
  })

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

/** Options of {@link fromFile}. @since 0.1.0 */
export interface FileOptions {
  /** The format; guessed from the file's extension when absent. */
  readonly format?: Format | undefined
  readonly csv?: Omit<CsvOptions, "sourceName"> | undefined
}

/**
 * Records from a file, in the given format or the one its extension names.
 *
 * @since 0.1.0
 */
export const fromFile = (
  path: string,
  options: FileOptions = {}
): Stream.Stream<SourceRecord, SourceError, FileSystem.FileSystem> => {
  const format = options.format ?? Option.getOrUndefined(formatOf(path))
  return fromBytes(fileBytes(path), format, { ...options.csv, sourceName: path }, path)
}

/**
 * Records from a stream of bytes in a known format.
 *
 * @since 0.1.0
 */
export const fromBytes = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: Format | undefined,
  csvOptions: CsvOptions = {},
  sourceName = "input"
): Stream.Stream<SourceRecord, E | SourceError, R> => {
  switch (format) {
    case "jsonl":
      return jsonLines(bytes)
    case "json":
      return jsonArray(bytes, sourceName)
    case "csv":
      return csv(bytes, { ...csvOptions, sourceName })
    case undefined:
      return Stream.fail(
        new SourceError({ source: sourceName, reason: "unknown format; name it (jsonl, json or csv)" })
      )
  }
}

/**
 * The bytes of standard input.
 *
 * @since 0.1.0
 */
export const stdinBytes: Stream.Stream<Uint8Array, SourceError> = Stream.suspend(() =>
  Stream.fromAsyncIterable(
    process.stdin,
    (error) => new SourceError({ source: "standard input", reason: errorText(error) })
  )
).pipe(Stream.map((chunk: unknown) => (chunk instanceof Uint8Array ? chunk : new TextEncoder().encode(String(chunk)))))
