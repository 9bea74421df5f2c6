import { BulkImport, ImportEvent } from "@effect-kustomer/client"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Failure from "../src/Failure.js"
import * as Summary from "../src/Summary.js"

const summary = (counts: Partial<ImportEvent.Summary> = {}): ImportEvent.Summary => {
  const base = { created: 1_980, alreadyExisting: 0, failed: 0, rejected: 20, unknown: 0, ...counts }
  return {
    read: base.created + base.alreadyExisting + base.failed + base.rejected + base.unknown,
    jobs: 20,
    submits: 20,
    polls: 21,
    lookups: 0,
    requests: 41,
    rateLimited: 0,
    retries: 0,
    elapsed: Duration.seconds(4),
    ...base
  }
}

const rejectedAt = (index: number) =>
  new ImportEvent.Rejected({
    position: { index, line: index + 3 },
    issues: [{ path: "priority", message: "Expected a number between 1 and 5, actual 9" }],
    record: {}
  })

describe("Summary", () => {
  it("exits 0 only when every record was created or already existed", () => {
    assert.strictEqual(Summary.exitCode(summary({ rejected: 0 })), Failure.exitOk)
    assert.strictEqual(Summary.exitCode(summary({ rejected: 0, alreadyExisting: 5 })), Failure.exitOk)
    assert.strictEqual(Summary.exitCode(summary({ rejected: 1 })), Failure.exitIncomplete)
    assert.strictEqual(Summary.exitCode(summary({ rejected: 0, failed: 1 })), Failure.exitIncomplete)
    assert.strictEqual(Summary.exitCode(summary({ rejected: 0, unknown: 1 })), Failure.exitIncomplete)
  })

  it("renders the table, the request counts and the rate", () => {
    const text = Summary.render(summary())
    assert.strictEqual(
      text.split("\n").slice(0, 9).join("\n"),
      [
        "Import finished in 4.0s — 2,000 records, 500 records/s",
        "",
        "  created           1,980",
        "  already existing      0",
        "  rejected             20",
        "  failed                0",
        "  unknown               0",
        "  records           2,000",
        ""
      ].join("\n")
    )
    assert.include(text, "20 jobs · 41 requests (20 submits, 21 polls, 0 look-ups) · 0 answered 429 · 0 retries")
    assert.isTrue(Summary.render(summary({ rejected: 0 })).startsWith("Import complete in 4.0s"))
  })

  it("says what to do about rejected, failed and unknown records", () => {
    const bare = Summary.render(summary({ failed: 2, unknown: 3 }))
    assert.include(bare, "20 records were rejected before sending (invalid). Pass --rejects <file>")
    assert.include(bare, "2 records were refused by the API.")
    assert.include(bare, "3 records are unknown: they may or may not exist in Kustomer")
    assert.include(bare, "pass --assign-external-ids)")
    assert.include(bare, "Pass --rejects <file> to collect them (in <file>.unknown.jsonl)")
    const withFiles = Summary.render(summary({ unknown: 1 }), {
      journal: "run.sqlite",
      rejects: "rejects.jsonl",
      unknownFile: "rejects.unknown.jsonl",
      report: "report.json",
      resumed: true
    })
    assert.include(withFiles, "They are in rejects.jsonl")
    assert.include(withFiles, "1 record is unknown")
    // Running again changes nothing for them: the hint says so, and where they are instead of the rejects file.
    assert.include(withFiles, "Running the command again does not change that")
    assert.notInclude(withFiles, "Run the same command again")
    assert.include(withFiles, "They are in rejects.unknown.jsonl (not in the rejects file)")
    assert.include(withFiles, "--allow-unknown")
    assert.include(withFiles, "Resumed from run.sqlite")
    assert.include(withFiles, "Report: report.json")
    assert.include(Summary.render(summary({ alreadyExisting: 7 })), "7 records already existed (same externalId)")
  })

  it("totals a dry run and shows the first rejected records", () => {
    const events: ReadonlyArray<BulkImport.PlanEvent> = [
      new BulkImport.ChunkPlanned({
        chunk: 0,
        items: 100,
        bytes: 61_000,
        first: { index: 0 },
        last: { index: 100 },
        withoutExternalId: 4
      }),
      ...Array.from(
        { length: 12 },
        (_, index) =>
          new BulkImport.ChunkPlanned({
            chunk: 1 + index,
            items: 1,
            bytes: 600,
            first: { index },
            last: { index },
            withoutExternalId: 0
          })
      ),
      ...Array.from({ length: 12 }, (_, index) => rejectedAt(index))
    ]
    const totals = events.reduce((totals, event) => Summary.addToPlan(totals, event), Summary.emptyPlan)
    assert.deepStrictEqual(
      [totals.read, totals.items, totals.rejected, totals.requests, totals.largestBytes, totals.withoutExternalId],
      [124, 112, 12, 13, 61_000, 4]
    )
    assert.lengthOf(totals.examples, Summary.planExamples)
    const text = Summary.renderPlan(totals)
    assert.include(text, "Dry run — nothing was sent.")
    assert.include(text, "First 10 rejected:")
    assert.include(text, "line 3: priority: Expected a number between 1 and 5, actual 9")
    assert.include(text, "--assign-external-ids gives each one an id")
    assert.notInclude(Summary.renderPlan(totals, { assignExternalIds: true }), "--assign-external-ids gives")
    assert.strictEqual(Summary.planExitCode(totals), Failure.exitIncomplete)
    assert.strictEqual(Summary.planExitCode(Summary.emptyPlan), Failure.exitOk)
  })
})
