/**
 * The check of an input's structure before the first request (`Preflight.checkStructure`): a JSON array with a
 * syntax error or cut short, or JSON Lines cut mid-line, is refused with where and why — and a durable import of it
 * sends nothing, where it used to import the records before the break and fail there. A line that is not JSON in
 * the middle of JSON Lines stays a reject of its record.
 */
import { ImportSource } from "@effect-kustomer/client"
import { Simulator } from "@effect-kustomer/simulator"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import { DurableImport, Preflight, RunReport } from "../src/index.js"
import { conversation, fastPipeline, simulated, tempDir } from "./harness.js"

const encoder = new TextEncoder()

/** Bytes in chunks of `size`, as a file or a pipe gives them (a chunk may end anywhere, mid-character too). */
const chunked = (bytes: Uint8Array, size = 7): Stream.Stream<Uint8Array> =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, at) => bytes.subarray(at * size, (at + 1) * size))
  )

const check = (text: string | Uint8Array, format: "json" | "jsonl", encoding?: ImportSource.Encoding) =>
  Effect.either(
    Preflight.checkStructure(chunked(typeof text === "string" ? encoder.encode(text) : text), format, {
      sourceName: "in",
      encoding
    })
  )

const refused = (text: string | Uint8Array, format: "json" | "jsonl", encoding?: ImportSource.Encoding) =>
  Effect.flatMap(check(text, format, encoding), (result) =>
    Either.match(result, {
      onLeft: (broken) => Effect.succeed(broken),
      onRight: () => Effect.dieMessage("expected the input to be refused")
    }))

/** A JSON array of `count` conversations, one per line after `[` (record i is on line i + 2). */
const arrayText = (count: number, customer = "5cb3a1b7c9e77c0013e5f2d1") =>
  `[\n${Array.from({ length: count }, (_, index) => JSON.stringify(conversation(index, customer))).join(",\n")}\n]\n`

/** `text` with the colon after the first `"name"` of record `index` (as `arrayText` writes it) taken out. */
const withSyntaxError = (text: string, index: number) => {
  const at = text.indexOf(`"name":"Ticket ${index}"`)
  return { text: `${text.slice(0, at + 6)} ${text.slice(at + 7)}`, offset: at + 7 }
}

describe("Preflight.checkStructure", () => {
  it.effect("a JSON array: well-formed ones pass and are counted; where and why the broken ones break", () =>
    Effect.gen(function*() {
      const passed = yield* check(`\uFEFF ${arrayText(3)}`, "json")
      assert.deepStrictEqual(passed, Either.right({ records: 3 }))
      assert.deepStrictEqual(yield* check("[]", "json"), Either.right({ records: 0 }))
      assert.deepStrictEqual(
        yield* check(`[{"a":[1,-2.5e+3,0.5,true,null,"\\u00e9\\n"],"b":{}}, "x", 0]`, "json"),
        Either.right({ records: 3 })
      )

      const { offset, text } = withSyntaxError(arrayText(1000), 499)
      const syntax = yield* refused(text, "json")
      assert.strictEqual(syntax.problem, "Syntax")
      assert.strictEqual(syntax.offset, offset)
      assert.strictEqual(syntax.line, 501)
      assert.strictEqual(syntax.record, 499)
      assert.strictEqual(
        syntax.message,
        `in has a JSON syntax error at byte offset ${offset} (line 501, record 499): a quote where ":" should ` +
          "follow a key. Nothing was sent: fix the input and run again"
      )

      const full = arrayText(1000)
      const cut = yield* refused(full.slice(0, full.indexOf(`"Ticket 700"`)), "json")
      assert.strictEqual(cut.problem, "CutShort")
      assert.strictEqual(cut.record, 700)
      assert.strictEqual(cut.line, 702)
      assert.include(cut.message, "after 700 complete records")
      assert.strictEqual((yield* refused(full.slice(0, -3), "json")).problem, "CutShort")

      assert.strictEqual((yield* refused(`{"a":1}`, "json")).problem, "NotAnArray")
      assert.strictEqual((yield* refused("  \n", "json")).problem, "NotAnArray")
      const trailing = yield* refused(`[{"a":1}]\n[{"a":2}]`, "json")
      assert.strictEqual(trailing.problem, "TrailingContent")
      assert.strictEqual(trailing.line, 2)
      assert.strictEqual((yield* refused(`[{"a":1},]`, "json")).problem, "Syntax")
      assert.strictEqual((yield* refused(`[{"a":"line\nbreak"}]`, "json")).problem, "Syntax")
      assert.strictEqual((yield* refused(`[{"a":01}]`, "json")).problem, "Syntax")
    }))

  it.effect("with an arrayKey, the records may be the array at that key of a top-level object", () =>
    Effect.gen(function*() {
      const page = `{"tickets":[{"a":1},{"a":2}],"next_page":null}`
      const withKey = (text: string) =>
        Preflight.checkStructure(chunked(encoder.encode(text)), "json", { arrayKey: "tickets" })
      assert.deepStrictEqual(yield* withKey(page), { records: undefined })
      assert.deepStrictEqual(yield* withKey(`[{"a":1}]`), { records: 1 })
      const cut = yield* Effect.flip(withKey(page.slice(0, 20)))
      assert.deepStrictEqual([cut.problem, cut.record], ["CutShort", undefined])
      assert.include(cut.reason, `the JSON array (or the object holding "tickets")`)
      assert.strictEqual((yield* refused(page, "json")).problem, "NotAnArray")
      assert.strictEqual((yield* Effect.flip(withKey("\"tickets\""))).problem, "NotAnArray")
    }))

  it.effect("bytes that are not UTF-8, unless the encoding says otherwise", () =>
    Effect.gen(function*() {
      const latin = Uint8Array.from([...encoder.encode(`[{"name":"Caf`), 0xe9, ...encoder.encode(`"}]`)])
      const broken = yield* refused(latin, "json")
      assert.strictEqual(broken.problem, "InvalidUtf8")
      assert.strictEqual(broken.offset, 13)
      assert.deepStrictEqual(yield* check(latin, "json", "windows-1252"), Either.right({ records: 1 }))
      assert.deepStrictEqual(yield* check(`[{"name":"Café 😀"}]`, "json"), Either.right({ records: 1 }))
    }))

  it.effect("JSON Lines: a line that is not JSON passes (a reject of its record); a last line cut short does not", () =>
    Effect.gen(function*() {
      const lines = ["{\"a\":1}", "not json", "{\"a\":", "", "{\"a\":2}"]
      assert.isTrue(Either.isRight(yield* check(`${lines.join("\n")}\n`, "jsonl")))
      // A last line without a line break is fine when it is whole, or blank.
      assert.isTrue(Either.isRight(yield* check(lines.join("\n"), "jsonl")))
      assert.isTrue(Either.isRight(yield* check(`${lines.join("\r\n")}\r\n  `, "jsonl")))
      assert.isTrue(Either.isRight(yield* check("", "jsonl")))

      const cut = yield* refused(`${lines.join("\n")}\n{"name":"Tick`, "jsonl")
      assert.strictEqual(cut.problem, "CutShort")
      assert.strictEqual(cut.line, 6)
      assert.strictEqual(cut.record, undefined)
      assert.include(cut.message, "the last line (from byte offset 32) has no line break and ends inside a JSON value")
      const notJson = yield* refused(`{"a":1}\nnot json`, "jsonl")
      assert.strictEqual(notJson.problem, "CutShort")
      assert.strictEqual(notJson.offset, 9)
      assert.include(notJson.message, "has no line break and is not JSON")
    }))

  it.scoped("a file, read through one buffer: a break past the first buffers is found where it is", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { offset, text } = withSyntaxError(arrayText(6000), 5000)
      assert.isAbove(offset, 2 * 256 * 1024)
      NodeFs.writeFileSync(`${dir}/in.json`, text)
      const broken = yield* Effect.flip(Preflight.checkFileStructure(`${dir}/in.json`, "json"))
      assert.strictEqual(broken._tag, "BrokenInput")
      if (broken._tag === "BrokenInput") assert.deepStrictEqual([broken.offset, broken.record], [offset, 5000])
      NodeFs.writeFileSync(`${dir}/in.json`, arrayText(6000))
      assert.deepStrictEqual(yield* Preflight.checkFileStructure(`${dir}/in.json`, "json"), { records: 6000 })
      const missing = yield* Effect.flip(Preflight.checkFileStructure(`${dir}/missing.json`, "json"))
      assert.strictEqual(missing._tag, "SourceError")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("refuses exactly the JSON arrays the reader gives up on", () =>
    Effect.gen(function*() {
      const full = arrayText(20)
      const inputs = [
        full,
        full.slice(0, 200),
        full.slice(0, -2),
        withSyntaxError(full, 12).text,
        full.replace("\"open\"", "\"op\u0001en\""),
        full.replace("[\n", "[\n,"),
        full.replace("}", "}}"),
        full.replace("true", "tru"),
        `x${full}`,
        "",
        "[1, 2, [3, {\"a\": [true, false, null]}]]"
      ]
      for (const input of inputs) {
        const read = yield* Effect.either(Stream.runCount(ImportSource.jsonArray(chunked(encoder.encode(input)))))
        const checked = yield* check(input, "json")
        assert.strictEqual(Either.isLeft(checked), Either.isLeft(read), input.slice(0, 60))
        if (Either.isRight(checked) && Either.isRight(read)) assert.strictEqual(checked.right.records, read.right)
      }
    }))
})

describe("a durable import of a broken input", () => {
  const refusedRun = (dir: string, file: string, options: Partial<DurableImport.Options> = {}) =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const error = yield* Effect.flip(DurableImport.run({
        input: `${dir}/${file}`,
        journal: `${dir}/journal.sqlite`,
        report: `${dir}/report.json`,
        pipeline: fastPipeline,
        ...options
      }))
      const stats = yield* simulator.stats
      assert.strictEqual(stats.requests.total, 0, "no request was sent")
      assert.strictEqual(stats.conversations.stored, 0)
      assert.strictEqual(error.reason, "Input")
      assert.instanceOf(error.cause, Preflight.BrokenInput)
      const report = yield* RunReport.read(`${dir}/report.json`)
      assert.strictEqual(report.status, "failed")
      return error.cause as Preflight.BrokenInput
    })

  it.scopedLive("a JSON array with a syntax error at record 500: refused, 0 requests", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const { offset, text } = withSyntaxError(arrayText(1000, simulator.customerIds[0]), 499)
      NodeFs.writeFileSync(`${dir}/in.json`, text)
      const broken = yield* refusedRun(dir, "in.json")
      assert.strictEqual(broken.problem, "Syntax")
      assert.strictEqual(broken.offset, offset)
      assert.strictEqual(broken.line, 501)
      assert.include(broken.message, `${dir}/in.json has a JSON syntax error at byte offset ${offset}`)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a JSON array cut short: refused, 0 requests; fixed, it imports every record once", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const full = arrayText(1000, simulator.customerIds[0])
      NodeFs.writeFileSync(`${dir}/in.json`, full.slice(0, full.indexOf("\"Ticket 700\"")))
      const broken = yield* refusedRun(dir, "in.json")
      assert.strictEqual(broken.problem, "CutShort")
      assert.strictEqual(broken.record, 700)

      NodeFs.writeFileSync(`${dir}/in.json`, full)
      NodeFs.rmSync(`${dir}/journal.sqlite`, { force: true })
      const result = yield* DurableImport.run({ input: `${dir}/in.json`, pipeline: fastPipeline })
      assert.strictEqual(result.summary.created, 1000)
      assert.strictEqual((yield* simulator.stats).conversations.stored, 1000)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("JSON Lines cut mid-line, and a broken JSON array on standard input without a journal: 0 requests", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const lines = Array.from(
        { length: 50 },
        (_, index) => JSON.stringify(conversation(index, simulator.customerIds[0] ?? ""))
      )
      NodeFs.writeFileSync(`${dir}/in.jsonl`, `${lines.join("\n")}\n${lines[0]?.slice(0, 30)}`)
      const cut = yield* refusedRun(dir, "in.jsonl")
      assert.strictEqual(cut.problem, "CutShort")
      assert.strictEqual(cut.line, 51)

      const { text } = withSyntaxError(arrayText(100, simulator.customerIds[0]), 60)
      const piped = yield* refusedRun(dir, "unused", {
        input: "-",
        format: "json",
        journal: undefined,
        stdin: chunked(encoder.encode(text), 4096)
      })
      assert.strictEqual(piped.record, 60)
      assert.include(piped.message, "standard input has a JSON syntax error")
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("checkStructure: false — the records before the break are created, then the run fails", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const full = arrayText(300, simulator.customerIds[0])
      NodeFs.writeFileSync(`${dir}/in.json`, full.slice(0, full.indexOf("\"Ticket 250\"")))
      const error = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/in.json`, checkStructure: false, pipeline: fastPipeline })
      )
      assert.strictEqual(error.reason, "Input")
      assert.include(error.message, "not closed")
      const stored = (yield* simulator.stats).conversations.stored
      assert.isAbove(stored, 0)
      assert.isAtMost(stored, 250)
    }).pipe(Effect.provide(simulated())))
})
