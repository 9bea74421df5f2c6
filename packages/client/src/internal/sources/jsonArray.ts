/**
 * A JSON array of records, parsed incrementally so that a file of any size streams. Positions are indexes in the
 * array. A syntax error, or a byte that is not valid in the encoding, ends the stream with a `SourceError`:
 * nothing after it can be trusted.
 */
import { JSONParser } from "@streamparser/json"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import { errorText, parsed, SourceError, type SourceRecord } from "./record.js"
import { type Encoding, type Lines, lines } from "./text.js"

const isWhiteSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09

/** The records of a JSON array. */
export const read = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  sourceName: string,
  encoding: Encoding = "utf-8"
): Stream.Stream<SourceRecord, E | SourceError, R> =>
  Stream.suspend(() => {
    const parser = new JSONParser({ paths: ["$.*"], keepStack: false })
    let pending: Array<SourceRecord> = []
    let index = 0
    // Whether the first significant character has been seen, and whether it opened an array.
    let started = false
    let sawArray = false
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
    const checkStart = (text: string) => {
      for (let at = 0; at < text.length && !started; at++) {
        const code = text.charCodeAt(at)
        if (isWhiteSpace(code)) continue
        started = true
        sawArray = code === 0x5b
      }
    }
    let failure: SourceError | undefined
    const write = (text: string) => {
      if (!started) checkStart(text)
      if (started && !sawArray) throw new Error("expected a JSON array of records")
      if (!parser.isEnded) parser.write(text)
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
        if (!sawArray) return Stream.fail(fail("expected a JSON array of records"))
        if (!parser.isEnded) return Stream.fail(fail("the JSON array is not closed (truncated file?)"))
        return Stream.fromChunk(take())
      }))
    )
  })
