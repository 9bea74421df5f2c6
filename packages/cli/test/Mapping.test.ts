import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Mapping from "../src/Mapping.js"

describe("--mapping", () => {
  it("tells field=Column pairs from file paths", () => {
    assert.deepStrictEqual(Mapping.parsePair("name=Subject"), ["name", "Subject"])
    assert.deepStrictEqual(Mapping.parsePair("custom.orderNumberStr=Order #"), ["custom.orderNumberStr", "Order #"])
    assert.deepStrictEqual(Mapping.parsePair("tags=Tags=Labels"), ["tags", "Tags=Labels"])
    assert.isUndefined(Mapping.parsePair("mapping.json"))
    assert.isUndefined(Mapping.parsePair("./maps/a=b.json"))
    assert.isUndefined(Mapping.parsePair("name="))
  })

  it("parses a mapping file and says what is wrong with a bad one", () => {
    const parsed = Mapping.parseFile(
      "m.json",
      JSON.stringify({
        externalId: "Id",
        tags: { column: "Tags", as: "list", separator: " " },
        status: { value: "done" }
      })
    )
    assert.deepStrictEqual(
      parsed,
      Either.right({
        externalId: "Id",
        tags: { column: "Tags", as: "list", separator: " " },
        status: { value: "done" }
      })
    )
    const bad = Mapping.parseFile("m.json", JSON.stringify({ tags: { column: "Tags", as: "array" } }))
    assert.isTrue(Either.isLeft(bad))
    assert.include(Either.isLeft(bad) ? bad.left.message : "", "--mapping m.json: not a mapping")
    assert.isTrue(Either.isLeft(Mapping.parseFile("m.json", "{ not json")))
  })

  it.scoped("combines files and pairs in order, later ones winning", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const directory = yield* fs.makeTempDirectoryScoped()
      const file = path.join(directory, "zendesk.json")
      yield* fs.writeFileString(file, JSON.stringify({ externalId: "Id", name: "Subject" }))
      const mapping = yield* Mapping.resolve([file, "name=Title", "priority=Priority"])
      assert.deepStrictEqual(mapping, { externalId: "Id", name: "Title", priority: "Priority" })
      assert.isUndefined(yield* Mapping.resolve([]))
      const missing = yield* Effect.flip(Mapping.resolve([path.join(directory, "nope.json")]))
      assert.include(missing.message, "neither a field=Column pair nor a readable JSON file")
    }).pipe(Effect.provide(NodeContext.layer)))
})
