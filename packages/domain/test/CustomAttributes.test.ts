import { assert, describe, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { customAttributeSuffixes, suffixOf } from "../src/CustomAttributes.js"

/** The suffix as the list defines it: the first one the key ends with, after at least one more character. */
const bySuffixList = (key: string) =>
  customAttributeSuffixes.find((suffix) => key.length > suffix.length && key.endsWith(suffix))

describe("custom attribute suffixes", () => {
  it("reads every suffix of the list, and nothing else, from a key", () => {
    for (const suffix of customAttributeSuffixes) {
      assert.strictEqual(suffixOf(`order${suffix}`), suffix)
      assert.strictEqual(suffixOf(`x${suffix}`), suffix)
      assert.isUndefined(suffixOf(suffix))
      assert.isUndefined(suffixOf(`${suffix}x`))
      assert.isUndefined(suffixOf(`order${suffix.toLowerCase()}`))
    }
    assert.isUndefined(suffixOf(""))
  })

  it("agrees with the list of suffixes for any key (property)", () =>
    FastCheck.assert(
      FastCheck.property(
        FastCheck.string({ maxLength: 8 }),
        FastCheck.constantFrom("", ...customAttributeSuffixes, "Nu", "t", "rl", "ool"),
        (stem, tail) => {
          const key = `${stem}${tail}`
          assert.strictEqual(suffixOf(key), bySuffixList(key))
        }
      ),
      { numRuns: 2000 }
    ))
})
