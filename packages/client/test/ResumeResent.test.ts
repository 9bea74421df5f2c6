/**
 * A chunk in doubt is sent again and accepted, and the import stops before that job's results are read: the
 * resume reads them, and the duplicates they report are objects this import created (by the lost request), so
 * they count as created — not as already existing.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { BulkImport, ImportCheckpoint, ImportEvent, ImportSource, KustomerClient } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { clientWith, json } from "./fakes.js"
import { conversationRecord } from "./records.js"

const customer = "5cb3a1b7c9e77c0013e5f2d1"
const jobId = "6543a1b7c9e77c0013e5f2bb"

/** Every item of `posted` reported as a duplicate. */
const duplicates = (posted: string) => {
  const items: ReadonlyArray<{ readonly _clientRef: string }> = JSON.parse(posted)
  return json(200, {
    data: [{
      type: "bulk_batch",
      id: "b1",
      attributes: {
        status: "complete",
        successCount: 0,
        failureCount: items.length,
        results: items.map((item) => ({ _clientRef: item._clientRef, status: "error", error: "duplicate detected" }))
      }
    }]
  })
}

describe("a resent chunk's job, read by the resume", () => {
  it.effect("counts its duplicates as created by this import", () =>
    Effect.gen(function*() {
      const records = [0, 1, 2].map((index) => conversationRecord(index, customer))
      const posts = yield* Ref.make(0)
      const lastBody = yield* Ref.make("[]")
      // Before the resume, the job's results never come; after it, they do.
      const resumed = yield* Ref.make(false)
      const { client } = yield* clientWith((request, url) =>
        Effect.gen(function*() {
          if (request.method === "POST") {
            const attempt = yield* Ref.getAndUpdate(posts, (count) => count + 1)
            yield* Ref.set(
              lastBody,
              request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
            )
            // The first request's answer is lost after the API accepted it (a 503 may have taken effect).
            return attempt === 0
              ? json(503, {})
              : json(201, { data: { type: "bulk", id: jobId, attributes: { status: "queued" } } })
          }
          if (!(yield* Ref.get(resumed))) return yield* Effect.never
          if (url.pathname.endsWith("/batches")) return duplicates(yield* Ref.get(lastBody))
          return json(200, { data: { type: "bulk", id: jobId, attributes: { status: "complete" } } })
        })
      )
      const { journal } = yield* ImportCheckpoint.inMemory
      const importOnce = (stopAtSubmission: boolean) =>
        BulkImport.stream(ImportSource.fromIterable(records), { checkpoint: journal }).pipe(
          Stream.takeUntil((event) => stopAtSubmission && event._tag === "ChunkSubmitted"),
          Stream.runCollect,
          Effect.map((events) => Chunk.toReadonlyArray(events)),
          Effect.provideService(KustomerClient.KustomerClient, client)
        )
      const first = yield* runOnTestClock(importOnce(true))
      assert.isTrue(first.some((event) => event._tag === "ChunkSubmitted" && event.attempt === 2), "sent again")
      assert.isFalse(first.some(ImportEvent.isOutcome), "stopped before any outcome")

      yield* Ref.set(resumed, true)
      const second = yield* runOnTestClock(importOnce(false))
      const outcomes = second.filter(ImportEvent.isOutcome)
      assert.deepStrictEqual(outcomes.map((outcome) => outcome._tag), ["Created", "Created", "Created"])
      assert.strictEqual(yield* Ref.get(posts), 2, "nothing sent by the resume")
    }))
})
