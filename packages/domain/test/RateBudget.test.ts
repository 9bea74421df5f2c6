import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { RateBudget } from "../src/index.js"

const parsed = (text: string) =>
  Either.map(RateBudget.parse(text), (budget) => ({ limit: budget.limit, window: Duration.toMillis(budget.window) }))

describe("RateBudget", () => {
  it("parses LIMIT/WINDOW with an optional unit (seconds by default)", () => {
    assert.deepStrictEqual(parsed("300/10s"), Either.right({ limit: 300, window: 10_000 }))
    assert.deepStrictEqual(parsed("1000/60"), Either.right({ limit: 1000, window: 60_000 }))
    assert.deepStrictEqual(parsed("1000/1m"), Either.right({ limit: 1000, window: 60_000 }))
    assert.deepStrictEqual(parsed(" 50 / 500ms "), Either.right({ limit: 50, window: 500 }))
    assert.deepStrictEqual(parsed("5000/1h"), Either.right({ limit: 5000, window: 3_600_000 }))
  })

  it("refuses text that is not a budget, and non-positive budgets", () => {
    for (const text of ["fast", "0/10s", "10/0s", "10/-1s", "10", "/10s", "10/10d"]) {
      assert.isTrue(Either.isLeft(RateBudget.parse(text)), text)
    }
  })

  it("round-trips through its text form", () => {
    const decode = Schema.decodeSync(RateBudget.FromString)
    const encode = Schema.encodeSync(RateBudget.FromString)
    assert.strictEqual(encode(decode("100/10s")), "100/10s")
    assert.strictEqual(encode(decode("100/1m")), "100/60s")
    assert.strictEqual(encode(decode("7/250ms")), "7/250ms")
    assert.isTrue(Either.isLeft(Schema.decodeEither(RateBudget.FromString)("many")))
  })
})
