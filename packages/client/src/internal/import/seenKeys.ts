/**
 * The `externalId`s an input has used so far, and where each was first used, in little memory.
 *
 * A `Map` from each string to its position costs about 100 bytes a key on the V8 heap, and a million-record input
 * then outgrows the command's heap. Here a key is kept as two 32-bit hashes of it (with its length mixed in) beside
 * the index and line of its first use, outside the V8 heap, in a hash table with chaining:
 *
 * - the entries (17 bytes each: the two hashes, the index, the line, the next entry of the same bucket) are appended
 *   to fixed-size segments of typed arrays and never move, so the table grows by one segment at a time (1.1 MB)
 *   without a copy of what it already holds;
 * - only the array of bucket heads (4 bytes a bucket, one bucket per one to two keys) is reallocated when it
 *   doubles, and the chains are relinked in place.
 *
 * So a million keys take about 20 MB and growing never holds two copies of the table (an open-addressing table that
 * doubles holds 27 MB at a million keys, and 40 MB while it doubles). The line is kept as its distance from the
 * index (1 for a file without blank lines); a first use whose line is more than 255 lines past its index (many blank
 * lines, or CSV cells spanning lines) is remembered by its index alone. Two keys count as the same when both hashes
 * agree; for distinct keys that happens with a probability of about n² / 2⁶⁵ (3 × 10⁻⁸ among a million keys), the
 * price of a bound that a whole input's strings would not have.
 */
import type { Position } from "../../ImportSource.js"

/** Keys seen so far. */
export interface SeenKeys {
  /** Records the first use of `key` at `position`; when it was used before, returns where. */
  readonly firstUse: (key: string, position: Position) => Position | undefined
}

let firstHash = 0
let secondHash = 0

/** Sets `firstHash` and `secondHash` (FNV-1a, and a multiply-xorshift hash seeded with the length). */
const hash = (key: string) => {
  let a = 0x811c9dc5
  let b = 0x9747b28c ^ key.length
  for (let at = 0; at < key.length; at++) {
    const code = key.charCodeAt(at)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x5bd1e995)
    b ^= b >>> 15
  }
  firstHash = a | 0
  secondHash = b | 0
}

/** Entries per segment (a power of two: an entry's segment and offset are its number's high and low bits). */
const segmentBits = 16
const segmentSize = 1 << segmentBits
const offsetMask = segmentSize - 1

/** A block of entries. `next` holds the number of the bucket's next entry + 1 (0: the end of the chain). */
interface Segment {
  readonly hashes: Int32Array
  readonly indexes: Uint32Array
  readonly lines: Uint8Array
  readonly next: Uint32Array
}

const makeSegment = (): Segment => ({
  hashes: new Int32Array(segmentSize * 2),
  indexes: new Uint32Array(segmentSize),
  lines: new Uint8Array(segmentSize),
  next: new Uint32Array(segmentSize)
})

/** The position an entry holds. */
const positionOf = (segment: Segment, offset: number): Position => {
  const index = segment.indexes[offset] ?? 0
  const distance = segment.lines[offset] ?? 0
  return distance === 0 ? { index } : { index, line: index + distance }
}

/** A line's distance from its index when it fits a byte (0: not kept). */
const lineDistance = (position: Position) => {
  const distance = position.line === undefined ? 0 : position.line - position.index
  return distance >= 1 && distance <= 255 ? distance : 0
}

/** An empty set of keys. */
export const make = (): SeenKeys => {
  let current = makeSegment()
  const segments: Array<Segment> = [current]
  let size = 0
  // Bucket heads: the number of the bucket's first entry + 1 (0: an empty bucket).
  let heads = new Uint32Array(1 << 12)

  /** Doubles the buckets and relinks every entry into its new bucket (no entry moves). */
  const growBuckets = () => {
    const larger = new Uint32Array(heads.length * 2)
    const mask = larger.length - 1
    for (let entry = 0; entry < size; entry++) {
      const segment = segments[entry >>> segmentBits]
      if (segment === undefined) break
      const offset = entry & offsetMask
      const bucket = (segment.hashes[offset * 2] ?? 0) & mask
      segment.next[offset] = larger[bucket] ?? 0
      larger[bucket] = entry + 1
    }
    heads = larger
  }

  /** The position kept with the current hashes in `bucket`, if any. */
  const find = (bucket: number): Position | undefined => {
    let link = heads[bucket] ?? 0
    while (link !== 0) {
      const entry = link - 1
      const segment = segments[entry >>> segmentBits]
      if (segment === undefined) return undefined
      const offset = entry & offsetMask
      if (segment.hashes[offset * 2] === firstHash && segment.hashes[offset * 2 + 1] === secondHash) {
        return positionOf(segment, offset)
      }
      link = segment.next[offset] ?? 0
    }
    return undefined
  }

  const append = (bucket: number, position: Position) => {
    const offset = size & offsetMask
    if (offset === 0 && size > 0) {
      current = makeSegment()
      segments.push(current)
    }
    current.hashes[offset * 2] = firstHash
    current.hashes[offset * 2 + 1] = secondHash
    current.indexes[offset] = position.index
    current.lines[offset] = lineDistance(position)
    current.next[offset] = heads[bucket] ?? 0
    heads[bucket] = size + 1
    size++
    if (size > heads.length * 2) growBuckets()
  }

  return {
    firstUse: (key, position) => {
      hash(key)
      const bucket = firstHash & (heads.length - 1)
      const first = find(bucket)
      if (first === undefined) append(bucket, position)
      return first
    }
  }
}
