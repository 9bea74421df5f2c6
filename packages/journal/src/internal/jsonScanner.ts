/**
 * A JSON syntax checker over bytes, fed a chunk at a time: it decodes nothing and builds no value, so it runs in
 * memory bounded by the nesting depth, whatever the input's size. It accepts what the readers accept (JSON as RFC
 * 8259 and `JSON.parse` define it: no trailing commas, no control characters in strings), and in UTF-8 it checks
 * the bytes of strings as the readers' strict decoder does. Its first problem is kept: the checker stops there.
 */

/**
 * What is being read: `array`, a JSON array at the top (a `.json` input); `arrayOrObject`, an array or an object (a
 * `.json` input whose records may be at a key of a top-level object); `value`, any one JSON value (a line).
 */
export type Top = "array" | "arrayOrObject" | "value"

/** The checker's first problem: where (the offset of the byte in the input) and why. */
export interface Problem {
  readonly kind: "NotAnArray" | "Syntax" | "TrailingContent" | "InvalidUtf8"
  readonly offset: number
  readonly reason: string
}

// States. A value may start in START (at the top), VALUE, FIRST_ELEMENT; a number may end in ZERO, INTEGER,
// FRACTION and EXPONENT_DIGITS (any other byte ends it and is read again in the state after the value).
const START = 0
const VALUE = 1
const FIRST_ELEMENT = 2
const FIRST_KEY = 3
const KEY = 4
const COLON = 5
const AFTER_VALUE = 6
const STRING = 7
const ESCAPE = 8
const UNICODE = 9
const UTF8 = 10
const LITERAL = 11
const MINUS = 12
const ZERO = 13
const INTEGER = 14
const DOT = 15
const FRACTION = 16
const EXPONENT = 17
const EXPONENT_SIGN = 18
const EXPONENT_DIGITS = 19
const DONE = 20
const BROKEN = 21

const inArray = 0
const inObject = 1

const literalBytes = new Map<number, Uint8Array>(
  ["true", "false", "null"].map((word) => [word.charCodeAt(0), new TextEncoder().encode(word)])
)

/**
 * Bytes that end a run of plain characters in a string: a quote, a backslash, a control character (and, in UTF-8,
 * a byte of a multi-byte character, checked one by one). One table look-up per byte in the loop that reads most of
 * the input.
 */
const stringStops = (utf8: boolean): Uint8Array => {
  const table = new Uint8Array(256)
  for (let byte = 0; byte < 0x20; byte++) table[byte] = 1
  table[0x22] = 1
  table[0x5c] = 1
  if (utf8) table.fill(1, 0x80)
  return table
}

const isWhiteSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39
const isHex = (byte: number) => isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)

/** A byte as a message shows it: `"x"` when printable ASCII, `a quote` for `"`, else `byte 0xNN`. */
export const showByte = (byte: number): string =>
  byte === 0x22
    ? "a quote"
    : byte > 0x20 && byte < 0x7f
    ? `"${String.fromCharCode(byte)}"`
    : `byte 0x${byte.toString(16).padStart(2, "0")}`

/** A checker of one JSON text (`array`: it must be an array). */
export interface Scanner {
  /** Reads `bytes[from..]`, `bytes[i]` being at `base + i` in the input. Does nothing once broken. */
  readonly feed: (bytes: Uint8Array, from: number, base: number) => void
  /** The first problem, if any. */
  readonly problem: () => Problem | undefined
  /** Whether the text read so far is one complete value (and nothing but white space after it). */
  readonly complete: () => boolean
  /** Whether anything but white space was read. */
  readonly started: () => boolean
  /** Whether the top-level value is an object. */
  readonly topIsObject: () => boolean
  /** Line breaks read (outside strings, where they may be). */
  readonly newlines: () => number
  /** Elements of the top-level array completed (0 when the top is an object). */
  readonly elements: () => number
  /** Starts over, for the next text (counts of lines and elements too). */
  readonly reset: () => void
}

/** A fresh checker. `utf8`: check the bytes of strings as UTF-8 (else any byte from 0x80 up is a character). */
export const make = (top: Top, utf8: boolean): Scanner => {
  const stops = stringStops(utf8)
  let state = START
  let stack = new Uint8Array(64)
  let depth = 0
  let stringIsKey = false
  let hexLeft = 0
  let utf8Left = 0
  let utf8Low = 0x80
  let utf8High = 0xbf
  let utf8Lead = 0
  let literal: Uint8Array = new Uint8Array(0)
  let literalAt = 0
  let newlines = 0
  let elements = 0
  let started = false
  let problem: Problem | undefined

  const fail = (kind: Problem["kind"], offset: number, reason: string) => {
    problem = { kind, offset, reason }
    state = BROKEN
  }

  const push = (kind: number) => {
    if (depth === stack.length) {
      const grown = new Uint8Array(stack.length * 2)
      grown.set(stack)
      stack = grown
    }
    stack[depth++] = kind
  }

  /** A value ended (its last byte read): what may follow depends on where it stood. */
  const ended = () => {
    if (depth === 0) {
      state = DONE
      return
    }
    if (top !== "value" && depth === 1 && stack[0] === inArray) elements++
    state = AFTER_VALUE
  }

  /** Whether `byte` starts a value (and the state is set for it). */
  const startValue = (byte: number): boolean => {
    switch (byte) {
      case 0x7b:
        push(inObject)
        state = FIRST_KEY
        return true
      case 0x5b:
        push(inArray)
        state = FIRST_ELEMENT
        return true
      case 0x22:
        stringIsKey = false
        state = STRING
        return true
      case 0x2d:
        state = MINUS
        return true
      case 0x30:
        state = ZERO
        return true
      default: {
        if (isDigit(byte)) {
          state = INTEGER
          return true
        }
        const word = literalBytes.get(byte)
        if (word === undefined) return false
        literal = word
        literalAt = 1
        state = LITERAL
        return true
      }
    }
  }

  /** The lead byte of a UTF-8 sequence in a string: the bounds of its next byte, or false when it cannot lead. */
  const startUtf8 = (byte: number): boolean => {
    utf8Low = 0x80
    utf8High = 0xbf
    if (byte >= 0xc2 && byte <= 0xdf) utf8Left = 1
    else if (byte >= 0xe0 && byte <= 0xef) {
      utf8Left = 2
      if (byte === 0xe0) utf8Low = 0xa0
      if (byte === 0xed) utf8High = 0x9f
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      utf8Left = 3
      if (byte === 0xf0) utf8Low = 0x90
      if (byte === 0xf4) utf8High = 0x8f
    } else return false
    return true
  }

  // One loop over the bytes, as long as the grammar: split into functions, it would pay a call per byte.
  const feed = (bytes: Uint8Array, from: number, base: number) => {
    const length = bytes.length
    let at = from
    while (at < length) {
      if (state === BROKEN) return
      const byte = bytes[at] ?? 0
      switch (state) {
        case STRING: {
          // The common case, in a tight loop: plain characters up to the next quote, backslash or special byte.
          let next = at
          while (next < length && stops[bytes[next] ?? 0] === 0) next++
          if (next === length) return
          at = next
          const special = bytes[at] ?? 0
          if (special === 0x22) {
            if (stringIsKey) state = COLON
            else ended()
          } else if (special === 0x5c) state = ESCAPE
          else if (special < 0x20) {
            return fail(
              "Syntax",
              base + at,
              `${showByte(special)} inside a string (line breaks and other control characters must be escaped)`
            )
          } else if (startUtf8(special)) {
            utf8Lead = base + at
            state = UTF8
          } else return fail("InvalidUtf8", base + at, "invalid UTF-8")
          at++
          continue
        }
        case UTF8:
          if (byte < utf8Low || byte > utf8High) return fail("InvalidUtf8", utf8Lead, "invalid UTF-8")
          utf8Low = 0x80
          utf8High = 0xbf
          if (--utf8Left === 0) state = STRING
          at++
          continue
        case ESCAPE:
          if (byte === 0x75) {
            hexLeft = 4
            state = UNICODE
          } else if (
            byte === 0x22 || byte === 0x5c || byte === 0x2f || byte === 0x62 || byte === 0x66 || byte === 0x6e ||
            byte === 0x72 || byte === 0x74
          ) state = STRING
          else return fail("Syntax", base + at, `${showByte(byte)} cannot follow a backslash in a string`)
          at++
          continue
        case UNICODE:
          if (!isHex(byte)) return fail("Syntax", base + at, `${showByte(byte)} in a \\u escape (4 hex digits)`)
          if (--hexLeft === 0) state = STRING
          at++
          continue
        case LITERAL:
          if (byte !== literal[literalAt]) {
            return fail("Syntax", base + at, `${showByte(byte)} in what should be ${new TextDecoder().decode(literal)}`)
          }
          if (++literalAt === literal.length) ended()
          at++
          continue
        case MINUS:
          if (byte === 0x30) state = ZERO
          else if (isDigit(byte)) state = INTEGER
          else return fail("Syntax", base + at, `${showByte(byte)} after a minus sign (a digit should follow)`)
          at++
          continue
        case ZERO:
        case INTEGER:
        case FRACTION:
        case EXPONENT_DIGITS: {
          if (state !== ZERO) {
            while (at < length && isDigit(bytes[at] ?? 0)) at++
            if (at === length) return
          }
          const after = bytes[at] ?? 0
          if (after === 0x2e && (state === ZERO || state === INTEGER)) state = DOT
          else if ((after === 0x65 || after === 0x45) && state !== EXPONENT_DIGITS) state = EXPONENT
          else {
            // Any other byte ends the number, and is read again after it.
            ended()
            continue
          }
          at++
          continue
        }
        case DOT:
          if (!isDigit(byte)) return fail("Syntax", base + at, `${showByte(byte)} after a decimal point (a digit)`)
          state = FRACTION
          at++
          continue
        case EXPONENT:
          if (byte === 0x2b || byte === 0x2d) state = EXPONENT_SIGN
          else if (isDigit(byte)) state = EXPONENT_DIGITS
          else return fail("Syntax", base + at, `${showByte(byte)} in a number's exponent`)
          at++
          continue
        case EXPONENT_SIGN:
          if (!isDigit(byte)) return fail("Syntax", base + at, `${showByte(byte)} in a number's exponent`)
          state = EXPONENT_DIGITS
          at++
          continue
      }
      // The structural states: white space first.
      if (isWhiteSpace(byte)) {
        if (byte === 0x0a) newlines++
        at++
        continue
      }
      switch (state) {
        case START:
          started = true
          if (top === "array" && byte !== 0x5b) {
            return fail("NotAnArray", base + at, `expected a JSON array of records ("["), found ${showByte(byte)}`)
          }
          if (top === "arrayOrObject" && byte !== 0x5b && byte !== 0x7b) {
            return fail(
              "NotAnArray",
              base + at,
              `expected a JSON array or object ("[" or "{"), found ${showByte(byte)}`
            )
          }
          if (!startValue(byte)) return fail("Syntax", base + at, `${showByte(byte)} where a JSON value should start`)
          break
        case FIRST_ELEMENT:
          if (byte === 0x5d) {
            depth--
            ended()
          } else if (!startValue(byte)) {
            return fail("Syntax", base + at, `${showByte(byte)} where a value or "]" should be`)
          }
          break
        case VALUE:
          if (!startValue(byte)) return fail("Syntax", base + at, `${showByte(byte)} where a value should be`)
          break
        case FIRST_KEY:
        case KEY:
          if (byte === 0x22) {
            stringIsKey = true
            state = STRING
          } else if (byte === 0x7d && state === FIRST_KEY) {
            depth--
            ended()
          } else {
            return fail(
              "Syntax",
              base + at,
              `${showByte(byte)} where ${state === FIRST_KEY ? "a quoted key or \"}\"" : "a quoted key"} should be`
            )
          }
          break
        case COLON:
          if (byte !== 0x3a) return fail("Syntax", base + at, `${showByte(byte)} where ":" should follow a key`)
          state = VALUE
          break
        case AFTER_VALUE: {
          const container = stack[depth - 1]
          const close = container === inArray ? 0x5d : 0x7d
          if (byte === 0x2c) state = container === inArray ? VALUE : KEY
          else if (byte === close) {
            depth--
            ended()
          } else {
            return fail("Syntax", base + at, `${showByte(byte)} where "," or "${String.fromCharCode(close)}" should be`)
          }
          break
        }
        case DONE:
          return fail(
            "TrailingContent",
            base + at,
            `${showByte(byte)} after the end of the ${top === "value" ? "value" : "document"}`
          )
      }
      at++
    }
  }

  return {
    feed,
    problem: () => problem,
    complete: () =>
      state === DONE ||
      (depth === 0 && (state === ZERO || state === INTEGER || state === FRACTION || state === EXPONENT_DIGITS)),
    started: () => started,
    topIsObject: () => started && stack[0] === inObject,
    newlines: () => newlines,
    elements: () => elements,
    reset: () => {
      state = START
      depth = 0
      newlines = 0
      elements = 0
      started = false
      problem = undefined
    }
  }
}
