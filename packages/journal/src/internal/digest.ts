/**
 * One pass over an input's bytes: its size, its SHA-256 and, for JSON Lines, its number of records (lines with
 * something other than white space on them, as the JSON Lines reader counts them).
 */
import * as NodeCrypto from "node:crypto"

/** A running digest of an input. */
export interface Digest {
  readonly update: (chunk: Uint8Array) => void
  /** Bytes seen so far. */
  readonly bytes: () => number
  /** The hash of everything seen; call once, at the end. */
  readonly sha256: () => string
  /** Non-blank lines seen so far (a last line without a newline included). */
  readonly lines: () => number
}

const isBlank = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0d

/** A fresh digest. */
export const make = (): Digest => {
  const hash = NodeCrypto.createHash("sha256")
  let bytes = 0
  let lines = 0
  let lineHasContent = false
  let digest: string | undefined
  return {
    update: (chunk) => {
      hash.update(chunk)
      bytes += chunk.length
      let start = 0
      while (start < chunk.length) {
        const newline = chunk.indexOf(0x0a, start)
        const end = newline === -1 ? chunk.length : newline
        for (let at = start; !lineHasContent && at < end; at++) {
          if (!isBlank(chunk[at] ?? 0x20)) lineHasContent = true
        }
        if (newline === -1) break
        if (lineHasContent) lines++
        lineHasContent = false
        start = newline + 1
      }
    },
    bytes: () => bytes,
    sha256: () => {
      digest ??= hash.digest("hex")
      return digest
    },
    lines: () => lines + (lineHasContent ? 1 : 0)
  }
}
