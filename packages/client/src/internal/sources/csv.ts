/**
 * CSV with a header row (RFC 4180: `"` quotes a cell, `""` is a quote inside one, quoted cells may span lines).
 * Read one character at a time by an incremental state machine, so that every row keeps the physical line it
 * starts on and one bad row is one reject:
 *
 * - a row with more or fewer cells than the header, a stray quote in an unquoted cell, text after a closing
 *   quote, bytes that are not valid in the encoding or a cell that cannot be converted is `Unparsable`, with its
 *   line, and the rest goes on;
 * - fatal (`SourceError`, after the rows before it): a header that cannot be read, a duplicate column name, a
 *   mapping naming columns the header lacks (reported once), and a quote still open at the end of the input;
 * - fatal before anything is read: a delimiter that cannot separate cells, a time zone that does not exist.
 */
import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as CsvMapping from "../../CsvMapping.js"
import { errorText, invalidUtf8, parsed, type Position, SourceError, type SourceRecord, unparsable } from "./record.js"
import { type Encoding, lines } from "./text.js"

/** Options of {@link read}. */
export interface Options {
  readonly mapping?: CsvMapping.Mapping | undefined
  readonly delimiter?: string | undefined
  /** The zone of date-times without an offset: an IANA name, or a zone already made. Default UTC. */
  readonly timeZone?: string | DateTime.TimeZone | undefined
  readonly encoding?: Encoding | undefined
  readonly sourceName?: string | undefined
}

/** One row as the tokenizer saw it. */
interface Row {
  readonly cells: ReadonlyArray<string>
  readonly line: number
  readonly problem: string | undefined
}

const quote = 0x22
const newline = 0x0a
const carriageReturn = 0x0d

/**
 * Splits text into rows across calls (a quoted cell may go on in the next piece of text). `segment` is where the
 * text of the current cell not yet copied into `cell` starts.
 */
class Tokenizer {
  private line = 1
  private cells: Array<string> = []
  private cell = ""
  private rowLine = 1
  private problem: string | undefined
  private inQuotes = false
  private quoted = false
  private afterQuote = false
  private rowStarted = false
  private segment = 0
  private readonly delimiterCode: number

  constructor(
    private readonly delimiter: string,
    private readonly badLines: () => ReadonlyMap<number, number>
  ) {
    this.delimiterCode = delimiter.charCodeAt(0)
    this.startRow()
  }

  /** Adds the rows that end in `text` to `rows`. */
  feed(text: string, rows: Array<Row>): void {
    // The text's first line may be the start or the continuation of the current row.
    this.noteBadLine()
    this.segment = 0
    for (let at = 0; at < text.length; at++) {
      const code = text.charCodeAt(at)
      if (this.inQuotes) at = this.quotedCharacter(text, at, code)
      else if (code === newline || code === carriageReturn) {
        at = this.endRow(text, at, code, rows)
      } else at = this.unquotedCharacter(text, at, code)
    }
    if (this.inQuotes || !this.afterQuote) this.cell += text.slice(this.segment)
  }

  /** Ends the input: adds its last row, or returns the line of a quoted cell left open. */
  finish(rows: Array<Row>): number | undefined {
    if (this.inQuotes) return this.rowLine
    if (this.rowStarted || this.cells.length > 0 || this.cell.length > 0 || this.quoted) {
      this.endCell()
      rows.push({ cells: this.cells, line: this.rowLine, problem: this.problem })
    }
    return undefined
  }

  private noteBadLine(): void {
    const bad = this.badLines().get(this.line)
    if (bad !== undefined && this.problem === undefined) this.problem = invalidUtf8(bad)
  }

  private startRow(): void {
    this.cells = []
    this.cell = ""
    this.rowLine = this.line
    this.problem = undefined
    this.rowStarted = false
    this.quoted = false
    this.afterQuote = false
    this.noteBadLine()
  }

  private endCell(): void {
    this.cells.push(this.cell)
    this.cell = ""
    this.quoted = false
    this.afterQuote = false
  }

  /** Inside quotes: `""` is a quote, `"` closes the cell, a line break belongs to it. */
  private quotedCharacter(text: string, at: number, code: number): number {
    if (code === quote) {
      const doubled = text.charCodeAt(at + 1) === quote
      this.cell += text.slice(this.segment, doubled ? at + 1 : at)
      this.segment = doubled ? at + 2 : at + 1
      if (doubled) return at + 1
      this.inQuotes = false
      this.afterQuote = true
    } else if (code === newline || (code === carriageReturn && text.charCodeAt(at + 1) !== newline)) {
      this.line++
      this.noteBadLine()
    }
    return at
  }

  /**
   * A line break outside quotes (LF, CRLF, or a lone CR as old Mac exports have) ends the row; a blank line is no
   * row, but counts.
   */
  private endRow(text: string, at: number, code: number, rows: Array<Row>): number {
    if (!this.afterQuote) this.cell += text.slice(this.segment, at)
    const end = code === carriageReturn && text.charCodeAt(at + 1) === newline ? at + 1 : at
    this.line++
    const blank = !this.rowStarted && this.cells.length === 0 && this.cell.length === 0 && !this.quoted
    this.endCell()
    if (!blank) rows.push({ cells: this.cells, line: this.rowLine, problem: this.problem })
    this.startRow()
    this.segment = end + 1
    return end
  }

  private unquotedCharacter(text: string, at: number, code: number): number {
    this.rowStarted = true
    if (code === this.delimiterCode && text.startsWith(this.delimiter, at)) {
      if (!this.afterQuote) this.cell += text.slice(this.segment, at)
      this.endCell()
      const end = at + this.delimiter.length - 1
      this.segment = end + 1
      return end
    }
    if (this.afterQuote) {
      this.problem ??= `text after the closing quote of cell ${this.cells.length + 1}`
      this.segment = at + 1
    } else if (code === quote) {
      if (at === this.segment && this.cell.length === 0 && !this.quoted) {
        this.inQuotes = true
        this.quoted = true
        this.segment = at + 1
      } else {
        this.problem ??= `a stray quote in unquoted cell ${this.cells.length + 1} (quote the cell and double the quote)`
      }
    }
    return at
  }
}

/** The header's problem: a duplicate name, or mapped columns it lacks. */
const headerProblem = (header: ReadonlyArray<string>, mapping: CsvMapping.Mapping | undefined): string | undefined => {
  const seen = new Map<string, number>()
  for (const [column, name] of header.entries()) {
    const first = seen.get(name)
    if (first !== undefined && name !== "") {
      return `the header names column "${name}" twice (columns ${first + 1} and ${column + 1}); ` +
        "rename one, as only one of them could be read"
    }
    seen.set(name, column)
  }
  if (mapping === undefined) return undefined
  const missing = CsvMapping.columnsOf(mapping).filter((column) => !seen.has(column))
  return missing.length === 0 ?
    undefined :
    `the mapping names ${missing.map((column) => `"${column}"`).join(", ")}, which the header lacks (it has ${
      header.map((name) => `"${name}"`).join(", ")
    })`
}

/** The records of a CSV input. */
export const read = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: Options = {}
): Stream.Stream<SourceRecord, E | SourceError, R> =>
  Stream.suspend(() => {
    const sourceName = options.sourceName ?? "CSV input"
    const delimiter = options.delimiter ?? ","
    if (delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
      return Stream.fail(
        new SourceError({
          source: sourceName,
          reason: `the delimiter ${JSON.stringify(delimiter)} cannot separate cells`
        })
      )
    }
    const timeZone = typeof options.timeZone === "string"
      ? CsvMapping.timeZoneOf(options.timeZone)
      : Either.right(options.timeZone)
    if (Either.isLeft(timeZone)) return Stream.fail(new SourceError({ source: sourceName, reason: timeZone.left }))
    const applyOptions: CsvMapping.ApplyOptions = { timeZone: timeZone.right }
    let badLines: ReadonlyMap<number, number> = new Map()
    const rowsOf = new Tokenizer(delimiter, () => badLines)
    let header: ReadonlyArray<string> | undefined
    let index = 0
    let failure: SourceError | undefined
    const fatal = (reason: string, line: number) =>
      new SourceError({ source: sourceName, reason, position: { index, line } })
    const recordOf = (row: Row): SourceRecord | undefined => {
      if (header === undefined) {
        const problem = row.problem ?? headerProblem(row.cells, options.mapping)
        if (problem !== undefined) failure = fatal(`the header cannot be used: ${problem}`, row.line)
        else header = row.cells
        return undefined
      }
      const position: Position = { index: index++, line: row.line }
      if (row.problem !== undefined) return unparsable(position, row.problem)
      if (row.cells.length !== header.length) {
        return unparsable(position, `the row has ${row.cells.length} cells and the header ${header.length}`)
      }
      const values: Record<string, string> = {}
      for (const [column, name] of header.entries()) values[name] = row.cells[column] ?? ""
      try {
        const applied = CsvMapping.applyRow(values, options.mapping, applyOptions)
        return parsed(position, applied.record, applied.timesReadAsUtc)
      } catch (error) {
        return unparsable(position, errorText(error))
      }
    }
    const recordsOf = (rows: ReadonlyArray<Row>): Array<SourceRecord> => {
      const records: Array<SourceRecord> = []
      for (const row of rows) {
        if (failure !== undefined) break
        const record = recordOf(row)
        if (record !== undefined) records.push(record)
      }
      return records
    }
    return lines(bytes, options.encoding).pipe(
      Stream.map((region) => {
        badLines = region.badLines
        const rows: Array<Row> = []
        rowsOf.feed(region.text, rows)
        return recordsOf(rows)
      }),
      Stream.takeUntil(() => failure !== undefined),
      Stream.flattenIterables,
      Stream.concat(Stream.suspend(() => {
        const rows: Array<Row> = []
        const unclosed = failure === undefined ? rowsOf.finish(rows) : undefined
        const last = recordsOf(rows)
        if (failure === undefined && unclosed !== undefined) {
          failure = fatal(`a quoted cell opened on line ${unclosed} is never closed`, unclosed)
        }
        if (failure === undefined && header === undefined) failure = fatal("the input has no header row", 1)
        return failure === undefined
          ? Stream.fromIterable(last)
          : Stream.concat(Stream.fromIterable(last), Stream.fail(failure))
      }))
    )
  })
