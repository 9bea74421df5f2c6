/**
 * `kustomer-bulk job <id>`: reads a bulk job and its batches and prints them (or their JSON with `--json`).
 *
 * @since 0.1.0
 */
import { BatchResults, BulkJob, KustomerClient, type KustomerError } from "@effect-kustomer/client"
import { BulkJob as BulkJobWire } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as Connection from "./Connection.js"
import { CliError } from "./Failure.js"
import * as Format from "./Format.js"
import * as JobReport from "./JobReport.js"
import { Output } from "./Output.js"
import * as ResultsFile from "./ResultsFile.js"

/**
 * What `job` was asked to do.
 *
 * @since 0.1.0
 */
export interface JobRequest {
  readonly id: string
  readonly json: boolean
  /** The results file: one JSON line per item of the job's batches (see `ResultsFile`). */
  readonly results?: string | undefined
  readonly connection: Connection.Connection
}

const encodeJob = Schema.encodeSync(BulkJobWire.BulkJobDocument)
const encodeBatches = Schema.encodeSync(BulkJobWire.BatchListDocument)

/**
 * Prints the job; returns 0, or 2 when any of its items reported an error.
 *
 * @since 0.1.0
 */
export const run = (request: JobRequest): Effect.Effect<
  number,
  CliError | KustomerError.KustomerError,
  KustomerClient.KustomerClient | FileSystem.FileSystem | Output
> =>
  Effect.gen(function*() {
    const output = yield* Output
    const id = yield* Either.mapLeft(
      KustomerClient.parseJobId(request.id.trim()),
      () => new CliError({ message: `"${request.id}" is not a bulk job id (24 lowercase hexadecimal characters)` })
    )
    const { batches, job } = yield* BulkJob.read(id)
    const status = BulkJobWire.attributesOf(job.data)?.status
    const { batchesComplete, batchesTotal } = BatchResults.read(batches)
    yield* Effect.logInfo("job").pipe(Effect.annotateLogs({
      job: id,
      state: status === undefined ? "unknown" : typeof status === "string" ? status : status.value,
      batches: batchesTotal,
      batchesComplete
    }))
    const resultsPath = request.results
    if (resultsPath !== undefined) {
      const lines = ResultsFile.jobLines(id, batches)
      yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* ResultsFile.open(resultsPath)
        yield* Effect.forEach(lines, (line) => writer.write(line), { discard: true })
        yield* writer.close
      }))
      yield* output.err(`${Format.count(lines.length)} items → ${resultsPath}`)
    }
    yield* output.out(
      request.json
        ? JSON.stringify({ job: encodeJob(job), batches: encodeBatches(batches) }, null, 2)
        : JobReport.render(job, batches)
    )
    return JobReport.exitCode(batches)
  })
