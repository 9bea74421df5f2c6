/** Running the CLI in a test: captured output, an environment of our choosing, Node's file system and HTTP. */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Cli from "../src/Cli.js"
import * as HttpClientLayer from "../src/internal/httpClient.js"
import type { LiveLine } from "../src/Output.js"
import { Output } from "../src/Output.js"

/** Everything the CLI wrote, by stream. */
export interface Captured {
  readonly stdout: ReadonlyArray<string>
  readonly stderr: ReadonlyArray<string>
  /** Every update of the live line, when there was one. */
  readonly live: ReadonlyArray<string>
}

/** An `Output` that keeps what is written; a terminal (with a live line) when `terminal` is set. */
export const capturingOutput = (terminal = false) =>
  Effect.gen(function*() {
    const captured = yield* Ref.make<Captured>({ stdout: [], stderr: [], live: [] })
    const liveLine: LiveLine = {
      update: (text) => Ref.update(captured, (all) => ({ ...all, live: [...all.live, text] }))
    }
    const output = Output.make({
      out: (text) => Ref.update(captured, (all) => ({ ...all, stdout: [...all.stdout, text] })),
      err: (text) => Ref.update(captured, (all) => ({ ...all, stderr: [...all.stderr, text] })),
      liveLine: terminal ? Option.some(Effect.succeed(liveLine)) : Option.none(),
      width: Effect.succeed(100)
    })
    return { output, captured: Ref.get(captured) }
  })

/** Node's context and the CLI's HTTP client: what the real commands need besides the output. */
export const nodeLayer = Layer.merge(NodeContext.layer, HttpClientLayer.layer)

/**
 * For the environment of a run against a test's simulator: its jobs take milliseconds, so the first read of a job
 * waits 100 ms instead of the pipeline's 2 s (`KUSTOMER_FIRST_POLL_DELAY`).
 */
export const quickFirstPoll = { KUSTOMER_FIRST_POLL_DELAY: "100 millis" }

/**
 * Runs `kustomer-bulk <args>` with the real actions, the environment variables `env` (and no others), and captured
 * output; returns the exit code and the output.
 */
export const runCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const { captured, output } = yield* capturingOutput()
    const code = yield* Cli.main(Cli.actions)(args).pipe(
      Effect.provideService(Output, output),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
    )
    const all = yield* captured
    return { code, ...all, text: [...all.stdout, ...all.stderr].join("\n") }
  }).pipe(Effect.provide(nodeLayer))
