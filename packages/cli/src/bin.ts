#!/usr/bin/env node
/**
 * The `kustomer-bulk` program: `pnpm kustomer-bulk <command>` from the repository root (no build step), or the
 * `kustomer-bulk` binary of the built package. Exit codes: 0 all records created or already existing, 2 some
 * rejected, failed or unknown, 1 fatal, 130 interrupted.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Cli from "./Cli.js"
import * as Failure from "./Failure.js"
import * as HttpClientLayer from "./internal/httpClient.js"
import * as InterruptGuard from "./internal/interruptGuard.js"
import { Output } from "./Output.js"
import * as Terminal from "./Terminal.js"

// A second Ctrl+C (or the duplicate a wrapper relays) must not cut the report and the resume hint short.
InterruptGuard.install(
  InterruptGuard.defaultGraceMillis,
  ["import", "migrate", "demo"].includes(process.argv[2] ?? "")
)

let exitCode: number = Failure.exitOk

// Relative paths are the user's: pnpm and npm start scripts in the package's directory and keep the user's in INIT_CWD.
process.chdir(Terminal.workingDirectory(process.env, process.cwd()))

Cli.main(Cli.actions)(process.argv.slice(2)).pipe(
  Terminal.withTerminalManners(process.env, process.stdout.isTTY === true && process.stderr.isTTY === true),
  Effect.tap((code) =>
    Effect.sync(() => {
      exitCode = code
    })
  ),
  Effect.provide(Layer.mergeAll(NodeContext.layer, HttpClientLayer.layer, Output.Default)),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // Logs go to standard error through the CLI's own logger (RunLog), never to standard output.
    disablePrettyLogger: true,
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit)
          ? exitCode
          : Cause.isInterruptedOnly(exit.cause)
          ? Failure.exitInterrupted
          : Failure.exitFatal
      )
  })
)
