import { KustomerError } from "@effect-kustomer/client"
import { DurableImport, JournalError } from "@effect-kustomer/journal"
import { Migration } from "@effect-kustomer/migration"
import { assert, describe, it } from "@effect/vitest"
import * as Failure from "../src/Failure.js"

const journalFailure = (kind: JournalError.Kind, detail: string) =>
  new DurableImport.DurableImportError({
    reason: "Journal",
    detail: `import journal: ${detail}`,
    cause: new JournalError.JournalError({ kind, path: "run.journal", detail })
  })

describe("Failure.describe", () => {
  it("only a journal of another run suggests another --journal", () => {
    const mismatch = Failure.describe(journalFailure("Mismatch", "run.journal belongs to another input"))
    assert.include(mismatch, "belongs to another input")
    assert.include(mismatch, "pass another --journal path")
    for (const kind of ["Io", "Locked", "Damaged", "NotAJournal"] as const) {
      const text = Failure.describe(journalFailure(kind, "run.journal: disk I/O error"))
      assert.include(text, "disk I/O error")
      assert.notInclude(text, "another --journal", kind)
      assert.notInclude(text, "one input and one set of options", kind)
    }
    assert.include(Failure.describe(journalFailure("Io", "run.journal: disk I/O error")), "disk has room")
  })

  it("an output file that cannot be written says that nothing was sent", () => {
    const text = Failure.describe(
      new DurableImport.DurableImportError({
        reason: "Output",
        detail: "--report out/report.json: the directory out does not exist"
      })
    )
    assert.include(text, "the directory out does not exist")
    assert.include(text, "nothing was sent")
  })

  it("a migration stopped by a missing role gets the same advice as an import, from its cause", () => {
    const forbidden = new KustomerError.KustomerError({
      module: "KustomerClient",
      method: "bulkCreate",
      reason: new KustomerError.Forbidden({ detail: "", requiredRoles: ["org.permission.message.create"] })
    })
    const text = Failure.describe(
      new Migration.MigrationError({ reason: "Api", detail: forbidden.message, cause: forbidden })
    )
    assert.include(text, "Roles cannot be added to an existing key")
  })
})
