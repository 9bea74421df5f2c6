/**
 * The `externalId`s an input has used so far, and where each was first used, in little memory.
 *
 * A `Map` from each string to its position costs about 100 bytes a key on the V8 heap, and a million-record input
 * then outgrows the command's heap. Here a key is kept as two 32-bit hashes of it (with its length mixed in) in an
 * open-addressing table of typed arrays, beside the index and line of its first use: 13 bytes a slot (17–35 bytes
 * a key as the table fills and doubles), outside the V8 heap. The line is kept as its distance from the index (1
 * for a file without blank lines); a first use whose line is more than 255 lines past its index (many blank lines,
 * or CSV cells spanning lines) is remembered by its index alone. Two keys count as the same when both hashes agree; for distinct keys that happens with a probability of
 * about n² / 2⁶⁵ (3 × 10⁻⁸ among a million keys), the price of a bound that a whole input's strings would not have.
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

/** An empty set of keys. */
export const make = (): SeenKeys => {
  let capacity = 1 << 12
  // Per slot: the two hashes, the index of the first use + 1 (0: an empty slot), its line − index (0: none).
  let hashes = new Int32Array(capacity * 2)
  let indexes = new Uint32Array(capacity)
  let lines = new Uint8Array(capacity)
  let size = 0

  const slotOf = (first: number, second: number, mask: number, table: Int32Array, used: Uint32Array) => {
    let slot = first & mask
    while (used[slot] !== 0 && (table[slot * 2] !== first || table[slot * 2 + 1] !== second)) {
      slot = (slot + 1) & mask
    }
    return slot
  }

  const grow = () => {
    const larger = capacity * 2
    const nextHashes = new Int32Array(larger * 2)
    const nextIndexes = new Uint32Array(larger)
    const nextLines = new Uint8Array(larger)
    for (let slot = 0; slot < capacity; slot++) {
      if (indexes[slot] === 0) continue
      const first = hashes[slot * 2] ?? 0
      const second = hashes[slot * 2 + 1] ?? 0
      const target = slotOf(first, second, larger - 1, nextHashes, nextIndexes)
      nextHashes[target * 2] = first
      nextHashes[target * 2 + 1] = second
      nextIndexes[target] = indexes[slot] ?? 0
      nextLines[target] = lines[slot] ?? 0
    }
    capacity = larger
    hashes = nextHashes
    indexes = nextIndexes
    lines = nextLines
  }

  return {
    firstUse: (key, position) => {
      hash(key)
      const slot = slotOf(firstHash, secondHash, capacity - 1, hashes, indexes)
      const stored = indexes[slot] ?? 0
      if (stored !== 0) {
        const offset = lines[slot] ?? 0
        return offset === 0 ? { index: stored - 1 } : { index: stored - 1, line: stored - 1 + offset }
      }
      hashes[slot * 2] = firstHash
      hashes[slot * 2 + 1] = secondHash
      indexes[slot] = position.index + 1
      const offset = position.line === undefined ? 0 : position.line - position.index
      lines[slot] = offset >= 1 && offset <= 255 ? offset : 0
      size++
      if (size * 4 > capacity * 3) grow()
      return undefined
    }
  }
}
