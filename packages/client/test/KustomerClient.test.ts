import { BulkJob, Conversation, Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { KustomerAuth, KustomerClient, KustomerError } from "../src/index.js"
import { clientWith, json, type Reply, secretKey } from "./fakes.js"

const conversation = Schema.decodeSync(Conversation.ConversationInput)({
  customer: "5cb3a1b7c9e77c0013e5f2d1",
  externalId: "t-1"
})
const jobId = Ids.BulkJobId.make("6543a1b7c9e77c0013e5f2aa")
const accepted = { data: { type: "bulk", id: jobId, attributes: { status: "queued", completed: false } } }

const failureOf = (reply: Reply) =>
  Effect.gen(function*() {
    const { client } = yield* clientWith(() => Effect.succeed(reply))
    return yield* Effect.flip(client.bulkCreateConversations([conversation]))
  })

describe("KustomerClient.bulkCreateConversations", () => {
  it.effect("posts the encoded array with the bearer key and returns the job", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith(() => Effect.succeed(json(201, accepted)))
      const job = yield* client.bulkCreateConversations([conversation])
      assert.strictEqual(job.data.id, jobId)
      const [request] = yield* Ref.get(seen)
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.url, "http://127.0.0.1:4010/v1/conversations/bulk")
      assert.strictEqual(request?.authorization, `Bearer ${secretKey}`)
      assert.deepStrictEqual(JSON.parse(request?.body ?? ""), [conversation])
    }))

  it.effect.each(
    [
      [400, "InvalidRequest", false, false],
      [401, "Unauthorized", false, false],
      [402, "Forbidden", false, false],
      [403, "Forbidden", false, false],
      [404, "NotFound", false, false],
      [409, "Conflict", false, false],
      [413, "PayloadTooLarge", false, false],
      [418, "UnexpectedStatus", false, false],
      [429, "RateLimited", true, false],
      [500, "ServerError", true, true],
      [502, "ServerError", true, true],
      [503, "ServerError", true, true]
    ] as const
  )(
    "maps HTTP %i to %s (retryable %s, may have taken effect %s)",
    ([status, tag, retryable, effect]) =>
      Effect.gen(function*() {
        const error = yield* failureOf(json(status, { errors: [{ code: "x", title: "Something" }] }))
        assert.strictEqual(error.reason._tag, tag)
        assert.strictEqual(error.retryable, retryable)
        assert.strictEqual(error.reason.mayHaveTakenEffect, effect)
        assert.include(error.message, "KustomerClient.bulkCreate")
      })
  )

  it.effect("names the role a 403 needs", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(json(403, { errors: [{ status: 403, code: "forbidden", title: "Forbidden" }] }))
      assert.include(error.message, "org.permission.conversation.create or org.user.conversation.write")
    }))

  it.effect("maps an HTML 502 from a proxy, and an empty error body, cleanly", () =>
    Effect.gen(function*() {
      const html = yield* failureOf({
        status: 502,
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        headers: { "content-type": "text/html" }
      })
      assert.strictEqual(html.reason._tag, "ServerError")
      assert.include(html.message, "502 Bad Gateway")
      const empty = yield* failureOf({ status: 500 })
      assert.strictEqual(empty.reason._tag, "ServerError")
      assert.strictEqual(empty.message, "KustomerClient.bulkCreate: the server failed (HTTP 500)")
    }))

  it.effect("takes the 429 wait from x-ratelimit-reset, or Retry-After when present", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 10, 27, 12, 0, 0))
      const resetIn30s = String(Date.UTC(2026, 10, 27, 12, 0, 30) / 1000)
      const byReset = yield* failureOf(json(429, { errors: [] }, { "x-ratelimit-reset": resetIn30s }))
      assert.deepStrictEqual(
        byReset.reason._tag === "RateLimited" ? byReset.reason.retryAfter : Option.none(),
        Option.some(Duration.seconds(30))
      )
      const byHeader = yield* failureOf(json(429, {}, { "x-ratelimit-reset": resetIn30s, "retry-after": "5" }))
      assert.deepStrictEqual(
        byHeader.reason._tag === "RateLimited" ? byHeader.reason.retryAfter : Option.none(),
        Option.some(Duration.seconds(5))
      )
    }))

  it.effect("still yields the job id from a 201 whose optional parts are odd", () =>
    Effect.gen(function*() {
      const { client } = yield* clientWith(() =>
        Effect.succeed(json(201, { data: { id: jobId, attributes: { status: 7, completed: "maybe" }, links: [] } }))
      )
      const job = yield* client.bulkCreateConversations([conversation])
      assert.strictEqual(job.data.id, jobId)
      assert.isUndefined(BulkJob.attributesOf(job.data))
    }))

  it.effect("reports a 201 without a readable job as a Decode that may have taken effect", () =>
    Effect.gen(function*() {
      const error = yield* failureOf({ status: 201, body: "<html>ok</html>" })
      assert.strictEqual(error.reason._tag, "Decode")
      assert.isTrue(error.reason.mayHaveTakenEffect)
      assert.include(error.message, "<html>ok</html>")
      const noId = yield* failureOf(json(201, { data: { type: "bulk" } }))
      assert.strictEqual(noId.reason._tag, "Decode")
      assert.include(noId.message, "id")
    }))

  it.effect("refuses to send a body over 100 kB", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith(() => Effect.succeed(json(201, accepted)))
      const big = Array.from({ length: 100 }, (_, index) => ({ ...conversation, name: `${index}`.padEnd(1100, "x") }))
      const error = yield* Effect.flip(client.bulkCreateConversations(big))
      assert.strictEqual(error.reason._tag, "PayloadTooLarge")
      assert.lengthOf(yield* Ref.get(seen), 0)
    }))
})

describe("KustomerClient transport failures", () => {
  const failingWith = (code: string) =>
    clientWith(() => Effect.fail(Object.assign(new Error(`connect ${code} 127.0.0.1:4010`), { code })))

  it.effect("tells a refused connection (not sent) from a reset (maybe sent)", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.flip((yield* failingWith("ECONNREFUSED")).client.getBulkJob(jobId))
      assert.deepStrictEqual(
        refused.reason._tag === "Transport" ? refused.reason.delivery : undefined,
        "not-sent"
      )
      assert.isFalse(refused.reason.mayHaveTakenEffect)
      const reset = yield* Effect.flip(
        (yield* failingWith("ECONNRESET")).client.bulkCreateConversations([conversation])
      )
      assert.deepStrictEqual(reset.reason._tag === "Transport" ? reset.reason.delivery : undefined, "maybe-sent")
      assert.isTrue(reset.reason.mayHaveTakenEffect)
      assert.include(reset.message, "ECONNRESET")
    }))

  it.effect("times out a hung request on the clock, as maybe sent", () =>
    Effect.gen(function*() {
      const { client } = yield* clientWith(() => Effect.never)
      const fiber = yield* Effect.fork(Effect.flip(client.bulkCreateConversations([conversation])))
      yield* TestClock.adjust(Duration.seconds(29))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust(Duration.seconds(1))
      const error = yield* Fiber.join(fiber)
      assert.deepStrictEqual(error.reason._tag === "Transport" ? error.reason.delivery : undefined, "maybe-sent")
    }))
})

describe("KustomerClient reads", () => {
  it.effect("polls a job and reads its batches", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith((_request, url) =>
        Effect.succeed(
          url.pathname.endsWith("/batches")
            ? json(200, {
              data: [{ type: "bulk_batch", id: "b", attributes: { status: "complete", successCount: 1 } }]
            })
            : json(200, { data: { id: jobId, attributes: { status: "complete", batches: { complete: 1, total: 1 } } } })
        )
      )
      const job = yield* client.getBulkJob(jobId)
      assert.isTrue(BulkJob.isComplete(job.data))
      const batches = yield* client.getBulkJobBatches(jobId)
      assert.strictEqual(batches.data[0]?.attributes.successCount, 1)
      const urls = (yield* Ref.get(seen)).map((request) => request.url)
      assert.deepStrictEqual(urls, [
        `http://127.0.0.1:4010/v1/bulk/${jobId}`,
        `http://127.0.0.1:4010/v1/bulk/${jobId}/batches`
      ])
    }))

  const batchPage = (id: string, next?: string | null) =>
    json(200, {
      data: [{ type: "bulk_batch", id, attributes: { status: "complete", successCount: 1 } }],
      ...(next === undefined ? {} : { links: { next } })
    })

  it.effect("follows links.next through every page of batches: relative and same-origin links", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith((_request, url) =>
        Effect.succeed(
          url.searchParams.get("page") === "2"
            ? batchPage("b2", `http://127.0.0.1:4010/v1/bulk/${jobId}/batches?page=3`)
            : url.searchParams.get("page") === "3"
            ? batchPage("b3", null)
            : batchPage("b1", "batches?page=2")
        )
      )
      const batches = yield* client.getBulkJobBatches(jobId)
      assert.deepStrictEqual(batches.data.map((batch) => batch.id), ["b1", "b2", "b3"])
      assert.deepStrictEqual((yield* Ref.get(seen)).map((request) => request.url), [
        `http://127.0.0.1:4010/v1/bulk/${jobId}/batches`,
        `http://127.0.0.1:4010/v1/bulk/${jobId}/batches?page=2`,
        `http://127.0.0.1:4010/v1/bulk/${jobId}/batches?page=3`
      ])
    }))

  it.effect("stops at a link it has already read, refuses another origin, and caps the pages", () =>
    Effect.gen(function*() {
      const looping = yield* clientWith((_request, url) =>
        Effect.succeed(batchPage(url.search === "" ? "b1" : "b2", "batches?page=2"))
      )
      const read = yield* looping.client.getBulkJobBatches(jobId)
      assert.deepStrictEqual(read.data.map((batch) => batch.id), ["b1", "b2"])
      assert.lengthOf(yield* Ref.get(looping.seen), 2)

      const elsewhere = yield* clientWith(() => Effect.succeed(batchPage("b1", "https://evil.example/steal")))
      const refused = yield* Effect.flip(elsewhere.client.getBulkJobBatches(jobId))
      assert.include(refused.message, "another origin")
      assert.lengthOf(yield* Ref.get(elsewhere.seen), 1)

      const endless = yield* clientWith(
        (_request, url) =>
          Effect.succeed(batchPage("b", `batches?page=${Number(url.searchParams.get("page") ?? "1") + 1}`)),
        {
          client: { maxBatchPages: 5 }
        }
      )
      const capped = yield* Effect.flip(endless.client.getBulkJobBatches(jobId))
      assert.include(capped.message, "more than 5 pages")
      assert.lengthOf(yield* Ref.get(endless.seen), 5)
    }))

  it.effect("finds a conversation by external id, and None on 404", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith((_request, url) =>
        Effect.succeed(
          url.pathname.includes("known")
            ? json(200, { data: { type: "conversation", id: "58228e05d4e96711004eccb7" } })
            : json(404, { errors: [{ code: "not_found" }] })
        )
      )
      const found = yield* client.findConversationByExternalId("known one")
      assert.strictEqual(Option.getOrThrow(found).id, "58228e05d4e96711004eccb7")
      assert.isTrue(Option.isNone(yield* client.findConversationByExternalId("other")))
      assert.strictEqual(
        (yield* Ref.get(seen))[0]?.url,
        "http://127.0.0.1:4010/v1/conversations/externalId=known%20one"
      )
    }))

  it.effect("finds a customer by e-mail, from one object or a list of them; None on 404 or an empty list", () =>
    Effect.gen(function*() {
      const customer = { type: "customer", id: "5cb3a1b7c9e77c0013e5f2d1" }
      const { client, seen } = yield* clientWith((_request, url) =>
        Effect.succeed(
          url.pathname.includes("one%40")
            ? json(200, { data: customer })
            : url.pathname.includes("list%40")
            ? json(200, { data: [customer, { type: "customer", id: "5cb3a1b7c9e77c0013e5f2d2" }] })
            : url.pathname.includes("empty%40")
            ? json(200, { data: [] })
            : json(404, { errors: [{ code: "not_found" }] })
        )
      )
      const ids = yield* Effect.forEach(
        ["one@example.com", "list@example.com", "empty@example.com", "nobody@example.com"],
        (email) => Effect.map(client.findCustomerByEmail(email), (found) => Option.getOrUndefined(found)?.id)
      )
      assert.deepStrictEqual(ids, [customer.id, customer.id, undefined, undefined])
      assert.strictEqual((yield* Ref.get(seen))[0]?.url, "http://127.0.0.1:4010/v1/customers/email=one%40example.com")
    }))

  it.effect("publishes the rate-limit information of each response", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const { client } = yield* clientWith((_request, _url, index) =>
        Effect.succeed(json(200, accepted, { "x-ratelimit-limit": "100", "x-ratelimit-remaining": String(99 - index) }))
      )
      assert.isTrue(Option.isNone(yield* client.rateLimit))
      yield* client.getBulkJob(jobId)
      yield* client.getBulkJob(jobId)
      const info = Option.getOrThrow(yield* client.rateLimit)
      assert.deepStrictEqual(info.remaining, Option.some(98))
      assert.deepStrictEqual(info.limit, Option.some(100))
      assert.strictEqual(info.observedAtMillis, 1_000_000)
    }))

  it.effect("passes every request through the rate limiter, with its kind and status", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<string>>([])
      const { client } = yield* clientWith(
        (_request, url) => Effect.succeed(url.pathname.includes("bulk/") ? json(200, accepted) : json(201, accepted)),
        {
          client: {
            rateLimiter: {
              acquire: (kind) => Ref.update(log, (entries) => [...entries, `acquire ${kind}`]),
              observe: (kind, status) => Ref.update(log, (entries) => [...entries, `observe ${kind} ${status}`]),
              pauses: Stream.empty
            }
          }
        }
      )
      yield* client.bulkCreateConversations([conversation])
      yield* client.getBulkJob(jobId)
      assert.deepStrictEqual(yield* Ref.get(log), [
        "acquire submit",
        "observe submit 201",
        "acquire poll",
        "observe poll 200"
      ])
    }))
})

describe("KustomerClient with a refreshing key", () => {
  it.effect("obtains a new key after a 401 and tries once more", () =>
    Effect.gen(function*() {
      const issued = yield* Ref.make(0)
      const auth = KustomerAuth.layerRefreshing(
        Ref.updateAndGet(issued, (count) => count + 1).pipe(Effect.map((count) => Redacted.make(`key-${count}`)))
      )
      const { client, seen } = yield* clientWith(
        (request) =>
          Effect.succeed(
            request.headers["authorization"] === "Bearer key-1"
              ? json(401, { errors: [{ title: "Expired token" }] })
              : json(200, accepted)
          ),
        { auth }
      )
      const job = yield* client.getBulkJob(jobId)
      assert.strictEqual(job.data.id, jobId)
      assert.deepStrictEqual((yield* Ref.get(seen)).map((request) => request.authorization), [
        "Bearer key-1",
        "Bearer key-2"
      ])
      yield* client.getBulkJob(jobId)
      assert.strictEqual(yield* Ref.get(issued), 2)
    }))

  it.effect("does not retry a 401 with a fixed key", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith(() => Effect.succeed(json(401, { errors: [{ title: "Invalid" }] })))
      const error = yield* Effect.flip(client.getBulkJob(jobId))
      assert.strictEqual(error.reason._tag, "Unauthorized")
      assert.isTrue(KustomerError.isFatal(error))
      assert.lengthOf(yield* Ref.get(seen), 1)
    }))

  it.effect("reports a failing key provider as CredentialsUnavailable", () =>
    Effect.gen(function*() {
      const { client } = yield* clientWith(() => Effect.succeed(json(200, accepted)), {
        auth: KustomerAuth.layerRefreshing(Effect.fail("vault sealed"))
      })
      const error = yield* Effect.flip(client.getBulkJob(jobId))
      assert.strictEqual(error.reason._tag, "CredentialsUnavailable")
      assert.include(error.message, "vault sealed")
    }))
})

describe("prepareBody", () => {
  it("joins encoded items and counts UTF-8 bytes", () => {
    const prepared = KustomerClient.prepareBody(["{\"a\":\"é\"}", "{}"])
    assert.strictEqual(prepared.json, "[{\"a\":\"é\"},{}]")
    assert.strictEqual(prepared.bytes, 15)
    assert.strictEqual(prepared.items, 2)
  })
})
