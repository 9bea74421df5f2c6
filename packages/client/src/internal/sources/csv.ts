/**
 * CSV with a header row (RFC 4180: `"` quotes a cell, `""` is a quote inside one, quoted cells may span lines).
 * Read one character at a time by an incremental state machine, so that every row keeps the physical line it
 * starts on and one bad row is one reject:
 *
 * - a row with more or fewer cells than the header, a stray quote in an unquoted cell, text after a closing
 *   quote, bytes that are not valid in the encoding or a cell that cannot be converted is `Unparsable`, with its
 *   line, and the rest goes on;
 * - fatal (`SourceError`, after the rows before it): a header that cannot be read, a duplicate column name, a
 *   mapping naming columns the header lacks (reported once), and a quote still open at the end of the input.
 */
import * as Stream from "effect/Stream"
import * as CsvMapping from "../../CsvMapping.js"
import { errorText, invalidUtf8, parsed, type Position, SourceError, type SourceRecord, unparsable } from "./record.js"
import { type Encoding, lines } from "./text.js"

/** Options of {@link read}. */
export interface Options {
  readonly mapping?: CsvMapping.Mapping | undefined
  readonly delimiter?: string | undefined
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

/** Splits text into rows across calls; `finish` returns the last row, or the line of a quote left open. */
const tokenizer = (delimiter: string, badLines: () => ReadonlyMap<number, number>) => {
  const delimiterCode = delimiter.charCodeAt(0)
  let line = 1
  let cells: Array<string> = []
  let cell = ""
  let rowLine = 1
  let problem: string | undefined
  let inQuotes = false
  let quoted = false
  let afterQuote = false
  let rowStarted = false
  const noteBadLine = () => {
    const bad = badLines().get(line)
    if (bad !== undefined && problem === undefined) problem = invalidUtf8(bad)
  }
  const startRow = () => {
    cells = []
    cell = ""
    rowLine = line
    problem = undefined
    rowStarted = false
    quoted = false
    afterQuote = false
    noteBadLine()
  }
  const endCell = () => {
    cells.push(cell)
    cell = ""
    quoted = false
    afterQuote = false
  }
  startRow()
  const feed = (text: string, rows: Array<Row>): void => {
    // The region's first line may be the start or the continuation of the current row.
    noteBadLine()
    let segment = 0
    for (let at = 0; at < text.length; at++) {
      const code = text.charCodeAt(at)
      if (inQuotes) {
        if (code === quote) {
          if (text.charCodeAt(at + 1) === quote) {
            cell += text.slice(segment, at + 1)
            at++
            segment = at + 1
          } else {
            cell += text.slice(segment, at)
            inQuotes = false
            afterQuote = true
            segment = at + 1
          }
        } else if (code === newline) {
          line++
          noteBadLine()
        }
        continue
      }
      if (code === newline || (code === carriageReturn && text.charCodeAt(at + 1) === newline)) {
        if (!afterQuote) cell += text.slice(segment, at)
        if (code === carriageReturn) at++
        line++
        const blank = !rowStarted && cells.length === 0 && cell.length === 0 && !quoted
        endCell()
        if (!blank) rows.push({ cells, line: rowLine, problem })
        startRow()
        segment = at + 1
        continue
      }
      rowStarted = true
      if (code === delimiterCode && text.startsWith(delimiter, at)) {
        if (!afterQuote) cell += text.slice(segment, at)
        endCell()
        at += delimiter.length - 1
        segment = at + 1
      } else if (afterQuote) {
        problem ??= `text after the closing quote of cell ${cells.length + 1}`
        segment = at + 1
      } else if (code === quote) {
        if (at === segment && cell.length === 0 && !quoted) {
          inQuotes = true
          quoted = true
          segment = at + 1
        } else {
          problem ??= `a stray quote in unquoted cell ${cells.length + 1} (quote the cell and double the quote)`
        }
      }
    }
    if (inQuotes || !afterQuote) cell += text.slice(segment)
  }
  const finish = (rows: Array<Row>): number | undefined => {
    if (inQuotes) return rowLine
    if (rowStarted || cells.length > 0 || cell.length > 0 || quoted) {
      endCell()
      rows.push({ cells, line: rowLine, problem })
    }
    return undefined
  }
  return { feed, finish }
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
    let badLines: ReadonlyMap<number, number> = new Map()
    const rowsOf = tokenizer(delimiter, () => badLines)
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
        return parsed(position, CsvMapping.apply(values, options.mapping))
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
