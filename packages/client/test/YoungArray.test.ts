import { assert, describe, it } from "@effect/vitest"
import { youngArray } from "../src/internal/youngArray.js"

// What the arrays are for (staying out of V8's old generation) depends on V8's heuristics and is measured by
// `pnpm bench cpu`, not here: a process-level check of it (`%InYoungGeneration`) gave different answers run to run.
describe("youngArray", () => {
  it("makes a new empty array each time, shared with no other", () => {
    const first = youngArray<number>()
    const second = youngArray<number>()
    first.push(1)
    assert.deepStrictEqual(first, [1])
    assert.deepStrictEqual(second, [])
    assert.deepStrictEqual(youngArray(), [])
    assert.notStrictEqual(first, second)
  })
})
