/**
 * The check of an input's structure before the first request (`Preflight.checkStructure`, `checkFileStructure`): one
 * streamed pass of the JSON syntax checker over the bytes, nothing decoded, so that an input the reader would give
 * up on part-way is refused before a record is sent instead of after the records before the break were created.
 *
 * - A JSON array: the whole text must be one JSON array (white space around it only); the first syntax error,
 *   invalid UTF-8, an end before the array is closed, or anything after it refuses the input.
 * - JSON Lines: a line that is not JSON stays a reject of that record, as the reader makes it. Only the last line
 *   is checked: when the input does not end with a line break and its last line is not one JSON value, the input
 *   is taken as cut short (a download or copy that stopped mid-line) and refused — the records after the cut are
 *   missing, and importing the rest would hide it.
 * - CSV is not checked here.
 */
import { ImportSource } from "@effect-kustomer/client"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as JsonScanner from "./jsonScanner.js"

/**
 * Why an input is refused before anything is sent: `NotAnArray` (a `.json` input that is not a JSON array),
 * `Syntax`, `InvalidUtf8`, `CutShort` (it ends inside the array, or mid-line), `TrailingContent` (text after the
 * array).
 */
export type Problem = JsonScanner.Problem["kind"] | "CutShort"

const headline: Record<Problem, string> = {
  NotAnArray: "is not a JSON array",
  Syntax: "has a JSON syntax error",
  InvalidUtf8: "has bytes that are not UTF-8",
  CutShort: "is cut short",
  TrailingContent: "has text after the end of its JSON"
}

/**
 * An input refused by the check before the first request: where (byte offset from 0, line from 1, and for a JSON
 * array the index of the record from 0), what and why. Nothing was sent.
 */
export class BrokenInput extends Data.TaggedError("BrokenInput")<{
  readonly source: string
  readonly format: "json" | "jsonl"
  readonly problem: Problem
  readonly offset: number
  readonly line: number
  /** The index of the record the problem is in (or before): JSON arrays only. */
  readonly record?: number | undefined
  readonly reason: string
}> {
  override get message(): string {
    const record = this.record === undefined ? "" : `, record ${this.record}`
    return `${this.source} ${headline[this.problem]} at byte offset ${this.offset} (line ${this.line}${record}): ` +
      `${this.reason}. Nothing was sent: fix the input and run again`
  }
}

/** Options of {@link check}. */
export interface CheckOptions {
  /** Default `utf-8`. */
  readonly encoding?: ImportSource.Encoding | undefined
  /** Names the input in the error. */
  readonly sourceName?: string | undefined
  /**
   * JSON: the records may also be the array at this key of a top-level object (as `ImportSource.jsonArray` reads
   * them with `arrayKey`); the document may then be an object, and its records are not counted.
   */
  readonly arrayKey?: string | undefined
}

/** What the check found besides a problem: the records of a JSON array (a JSON Lines input's are not counted). */
export interface Checked {
  readonly records: number | undefined
}

/** A checker of one format: `update` reads `bytes[from..]` (at `base` in the input); `end` judges the whole. */
interface Checker {
  /** Reads more; false once the input is refused (nothing after matters). */
  readonly update: (bytes: Uint8Array, from: number, base: number) => boolean
  readonly end: (size: number) => BrokenInput | undefined
  readonly records: () => number | undefined
}

type Found = Omit<ConstructorParameters<typeof BrokenInput>[0], "source" | "format">

const arrayChecker = (
  utf8: boolean,
  arrayKey: string | undefined,
  refuse: (found: Found) => BrokenInput
): Checker => {
  const scanner = JsonScanner.make(arrayKey === undefined ? "array" : "arrayOrObject", utf8)
  const array = arrayKey === undefined ? "the JSON array" : `the JSON array (or the object holding "${arrayKey}")`
  const broken = (problem: JsonScanner.Problem) =>
    refuse({
      problem: problem.kind,
      offset: problem.offset,
      line: scanner.newlines() + 1,
      // Inside the array: the record being read (or expected next); before it or after it, none.
      record: problem.kind === "NotAnArray" || problem.kind === "TrailingContent" || scanner.topIsObject()
        ? undefined
        : scanner.elements(),
      reason: problem.reason
    })
  return {
    update: (bytes, from, base) => {
      scanner.feed(bytes, from, base)
      return scanner.problem() === undefined
    },
    end: (size) => {
      const problem = scanner.problem()
      if (problem !== undefined) return broken(problem)
      if (scanner.complete()) return undefined
      if (!scanner.started()) {
        return refuse({
          problem: "NotAnArray",
          offset: size,
          line: scanner.newlines() + 1,
          reason: `the input holds no JSON value; expected ${array} of records`
        })
      }
      if (scanner.topIsObject()) {
        return refuse({
          problem: "CutShort",
          offset: size,
          line: scanner.newlines() + 1,
          reason: `the input ends before ${array} is closed (a file cut short?)`
        })
      }
      return refuse({
        problem: "CutShort",
        offset: size,
        line: scanner.newlines() + 1,
        record: scanner.elements(),
        reason: `the input ends before ${array} is closed, after ${scanner.elements()} complete records ` +
          "(a file cut short?)"
      })
    },
    records: () => scanner.topIsObject() ? undefined : scanner.elements()
  }
}

const linesChecker = (utf8: boolean, refuse: (found: Found) => BrokenInput): Checker => {
  // The last line so far: the checker starts over after each line break, and reads only what follows the last one
  // of each chunk (other lines are the reader's, record by record).
  const scanner = JsonScanner.make("value", utf8)
  let line = 1
  let lineStart = 0
  return {
    update: (bytes, from, base) => {
      const lastBreak = bytes.lastIndexOf(0x0a)
      if (lastBreak < from) {
        scanner.feed(bytes, from, base)
        return true
      }
      for (let at = bytes.indexOf(0x0a, from); at !== -1; at = bytes.indexOf(0x0a, at + 1)) line++
      scanner.reset()
      lineStart = base + lastBreak + 1
      scanner.feed(bytes, lastBreak + 1, base)
      return true
    },
    end: (size) => {
      // Ends with a line break (or is empty), or its last line is blank or one whole JSON value: as it should be.
      if (lineStart === size || !scanner.started()) return undefined
      const problem = scanner.problem()
      if (problem === undefined && scanner.complete()) return undefined
      return refuse({
        problem: "CutShort",
        offset: problem?.offset ?? size,
        line,
        reason: (problem === undefined
          ? `the last line (from byte offset ${lineStart}) has no line break and ends inside a JSON value`
          : `the last line (from byte offset ${lineStart}) has no line break and is not JSON (${problem.reason})`) +
          " (if the line is whole, end it with a line break: it is then a reject of its own)"
      })
    },
    records: () => undefined
  }
}

const byteOrderMark = Uint8Array.of(0xef, 0xbb, 0xbf)

/** One pass of a format's checker: `read` each chunk (false once refused), then the `result`. */
interface Pass {
  readonly read: (chunk: Uint8Array) => boolean
  readonly result: Effect.Effect<Checked, BrokenInput>
}

const pass = (format: "json" | "jsonl", options: CheckOptions): Pass => {
  const source = options.sourceName ?? "input"
  const utf8 = (options.encoding ?? "utf-8") === "utf-8"
  const refuse = (found: Found) => new BrokenInput({ ...found, source, format })
  const checker = format === "json" ? arrayChecker(utf8, options.arrayKey, refuse) : linesChecker(utf8, refuse)
  let size = 0
  // A UTF-8 byte order mark is skipped, as the readers skip it (offsets still count it).
  let markChecked = utf8 ? 0 : byteOrderMark.length
  return {
    read: (chunk) => {
      const base = size
      size += chunk.length
      let from = 0
      while (markChecked < byteOrderMark.length && from < chunk.length) {
        if (chunk[from] === byteOrderMark[markChecked]) {
          markChecked++
          from++
          continue
        }
        // Not a mark after all: its first bytes (at the start of the input) are text.
        const partial = byteOrderMark.subarray(0, markChecked)
        markChecked = byteOrderMark.length
        if (!checker.update(partial, 0, 0)) return false
      }
      return checker.update(chunk, from, base)
    },
    result: Effect.suspend(() => {
      const refused = checker.end(size)
      return refused === undefined ? Effect.succeed({ records: checker.records() }) : Effect.fail(refused)
    })
  }
}

const unchecked: Effect.Effect<Checked> = Effect.succeed({ records: undefined })

/**
 * Checks the structure of a JSON array or JSON Lines input in one streamed pass (CSV passes unchecked); fails with
 * {@link BrokenInput} for an input the reader would give up on, or whose last line is cut short.
 */
export const check = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: ImportSource.Format,
  options: CheckOptions = {}
): Effect.Effect<Checked, E | BrokenInput, R> =>
  Effect.suspend(() => {
    if (format === "csv") return unchecked
    const reading = pass(format, options)
    return Stream.runForEachWhile(bytes, (chunk) => Effect.sync(() => reading.read(chunk))).pipe(
      Effect.zipRight(reading.result)
    )
  })

/** The size of the one buffer {@link checkFile} reads into. */
const bufferSize = 256 * 1024

/**
 * {@link check} of a file, read into one buffer over and over: the pass leaves no garbage behind (a stream of the
 * file allocates a chunk per read, freed only when the garbage collector comes round to it).
 */
export const checkFile = (
  path: string,
  format: ImportSource.Format,
  options: CheckOptions = {}
): Effect.Effect<Checked, BrokenInput | ImportSource.SourceError, FileSystem.FileSystem> =>
  format === "csv" ? unchecked : Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const unreadable = (error: PlatformError) =>
      new ImportSource.SourceError({ source: options.sourceName ?? path, reason: error.message })
    const file = yield* Effect.mapError(fs.open(path), unreadable)
    const reading = pass(format, options)
    const buffer = new Uint8Array(bufferSize)
    for (;;) {
      const size = Number(yield* Effect.mapError(file.read(buffer), unreadable))
      if (size === 0 || !reading.read(buffer.subarray(0, size))) break
    }
    return yield* reading.result
  }))
