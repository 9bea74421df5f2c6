/** Batches pages whose fields come in an unexpected shape: each costs at most the items that depend on it. */
import { BulkJob as BulkJobWire, Ids } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { BatchResults, BulkJob, KustomerClient } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { clientWith, json } from "./fakes.js"

const decode = Schema.decodeUnknownSync(BulkJobWire.BatchList)

const items = ["r0", "r1", "r2", "r3"].map((clientRef) => ({ clientRef }))

const objectId = (index: number) => String(index).padStart(24, "b")

const created = (index: number) => ({ _clientRef: `r${index}`, status: "created", objectId: objectId(index) })

const tagsOf = (reading: BatchResults.Reading) => items.map((item) => reading.verdicts.get(item.clientRef)?._tag)

const detailOf = (verdict: BatchResults.Verdict | undefined) => verdict?._tag === "Strange" ? verdict.detail : ""

describe("BatchResults.read of odd batches", () => {
  it("a batch with a null or missing status: its results still count, and it does not hold the job up", () => {
    const reading = BatchResults.read(
      decode({
        data: [
          { id: "b1", attributes: { status: null, results: [created(0), created(1)] } },
          { id: "b2", attributes: { results: [created(2), { _clientRef: "r3", status: "error", error: "bad" }] } }
        ]
      }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Created", "Created", "Created", "Failed"])
    assert.deepStrictEqual(reading.verdicts.get("r2"), { _tag: "Created", objectId: objectId(2) })
    assert.isTrue(reading.allComplete)
    assert.strictEqual(reading.batchesComplete, 0)
  })

  it("a queued batch beside one without a status still holds the job up", () => {
    const reading = BatchResults.read(
      decode({ data: [{ attributes: { results: [created(0)] } }, { attributes: { status: "queued" } }] }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Created", undefined, undefined, undefined])
    assert.isFalse(reading.allComplete)
  })

  it("counts given as numeric strings count, so a job without results settles from its errors and counts", () => {
    const reading = BatchResults.read(
      decode({
        data: [{
          attributes: {
            status: "complete",
            successCount: "3",
            failureCount: "1",
            errors: [{ index: "2", error: "customer not found" }]
          }
        }]
      }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Created", "Created", "Failed", "Created"])
  })

  it("errors as {} or null mean no errors: the results decide", () => {
    const reading = BatchResults.read(
      decode({
        data: [
          { attributes: { status: "complete", errors: {}, results: [created(0), created(1)] } },
          { attributes: { status: "complete", errors: null, results: [created(2), created(3)] } }
        ]
      }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Created", "Created", "Created", "Created"])
  })

  it("errors of another shape: no item is guessed created from the counts; the ones left are Strange, with why", () => {
    const reading = BatchResults.read(
      decode({
        data: [{
          attributes: { status: "complete", successCount: 3, failureCount: 1, errors: { r1: "duplicate detected" } }
        }]
      }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Strange", "Strange", "Strange", "Strange"])
    assert.include(detailOf(reading.verdicts.get("r0")), `batch 1's errors: {"r1":"duplicate detected"}`)
  })

  it("a batch whose results cannot be read costs only its own items", () => {
    const reading = BatchResults.read(
      decode({
        data: [
          { id: "b1", attributes: { status: "complete", results: [created(0), created(1)] } },
          { id: "b2", attributes: { status: "complete", successCount: "2", results: "r2, r3: created" } }
        ]
      }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Created", "Created", "Strange", "Strange"])
    assert.include(detailOf(reading.verdicts.get("r3")), `batch "b2"'s results`)
  })

  it("while a batch without a status may still run, items without an answer wait instead of turning Strange", () => {
    const reading = BatchResults.read(
      decode({
        data: [
          { attributes: { status: "complete", results: [created(0), created(1)], errors: { odd: true } } },
          { attributes: { status: null } }
        ]
      }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Created", "Created", undefined, undefined])
  })

  it("data null is an empty page: nothing settled, nothing complete", () => {
    const reading = BatchResults.read(decode({ data: null, links: null }), items)
    assert.strictEqual(reading.verdicts.size, 0)
    assert.isFalse(reading.allComplete)
  })
})

describe("BatchResults.read: a duplicate in every shape", () => {
  const readErrors = (errors: ReadonlyArray<unknown>) =>
    BatchResults.read(
      decode({
        data: [{
          attributes: {
            status: "complete",
            results: errors.map((error, index) => ({ _clientRef: `r${index}`, status: "error", error }))
          }
        }]
      }),
      items
    )

  it("a string, { code: invalid, message }, { code: duplicate } and a JSON:API conflict with the detail", () => {
    const reading = readErrors([
      "duplicate detected",
      { code: "invalid", message: "duplicate detected" },
      { code: "duplicate" },
      { status: 409, title: "Conflict", detail: "duplicate detected" }
    ])
    assert.deepStrictEqual(tagsOf(reading), ["Duplicate", "Duplicate", "Duplicate", "Duplicate"])
    assert.deepStrictEqual(reading.verdicts.get("r1"), { _tag: "Duplicate", error: "duplicate detected" })
    assert.deepStrictEqual(reading.verdicts.get("r3"), { _tag: "Duplicate", error: "Conflict: duplicate detected" })
    // Beside them, an error that does not say duplicate stays Failed, whatever its shape.
    const failures = readErrors([
      { code: "invalid", message: "customer not found" },
      { status: 409, code: "conflict", title: "Conflict", detail: "the conversation was modified" },
      "customer not found",
      { code: "not_found" }
    ])
    assert.deepStrictEqual(tagsOf(failures), ["Failed", "Failed", "Failed", "Failed"])
    assert.deepStrictEqual(failures.verdicts.get("r0"), { _tag: "Failed", error: "customer not found" })
  })

  it("a batch's errors[] entry whose message says duplicate under another code", () => {
    const reading = BatchResults.read(
      decode({
        data: [{
          attributes: {
            status: "complete",
            successCount: 3,
            failureCount: 1,
            errors: [{ _clientRef: "r1", code: "invalid", message: "duplicate detected" }]
          }
        }]
      }),
      items
    )
    assert.deepStrictEqual(tagsOf(reading), ["Created", "Duplicate", "Created", "Created"])
  })
})

describe("BulkJob.awaitResults over odd answers (fake API, test clock)", () => {
  const jobId = Ids.BulkJobId.make("6543a1b7c9e77c0013e5f2aa")

  const awaitWith = (batchesBody: unknown, jobBody: unknown) =>
    Effect.gen(function*() {
      const { client } = yield* clientWith((_request, url) =>
        Effect.succeed(url.pathname.endsWith("/batches") ? json(200, batchesBody) : json(200, jobBody))
      )
      return yield* runOnTestClock(
        Effect.either(
          BulkJob.awaitResults(jobId, {
            items,
            submittedAt: 0,
            firstRead: Duration.seconds(1),
            timeout: Duration.seconds(30)
          }).pipe(Effect.provideService(KustomerClient.KustomerClient, client))
        )
      )
    })

  it.effect("a page with a status-less batch, string counts, errors {} and links null settles every answered item", () =>
    Effect.gen(function*() {
      const result = yield* awaitWith(
        {
          data: [
            {
              type: "bulk_batch",
              id: "b1",
              attributes: {
                status: null,
                results: [created(0), {
                  _clientRef: "r1",
                  status: "error",
                  error: { code: "invalid", message: "duplicate detected" }
                }]
              }
            },
            {
              type: "bulk_batch",
              id: "b2",
              attributes: {
                status: "complete",
                successCount: "1",
                failureCount: "0",
                errors: {},
                results: [created(2)]
              }
            }
          ],
          links: null
        },
        { data: { id: jobId, attributes: { status: "complete", batches: { complete: "2", total: "2" } } } }
      )
      assert.isTrue(Either.isRight(result))
      if (Either.isRight(result)) {
        const reading = result.right
        assert.deepStrictEqual(reading.verdicts.get("r0"), { _tag: "Created", objectId: objectId(0) })
        assert.deepStrictEqual(reading.verdicts.get("r1"), { _tag: "Duplicate", error: "duplicate detected" })
        assert.deepStrictEqual(reading.verdicts.get("r2"), { _tag: "Created", objectId: objectId(2) })
        // No result at all for r3: it is left without a verdict (Unknown), never guessed.
        assert.isFalse(reading.verdicts.has("r3"))
      }
    }))

  it.effect("data null on a complete job: the read does not fail, and no item is guessed", () =>
    Effect.gen(function*() {
      const result = yield* awaitWith(
        { data: null },
        { data: { id: jobId, attributes: { status: "complete", completed: true } } }
      )
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.strictEqual(result.left.reason._tag, "JobTimedOut")
    }))

  it.effect("a job document whose batch progress is odd still reads as complete", () =>
    Effect.gen(function*() {
      const result = yield* awaitWith(
        { data: [{ attributes: { status: "complete", results: [created(0)] } }] },
        { data: { id: jobId, attributes: { status: "complete", batches: { complete: "1", total: "unknown" } } } }
      )
      assert.isTrue(Either.isRight(result))
      if (Either.isRight(result)) assert.deepStrictEqual(result.right.verdicts.get("r0")?._tag, "Created")
    }))
})
