/**
 * A JSON array of records, parsed incrementally so that a file of any size streams. Positions are indexes in the
 * array. With an `arrayKey`, the array may also be the value of that key in a top-level object (an API page such
 * as `{"tickets": [...], "next_page": ...}`): the object's other values are parsed and dropped as they complete,
 * so memory stays flat. A syntax error, or a byte that is not valid in the encoding, ends the stream with a
 * `SourceError`: nothing after it can be trusted.
 */
import { JSONParser } from "@streamparser/json"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import { errorText, parsed, SourceError, type SourceRecord } from "./record.js"
import { type Encoding, type Lines, lines } from "./text.js"

const isWhiteSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09

/** The records of a JSON array, or of the array at `arrayKey` of a top-level object. */
export const read = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  sourceName: string,
  encoding: Encoding = "utf-8",
  arrayKey?: string
): Stream.Stream<SourceRecord, E | SourceError, R> =>
  Stream.suspend(() => {
    let pending: Array<SourceRecord> = []
    let index = 0
    // Whether the first significant character has been seen, and whether it opened an array (or, with an
    // `arrayKey`, an object); the parser is made then, with the path its records are at.
    let started = false
    let sawArray = false
    let notAnArray = false
    let parser: JSONParser | undefined
    // The parser's paths are dot-separated: a key holding a dot (or the wildcard) would select something else.
    if (arrayKey !== undefined && (arrayKey === "" || arrayKey === "*" || arrayKey.includes("."))) {
      return Stream.fail(new SourceError({ source: sourceName, reason: `cannot read the array at key "${arrayKey}"` }))
    }
    const expected = arrayKey === undefined
      ? "expected a JSON array of records"
      : `expected a JSON array of records, or an object whose "${arrayKey}" is one`
    const makeParser = (path: string) => {
      const made = new JSONParser({ paths: [path], keepStack: false })
      made.onValue = ({ parent, value }) => {
        // `{"tickets": {"a": …}}` matches the path too: its values are not records.
        if (!Array.isArray(parent)) notAnArray = true
        else {
          pending.push(parsed({ index }, value))
          index++
        }
      }
      return made
    }
    const take = () => {
      const out = pending
      pending = []
      return Chunk.unsafeFromArray(out)
    }
    const fail = (reason: string) => new SourceError({ source: sourceName, reason, position: { index } })
    const checkStart = (text: string) => {
      for (let at = 0; at < text.length && !started; at++) {
        const code = text.charCodeAt(at)
        if (isWhiteSpace(code)) continue
        started = true
        sawArray = code === 0x5b || (code === 0x7b && arrayKey !== undefined)
        if (sawArray) parser = makeParser(code === 0x5b ? "$.*" : `$.${arrayKey}.*`)
      }
    }
    let failure: SourceError | undefined
    const write = (text: string) => {
      if (!started) checkStart(text)
      if (started && !sawArray) throw new Error(expected)
      if (parser !== undefined && !parser.isEnded) parser.write(text)
      if (notAnArray) throw new Error(`"${arrayKey}" is not an array of records`)
    }
    /** The index in `text` where physical line `line` starts, `text` starting on `firstLine`. */
    const lineStart = (text: string, firstLine: number, line: number) => {
      let at = 0
      for (let current = firstLine; current < line; current++) {
        const newline = text.indexOf("\n", at)
        if (newline === -1) return text.length
        at = newline + 1
      }
      return at
    }
    const feed = (region: Lines) => {
      const bad = region.badLines.entries().next()
      if (bad.done === true) return write(region.text)
      // The lines before the bad one are still parsed, so that the records they complete come out.
      const [line, offset] = bad.value
      write(region.text.slice(0, lineStart(region.text, region.firstLine, line)))
      throw new Error(
        `invalid UTF-8 at byte offset ${offset} (line ${line}); if the file is in another encoding, ` +
          "name it: latin1 or windows-1252"
      )
    }
    // Records parsed before a fatal error are still emitted, then the stream fails.
    // Cut at characters, not lines: a JSON array is often one long line.
    return lines(bytes, encoding, "characters").pipe(
      Stream.map((region) => {
        try {
          feed(region)
        } catch (error) {
          failure = fail(errorText(error))
        }
        return take()
      }),
      Stream.takeUntil(() => failure !== undefined),
      Stream.flattenChunks,
      Stream.concat(Stream.suspend(() => {
        if (failure !== undefined) return Stream.fail(failure)
        if (!sawArray || parser === undefined) return Stream.fail(fail(expected))
        if (!parser.isEnded) return Stream.fail(fail("the JSON array is not closed (truncated file?)"))
        return Stream.fromChunk(take())
      }))
    )
  })
