/**
 * The input of a durable import and the checks before its first request: the format, the bytes (a file, or
 * standard input kept in a temporary file when it must be read twice), and the output files.
 */
import { ImportSource } from "@effect-kustomer/client"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ImportInput from "../ImportInput.js"
import * as Preflight from "../Preflight.js"
import * as RejectsFile from "../RejectsFile.js"
import { RunError } from "../RunError.js"

/** The options of a durable import that name its input and its files (see `DurableImport.Options`). */
export interface InputOptions {
  readonly input: string
  readonly format?: ImportSource.Format | undefined
  readonly stdin?: Stream.Stream<Uint8Array, ImportSource.SourceError> | undefined
  readonly journal?: string | undefined
  readonly assignExternalIds?: boolean | undefined
  readonly rejects?: string | undefined
  readonly unknown?: string | undefined
  readonly report?: string | undefined
  readonly allowUnknown?: boolean | undefined
  /** The input is read before the import too (standard input is then kept in a temporary file). */
  readonly readTwice?: boolean | undefined
}

/** The format named, or guessed from the path. */
export const formatFor = (options: InputOptions): Effect.Effect<ImportSource.Format, RunError> => {
  const format = options.format ??
    (options.input === "-" ? undefined : Option.getOrUndefined(ImportSource.formatOf(options.input)))
  return format === undefined
    ? Effect.fail(
      new RunError({
        reason: "Input",
        detail: options.input === "-"
          ? "standard input has no file name to tell its format from: name the format (jsonl, json or csv)"
          : `cannot tell the format of ${options.input} from its name: name it (jsonl, json or csv)`
      })
    )
    : Effect.succeed(format)
}

/** The unknown file: as given, else next to the rejects file. */
export const unknownPathOf = (options: InputOptions): string | undefined =>
  options.unknown ?? (options.rejects === undefined ? undefined : RejectsFile.unknownPathFor(options.rejects))

/** The input's bytes (a file, or standard input kept in a temporary file when it must be read twice). */
export interface OpenedInput {
  readonly name: string
  /** The file holding the bytes, if any. */
  readonly file: string | undefined
  readonly bytes: Stream.Stream<Uint8Array, ImportSource.SourceError, FileSystem.FileSystem>
  readonly known: ImportInput.Identity | undefined
  readonly identity: Effect.Effect<ImportInput.Identity | undefined>
}

export const openInput = (options: InputOptions, format: ImportSource.Format, scope: Scope.Scope) =>
  Effect.gen(function*() {
    if (options.input !== "-") {
      const identity = yield* ImportInput.identify(options.input, format)
      const opened: OpenedInput = {
        name: options.input,
        file: options.input,
        bytes: ImportSource.fileBytes(options.input),
        known: identity,
        identity: Effect.succeed(identity)
      }
      return opened
    }
    const stdin = options.stdin ??
      Stream.fail(
        new ImportSource.SourceError({ source: "standard input", reason: "no stream of its bytes was given" })
      )
    if (options.journal !== undefined || options.assignExternalIds === true || options.readTwice === true) {
      // The temporary copy is removed when the run's scope closes, however the run ends.
      const spooled = yield* ImportInput.spool(stdin, format).pipe(Scope.extend(scope))
      const opened: OpenedInput = {
        name: "-",
        file: spooled.file,
        bytes: ImportSource.fileBytes(spooled.file),
        known: spooled.identity,
        identity: Effect.succeed(spooled.identity)
      }
      return opened
    }
    const reading = ImportInput.identifyWhileReading(stdin, format)
    const opened: OpenedInput = {
      name: "-",
      file: undefined,
      bytes: reading.bytes,
      known: undefined,
      identity: Effect.map(reading.identity, (identity): ImportInput.Identity | undefined => identity)
    }
    return opened
  })

/** Fails when the output files cannot be written, or the input is a file of records in doubt. */
export const checkFiles = (options: InputOptions, format: ImportSource.Format, input: OpenedInput) =>
  Effect.gen(function*() {
    const problems = yield* Preflight.outputProblems(options.input, [
      { what: "--journal", path: options.journal },
      { what: "--rejects", path: options.rejects },
      { what: "--unknown", path: unknownPathOf(options) },
      { what: "--report", path: options.report }
    ])
    if (problems.length > 0) {
      return yield* new RunError({ reason: "Output", detail: problems.join("; ") })
    }
    if (options.allowUnknown !== true && format === "jsonl" && input.file !== undefined) {
      if (yield* Preflight.holdsRecordsInDoubt(input.bytes, input.file)) {
        return yield* new RunError({
          reason: "Input",
          detail: `${input.name} holds records in doubt (outcome "Unknown"): they may already exist in Kustomer, ` +
            "and importing them again may create duplicates. Check them first; to import them anyway, allow it " +
            "explicitly (kustomer-bulk: --allow-unknown)"
        })
      }
    }
  })
