/**
 * The `simulate` command: the Kustomer simulator on this machine, with its own flags.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import type * as Effect from "effect/Effect"
import type { CommandFailure } from "../../Failure.js"
import type { Handler } from "./handler.js"

/** `simulate`, handing its arguments to `action`. */
export const simulateCommand = <R>(
  action: (args: ReadonlyArray<string>) => Effect.Effect<number, CommandFailure, R>,
  { handle }: Handler<R>
) =>
  Command.make("simulate", {
    flags: Args.text({ name: "simulator flags" }).pipe(Args.repeated)
  }, (flags) => handle(action(flags.flags))).pipe(
    Command.withDescription(
      "Start the Kustomer simulator on this machine, with the flags of `pnpm simulator` " +
        "(kustomer-bulk simulate --help lists them)."
    )
  )
