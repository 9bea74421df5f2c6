/**
 * The `rollback` and `verify` commands: what comes after a migration, from its journal.
 */
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import type { CommandFailure } from "../../Failure.js"
import * as RunLog from "../../RunLog.js"
import * as Telemetry from "../../Telemetry.js"
import * as UndoRequest from "../../UndoRequest.js"
import { rollbackOptions, verifyOptions } from "../commandOptions.js"
import type { Handler } from "./handler.js"

/** Whether standard input and output are a terminal: the rollback can then ask for confirmation. */
const interactive = (): boolean => process.stdin.isTTY === true && process.stdout.isTTY === true

/** `rollback`, running `action` once its flags are checked. */
export const rollbackCommand = <R>(
  action: (request: UndoRequest.RollbackRequest) => Effect.Effect<number, CommandFailure, R>,
  { handle, version }: Handler<R>
) =>
  Command.make(
    "rollback",
    rollbackOptions,
    (flags) =>
      handle(
        Effect.flatMap(
          Effect.suspend(() => UndoRequest.rollbackRequest(flags, interactive())),
          (request) => action(request)
        ).pipe(Telemetry.exporting(flags.otelEndpoint, version))
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription(
      "Undo a migration from its journal: the conversations it created marked deleted, the customers it created " +
        "deleted, nothing that existed before; what Kustomer cannot undo in bulk is listed. Resumable. Asks for " +
        "confirmation unless --yes."
    )
  )

/** `verify`, running `action` once its flags are checked. */
export const verifyCommand = <R>(
  action: (request: UndoRequest.VerifyRequest) => Effect.Effect<number, CommandFailure, R>,
  { handle, version }: Handler<R>
) =>
  Command.make(
    "verify",
    verifyOptions,
    (flags) =>
      handle(
        Effect.flatMap(UndoRequest.verifyRequest(flags), (request) => action(request)).pipe(
          Telemetry.exporting(flags.otelEndpoint, version)
        )
      ).pipe(RunLog.verbosely(flags.verbose))
  ).pipe(
    Command.withDescription(
      "Read back what a migration created (every object, or --sample N of them) and compare it with the bundle: " +
        "existence, links and fields. Exit 0 when nothing differs, 2 when something does."
    )
  )
