/**
 * UTF-8 sizes of strings without `Buffer`, so that the client runs on any platform.
 */

const encoder = new TextEncoder()
let scratch = new Uint8Array(64 * 1024)

/** The number of bytes `text` takes in UTF-8. */
export const byteLength = (text: string): number => {
  // Each UTF-16 unit encodes to at most 3 bytes: a scratch buffer that large always holds the whole text.
  const needed = text.length * 3
  if (needed > scratch.length) scratch = new Uint8Array(Math.max(needed, scratch.length * 2))
  return encoder.encodeInto(text, scratch).written
}
