/**
 * The examples, by name: what `pnpm example <name>` runs and the smoke test checks.
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import type * as Effect from "effect/Effect"
import * as BulkRequest from "./bulk-request.js"
import * as ComposeStages from "./compose-stages.js"
import * as EffectApp from "./effect-app.js"
import * as ImportJsonl from "./import-jsonl.js"
import * as RetryAndRateLimit from "./retry-and-rate-limit.js"
import * as ZendeskCsv from "./zendesk-csv.js"

/** What an example needs from its runner: Node's file system and paths, and an HTTP client. */
export type Requirements = FileSystem.FileSystem | Path.Path | HttpClient.HttpClient

/** A runnable example. */
export interface Example {
  readonly name: string
  readonly description: string
  readonly main: (args: ReadonlyArray<string>) => Effect.Effect<void, unknown, Requirements>
}

/** Every example, in the order of the README. */
export const examples: ReadonlyArray<Example> = [
  { name: "bulk-request", description: "one bulk request, with typed error handling", main: BulkRequest.main },
  { name: "import-jsonl", description: "import a JSON Lines file, printing progress events", main: ImportJsonl.main },
  {
    name: "retry-and-rate-limit",
    description: "a custom retry schedule and rate limit, against injected faults",
    main: RetryAndRateLimit.main
  },
  {
    name: "effect-app",
    description: "the import in an Effect application: layers, Config, spans",
    main: EffectApp.main
  },
  {
    name: "zendesk-csv",
    description: "migrate a Zendesk tickets CSV export with a column mapping",
    main: ZendeskCsv.main
  },
  {
    name: "compose-stages",
    description: "your own pipeline from the stages: enrich, audit, custom polling",
    main: ComposeStages.main
  }
]
