/**
 * JSON text that is already what `JSON.stringify` writes for the value it parses to. A JSON Lines record in that
 * form keeps its line, and the codec sends the line as the record's wire JSON instead of serialising the value
 * again: the serialisation costs as much as the parse.
 *
 * The test is conservative: text it accepts is certainly canonical, and any doubt (white space, an escape
 * `JSON.stringify` does not write, a number written otherwise than `String(number)` writes it, a key that is an array
 * index, a repeated key) makes it refuse, and the value is serialised as before.
 */
import * as Predicate from "effect/Predicate"
import { maxDepth } from "./depth.js"

const quote = 0x22
const plus = 0x2b
const comma = 0x2c
const minus = 0x2d
const dot = 0x2e
const zero = 0x30
const nine = 0x39
const colon = 0x3a
const upperE = 0x45
const openBracket = 0x5b
const backslash = 0x5c
const closeBracket = 0x5d
const lowerA = 0x61
const lowerB = 0x62
const lowerE = 0x65
const lowerF = 0x66
const lowerN = 0x6e
const lowerR = 0x72
const lowerT = 0x74
const lowerU = 0x75
const openBrace = 0x7b
const closeBrace = 0x7d

const isDigit = (code: number): boolean => code >= zero && code <= nine

/** The value of a lowercase hexadecimal digit, or -1. */
const hexDigit = (code: number): number =>
  isDigit(code) ? code - zero : code >= lowerA && code <= lowerF ? code - lowerA + 10 : -1

/**
 * The length of the escape at `at` (a backslash) when `JSON.stringify` writes that character so: 2 for `\"`, `\\`
 * and `\b \f \n \r \t`, 6 for `\u00xx` (lowercase) of another control character; -1 for any other (`\/`,
 * `\u0041`, an escaped surrogate), which `JSON.stringify` would write otherwise.
 */
const escapeSize = (text: string, at: number): number => {
  const code = text.charCodeAt(at + 1)
  if (
    code === quote || code === backslash || code === lowerB || code === lowerF || code === lowerN ||
    code === lowerR || code === lowerT
  ) return 2
  if (code !== lowerU || text.charCodeAt(at + 2) !== zero || text.charCodeAt(at + 3) !== zero) return -1
  const high = hexDigit(text.charCodeAt(at + 4))
  const low = hexDigit(text.charCodeAt(at + 5))
  if (high < 0 || high > 1 || low < 0) return -1
  const unit = high * 16 + low
  // Backspace, tab, line feed, form feed and carriage return have short escapes.
  return unit === 8 || unit === 9 || unit === 10 || unit === 12 || unit === 13 ? -1 : 6
}

/**
 * Where the number starting at `at` ends, or -1 when `JSON.stringify` would write it differently: an integer of at
 * most 15 digits (exact in a double) other than `-0` as is, anything else (fractions, exponents, longer integers)
 * only when it is exactly `String(Number(token))`.
 */
const numberEnd = (text: string, start: number): number => {
  let at = start
  let code = text.charCodeAt(at)
  if (code === minus) code = text.charCodeAt(++at)
  const digitsFrom = at
  if (code === zero) code = text.charCodeAt(++at)
  else if (isDigit(code)) {
    do code = text.charCodeAt(++at)
    while (isDigit(code))
  } else return -1
  if (code === dot || code === lowerE || code === upperE || at - digitsFrom > 15) {
    while (isDigit(code) || code === dot || code === lowerE || code === upperE || code === minus || code === plus) {
      code = text.charCodeAt(++at)
    }
    const token = text.slice(start, at)
    return String(Number(token)) === token ? at : -1
  }
  // `-0` parses to negative zero, which `JSON.stringify` writes as `0`.
  return at - digitsFrom === 1 && text.charCodeAt(digitsFrom) === zero && digitsFrom > start ? -1 : at
}

/**
 * The number of object keys in `text` when `JSON.stringify(JSON.parse(text))` certainly equals `text` provided
 * that no object repeats a key and the text is JSON (the caller parses it, and compares the count with the value's
 * own: {@link keyCount}); -1 when it may not, or when the text nests more than `limit` levels deep.
 *
 * Only for text that holds no lone surrogate (`JSON.stringify` escapes those): text from a decoder, as JSON Lines
 * are read.
 */
export const canonicalKeys = (text: string, limit: number = maxDepth): number => {
  const length = text.length
  // Where the next backslash is (the length when there is none): a string that ends before it has no escape.
  let nextEscape = text.indexOf("\\")
  if (nextEscape === -1) nextEscape = length
  let keys = 0
  let depth = 0
  let at = 0
  while (at < length) {
    const code = text.charCodeAt(at)
    switch (code) {
      case quote: {
        let close = text.indexOf("\"", at + 1)
        // Escapes before the quote found: each must be one `JSON.stringify` writes, and an escaped quote does not
        // end the string.
        while (nextEscape < close) {
          const size = escapeSize(text, nextEscape)
          if (size === -1) return -1
          const after = nextEscape + size
          nextEscape = text.indexOf("\\", after)
          if (nextEscape === -1) nextEscape = length
          if (close < after) close = text.indexOf("\"", after)
        }
        if (close === -1) return -1
        if (text.charCodeAt(close + 1) === colon) {
          // A key that is an array index (`"0"`, `"12"`) is enumerated before the others, so it may move.
          if (isDigit(text.charCodeAt(at + 1))) return -1
          keys++
          at = close + 2
        } else at = close + 1
        break
      }
      case openBrace:
      case openBracket:
        if (++depth > limit) return -1
        at++
        break
      case closeBrace:
      case closeBracket:
        depth--
        at++
        break
      case comma:
        at++
        break
      case lowerT:
        if (!text.startsWith("true", at)) return -1
        at += 4
        break
      case lowerF:
        if (!text.startsWith("false", at)) return -1
        at += 5
        break
      case lowerN:
        if (!text.startsWith("null", at)) return -1
        at += 4
        break
      default:
        at = numberEnd(text, at)
        if (at === -1) return -1
    }
  }
  return keys
}

/**
 * The number of own keys of every object in a parsed JSON value (arrays' elements searched too). A JSON text whose
 * key count is larger repeated a key, which parsing dropped. The value nests at most as deep as
 * {@link canonicalKeys} allowed, so recursion is safe.
 */
export const keyCount = (value: unknown): number => {
  if (typeof value !== "object" || value === null) return 0
  let count = 0
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index]
      if (typeof element === "object" && element !== null) count += keyCount(element)
    }
    return count
  }
  if (!Predicate.isRecord(value)) return -1
  for (const key in value) {
    count++
    const field = value[key]
    if (typeof field === "object" && field !== null) count += keyCount(field)
  }
  return count
}
