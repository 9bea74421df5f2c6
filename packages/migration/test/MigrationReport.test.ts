import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { MigrationReport } from "../src/index.js"

const finished: MigrationReport.MigrationReport = {
  status: "finished",
  bundle: "bundle.jsonl",
  journal: "migration.journal",
  startedAt: "2026-01-01T00:00:00.000Z",
  finishedAt: "2026-01-01T00:00:01.000Z",
  elapsedMillis: 1_000,
  resumed: false,
  importedAt: "2026-01-01T00:00:00.000Z",
  phases: [{
    resource: "customers",
    settledBefore: 0,
    foundByEmail: 1,
    held: 0,
    parentReads: 0,
    read: 3,
    created: 2,
    alreadyExisting: 0,
    rejected: 0,
    failed: 0,
    unknown: 0,
    jobs: 1,
    requests: 2,
    rateLimited: 0,
    retries: 0,
    elapsedMillis: 120
  }],
  attempt: 2,
  attempts: [
    {
      attempt: 1,
      status: "interrupted",
      startedAt: "2025-12-31T23:00:00.000Z",
      elapsedMillis: 500,
      read: 1,
      created: 1,
      alreadyExisting: 0,
      rejected: 0,
      failed: 0,
      unknown: 0,
      requests: 3
    },
    {
      attempt: 2,
      status: "finished",
      startedAt: "2026-01-01T00:00:00.000Z",
      elapsedMillis: 1_000,
      read: 3,
      created: 2,
      alreadyExisting: 0,
      rejected: 0,
      failed: 0,
      unknown: 0,
      requests: 2
    }
  ],
  cumulative: [{
    resource: "customers",
    read: 3,
    created: 3,
    alreadyExisting: 0,
    rejected: 0,
    failed: 0,
    unknown: 0,
    jobIds: ["job-1", "job-2"]
  }],
  phaseSpans: [{ resource: "customers", startMillis: 0, endMillis: 1_000 }],
  run: {
    host: "acme.api.kustomerapp.com",
    version: "0.1.0",
    command: ["migrate", "bundle.jsonl"],
    bundleSha256: "ab",
    rateLimitCap: { limit: 300, windowMillis: 60_000 }
  }
}

describe("MigrationReport", () => {
  it("reads back what it writes, through JSON: every attempt, the totals of all, the phases' spans, the run", () => {
    const written = JSON.stringify(MigrationReport.encode(finished))
    assert.deepStrictEqual(Either.getOrThrow(MigrationReport.decode(JSON.parse(written))), finished)
  })

  it("reads a failed run without phases, and counts a report leaves out as 0", () => {
    const failed = Either.getOrThrow(MigrationReport.decode({
      status: "failed",
      error: "the bundle cannot be read",
      bundle: "bundle.jsonl",
      startedAt: "2026-01-01T00:00:00.000Z",
      elapsedMillis: 5
    }))
    assert.isUndefined(failed.phases)
    const trimmed = Either.getOrThrow(MigrationReport.decode({
      ...MigrationReport.encode(finished),
      phases: [{ resource: "notes", created: 4 }]
    }))
    assert.deepInclude(trimmed.phases?.[0], { resource: "notes", created: 4, rejected: 0, requests: 0 })
    assert.isTrue(Either.isLeft(MigrationReport.decode({ ...finished, status: "done" })))
  })
})
