/**
 * The command line the CLI was given (the arguments after `kustomer-bulk`), for the reports that say how a run was
 * made. Set by `Cli.main` for the command's fiber; empty elsewhere. The API key is never an argument.
 */
import * as FiberRef from "effect/FiberRef"

/** The arguments of the running command. */
export const args: FiberRef.FiberRef<ReadonlyArray<string>> = FiberRef.unsafeMake<ReadonlyArray<string>>([])
