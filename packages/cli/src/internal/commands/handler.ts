/**
 * What every command's handler is given by `Cli.make`: how to run an action (storing its exit code and printing
 * its failure) and the version that telemetry reports.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type { CommandFailure } from "../../Failure.js"
import type { Output } from "../../Output.js"

/** Runs an action and stores its exit code; a failure (one of `CommandFailure`) is printed and becomes 1. */
export type Handle<R> = (
  action: Effect.Effect<number, CommandFailure, R | HttpClient.HttpClient>
) => Effect.Effect<void, never, R | HttpClient.HttpClient | Output>

/** What `Cli.make` hands to each command. */
export interface Handler<R> {
  readonly handle: Handle<R>
  readonly version: string
}
