import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource, KustomerClient, KustomerError, RateLimiter } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { clientWith, json, type Reply, type Seen } from "./fakes.js"
import { conversationRecord } from "./records.js"

const customer = "5cb3a1b7c9e77c0013e5f2d1"
const jobId = "6543a1b7c9e77c0013e5f2aa"

/** 1 s, 2 s, 4 s: three retries, no jitter, so the test can name the exact times. */
const threeRetries = Schedule.exponential(Duration.seconds(1)).pipe(Schedule.intersect(Schedule.recurs(3)))

/** A batches body that reports every item of the last POST as created. */
const createdResults = (posted: string) => {
  const items: ReadonlyArray<{ readonly _clientRef: string }> = JSON.parse(posted)
  return json(200, {
    data: [{
      type: "bulk_batch",
      id: "b1",
      attributes: {
        status: "complete",
        successCount: items.length,
        failureCount: 0,
        results: items.map((item, index) => ({
          _clientRef: item._clientRef,
          status: "created",
          objectId: String(index).padStart(24, "a")
        }))
      }
    }]
  })
}

/**
 * An import over a fake API: `onPost(n)` answers the n-th bulk POST (from 0); job reads report the last POST's
 * items as created; look-ups find nothing.
 */
const importWith = (
  records: ReadonlyArray<unknown>,
  /** A `Reply`, or an `Error` for a connection that could not be made. */
  onPost: (attempt: number) => Reply | Error,
  onRead: (read: number, complete: Reply) => Reply = (_read, complete) => complete,
  rateLimiter?: Pick<RateLimiter.Service, "acquire" | "observe" | "pauses">
) =>
  Effect.gen(function*() {
    const posts = yield* Ref.make(0)
    const reads = yield* Ref.make(0)
    const lastBody = yield* Ref.make("[]")
    const { client, seen } = yield* clientWith((request, url) =>
      Effect.gen(function*() {
        if (request.method === "POST") {
          const attempt = yield* Ref.getAndUpdate(posts, (count) => count + 1)
          const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
          yield* Ref.set(lastBody, body)
          const reply = onPost(attempt)
          return reply instanceof Error ? yield* Effect.fail(reply) : reply
        }
        if (url.pathname.includes("externalId=")) return json(404, { errors: [{ code: "not_found" }] })
        const read = yield* Ref.getAndUpdate(reads, (count) => count + 1)
        return onRead(read, createdResults(yield* Ref.get(lastBody)))
      }), { client: { rateLimiter } })
    const events = yield* runOnTestClock(
      BulkImport.stream(ImportSource.fromIterable(records), {
        retrySchedule: threeRetries,
        firstPollDelay: Duration.seconds(1)
      }).pipe(
        Stream.runCollect,
        Effect.map((all) => Chunk.toReadonlyArray(all)),
        Effect.provideService(KustomerClient.KustomerClient, client)
      )
    )
    return { events, seen: yield* Ref.get(seen) }
  })

const postTimes = (seen: ReadonlyArray<Seen>) => seen.filter((request) => request.method === "POST").map((r) => r.at)

/** What Node reports when nothing listens at the address: a connection refused before any byte was sent. */
const refusedConnection = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4010"), { code: "ECONNREFUSED" })

const accepted = json(201, { data: { type: "bulk", id: jobId, attributes: { status: "queued" } } })

const readTimes = (seen: ReadonlyArray<Seen>) =>
  seen.filter((request) => request.url.endsWith("/batches")).map((request) => request.at)

const stillRunning = json(200, { data: [{ type: "bulk_batch", id: "b1", attributes: { status: "scheduled" } }] })

describe("BulkImport retries (fake API, test clock)", () => {
  it.effect("retries a failed submission at the scheduled times, then settles the chunk from its job", () =>
    Effect.gen(function*() {
      const records = [0, 1, 2].map((index) => conversationRecord(index, customer))
      const { events, seen } = yield* importWith(records, (attempt) => (attempt < 3 ? json(503, {}) : accepted))
      assert.deepStrictEqual(postTimes(seen), [0, 1_000, 3_000, 7_000])
      const retries = events.filter((event) => event._tag === "Retrying")
      assert.deepStrictEqual(
        retries.map((event) => event._tag === "Retrying" ? [event.attempt, Duration.toMillis(event.delay)] : []),
        [[1, 1_000], [2, 2_000], [3, 4_000]]
      )
      const summary = yield* BulkImport.summarize(Stream.fromIterable(events))
      assert.strictEqual(summary.created, 3)
      assert.strictEqual(summary.retries, 3)
      assert.strictEqual(summary.submits, 4)
    }))

  it.effect("stops at the schedule's maximum; in-doubt items are checked by externalId, not guessed", () =>
    Effect.gen(function*() {
      const records = [conversationRecord(0, customer), conversationRecord(1, customer, false)]
      const { events, seen } = yield* importWith(records, () => json(502, {}))
      assert.deepStrictEqual(postTimes(seen), [0, 1_000, 3_000, 7_000])
      const outcomes = events.filter(ImportEvent.isOutcome)
      const withId = outcomes.find((outcome) => outcome.position.index === 0)
      const withoutId = outcomes.find((outcome) => outcome.position.index === 1)
      // Found nowhere after the last attempt: it was not created.
      assert.strictEqual(withId?._tag, "Failed")
      assert.include(withId?._tag === "Failed" ? withId.reason : "", "HTTP 502")
      // A request given up on is not the API's verdict on the item: a later run may retry it.
      assert.isFalse(withId?._tag === "Failed" && withId.final)
      // Without an externalId nothing can be checked: unknown, and sent only once.
      assert.strictEqual(withoutId?._tag, "Unknown")
      const bodies = seen.filter((request) => request.method === "POST").map((request) => JSON.parse(request.body))
      assert.deepStrictEqual(bodies.map((body: ReadonlyArray<unknown>) => body.length), [2, 1, 1, 1])
      assert.strictEqual(seen.filter((request) => request.url.includes("externalId=ticket-0")).length, 1)
    }))

  it.effect("does not retry a 400, and reports its items failed with the API's reason", () =>
    Effect.gen(function*() {
      const records = [conversationRecord(0, customer)]
      const { events, seen } = yield* importWith(
        records,
        () => json(400, { errors: [{ code: "bad_request", title: "Invalid request body" }] })
      )
      assert.lengthOf(postTimes(seen), 1)
      const [outcome] = events.filter(ImportEvent.isOutcome)
      assert.strictEqual(outcome?._tag, "Failed")
      assert.include(outcome?._tag === "Failed" ? outcome.reason : "", "Invalid request body")
    }))

  it.effect("polls a job first after firstPollDelay, then on the poll schedule, until it completes", () =>
    Effect.gen(function*() {
      const { events, seen } = yield* importWith(
        [conversationRecord(0, customer)],
        () => accepted,
        (read, complete) => (read < 3 ? stillRunning : complete)
      )
      // Submitted at 0; first read at 1 s; then 1 s, 1.5 s and 2.25 s apart (KustomerSchedule.pollJob).
      assert.deepStrictEqual(readTimes(seen), [1_000, 2_000, 3_500, 5_750])
      assert.strictEqual(events.filter(ImportEvent.isOutcome)[0]?._tag, "Created")
    }))

  it.effect("after a 429 the submission waits exactly until x-ratelimit-reset, then succeeds", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ margin: 0 })
      const { events, seen } = yield* importWith(
        [conversationRecord(0, customer)],
        (attempt) => (attempt === 0 ? json(429, { errors: [] }, { "x-ratelimit-reset": "37" }) : accepted),
        undefined,
        limiter
      )
      assert.deepStrictEqual(postTimes(seen), [0, 37_000])
      const summary = yield* BulkImport.summarize(Stream.fromIterable(events))
      assert.strictEqual(summary.rateLimited, 1)
      assert.strictEqual(summary.created, 1)
    }).pipe(Effect.scoped))

  it.effect("an API that never answered stops the import within the first request's schedule, failing no record", () =>
    Effect.gen(function*() {
      const records = Array.from({ length: 250 }, (_, index) => conversationRecord(index, customer))
      const refused = yield* Effect.either(
        importWith(records, () => refusedConnection())
      )
      assert.isTrue(refused._tag === "Left")
      const error = refused._tag === "Left" ? refused.left : undefined
      assert.instanceOf(error, KustomerError.KustomerError)
      assert.strictEqual(error instanceof KustomerError.KustomerError ? error.reason._tag : "", "Transport")
      // A wrong base path: every request answers 404. The first submission's answer is enough.
      const wrongPath = yield* Effect.either(importWith(records, () => json(404, { errors: [{ code: "not_found" }] })))
      assert.strictEqual(
        wrongPath._tag === "Left" && wrongPath.left instanceof KustomerError.KustomerError
          ? wrongPath.left.reason._tag
          : "",
        "NotFound"
      )
    }))

  it.effect("once a submission was accepted, a later one that cannot be sent fails its records, not the run", () =>
    Effect.gen(function*() {
      const records = Array.from({ length: 150 }, (_, index) => conversationRecord(index, customer))
      const { events } = yield* importWith(
        records,
        (attempt) => (attempt === 0 ? accepted : refusedConnection())
      )
      const summary = yield* BulkImport.summarize(Stream.fromIterable(events))
      // The run went to its end: the chunk that could not be sent is failed (a later run may retry it).
      assert.strictEqual(summary.read, 150)
      assert.strictEqual(summary.failed, 50)
      const failed = events.filter(ImportEvent.isOutcome).filter((outcome) => outcome._tag === "Failed")
      assert.isTrue(failed.every((outcome) => outcome._tag === "Failed" && !outcome.final))
    }))
})
