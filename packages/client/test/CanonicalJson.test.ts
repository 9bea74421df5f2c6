import { BulkResource } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Stream from "effect/Stream"
import * as ImportSource from "../src/ImportSource.js"
import { codecOf } from "../src/internal/import/codec.js"
import { settingsOf } from "../src/internal/import/settings.js"
import { PreparedItem } from "../src/internal/import/stageValues.js"
import { canonicalKeys } from "../src/internal/sources/canonical.js"
import { fromJsonLine, fromJsonText, ParsedLine } from "../src/internal/sources/record.js"
import { conversationRecord } from "./records.js"

const position = { index: 4, line: 5 }
const customer = "6b097023c500000000000001"

/** Whether text holds no lone surrogate, as any text a decoder returns (the readers' lines). */
const wellFormed = (text: string): boolean => new TextDecoder().decode(new TextEncoder().encode(text)) === text

/** Whether the line was kept as the record's JSON; when it was, it must be what `JSON.stringify` writes. */
const keptLine = (text: string): boolean => {
  const record = fromJsonLine(position, text, false)
  // Whatever is kept, the record is the one the plain reader makes: same outcome, value or reason.
  assert.deepStrictEqual(record, fromJsonText(position, text))
  if (!(record instanceof ParsedLine)) return false
  assert.strictEqual(record.json, text)
  assert.strictEqual(JSON.stringify(record.value), text)
  return true
}

/** Whether an object in the value has a key starting with a digit (an array index is one). */
const hasDigitKey = (value: unknown): boolean => {
  if (Array.isArray(value)) return value.some((element) => hasDigitKey(element))
  if (typeof value !== "object" || value === null) return false
  return Object.entries(value).some(([key, field]) => /^\d/.test(key) || hasDigitKey(field))
}

/** Small rewrites of canonical JSON text, most of which make it non-canonical (or not JSON at all). */
const rewrites: ReadonlyArray<(text: string, at: number) => string> = [
  (text, at) => `${text.slice(0, at)} ${text.slice(at)}`,
  (text) => text.replace(/^\{"([^"]*)":([^,}]*)/, (member) => `${member},${member.slice(1)}`),
  (text) => text.replace(/:(-?\d+)/, ":$1.0"),
  (text) => text.replace(/:(-?\d+)/, ":$1e0"),
  (text) => text.replace(/:0/, ":-0"),
  (text) => text.replace(/"([a-z])/, (_, letter: string) => `"\\u00${letter.charCodeAt(0).toString(16)}`),
  (text) => text.replace(/"/, "\"1"),
  (text, at) => `${text.slice(0, at)}${text.slice(at + 1)}`
]

describe("canonical JSON lines", () => {
  it("keeps a line only when JSON.stringify of its value writes it back, and reads it as before (property)", () =>
    FastCheck.assert(
      FastCheck.property(
        FastCheck.jsonValue({ stringUnit: "grapheme", maxDepth: 4 }),
        FastCheck.nat(rewrites.length),
        FastCheck.nat(200),
        (value, rewrite, at) => {
          const text = JSON.stringify(value)
          const changed = rewrites[rewrite]?.(text, at % (text.length + 1)) ?? text
          // A rewrite may cut a surrogate pair in two: no decoder returns such text.
          if (wellFormed(changed)) keptLine(changed)
          // What JSON.stringify wrote is kept unless a key is an array index.
          assert.strictEqual(keptLine(text), !hasDigitKey(value))
        }
      ),
      { numRuns: 2000 }
    ))

  it("keeps lines with the escapes JSON.stringify writes, and no other escape (property)", () =>
    FastCheck.assert(
      FastCheck.property(
        FastCheck.dictionary(
          FastCheck.string({ maxLength: 4, unit: FastCheck.constantFrom("a", "\"", "\\", "\n", "\u0001", "\u001f") }),
          FastCheck.string({
            maxLength: 12,
            unit: FastCheck.constantFrom(
              "a",
              "é",
              " ",
              "\"",
              "\\",
              "/",
              "\b",
              "\t",
              "\n",
              "\f",
              "\r",
              "\u0000",
              "\u007f"
            )
          }),
          { maxKeys: 4 }
        ),
        FastCheck.nat(40),
        (value, at) => {
          const text = JSON.stringify(value)
          assert.isTrue(keptLine(text), text)
          // Other spellings of the same characters: never kept.
          for (const [written, other] of [["\\n", "\\u000a"], ["\\u001f", "\\u001F"], ["/", "\\/"]]) {
            const from = text.indexOf(written ?? "", at % (text.length + 1))
            if (from === -1) continue
            const changed = `${text.slice(0, from)}${other}${text.slice(from + (written ?? "").length)}`
            keptLine(changed)
          }
        }
      ),
      { numRuns: 1000 }
    ))

  it("keeps the line of JSON that JSON.stringify wrote, and not of other spellings of the same value", () => {
    assert.isTrue(keptLine(JSON.stringify({ ...conversationRecord(3, customer), custom: { scoreNum: -1.5e-7 } })))
    assert.isTrue(keptLine(`{"a":[1,-2,0,true,false,null,{}],"b":"é ✓ \u2028","c":123456789012345,"d":0.1}`))
    assert.isTrue(keptLine(`{"a":"line\\nbreak \\"quoted\\" \\\\ \\t \\u0001","b\\"":"\\\\"}`))
    for (
      const text of [
        `{"a":1,"a":2}`,
        `{"a":{"b":1,"b":1}}`,
        `{"b":1,"1":2}`,
        `{"a":-0}`,
        `{"a":1.0}`,
        `{"a":1e3}`,
        `{"a":1E-7}`,
        `{"a":1234567890123456789}`,
        `{"a":"\\u0041"}`,
        `{"a":"\\u000a"}`,
        `{"a":"\\u001F"}`,
        `{"a":"\\ud83d\\ude00"}`,
        `{"a":"\\/"}`,
        `{"a":"\\x"}`,
        `{"a":"\\"}`,
        `{"a\\":1}`,
        ` {"a":1}`,
        `{"a": 1}`,
        `{"a":1}\t`,
        `{"a":tru}`,
        `{"a":1`
      ]
    ) {
      assert.isFalse(keptLine(text), text)
    }
  })

  it("tells a line too deep from one within bounds as the depth check does", () => {
    assert.strictEqual(canonicalKeys(`${"[".repeat(64)}${"]".repeat(64)}`), 0)
    assert.strictEqual(canonicalKeys(`${"[".repeat(65)}${"]".repeat(65)}`), -1)
    assert.strictEqual(fromJsonLine(position, `${"[".repeat(65)}${"]".repeat(65)}`, true)._tag, "Unparsable")
    assert.strictEqual(fromJsonLine(position, `["${"[".repeat(70)}"]`, true)._tag, "Parsed")
  })

  it("prepares a record read as canonical JSON exactly as the same record parsed otherwise (property)", () =>
    FastCheck.assert(
      FastCheck.property(
        FastCheck.string({ maxLength: 30, unit: "grapheme" }),
        FastCheck.array(FastCheck.string({ maxLength: 8, unit: "grapheme" }), { maxLength: 4 }),
        (name, tags) => {
          const codec = codecOf(BulkResource.Conversations, settingsOf({}), undefined)
          const value = { ...conversationRecord(7, customer), name, tags }
          const text = JSON.stringify(value)
          // The reader tells an all-ASCII line, whose UTF-8 size is then its length.
          const read = fromJsonLine(position, text, /^[\x20-\x7e]*$/.test(text))
          const item = codec.prepare(read)
          const plain = codec.prepare({ _tag: "Parsed", position, value })
          assert.instanceOf(item, PreparedItem)
          assert.instanceOf(plain, PreparedItem)
          if (!(item instanceof PreparedItem) || !(plain instanceof PreparedItem)) return
          assert.strictEqual(item.json, plain.json)
          assert.strictEqual(item.bytes, plain.bytes)
          // What JSON.stringify wrote is kept, escapes included; the line then is what is sent.
          assert.strictEqual(read instanceof ParsedLine ? read.json : undefined, text)
        }
      )
    ))

  it.effect("measures the items of a JSON Lines file in UTF-8 bytes, ASCII or not, in pieces of any size", () =>
    Effect.gen(function*() {
      const codec = codecOf(BulkResource.Conversations, settingsOf({}), undefined)
      const names = ["plain", "Café ✓", "𝄞 clef", "ascii again", "naïve"]
      const text = names.map((name, index) => `${JSON.stringify({ ...conversationRecord(index, customer), name })}\n`)
        .join("")
      const bytes = new TextEncoder().encode(text)
      for (const size of [7, 64, 1 << 16]) {
        const pieces = Array.from(
          { length: Math.ceil(bytes.length / size) },
          (_, at) => bytes.subarray(at * size, (at + 1) * size)
        )
        const records = yield* Stream.runCollect(ImportSource.jsonLines(Stream.fromIterable(pieces)))
        const items = Chunk.toReadonlyArray(records).map((record) => codec.prepare(record))
        assert.strictEqual(items.length, names.length)
        for (const item of items) {
          assert.instanceOf(item, PreparedItem)
          if (item instanceof PreparedItem) assert.strictEqual(item.bytes, new TextEncoder().encode(item.json).length)
        }
      }
    }))
})
