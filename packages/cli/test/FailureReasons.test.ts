import { ImportEvent } from "@effect-kustomer/client"
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as FailureReasons from "../src/FailureReasons.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.reasons-secret.c2lnbmF0dXJl"

const rejected = (index: number, message: string) =>
  new ImportEvent.Rejected({ position: { index }, issues: [{ path: "priority", message }], record: {} })

describe("FailureReasons", () => {
  it.effect("counts reasons, most frequent first, prefixed by the resource", () =>
    Effect.gen(function*() {
      const tally = yield* FailureReasons.make
      yield* tally.onEvent(rejected(0, "too high"))
      yield* tally.onEvent(rejected(1, "too high"))
      yield* tally.onEvent(rejected(2, "not a number"))
      yield* tally.onEvent(rejected(3, "too high"), "messages")
      assert.deepStrictEqual(yield* tally.top(2), [
        { outcome: "Rejected", reason: "priority: too high", count: 2 },
        { outcome: "Rejected", reason: "messages: priority: too high", count: 1 }
      ])
      assert.match(
        FailureReasons.render(yield* tally.top(5)),
        /Top failure reasons:\n\s+2 {2}rejected: priority: too high/
      )
      assert.strictEqual(FailureReasons.render([]), "")
    }))

  it.effect("keeps at most maxDistinct reasons; the rest are counted as other reasons", () =>
    Effect.gen(function*() {
      const tally = yield* FailureReasons.make
      const total = FailureReasons.maxDistinct + 5
      for (let index = 0; index < total; index++) yield* tally.onEvent(rejected(index, `reason ${index}`))
      const [first] = yield* tally.top(1)
      assert.deepStrictEqual(first, { outcome: "Rejected", reason: "other reasons", count: 5 })
    }))

  it.scopedLive("an import's summary lists the top failure reasons with counts", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const server = yield* SimulatorServer.SimulatorServer
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-reasons-test-" })
      const file = path.join(directory, "tickets.jsonl")
      const customer = server.customerIds[0] ?? ""
      const record = (name: string, priority: number) => JSON.stringify({ name, customer, priority })
      yield* fs.writeFileString(file, [record("a", 9), record("b", 9), "not json", record("c", 2)].join("\n"))
      const result = yield* runCli(["import", file], {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      })
      assert.strictEqual(result.code, 2)
      assert.include(result.text, "Top failure reasons:")
      assert.match(result.text, /\b2 {2}rejected: priority: Expected a number between 1 and 5, actual 9/)
      assert.match(result.text, /\b1 {2}rejected: .*JSON/i)
    }).pipe(Effect.provide(Layer.merge(SimulatorServer.layer({ apiKeys: [{ key: secretKey }] }), nodeLayer))))
})
