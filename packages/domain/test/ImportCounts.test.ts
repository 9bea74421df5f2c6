import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ImportCounts } from "../src/index.js"

describe("ImportCounts", () => {
  it("counts each outcome in its own field and in read", () => {
    const tags: ReadonlyArray<ImportCounts.OutcomeTag> = ["Created", "Created", "AlreadyExisting", "Failed", "Unknown"]
    const counts = tags.reduce(ImportCounts.addOutcome, ImportCounts.noOutcomes)
    assert.deepStrictEqual(counts, { read: 5, created: 2, alreadyExisting: 1, failed: 1, rejected: 0, unknown: 1 })
  })

  it("picks the request counts out of a larger value and totals the requests", () => {
    const requests = { jobs: 3, submits: 4, polls: 5, lookups: 6, rateLimited: 1, retries: 1 }
    const summary = { ...requests, elapsed: 12 }
    assert.deepStrictEqual(ImportCounts.requestsOf(summary), requests)
    assert.strictEqual(ImportCounts.requestsSent(requests), 15)
  })

  it("decodes totals and refuses negative or fractional counts", () => {
    const totals = { ...ImportCounts.noOutcomes, ...ImportCounts.noRequests, requests: 0 }
    assert.isTrue(Either.isRight(Schema.decodeUnknownEither(ImportCounts.Totals)(totals)))
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(ImportCounts.Totals)({ ...totals, created: -1 })))
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(ImportCounts.Totals)({ ...totals, polls: 1.5 })))
  })
})
