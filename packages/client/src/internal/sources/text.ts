/**
 * Bytes to text, a region of whole lines at a time, without changing a character silently: in UTF-8 (the
 * default) a line holding bytes that are not UTF-8 is reported with the offset of the first bad byte instead of
 * being decoded with U+FFFD in its place. `latin1` and `windows-1252` map every byte to a character, so they
 * cannot fail.
 */
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import { youngArray } from "../youngArray.js"

/** The text encodings an input may be in. @since 0.1.0 */
export type Encoding = "utf-8" | "latin1" | "windows-1252"

/** The encodings, as options and flags name them. @since 0.1.0 */
export const encodings: ReadonlyArray<Encoding> = ["utf-8", "latin1", "windows-1252"]

/**
 * Text of whole lines (the last one of the input may lack its line break), or of whole characters when
 * {@link lines} cuts at characters. `firstLine` is the 1-based physical
 * line the text starts on; `badLines` maps the physical lines that are not valid in the encoding to the offset,
 * in the input, of their first bad byte (their text holds U+FFFD there).
 *
 * @since 0.1.0
 */
export interface Lines {
  readonly text: string
  readonly firstLine: number
  readonly badLines: ReadonlyMap<number, number>
  /**
   * Whether the text is all ASCII, so that each line's UTF-8 size is its length. Told only of UTF-8 input decoded
   * without a bad byte (its text then has as many characters as the input had bytes only when all are ASCII).
   */
  readonly ascii: boolean
}

const newline = 0x0a

const noBadLines: ReadonlyMap<number, number> = new Map()

/**
 * The offset of the first byte in `[from, to)` that does not belong to a well-formed UTF-8 sequence (as the
 * WHATWG decoder with `fatal: true` judges it: no overlong forms, no surrogates, nothing above U+10FFFF), or -1.
 *
 * @since 0.1.0
 */
export const firstInvalidUtf8 = (bytes: Uint8Array, from: number, to: number): number => {
  let at = from
  while (at < to) {
    const lead = bytes[at] ?? 0
    if (lead < 0x80) {
      at++
      continue
    }
    let length: number
    let min = 0x80
    let max = 0xbf
    if (lead >= 0xc2 && lead <= 0xdf) length = 2
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3
      if (lead === 0xe0) min = 0xa0
      if (lead === 0xed) max = 0x9f
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4
      if (lead === 0xf0) min = 0x90
      if (lead === 0xf4) max = 0x8f
    } else return at
    if (at + length > to) return at
    for (let next = 1; next < length; next++) {
      const byte = bytes[at + next] ?? 0
      const low = next === 1 ? min : 0x80
      const high = next === 1 ? max : 0xbf
      if (byte < low || byte > high) return at
    }
    at += length
  }
  return -1
}

// Windows-1252 differs from Latin-1 only in 0x80–0x9f, where it has printable characters (five bytes are unused
// and, as the WHATWG decoder does, stay the C1 control of the same number). Node's own "windows-1252" decoder
// gives the Latin-1 reading, so both are decoded here from a table.
const windows1252High = [
  0x20ac,
  0x81,
  0x201a,
  0x192,
  0x201e,
  0x2026,
  0x2020,
  0x2021,
  0x2c6,
  0x2030,
  0x160,
  0x2039,
  0x152,
  0x8d,
  0x17d,
  0x8f,
  0x90,
  0x2018,
  0x2019,
  0x201c,
  0x201d,
  0x2022,
  0x2013,
  0x2014,
  0x2dc,
  0x2122,
  0x161,
  0x203a,
  0x153,
  0x9d,
  0x17e,
  0x178
]

const singleByteTable = (encoding: "latin1" | "windows-1252"): Uint16Array => {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) table[byte] = byte
  if (encoding === "windows-1252") table.set(windows1252High, 0x80)
  return table
}

/** A single-byte encoding: every byte is one character, looked up in `table`. */
const decodeSingleByte = (bytes: Uint8Array, table: Uint16Array): string => {
  let text = ""
  const step = 8192
  const units = new Uint16Array(step)
  for (let start = 0; start < bytes.length; start += step) {
    const end = Math.min(bytes.length, start + step)
    for (let at = start; at < end; at++) units[at - start] = table[bytes[at] ?? 0] ?? 0
    text += String.fromCharCode.apply(null, Array.from(units.subarray(0, end - start)))
  }
  return text
}

/**
 * Where `bytes` can be cut without splitting a character: its end, or before a UTF-8 sequence that is not
 * complete yet. Bytes that are not UTF-8 at all are cut anyway (decoding reports them).
 */
const characterBoundary = (bytes: Uint8Array, encoding: Encoding): number => {
  if (encoding !== "utf-8") return bytes.length
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const byte = bytes[bytes.length - back] ?? 0
    if ((byte & 0xc0) === 0x80) continue
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return length > back ? bytes.length - back : bytes.length
  }
  return bytes.length
}

const concat = (left: Uint8Array, right: Uint8Array): Uint8Array => {
  if (left.length === 0) return right
  const joined = new Uint8Array(left.length + right.length)
  joined.set(left, 0)
  joined.set(right, left.length)
  return joined
}

/** Counts line breaks in `[from, to)`. */
const newlinesIn = (bytes: Uint8Array, from: number, to: number): number => {
  let count = 0
  let at = bytes.indexOf(newline, from)
  while (at !== -1 && at < to) {
    count++
    at = bytes.indexOf(newline, at + 1)
  }
  return count
}

/**
 * Cuts a stream of bytes into regions of whole lines (or, for a reader that needs no lines, of whole characters,
 * so that a file without line breaks still streams) and decodes each. A UTF-8 byte order mark at the start is
 * skipped (the offsets reported still count it).
 *
 * @since 0.1.0
 */
export const lines = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  encoding: Encoding = "utf-8",
  cutAt: "lines" | "characters" = "lines"
): Stream.Stream<Lines, E, R> =>
  Stream.suspend(() => {
    const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
    const lenient = new TextDecoder("utf-8", { ignoreBOM: true })
    const table = encoding === "utf-8" ? undefined : singleByteTable(encoding)
    let pending: Uint8Array = new Uint8Array(0)
    // The input offset of `pending`'s first byte, and the physical line it starts on.
    let offset = 0
    let line = 1
    let started = false

    const decodeRegion = (region: Uint8Array): Lines => {
      const firstLine = line
      const regionOffset = offset
      line += newlinesIn(region, 0, region.length)
      offset += region.length
      if (table !== undefined) {
        return { text: decodeSingleByte(region, table), firstLine, badLines: noBadLines, ascii: false }
      }
      try {
        const text = fatal.decode(region)
        return { text, firstLine, badLines: noBadLines, ascii: text.length === region.length }
      } catch {
        // Rare: find every line with a bad byte, then decode leniently; those lines are reported, not used.
        const badLines = new Map<number, number>()
        let lineNumber = firstLine
        let lineStart = 0
        while (lineStart < region.length) {
          const end = region.indexOf(newline, lineStart)
          const lineEnd = end === -1 ? region.length : end
          const bad = firstInvalidUtf8(region, lineStart, lineEnd)
          if (bad !== -1) badLines.set(lineNumber, regionOffset + bad)
          lineNumber++
          lineStart = lineEnd + 1
        }
        return { text: lenient.decode(region), firstLine, badLines, ascii: false }
      }
    }

    /** The region of `pending` up to its last line break, or everything at the end of the input. */
    const take = (atEnd: boolean): Lines | undefined => {
      const cut = atEnd
        ? pending.length
        : cutAt === "lines"
        ? pending.lastIndexOf(newline) + 1
        : characterBoundary(pending, encoding)
      if (cut <= 0) return undefined
      const region = pending.subarray(0, cut)
      pending = pending.subarray(cut)
      return decodeRegion(region)
    }

    const skipBom = (atEnd: boolean) => {
      if (started || (pending.length < 3 && !atEnd)) return
      started = true
      if (encoding === "utf-8" && pending[0] === 0xef && pending[1] === 0xbb && pending[2] === 0xbf) {
        pending = pending.subarray(3)
        offset = 3
      }
    }

    return bytes.pipe(
      Stream.mapChunks((chunks) => {
        const regions = youngArray<Lines>()
        for (const chunk of chunks) {
          pending = concat(pending, chunk)
          skipBom(false)
          const region = started ? take(false) : undefined
          if (region !== undefined) regions.push(region)
        }
        return Chunk.unsafeFromArray(regions)
      }),
      Stream.concat(Stream.suspend(() => {
        skipBom(true)
        const region = take(true)
        return region === undefined ? Stream.empty : Stream.succeed(region)
      }))
    )
  })
