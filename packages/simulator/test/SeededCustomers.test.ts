import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Command from "@effect/platform/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { fileURLToPath } from "node:url"
import { Simulator } from "../src/index.js"

const idsOf = (seed: number, customers = 3) =>
  Effect.scoped(Effect.map(Simulator.make({ customers, answers: { seed } }), (simulator) => simulator.customerIds))

describe("seeded customers", () => {
  it.effect("have the same ids for the same seed, whatever the clock says, and other ids for another seed", () =>
    Effect.gen(function*() {
      const first = yield* idsOf(7)
      yield* TestClock.adjust("400 days")
      const later = yield* idsOf(7)
      assert.lengthOf(first, 3)
      assert.deepStrictEqual(later, first)
      const other = yield* idsOf(8)
      assert.notDeepEqual(other, first)
      assert.isTrue(first.every((id) => /^[0-9a-f]{24}$/.test(id)))
    }))

  it.scopedLive("the simulator program writes them to --customer-ids-file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-sim-ids-" })
      const file = path.join(directory, "customers.txt")
      const root = fileURLToPath(new URL("../../../", import.meta.url))
      const bin = path.join(root, "packages/simulator/src/bin.ts")
      const child = yield* Command.make(
        path.join(root, "node_modules/.bin/tsx"),
        "--conditions=source",
        bin,
        "--port",
        "0",
        "--customers",
        "4",
        "--seed",
        "11",
        "--customer-ids-file",
        file
      ).pipe(Command.start)
      // The program says so once the file is written; the scope ends the process.
      yield* child.stdout.pipe(
        Stream.decodeText(),
        Stream.takeUntil((text) => text.includes("customer ids:")),
        Stream.runDrain
      )
      const written = (yield* fs.readFileString(file)).trim().split("\n")
      assert.deepStrictEqual(written, yield* idsOf(11, 4))
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
