/**
 * `kustomer-bulk` run from anywhere (`pnpm test:soak`, after `pnpm build`): `pnpm cli:link --prefix <temp>` links
 * the checkout's launcher into a temporary prefix's `bin` (never npm's real global prefix), and the command, found
 * on the PATH, runs in an unrelated temporary directory on relative paths — a dry run, an import with a journal
 * (SQLite loads from the checkout) against the simulator on a real port, and a file cut short, refused before
 * anything is sent. `--remove` takes the link away.
 */
import { SimulatorServer } from "@effect-kustomer/simulator"
import { NodeContext } from "@effect/platform-node"
import * as Command from "@effect/platform/Command"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"

const root = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "../../..")
const key = "eyJhbGciOiJIUzI1NiJ9.linked-cli-key.c2lnbmF0dXJl"

const text = (stream: Stream.Stream<Uint8Array, PlatformError>) => stream.pipe(Stream.decodeText(), Stream.mkString)

/** Runs a command to its end: its exit code and everything it wrote. */
const run = (command: Command.Command) =>
  Effect.scoped(Effect.gen(function*() {
    const process = yield* Command.start(command)
    const [output, errors, code] = yield* Effect.all([text(process.stdout), text(process.stderr), process.exitCode], {
      concurrency: "unbounded"
    })
    return { code: Number(code), text: `${output}\n${errors}` }
  }))

const layer = Layer.merge(SimulatorServer.layer({ apiKeys: [{ key }], jobLatency: "10 millis" }), NodeContext.layer)

describe("kustomer-bulk linked onto the PATH", () => {
  it.scopedLive(
    "runs from an unrelated directory on relative paths; --remove unlinks it",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const server = yield* SimulatorServer.SimulatorServer
        const built = yield* fs.exists(NodePath.join(root, "packages/cli/dist/kustomer-bulk.mjs"))
        assert.isTrue(built, "the CLI is built (run pnpm build first; pnpm test:soak does)")
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-bulk-linked-" })
        assert.isTrue(NodePath.relative(root, dir).startsWith(".."), `${dir} is outside the checkout`)
        const prefix = NodePath.join(dir, "prefix")
        const work = NodePath.join(dir, "work")
        yield* fs.makeDirectory(work)

        const cliLink = (...args: ReadonlyArray<string>) =>
          run(Command.make("pnpm", "-s", "cli:link", "--prefix", prefix, ...args).pipe(Command.workingDirectory(root)))
        const linked = yield* cliLink()
        assert.strictEqual(linked.code, 0, linked.text)
        const link = NodePath.join(prefix, "bin", "kustomer-bulk")
        assert.include(linked.text, `${link} → ${NodePath.join(root, "packages/cli/bin/kustomer-bulk.mjs")}`)
        assert.include(linked.text, "is not on your PATH")

        const customer = server.customerIds[0] ?? ""
        const records = Array.from(
          { length: 40 },
          (_, index) => JSON.stringify({ externalId: `linked-${index}`, customer, name: `Ticket ${index}` })
        )
        yield* fs.writeFileString(NodePath.join(work, "tickets.jsonl"), `${records.join("\n")}\n`)
        yield* fs.writeFileString(NodePath.join(work, "cut.json"), `[\n${records.join(",\n")}`.slice(0, -10))
        const env = {
          PATH: `${NodePath.dirname(link)}${NodePath.delimiter}${process.env["PATH"] ?? ""}`,
          KUSTOMER_API_KEY: key,
          KUSTOMER_BASE_URL: server.baseUrl
        }
        const kustomerBulk = (...args: ReadonlyArray<string>) =>
          run(Command.make("kustomer-bulk", ...args).pipe(Command.workingDirectory(work), Command.env(env)))

        const dryRun = yield* kustomerBulk("import", "tickets.jsonl", "--dry-run")
        assert.strictEqual(dryRun.code, 0, dryRun.text)
        assert.match(dryRun.text, /records\s+40/)

        const imported = yield* kustomerBulk(
          "import",
          "tickets.jsonl",
          "--journal",
          "tickets.journal",
          "--rejects",
          "rejects.jsonl",
          "--report",
          "report.json"
        )
        assert.strictEqual(imported.code, 0, imported.text)
        assert.strictEqual((yield* server.simulator.stats).conversations.stored, 40)
        for (const file of ["tickets.journal", "report.json"]) {
          assert.isTrue(yield* fs.exists(NodePath.join(work, file)), `${file} is written in the working directory`)
        }

        const sent = (yield* server.simulator.stats).requests.total
        const cut = yield* kustomerBulk("import", "cut.json")
        assert.strictEqual(cut.code, 1, cut.text)
        assert.include(cut.text, "cut.json is cut short at byte offset")
        assert.strictEqual((yield* server.simulator.stats).requests.total, sent, "nothing was sent for cut.json")

        const removed = yield* cliLink("--remove")
        assert.strictEqual(removed.code, 0, removed.text)
        assert.isFalse(yield* fs.exists(link))
      }).pipe(Effect.provide(layer)),
    300_000
  )
})
