/**
 * `kustomer-bulk job <id>`: reads a bulk job and its batches and prints them (or their JSON with `--json`).
 *
 * @since 0.1.0
 */
import { BulkJob, KustomerClient, type KustomerError } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type * as Connection from "./Connection.js"
import { CliError } from "./Failure.js"
import * as JobReport from "./JobReport.js"
import { Output } from "./Output.js"

/**
 * What `job` was asked to do.
 *
 * @since 0.1.0
 */
export interface JobRequest {
  readonly id: string
  readonly json: boolean
  readonly connection: Connection.Connection
}

const encodeJob = Schema.encodeSync(BulkJob.BulkJobDocument)
const encodeBatches = Schema.encodeSync(BulkJob.BatchListDocument)

/**
 * Prints the job; returns 0, or 2 when any of its items reported an error.
 *
 * @since 0.1.0
 */
export const run = (request: JobRequest): Effect.Effect<
  number,
  CliError | KustomerError.KustomerError,
  KustomerClient.KustomerClient | Output
> =>
  Effect.gen(function*() {
    const output = yield* Output
    const id = yield* Either.mapLeft(
      KustomerClient.parseJobId(request.id.trim()),
      () => new CliError({ message: `"${request.id}" is not a bulk job id (24 lowercase hexadecimal characters)` })
    )
    const client = yield* KustomerClient.KustomerClient
    const [job, batches] = yield* Effect.all([client.getBulkJob(id), client.getBulkJobBatches(id)], {
      concurrency: 2
    })
    yield* output.out(
      request.json
        ? JSON.stringify({ job: encodeJob(job), batches: encodeBatches(batches) }, null, 2)
        : JobReport.render(job, batches)
    )
    return JobReport.exitCode(batches)
  })
