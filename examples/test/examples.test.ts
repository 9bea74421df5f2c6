import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { examples } from "../src/index.js"

/** A console that keeps every line written to it. */
const capturingConsole = (lines: Array<string>): Console.Console => {
  const write = (...args: ReadonlyArray<unknown>) => {
    lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "))
  }
  const unsafe: Console.UnsafeConsole = {
    assert: () => {},
    clear: () => {},
    count: () => {},
    countReset: () => {},
    debug: write,
    dir: write,
    dirxml: write,
    error: write,
    group: () => {},
    groupCollapsed: () => {},
    groupEnd: () => {},
    info: write,
    log: write,
    table: write,
    time: () => {},
    timeEnd: () => {},
    timeLog: () => {},
    trace: write,
    warn: write
  }
  const sync = (f: () => void) => Effect.sync(f)
  return {
    [Console.TypeId]: Console.TypeId,
    assert: () => Effect.void,
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: (...args) => sync(() => write(...args)),
    dir: (item) => sync(() => write(item)),
    dirxml: (...args) => sync(() => write(...args)),
    error: (...args) => sync(() => write(...args)),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: (...args) => sync(() => write(...args)),
    log: (...args) => sync(() => write(...args)),
    table: (data) => sync(() => write(data)),
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: (...args) => sync(() => write(...args)),
    warn: (...args) => sync(() => write(...args)),
    unsafe
  }
}

/** What each example must print when it ran through against the embedded simulator. */
const expected: Record<string, ReadonlyArray<string>> = {
  "bulk-request": ["item-2: created", "refused as invalid (HTTP 400)"],
  "import-jsonl": ["line 18: rejected", "247 created", "0 externalIds are stored more than once"],
  "retry-and-rate-limit": ["0 unknown", "0 externalIds are stored more than once"],
  "effect-app": ["Migrated 320 of 320 tickets", "TicketMigration.migrate", "KustomerClient.bulkCreate"],
  "zendesk-csv": ["line 18 of the export", "18 tickets migrated", "zendesk-48213 is now conversation"],
  "compose-stages": [
    "240 of 240 tickets created",
    "routing service called 10 times",
    "audited before sending: chunk 4: 40 tickets",
    "queue-refunds 80, queue-shipping 80, unrouted 80"
  ]
}

describe("examples (smoke: each runs against the embedded simulator)", () => {
  for (const example of examples) {
    it.live(example.name, () =>
      Effect.gen(function*() {
        const lines: Array<string> = []
        yield* example.main([]).pipe(
          Effect.withConsole(capturingConsole(lines)),
          // No KUSTOMER_* variables from the developer's shell: always the embedded simulator.
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
          Effect.provide(Layer.merge(NodeContext.layer, NodeHttpClient.layer))
        )
        const output = lines.join("\n")
        assert.include(output, "Target: an embedded Kustomer simulator")
        for (const text of expected[example.name] ?? []) assert.include(output, text)
      }))
  }

  it("every example has a smoke expectation", () => {
    assert.deepStrictEqual(examples.map((example) => example.name).sort(), Object.keys(expected).sort())
  })
})
