/**
 * How deeply a record may nest. `JSON.parse` builds values of any depth without recursion, but
 * `JSON.stringify`, schema decoding and structural equality all recurse: a value a few thousand levels deep
 * throws `RangeError` in whichever step meets it first. Sources check depth without recursing, before anything
 * else sees the value, and turn a deeper record into a reject.
 */

/** The deepest nesting a record may have: `{}` is depth 1, `{"a":[{}]}` depth 3. */
export const maxDepth = 64

const openBrace = 0x7b
const openBracket = 0x5b
const closeBrace = 0x7d
const closeBracket = 0x5d
const quote = 0x22
const backslash = 0x5c

/**
 * Whether JSON text nests deeper than `limit`. Text with no more than `limit` opening brackets cannot, and
 * counting them is cheap; only text with more is scanned (iteratively, skipping strings).
 */
export const textExceeds = (text: string, limit: number = maxDepth): boolean => {
  let openers = 0
  for (let at = text.indexOf("{"); at !== -1 && openers <= limit; at = text.indexOf("{", at + 1)) openers++
  for (let at = text.indexOf("["); at !== -1 && openers <= limit; at = text.indexOf("[", at + 1)) openers++
  if (openers <= limit) return false
  let depth = 0
  let inString = false
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (inString) {
      if (code === backslash) at++
      else if (code === quote) inString = false
    } else if (code === quote) inString = true
    else if (code === openBrace || code === openBracket) {
      if (++depth > limit) return true
    } else if (code === closeBrace || code === closeBracket) depth--
  }
  return false
}

/** Whether a value nests deeper than `limit`, found with an explicit stack (no recursion). */
export const valueExceeds = (value: unknown, limit: number = maxDepth): boolean => {
  if (typeof value !== "object" || value === null) return false
  const stack: Array<{ readonly value: object; readonly depth: number }> = [{ value, depth: 1 }]
  let next = stack.pop()
  while (next !== undefined) {
    if (next.depth > limit) return true
    const children: ReadonlyArray<unknown> = Array.isArray(next.value) ? next.value : Object.values(next.value)
    for (const child of children) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: next.depth + 1 })
    }
    next = stack.pop()
  }
  return false
}

/** The reason given for a record that nests too deeply. */
export const tooDeep = (limit: number = maxDepth): string =>
  `nested more than ${limit} levels deep (objects and arrays within each other)`
