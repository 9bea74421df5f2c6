/**
 * JSON Lines: one JSON value per line. Blank lines are skipped but counted, so positions are physical lines.
 */
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import { youngArray } from "../youngArray.js"
import { fromJsonLine, invalidUtf8, type SourceRecord, unparsable } from "./record.js"
import { type Encoding, lines } from "./text.js"

/** Whether a line holds nothing but white space. */
const isBlank = (text: string): boolean => {
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d && code !== 0x0a) return false
  }
  return true
}

/**
 * The records of a JSON Lines input. A line that is not JSON, nests too deeply or is not valid in the encoding is
 * `Unparsable`, with its text.
 */
export const read = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  encoding: Encoding = "utf-8"
): Stream.Stream<SourceRecord, E, R> =>
  Stream.suspend(() => {
    let index = 0
    // Lines are split and parsed in a plain loop over each region: per-line stream steps cost more than parsing.
    // One flat array per chunk of regions: concatenating a chunk per region builds a tree of chunks that every later
    // stage then walks.
    return lines(bytes, encoding).pipe(
      Stream.mapChunks((regions) => {
        const records = youngArray<SourceRecord>()
        for (const region of regions) {
          const text = region.text
          let line = region.firstLine
          let start = 0
          while (start < text.length) {
            const newline = text.indexOf("\n", start)
            const stop = newline === -1 ? text.length : newline
            const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop
            const content = text.slice(start, end)
            if (!isBlank(content)) {
              const position = { index: index++, line }
              const bad = region.badLines.size === 0 ? undefined : region.badLines.get(line)
              records.push(
                bad === undefined
                  ? fromJsonLine(position, content, region.ascii)
                  : unparsable(position, invalidUtf8(bad), content)
              )
            }
            line++
            start = stop + 1
          }
        }
        return Chunk.unsafeFromArray(records)
      })
    )
  })
