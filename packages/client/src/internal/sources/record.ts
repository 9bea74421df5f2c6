/**
 * What every reader yields: a record with its position, parsed or with the reason it could not be.
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
import { canonicalKeys, keyCount } from "./canonical.js"
import { textExceeds, tooDeep, valueExceeds } from "./depth.js"

/**
 * Where a record stands in its source: `index` counts records from 0; `line` is the 1-based physical line of a
 * text file on which the record starts (blank lines, a byte order mark and line breaks inside quoted CSV cells
 * all count as they appear in the file).
 *
 * @since 0.1.0
 */
export const Position = Schema.Struct({
  index: Schema.Number,
  line: Schema.optionalWith(Schema.Number, { exact: true })
}).annotations({ identifier: "Position" })

/** @since 0.1.0 */
export interface Position extends Schema.Schema.Type<typeof Position> {}

/** `line 12` or `record 7`: how a position is shown to people. @since 0.1.0 */
export const describePosition = (position: Position): string =>
  position.line === undefined ? `record ${position.index}` : `line ${position.line}`

/**
 * A record read from a source. Records are values: a step that changes one makes a new record rather than changing
 * its `value` in place (a JSON Lines record may carry its line, which is sent when the record is sent as read).
 *
 * @since 0.1.0
 */
export interface Parsed {
  readonly _tag: "Parsed"
  readonly position: Position
  readonly value: unknown
  /**
   * CSV: the columns of the record's date-times that had no offset and were read as UTC, no time zone being
   * given (one entry per cell; absent when there were none). See `CsvMapping.applyRow`.
   */
  readonly timesReadAsUtc?: ReadonlyArray<string>
}

/** A record that could not be read, why, and its text when the input had some (a line that is not JSON). @since 0.1.0 */
export interface Unparsable {
  readonly _tag: "Unparsable"
  readonly position: Position
  readonly reason: string
  readonly text?: string
}

/** A record read from a source: its parsed value, or why it could not be parsed. @since 0.1.0 */
export type SourceRecord = Parsed | Unparsable

/**
 * A parsed record made by a class rather than an object literal: V8 allocates the objects of a literal in its old
 * generation once most of them outlive a young collection (see `youngArray.ts`), and a record allocated there keeps
 * its parsed value alive until the next full collection, so every value would be promoted with it. A record of a
 * JSON line written with spaces (as Python's `json.dumps` writes it), for one, lives until its batch is validated.
 */
class ParsedValue implements Parsed {
  readonly _tag = "Parsed"
  constructor(readonly position: Position, readonly value: unknown) {}
}

/** A parsed record, for a value whose depth is known to be within bounds. */
export const parsedUnchecked = (
  position: Position,
  value: unknown,
  timesReadAsUtc: ReadonlyArray<string> = []
): SourceRecord =>
  timesReadAsUtc.length === 0
    ? new ParsedValue(position, value)
    : { _tag: "Parsed", position, value, timesReadAsUtc }

/** A record that could not be read; `text` is the input's text for it, kept for the rejects file. @since 0.1.0 */
export const unparsable = (position: Position, reason: string, text?: string): SourceRecord =>
  text === undefined ? { _tag: "Unparsable", position, reason } : { _tag: "Unparsable", position, reason, text }

/** The source cannot be read any further (missing file, broken JSON array, bad CSV header, I/O error). @since 0.1.0 */
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

/** An error's message, whatever was thrown. @since 0.1.0 */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * A parsed record; a value nested more than `maxDepth` levels deep is a reject instead (checked without recursion,
 * so that nothing after the source has to be careful). `timesReadAsUtc`: see {@link Parsed}.
 *
 * @since 0.1.0
 */
export const parsed = (position: Position, value: unknown, timesReadAsUtc?: ReadonlyArray<string>): SourceRecord =>
  valueExceeds(value) ? unparsable(position, tooDeep()) : parsedUnchecked(position, value, timesReadAsUtc)

/**
 * JSON text as a record: the depth is checked on the text before parsing, so a value too deep for the rest of
 * the pipeline is never built; text that is not JSON, or too deep, is kept with the reject.
 *
 * @since 0.1.0
 */
export const fromJsonText = (position: Position, text: string): SourceRecord => {
  if (textExceeds(text)) return unparsable(position, tooDeep(), text)
  try {
    return parsedUnchecked(position, JSON.parse(text))
  } catch (error) {
    return unparsable(position, `not valid JSON: ${errorText(error)}`, text)
  }
}

/**
 * A record read from a JSON line that is exactly what `JSON.stringify` writes for its value (see `canonical.ts`):
 * the codec sends the line instead of serialising the value again. The line is kept in private fields, so the record
 * looks and compares like any other `Parsed` record, and a copy of it (a spread) carries no line. Records are
 * values: one whose `value` were changed in place would be sent as read.
 */
export class ParsedLine implements Parsed {
  readonly _tag = "Parsed"
  readonly #json: string
  readonly #bytes: number
  constructor(readonly position: Position, readonly value: unknown, json: string, bytes: number) {
    this.#json = json
    this.#bytes = bytes
  }

  /** The line: `JSON.stringify(value)`. */
  get json(): string {
    return this.#json
  }

  /** The line's size in UTF-8 bytes, or -1 when the reader did not know it. */
  get bytes(): number {
    return this.#bytes
  }
}

/**
 * A JSON line as a record, as {@link fromJsonText} reads it; when the line is canonical JSON, the record keeps it
 * ({@link ParsedLine}), with its UTF-8 size when `ascii` says it is its length. Only for text from a decoder: it
 * holds no lone surrogate.
 */
export const fromJsonLine = (position: Position, text: string, ascii: boolean): SourceRecord => {
  const keys = canonicalKeys(text)
  // Text the canonical check accepted nests within bounds; anything else is checked as before.
  if (keys === -1 && textExceeds(text)) return unparsable(position, tooDeep(), text)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return unparsable(position, `not valid JSON: ${errorText(error)}`, text)
  }
  // A text with more keys than its value repeated a key, which parsing dropped: not canonical.
  return keys !== -1 && keyCount(value) === keys
    ? new ParsedLine(position, value, text, ascii ? text.length : -1)
    : parsedUnchecked(position, value)
}

/** The reason given for a line or row with bytes that are not UTF-8. @since 0.1.0 */
export const invalidUtf8 = (offset: number): string =>
  `invalid UTF-8 at byte offset ${offset} of the input; nothing of it was imported ` +
  "(if the file is in another encoding, name it: latin1 or windows-1252)"
