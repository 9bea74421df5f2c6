/**
 * Runs one example: `pnpm example <name> [args]` from the repository root. Each runs against an embedded
 * simulator, or against a real org when KUSTOMER_API_KEY and KUSTOMER_BASE_URL are set.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { examples } from "./src/index.js"

const [name, ...args] = process.argv.slice(2)
const example = examples.find((candidate) => candidate.name === name)

const program = example === undefined
  ? Effect.gen(function*() {
    yield* Console.error(name === undefined ? "Which example?" : `There is no example "${name}".`)
    yield* Console.error("Usage: pnpm example <name> [args]\n")
    for (const candidate of examples) yield* Console.error(`  ${candidate.name.padEnd(22)}${candidate.description}`)
    return yield* Effect.sync(() => {
      process.exitCode = 1
    })
  })
  : example.main(args)

program.pipe(
  Effect.provide(Layer.merge(NodeContext.layer, NodeHttpClient.layer)),
  NodeRuntime.runMain
)
