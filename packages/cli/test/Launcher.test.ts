import { NodeContext } from "@effect/platform-node"
import * as Command from "@effect/platform/Command"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"
import * as Cli from "../src/Cli.js"

const launcher = fileURLToPath(new URL("../bin/kustomer-bulk.mjs", import.meta.url))

describe("the kustomer-bulk launcher", () => {
  it.scoped("answers --version from the package's manifest, the version the CLI reports", () =>
    Effect.gen(function*() {
      const printed = yield* Command.string(Command.make(process.execPath, launcher, "--version"))
      assert.strictEqual(printed.trim(), Cli.version)
    }).pipe(Effect.provide(NodeContext.layer)))
})
