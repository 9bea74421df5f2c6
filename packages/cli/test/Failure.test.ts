import { KustomerError } from "@effect-kustomer/client"
import { JournalError, Preflight, RejectsFile, RunError } from "@effect-kustomer/journal"
import { Migration } from "@effect-kustomer/migration"
import { assert, describe, it } from "@effect/vitest"
import * as Failure from "../src/Failure.js"

const journalFailure = (kind: JournalError.Kind, detail: string) =>
  new RunError.RunError({
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
    const unwritable = new RunError.RunError({
      reason: "Output",
      detail: "--report out/report.json: the directory out does not exist"
    })
    const text = Failure.describe(unwritable)
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
      new RunError.RunError<Migration.Cause>({ reason: "Api", detail: forbidden.message, cause: forbidden })
    )
    assert.include(text, "Roles cannot be added to an existing key")
  })

  it("a RunError is described by the tag of its cause, its detail printed", () => {
    const missing = new Preflight.MissingRoles({
      missing: [{ roles: ["org.permission.note.create", "org.user.note.write"], why: "create notes" }],
      run: "migration"
    })
    const roles = Failure.describe(RunError.fromCause(missing))
    assert.include(roles, "lacks a role this migration needs")
    assert.include(roles, "org.permission.note.create or org.user.note.write: to create notes")

    const idMap = new Migration.IdMapError({ path: "m.journal", reason: "disk I/O error" })
    const journal = Failure.describe(
      new RunError.RunError<Migration.Cause>({ reason: "Journal", detail: idMap.message, cause: idMap })
    )
    assert.strictEqual(journal, "migration id map m.journal: disk I/O error.")

    // A full disk under a migration's detail, which carries the library's advice: the command line's is said once.
    const full = new RejectsFile.RejectsFileError({ path: "r.jsonl", reason: "no space left", noSpace: true })
    const output = Failure.describe(
      new RunError.RunError({ reason: "Output", detail: `${full.message}: free some space`, cause: full })
    )
    assert.strictEqual(
      output,
      "rejects file: no space left.\nFree some space, then run the same command again: with --journal it resumes " +
        "where it stopped."
    )

    const found = new RunError.RunError({ reason: "Input", detail: "cannot tell the format of in.txt" })
    assert.include(Failure.describe(found), "cannot tell the format of in.txt.\nCheck the path, and --format")
  })
})
