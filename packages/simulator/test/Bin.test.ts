/** The standalone simulator's command line, run as users run it. */
import { NodeContext } from "@effect/platform-node"
import * as Command from "@effect/platform/Command"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../src/bin.ts", import.meta.url))

describe("the simulator's command line", () => {
  it.scoped(
    "prints its help without ANSI escape codes when its output is not a terminal",
    () =>
      Effect.gen(function*() {
        const help = yield* Command.string(
          Command.make(process.execPath, "--conditions=source", "--import", "tsx", bin, "--help").pipe(
            Command.env({ NO_COLOR: "" })
          )
        )
        assert.include(help, "--rate-limit")
        assert.include(help, "--job-latency MS|MIN-MAX")
        assert.include(help, "--deduplicate RESOURCES")
        assert.include(help, "--allow-duplicates")
        assert.include(help, "--hang-rate")
        assert.include(help, "--without-org-admin")
        // The resources come from the domain's registry, companies included.
        assert.include(help, "companies,customers,conversations,messages,notes")
        assert.notInclude(help, "\u001b[")
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
