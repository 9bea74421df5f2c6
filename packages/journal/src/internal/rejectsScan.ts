/**
 * The scan of an existing rejects file (`RejectsFile.open`): which records it already holds, and where its last
 * complete line ends, read in chunks without holding the file.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Bitmap from "./bitmap.js"

/** What an existing rejects file holds, and where its last complete line ends. */
export interface Scan {
  readonly indexes: Bitmap.Bitmap
  readonly entries: number
  readonly completeBytes: number
  readonly size: number
}

const newline = 0x0a

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * Reads an existing file of JSON lines: the indexes of the lines `decodeLine` reads as entries, their number, and
 * where the last complete line ends (a line cut short by a crash is written over).
 */
export const scan = (
  fs: FileSystem.FileSystem,
  path: string,
  decodeLine: (text: string) => Option.Option<{ readonly position: { readonly index: number } }>
) =>
  Effect.suspend(() => {
    const decoder = new TextDecoder()
    const indexes = Bitmap.empty()
    let entries = 0
    let offset = 0
    let completeBytes = 0
    let pending: Array<Uint8Array> = []
    const line = (bytes: Uint8Array) => {
      Option.map(decodeLine(decoder.decode(bytes)), (entry) => {
        entries++
        Bitmap.add(indexes, entry.position.index)
      })
    }
    return Stream.runForEach(fs.stream(path, { chunkSize: FileSystem.KiB(64) }), (chunk) =>
      Effect.sync(() => {
        let start = 0
        while (start < chunk.length) {
          const end = chunk.indexOf(newline, start)
          if (end === -1) {
            pending.push(chunk.subarray(start))
            break
          }
          line(concat([...pending, chunk.subarray(start, end)]))
          pending = []
          completeBytes = offset + end + 1
          start = end + 1
        }
        offset += chunk.length
      })).pipe(Effect.map((): Scan => ({ indexes, entries, completeBytes, size: offset })))
  })
