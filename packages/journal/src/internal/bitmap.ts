/**
 * A growable set of record indexes, one bit each: a million settled records cost 125 kB, and a lookup is O(1).
 */
export interface Bitmap {
  bytes: Uint8Array
  size: number
}

/** An empty bitmap. */
export const empty = (): Bitmap => ({ bytes: new Uint8Array(1024), size: 0 })

/** Whether `index` is in the set. */
export const has = (bitmap: Bitmap, index: number): boolean => {
  const byte = Math.floor(index / 8)
  return byte < bitmap.bytes.length && ((bitmap.bytes[byte] ?? 0) & (1 << (index % 8))) !== 0
}

/** Adds `index`; returns whether it was new. */
export const add = (bitmap: Bitmap, index: number): boolean => {
  if (!Number.isSafeInteger(index) || index < 0) return false
  const byte = Math.floor(index / 8)
  if (byte >= bitmap.bytes.length) {
    let length = bitmap.bytes.length
    while (length <= byte) length *= 2
    const grown = new Uint8Array(length)
    grown.set(bitmap.bytes)
    bitmap.bytes = grown
  }
  const mask = 1 << (index % 8)
  const current = bitmap.bytes[byte] ?? 0
  if ((current & mask) !== 0) return false
  bitmap.bytes[byte] = current | mask
  bitmap.size++
  return true
}
