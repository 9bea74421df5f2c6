/**
 * What `import` checks and writes around the durable import (which writes its own report, rejects and unknown
 * files): a journal another import holds and output paths that cannot be written are refused before anything is
 * sent or written; with a journal, the results file is written again from it at the end; the page of a run that
 * failed or was interrupted is made from the report it wrote.
 */
import { JournalFile, Preflight, SqliteJournal } from "@effect-kustomer/journal"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Failure from "../Failure.js"
import * as HtmlReport from "../HtmlReport.js"
import { Output } from "../Output.js"
import * as RejectGroups from "../RejectGroups.js"
import * as ResultsFile from "../ResultsFile.js"
import * as RunView from "../RunView.js"

/** The paths of an import. */
export interface ImportPaths {
  readonly input: string
  readonly journal: string | undefined
  readonly rejects: string | undefined
  readonly unknown?: string | undefined
  readonly report: string | undefined
  readonly html?: string | undefined
  readonly results?: string | undefined
}

/**
 * Refuses, before anything is sent or written, an import whose journal another import holds open (its report,
 * rejects and results must stay as they are), and `--html` or `--results` paths that cannot be written (the import
 * checks its other files itself).
 */
export const refuseBeforeStart = (plan: ImportPaths) =>
  Effect.gen(function*() {
    const journal = plan.journal
    if (journal !== undefined && (yield* Effect.orElseSucceed(JournalFile.hasContent(journal), () => false))) {
      const peeked = yield* Effect.either(JournalFile.peekMeta(journal, "run"))
      if (Either.isLeft(peeked) && peeked.left.kind === "Locked") {
        return yield* new Failure.CliError({
          message: `${journal} is in use by another import (the file is locked); wait for it to end or choose ` +
            "another --journal. Nothing was sent or written."
        })
      }
    }
    const problems = yield* Preflight.outputProblems(plan.input, [
      { what: "--journal", path: plan.journal },
      { what: "--rejects", path: plan.rejects },
      { what: "--unknown", path: plan.unknown },
      { what: "--report", path: plan.report },
      { what: "--html", path: plan.html },
      { what: "--results", path: plan.results }
    ])
    if (problems.length > 0) return yield* new Failure.CliError({ message: problems.join("; ") })
  })

/** With a journal, the results file written again from it: every settled record once, after any crash. */
export const resultsFromJournal = (plan: ImportPaths) =>
  Effect.gen(function*() {
    const { journal, results } = plan
    if (journal === undefined || results === undefined) return
    if (!(yield* Effect.orElseSucceed(JournalFile.hasContent(journal), () => false))) return
    yield* ResultsFile.rewrite(
      results,
      Stream.unwrapScoped(Effect.map(
        SqliteJournal.make(journal),
        (opened) => Stream.map(opened.outcomes, (settled) => ResultsFile.lineOfSettled(settled))
      ))
    ).pipe(
      Effect.catchAll((error) =>
        Effect.flatMap(
          Output,
          (output) => output.err(`cannot write the results file ${results} again: ${error.message}`)
        )
      )
    )
  })

/** The page of a run that failed or was interrupted, from the report it wrote. */
export const pageOfFailedRun = (plan: ImportPaths, reportFile: string | undefined) =>
  Effect.gen(function*() {
    if (plan.html === undefined || reportFile === undefined) return
    const html = plan.html
    const fs = yield* FileSystem.FileSystem
    const output = yield* Output
    const written = yield* fs.readFileString(reportFile).pipe(
      Effect.flatMap((text) => Schema.decodeUnknown(Schema.parseJson())(text)),
      Effect.mapError((error) => error.message),
      Effect.flatMap((document) => RunView.fromDocument(document)),
      Effect.flatMap((view) =>
        Effect.flatMap(
          RejectGroups.readIfAny([plan.rejects, view.unknownPath]),
          (rejects) => HtmlReport.write(html, view, rejects)
        ).pipe(Effect.mapError((error) => error.message))
      ),
      Effect.either
    )
    if (written._tag === "Left") yield* output.err(`no HTML report: ${written.left}`)
  })
