/**
 * The CLI as a user installs it (`pnpm test:soak`, after `pnpm build`): the CLI and its workspace dependencies
 * packed with `pnpm pack`, the tarballs installed into an empty directory outside the workspace, and
 * `kustomer-bulk demo --records 200` run from there through the installed bin (the launcher and the built code).
 *
 * The install uses pnpm with the workspace's store, so that it works offline once the workspace is installed and
 * reuses the already compiled SQLite binding; it still resolves every dependency from the packed manifests, as any
 * user's install would.
 */
import { NodeContext } from "@effect/platform-node"
import * as Command from "@effect/platform/Command"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"

const root = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "../../..")
const packages = ["domain", "client", "journal", "migration", "simulator", "cli"] as const

const text = (stream: Stream.Stream<Uint8Array, PlatformError>) => stream.pipe(Stream.decodeText(), Stream.mkString)

/** Runs a command in a process group of its own (killed if the test ends first); its output, or a defect on failure. */
const run = (command: Command.Command, what: string) =>
  Effect.scoped(Effect.gen(function*() {
    const process = yield* Command.start(command)
    const [output, errors, code] = yield* Effect.all([text(process.stdout), text(process.stderr), process.exitCode], {
      concurrency: "unbounded"
    })
    if (code !== 0) return yield* Effect.dieMessage(`${what} exited with ${code}:\n${output}\n${errors}`)
    return output
  }))

describe("the packed CLI", () => {
  it.scopedLive("installs from its tarballs into an empty directory and runs the demo", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      for (const name of packages) {
        const built = yield* fs.exists(NodePath.join(root, "packages", name, "dist/index.js"))
        assert.isTrue(built, `packages/${name} is built (run pnpm build first; pnpm test:soak does)`)
      }
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-bulk-packed-" })
      const tarballs = NodePath.join(dir, "tarballs")
      const app = NodePath.join(dir, "app")
      yield* fs.makeDirectory(tarballs)
      yield* fs.makeDirectory(app)
      for (const name of packages) {
        yield* run(
          Command.make("pnpm", "pack", "--pack-destination", tarballs).pipe(
            Command.workingDirectory(NodePath.join(root, "packages", name))
          ),
          `pnpm pack of ${name}`
        )
      }
      const files = (yield* fs.readDirectory(tarballs)).filter((file) => file.endsWith(".tgz")).sort()
      assert.deepStrictEqual(files, packages.map((name) => `effect-kustomer-${name}-0.1.0.tgz`).sort())
      // A user's project that depends on the CLI's tarball; the tarballs stand in for the registry's copies of the
      // workspace packages (overrides), and the SQLite binding may run its build script, as pnpm 10 asks.
      const tarballOf = (name: string) => `file:${NodePath.join(tarballs, `effect-kustomer-${name}-0.1.0.tgz`)}`
      yield* fs.writeFileString(
        NodePath.join(app, "package.json"),
        JSON.stringify({
          name: "packed-cli",
          private: true,
          dependencies: { "@effect-kustomer/cli": tarballOf("cli") },
          pnpm: {
            overrides: Object.fromEntries(packages.map((name) => [`@effect-kustomer/${name}`, tarballOf(name)])),
            onlyBuiltDependencies: ["better-sqlite3"]
          }
        })
      )
      yield* run(
        Command.make("pnpm", "install", "--prefer-offline").pipe(
          Command.workingDirectory(app),
          Command.env({ CI: "true" })
        ),
        "pnpm install of the tarballs"
      )
      // The installed packages are the built ones: no TypeScript sources are loaded.
      const installed = yield* fs.readFileString(
        NodePath.join(app, "node_modules/@effect-kustomer/cli/package.json")
      )
      assert.include(installed, "\"kustomer-bulk\": \"./bin/kustomer-bulk.mjs\"")
      const output = yield* run(
        Command.make(NodePath.join(app, "node_modules/.bin/kustomer-bulk"), "demo", "--records", "200").pipe(
          Command.workingDirectory(app)
        ),
        "kustomer-bulk demo"
      )
      // The demo migrates a bundle: 50 customers, then the 200 conversations with their messages and notes.
      assert.match(
        output,
        /The simulator holds 50 customers, 200 conversations, \d+ messages, \d+ notes \(0 stored more than once\)/
      )
    }).pipe(Effect.provide(NodeContext.layer)), 600_000)
})
