/** The compact table of the externalIds an input has used: exact answers across its growth. */
import { assert, describe, it } from "@effect/vitest"
import * as SeenKeys from "../src/internal/import/seenKeys.js"

describe("SeenKeys", () => {
  it("tells first uses from repeats, with the first use's position, across many keys and growths", () => {
    const seen = SeenKeys.make()
    const count = 200_000
    for (let index = 0; index < count; index++) {
      assert.isUndefined(seen.firstUse(`ticket-${index}`, { index, line: index + 1 }))
    }
    for (const index of [0, 1, 4095, 4096, 65_537, count - 1]) {
      assert.deepStrictEqual(seen.firstUse(`ticket-${index}`, { index: count + index, line: 1 }), {
        index,
        line: index + 1
      })
    }
    // Keys that differ only in length or order are different keys; a position without a line stays without one.
    assert.isUndefined(seen.firstUse("ab", { index: 0 }))
    assert.isUndefined(seen.firstUse("ba", { index: 1 }))
    assert.isUndefined(seen.firstUse("ab\u0000", { index: 2 }))
    assert.isUndefined(seen.firstUse("", { index: 3 }))
    assert.deepStrictEqual(seen.firstUse("ba", { index: 9 }), { index: 1 })
    assert.deepStrictEqual(seen.firstUse("", { index: 10 }), { index: 3 })
    // A line far past its index (many blank lines before it) is not kept: the index still names the record.
    assert.isUndefined(seen.firstUse("late", { index: 5, line: 5000 }))
    assert.deepStrictEqual(seen.firstUse("late", { index: 6, line: 5001 }), { index: 5 })
    assert.isUndefined(seen.firstUse("near", { index: 7, line: 7 + 255 }))
    assert.deepStrictEqual(seen.firstUse("near", { index: 8 }), { index: 7, line: 262 })
  })
})
