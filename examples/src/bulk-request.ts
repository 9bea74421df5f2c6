/**
 * Example 1 — one bulk request, with typed error handling.
 *
 * Sends three conversations in one `POST /v1/conversations/bulk`, waits for the bulk job, and prints each item's
 * result. Then sends a request the API refuses (101 items; the limit is 100) and handles the failure by its
 * reason: `KustomerError.reason` is a tagged union, so `Effect.catchTags` picks the cases to handle and the type
 * of what is left says which ones are not.
 *
 *   pnpm example bulk-request
 */
import { BatchResults, KustomerClient, type KustomerError, KustomerSchedule } from "@effect-kustomer/client"
import { BulkJob, Conversation } from "@effect-kustomer/domain"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Target from "./Target.js"

/** What a failed request means to this program, decided on the reason's tag. */
const explain = (error: KustomerError.KustomerError) =>
  Effect.fail(error.reason).pipe(
    Effect.catchTags({
      InvalidRequest: (reason) => Console.log(`  refused as invalid (HTTP ${reason.status}): ${reason.detail}`),
      PayloadTooLarge: (reason) => Console.log(`  too large: ${reason.message} — send fewer or smaller items`),
      Forbidden: (reason) => Console.log(`  the key lacks a role; it needs ${reason.requiredRoles.join(" or ")}`),
      Unauthorized: () => Console.log("  the key was not accepted: check KUSTOMER_API_KEY and the region"),
      RateLimited: (reason) => Console.log(`  rate-limited; ${reason.message}`)
    }),
    // Whatever is left (server errors, transport failures, …) is still typed: here it is reported as it is.
    Effect.catchAll((reason) => Console.log(`  failed: ${reason.message} (retryable: ${reason.retryable})`))
  )

/** A conversation, checked by the schema the client sends (ids are branded: a customer id is not any string). */
const conversation = (customer: string, index: number): Conversation.ConversationInput =>
  Schema.decodeUnknownSync(Conversation.ConversationInput)({
    customer,
    externalId: `example-bulk-request-${index}`,
    // Correlates the item with its result in the job's batches.
    _clientRef: `item-${index}`,
    name: ["Where is my order?", "Refund request", "Cannot log in"][index % 3],
    status: "open",
    priority: 3,
    tags: ["example"]
  })

/** Polls a job until it is complete (at most a minute), then reads its per-item results. */
const awaitJob = (client: KustomerClient.Service, jobId: BulkJob.BulkJobDocument["data"]["id"]) =>
  client.getBulkJob(jobId).pipe(
    Effect.repeat({
      schedule: KustomerSchedule.pollJob.pipe(Schedule.upTo(Duration.minutes(1))),
      until: (job) => BulkJob.isComplete(job.data)
    }),
    Effect.zipRight(client.getBulkJobBatches(jobId))
  )

/** Runs the example. */
export const main = (_args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const target = yield* Target.Target
    const client = yield* KustomerClient.KustomerClient
    const customer = target.customerIds[0] ?? ""

    yield* Console.log("Sending three conversations in one bulk request…")
    const job = yield* client.bulkCreateConversations([0, 1, 2].map((index) => conversation(customer, index)))
    yield* Console.log(`  accepted as bulk job ${job.data.id}`)
    const batches = yield* awaitJob(client, job.data.id)
    // The reading the import and `kustomer-bulk job <id>` use: one outcome per item, whatever shape the answer took.
    for (const item of BatchResults.read(batches).reported) {
      const detail = BatchResults.reason(item.verdict) ?? item.objectId ?? ""
      yield* Console.log(`  ${item.clientRef}: ${item.status ?? item.verdict._tag} ${detail}`)
    }

    yield* Console.log("Sending 101 conversations in one request (the API takes at most 100)…")
    const tooMany = Array.from({ length: 101 }, (_, index) => conversation(customer, 100 + index))
    yield* client.bulkCreateConversations(tooMany).pipe(
      Effect.flatMap((accepted) => Console.log(`  unexpectedly accepted as ${accepted.data.id}`)),
      Effect.catchTag("KustomerError", explain)
    )
  }).pipe(
    Effect.provide(Target.clientLayer()),
    Effect.provide(Target.layer())
  )
