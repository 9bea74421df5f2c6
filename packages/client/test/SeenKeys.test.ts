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
    for (const index of [0, 1, 4095, 4096, 8192, 65_535, 65_536, 65_537, 131_072, count - 1]) {
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

  it("answers as a Map of the keys would when repeats interleave with new keys through every growth", () => {
    const seen = SeenKeys.make()
    const reference = new Map<string, number>()
    // A fixed pseudo-random sequence over 150,000 possible keys: about half of 300,000 uses are repeats.
    let state = 12_345
    for (let index = 0; index < 300_000; index++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0
      const key = `customer-${state % 150_000}@example.com`
      const expected = reference.get(key)
      if (expected === undefined) reference.set(key, index)
      assert.deepStrictEqual(
        seen.firstUse(key, { index, line: index + 2 }),
        expected === undefined ? undefined : {
          index: expected,
          line: expected + 2
        }
      )
    }
    assert.isAbove(reference.size, 100_000)
  })
})
