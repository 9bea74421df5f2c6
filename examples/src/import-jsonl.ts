/**
 * Example 2 — import a JSON Lines file, printing the progress events.
 *
 * `BulkImport.stream` turns records into events: exactly one outcome per record (`Created`, `AlreadyExisting`,
 * `Failed`, `Rejected`, `Unknown`) and progress in between (`ChunkSubmitted`, `JobProgress`, `RateLimitedUntil`,
 * `Retrying`, `JobTimedOut`, `Finished`). One bad record is an outcome, not a failure: the stream goes on.
 *
 *   pnpm example import-jsonl                 # writes a sample file with a few broken records, imports it
 *   pnpm example import-jsonl export.jsonl    # imports your file
 */
import { BulkImport, ImportEvent, ImportSource } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Target from "./Target.js"

/** One line for each event worth a line: progress, and the records that need attention. */
const describe = (event: ImportEvent.ImportEvent): string | undefined => {
  switch (event._tag) {
    case "ChunkSubmitted":
      return `chunk ${event.chunk}: ${event.items} records (${event.bytes} bytes) accepted as job ${event.jobId}`
    case "JobProgress":
      return `chunk ${event.chunk}: job ${event.jobId} has ${event.complete}/${event.total} batches done`
    case "RateLimitedUntil":
      return `rate limit: every request waits until the window resets (${event.cause})`
    case "Retrying":
      return `chunk ${event.chunk}: attempt ${event.attempt} failed (${event.reason}); retrying in ${
        Duration.format(event.delay)
      }`
    case "JobTimedOut":
      return `chunk ${event.chunk}: job ${event.jobId} is still running; its records are reported unknown`
    case "Finished":
      return `finished: ${event.jobs} jobs, ${event.submits} submissions, ${event.polls} polls`
    case "Rejected":
      return `${ImportSource.describePosition(event.position)}: rejected — ${event.reason}`
    case "Failed":
    case "Unknown":
      return `${ImportSource.describePosition(event.position)}: ${ImportEvent.describeOutcome(event)}`
    case "Created":
    case "AlreadyExisting":
      return undefined
  }
}

/** A sample export: 250 conversations, three of them broken the way real exports are. */
const writeSample = (file: string, customerIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const lines = Array.from({ length: 250 }, (_, index) =>
      JSON.stringify({
        customer: customerIds[index % customerIds.length],
        externalId: `example-jsonl-${index}`,
        name: `Ticket ${index}: ${["Where is my order?", "Refund request", "Cannot log in"][index % 3]}`,
        status: index % 4 === 0 ? "open" : "done",
        priority: 1 + (index % 5),
        importedAt: "2026-01-15T09:30:00.000Z",
        tags: ["example"]
      }))
    lines[17] = lines[17]?.replace(`"priority":3`, `"priority":9`) ?? ""
    lines[101] = "{ this line is not JSON"
    lines[202] = JSON.stringify({ externalId: "no-customer", name: "A conversation without its customer" })
    yield* fs.writeFileString(file, `${lines.join("\n")}\n`)
  })

/** Runs the example. */
export const main = (args: ReadonlyArray<string>) =>
  Effect.scoped(Effect.gen(function*() {
    const target = yield* Target.Target
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = args[0] ?? path.join(yield* fs.makeTempDirectoryScoped(), "conversations.jsonl")
    if (args[0] === undefined) yield* writeSample(file, target.customerIds)
    yield* Console.log(`Importing ${file}`)

    const summary = yield* BulkImport.stream(ImportSource.fromFile(file), {
      // Small chunks, so that a small file shows several requests; the defaults are 100 items and 100 kB.
      maxItems: 50,
      firstPollDelay: "300 millis"
    }).pipe(
      Stream.tap((event) => {
        const line = describe(event)
        return line === undefined ? Effect.void : Console.log(`  ${line}`)
      }),
      (events) => BulkImport.summarize(events)
    )
    yield* Console.log(
      `Done in ${Duration.format(summary.elapsed)}: ${summary.created} created, ${summary.alreadyExisting} already ` +
        `existing, ${summary.rejected} rejected, ${summary.failed} failed, ${summary.unknown} unknown.`
    )
    yield* Target.showStored
  })).pipe(
    Effect.provide(Target.clientLayer()),
    Effect.provide(Target.layer())
  )
