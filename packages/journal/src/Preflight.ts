/**
 * What is checked before the first request: that every output file can be written, that the input is not a file
 * of records in doubt (unless asked), and that the API key may read job results. `DurableImport.run` and the
 * migration (`@effect-kustomer/migration`) both run these checks, so that a run refuses early and in the same words.
 *
 * @since 0.1.0
 */
import { type KustomerClient, type KustomerError } from "@effect-kustomer/client"
import { Ids } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { unwritable } from "./internal/fileChecks.js"
import * as RejectsFile from "./RejectsFile.js"

/**
 * A file the run writes, by its flag (`what`, e.g. `--rejects`); an absent `path` is not checked.
 *
 * @since 0.1.0
 */
export interface Output {
  readonly what: string
  readonly path: string | undefined
}

/**
 * Why the output files cannot be used, if they cannot: one message per problem (a missing or unwritable directory,
 * a path that is not a file, two outputs or an output and the input on the same path).
 *
 * @since 0.1.0
 */
export const outputProblems = (
  input: string,
  outputs: ReadonlyArray<Output>
): Effect.Effect<ReadonlyArray<string>, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const problems: Array<string> = []
    const seen = new Map<string, string>([[input, "the input"]])
    for (const { path, what } of outputs) {
      if (path === undefined) continue
      const other = seen.get(path)
      if (other !== undefined) {
        problems.push(`${what} ${path} is also ${other}: give each file its own path`)
        continue
      }
      seen.set(path, what)
      Option.map(yield* unwritable(what, path), (problem) => problems.push(problem))
    }
    return problems
  })

const decodeEntry = Schema.decodeUnknownOption(Schema.parseJson(RejectsFile.Entry))

/**
 * Whether a JSON Lines file is a file of records in doubt: its first line is an entry of a rejects or unknown file,
 * and some entry is `Unknown`. Other inputs are not read past their first line.
 *
 * @since 0.1.0
 */
export const holdsRecordsInDoubt = (
  bytes: Stream.Stream<Uint8Array, unknown, FileSystem.FileSystem>,
  path: string
): Effect.Effect<boolean, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const lines = bytes.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.filter((line) => line.trim().length > 0)
    )
    const first = yield* Stream.runHead(lines)
    if (Option.isNone(Option.flatMap(first, (line) => decodeEntry(line)))) return false
    return yield* RejectsFile.read(path).pipe(
      Stream.filter((entry) => entry.outcome === "Unknown"),
      Stream.runHead,
      Effect.map(Option.isSome)
    )
  }).pipe(Effect.orElseSucceed(() => false))

/**
 * A job id no job has: reading it answers 404 to a key that may read jobs, and 403 to one that may not. INFERRED:
 * the API checks roles before it looks the job up, as it does for every other route.
 */
const probeJobId = Schema.decodeSync(Ids.BulkJobId)("000000000000000000000000")

/**
 * Reads a job that does not exist, so that a key lacking `bulk.read` (or a key the API does not accept) is found
 * before a record is sent — else records would be created whose results cannot be read. Other answers (the job is
 * not found, the network is down) are left to the import itself.
 *
 * @since 0.1.0
 */
export const checkAccess = (
  client: KustomerClient.Service
): Effect.Effect<void, KustomerError.KustomerError> =>
  client.getBulkJob(probeJobId).pipe(
    Effect.asVoid,
    Effect.catchAll((error) =>
      error.reason._tag === "Forbidden" || error.reason._tag === "Unauthorized" ? Effect.fail(error) : Effect.void
    )
  )
