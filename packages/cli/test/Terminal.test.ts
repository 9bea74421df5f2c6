import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import { assert, describe, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as FlagSuggestion from "../src/FlagSuggestion.js"
import * as Terminal from "../src/Terminal.js"
import { runCli } from "./harness.js"

/** A console that keeps what `log` and `error` print. */
const capturingConsole = Effect.gen(function*() {
  const lines = yield* Ref.make<ReadonlyArray<string>>([])
  const keep = (...args: ReadonlyArray<unknown>) => Ref.update(lines, (all) => [...all, args.map(String).join(" ")])
  const console = yield* Console.consoleWith((current) => Effect.succeed(current))
  return { console: { ...console, log: keep, error: keep }, lines: Ref.get(lines) }
})

/** `kustomer-bulk --help` as printed through the console, with the given terminal manners. */
const help = (env: Record<string, string>, isTerminal: boolean) =>
  Effect.gen(function*() {
    const { console, lines } = yield* capturingConsole
    yield* runCliWithConsole(console, env, isTerminal)
    return (yield* lines).join("\n")
  })

const runCliWithConsole = (console: Console.Console, env: Record<string, string>, isTerminal: boolean) =>
  runCli(["import", "--help"]).pipe(Terminal.withTerminalManners(env, isTerminal), Effect.withConsole(console))

const escape = "\u001b["

describe("terminal manners", () => {
  it.effect("help carries ANSI codes on a terminal, none with NO_COLOR or when not a terminal", () =>
    Effect.gen(function*() {
      assert.include(yield* help({}, true), escape, "the help is styled on a terminal")
      const noColor = yield* help({ NO_COLOR: "1" }, true)
      assert.notInclude(noColor, escape)
      assert.include(noColor, "--results")
      assert.notInclude(yield* help({}, false), escape)
      assert.include(yield* help({ NO_COLOR: "" }, true), escape, "an empty NO_COLOR does not count")
    }))

  it("stripAnsi removes colours, styles and hyperlinks, and nothing else", () => {
    assert.strictEqual(
      Terminal.stripAnsi("\u001b[1m\u001b[32mbold green\u001b[0m and \u001b]8;;http://x\u0007link\u001b]8;;\u0007 ✓"),
      "bold green and link ✓"
    )
  })

  it("relative paths start from INIT_CWD when a package manager set it", () => {
    assert.strictEqual(Terminal.workingDirectory({ INIT_CWD: "/home/me/exports" }, "/repo"), "/home/me/exports")
    assert.strictEqual(Terminal.workingDirectory({}, "/repo"), "/repo")
    assert.strictEqual(Terminal.workingDirectory({ INIT_CWD: "" }, "/repo"), "/repo")
    // Started by the script itself (`pnpm kustomer-bulk`): the user's directory; started elsewhere (a linked
    // `kustomer-bulk` after a `cd`, or by a program a script runs): its own, although it inherits INIT_CWD.
    const script = { INIT_CWD: "/home/me/exports", npm_package_json: "/repo/package.json" }
    assert.strictEqual(Terminal.workingDirectory(script, "/repo"), "/home/me/exports")
    assert.strictEqual(Terminal.workingDirectory(script, "/tmp/work"), "/tmp/work")
  })
})

describe("unknown flags", () => {
  it("suggests the closest flag of the command", () => {
    const known = FlagSuggestion.flagsOf({ input: Args.text({ name: "file" }), dryRun: Options.boolean("dry-run") })
    assert.include(known, "--dry-run")
    assert.notInclude(known, "--input")
    assert.deepStrictEqual(
      FlagSuggestion.closest("--resuts", ["--results", "--rejects", "--report"]),
      Option.some("--results")
    )
    assert.deepStrictEqual(FlagSuggestion.closest("--zzzzzzzz", ["--results"]), Option.none())
  })

  it.effect("import --dryrun says: did you mean --dry-run?", () =>
    Effect.gen(function*() {
      const { console } = yield* capturingConsole
      const result = yield* runCli(["import", "tickets.jsonl", "--dryrun", "--resuts=x.jsonl"]).pipe(
        Effect.withConsole(console)
      )
      assert.strictEqual(result.code, 1)
      assert.include(result.stderr.join("\n"), "--dryrun is not a flag of this command; did you mean --dry-run?")
      assert.include(result.stderr.join("\n"), "did you mean --results?")
    }))
})
