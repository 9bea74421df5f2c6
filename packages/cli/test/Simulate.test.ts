import { assert, describe, it } from "@effect/vitest"
import * as Simulate from "../src/Simulate.js"

describe("simulate", () => {
  it("runs the simulator's own program, from its sources or its build", () => {
    assert.strictEqual(Simulate.binOf("/repo/packages/simulator/src/index.ts"), "/repo/packages/simulator/src/bin.ts")
    assert.strictEqual(
      Simulate.binOf("/app/node_modules/@effect-kustomer/simulator/dist/index.js"),
      "/app/node_modules/@effect-kustomer/simulator/dist/bin.js"
    )
  })

  it("keeps this Node's loader flags and passes the arguments untouched", () => {
    assert.deepStrictEqual(
      Simulate.commandLine(["--import", "tsx", "--conditions=source"], "/sim/bin.ts", ["--port", "0", "--help"]),
      ["--import", "tsx", "--conditions=source", "/sim/bin.ts", "--port", "0", "--help"]
    )
  })
})
