/**
 * What `migrate` does before its first request: refuse a journal another migration holds, count what is settled
 * already (the progress's total is what the bundle holds less that); and how the run was made, for its report.
 */
import { ImportInput } from "@effect-kustomer/journal"
import { MigrationReport } from "@effect-kustomer/migration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Failure from "../Failure.js"
import type { MigratePlan } from "../MigrateRunner.js"
import * as CommandLine from "./commandLine.js"

/** The host of a base URL (the report names where the objects went, never the key). */
const hostOf = (target: string): string | undefined => {
  try {
    return new URL(target).host
  } catch {
    return undefined
  }
}

/** How the run was made, for its report: where to, which version and flags, the bundle's SHA-256 (when read), the cap. */
export const runDetails = (
  plan: MigratePlan,
  identity: Option.Option<ImportInput.Identity>
): Effect.Effect<MigrationReport.RunDetails> =>
  Effect.gen(function*() {
    const host = hostOf(plan.target)
    const command = yield* FiberRef.get(CommandLine.args)
    const cap = plan.rateLimitCap
    const details: MigrationReport.RunDetails = {
      ...(host === undefined ? {} : { host }),
      ...(plan.version === undefined ? {} : { version: plan.version }),
      ...(command.length === 0 ? {} : { command }),
      ...(Option.isSome(identity) ? { bundleSha256: identity.value.sha256, bundleBytes: identity.value.bytes } : {}),
      ...(cap === undefined ? {} : { rateLimitCap: cap })
    }
    return details
  })

/**
 * The bundle's identity (its SHA-256), read in the background from the start of the run: a report saved on Ctrl+C
 * takes it if it is known by then, and never waits for a read of a large bundle. None when no report shows it.
 */
export const bundleIdentity = (plan: MigratePlan) =>
  plan.report === undefined && plan.html === undefined && plan.json !== true
    ? Effect.succeed(Effect.succeed(Option.none<ImportInput.Identity>()))
    : Effect.map(
      Effect.fork(Effect.option(ImportInput.identify(plan.bundle, plan.format ?? "jsonl"))),
      (fiber) =>
        Effect.map(
          Fiber.poll(fiber),
          (polled) => Option.flatMap(polled, (exit) => Exit.isSuccess(exit) ? exit.value : Option.none())
        )
    )

/** The objects a journal settled in earlier attempts (read before the migration opens it). */
export const settledByJournal = (journal: string | undefined) =>
  journal === undefined ? Effect.succeed(0) : MigrationReport.cumulativeOf(journal).pipe(
    Effect.map((phases) => phases.reduce((sum, phase) => sum + phase.read - phase.failed, 0)),
    Effect.orElseSucceed(() => 0)
  )

/** Refuses, before anything is written, a journal another migration is running with. */
export const refuseJournalInUse = (journal: string | undefined) =>
  Effect.gen(function*() {
    if (journal === undefined) return
    const held = yield* MigrationReport.journalInUse(journal)
    if (Option.isSome(held)) {
      return yield* new Failure.CliError({
        message: `${journal} is in use by another migration (${held.value} is locked); wait for it to end or ` +
          "choose another --journal. Nothing was sent or written."
      })
    }
  })
