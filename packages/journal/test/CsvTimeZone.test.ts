import { ImportSource } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import { DurableImport, OffsetlessTimes, RunReport } from "../src/index.js"
import { fastPipeline, simulated, tempDir } from "./harness.js"

/**
 * Customers as a helpdesk exports them: times in the account's zone, without an offset. `createdAt` is converted by
 * the library's defaults, `signedUpAt` by the customers' schema (the journal's own conversion): both read the zone.
 */
const customersCsv = [
  "externalId,name,createdAt,signedUpAt",
  "c-1,Ada,2024-03-31 01:30,2024-03-31 03:30",
  "c-2,Grace,2024-03-31T01:30:00Z,2024-01-15 12:00"
].join("\n")

describe("DurableImport of CSV date-times without an offset", () => {
  it.scopedLive("reads them in the time zone given, and a resume with another zone is refused", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/customers.csv`, customersCsv)
      const options = {
        input: `${dir}/customers.csv`,
        resource: BulkResource.Customers,
        journal: `${dir}/customers.journal`,
        report: `${dir}/report.json`,
        pipeline: fastPipeline
      }
      const result = yield* DurableImport.run({ ...options, csv: { timeZone: "Europe/Paris" } })
      assert.strictEqual(result.summary.created, 2)
      const [ada] = yield* simulator.findByExternalId("customers", "c-1")
      const [grace] = yield* simulator.findByExternalId("customers", "c-2")
      assert.deepInclude(ada?.attributes ?? {}, {
        createdAt: "2024-03-31T00:30:00.000Z",
        signedUpAt: "2024-03-31T01:30:00.000Z"
      })
      assert.deepInclude(grace?.attributes ?? {}, {
        createdAt: "2024-03-31T01:30:00.000Z",
        signedUpAt: "2024-01-15T11:00:00.000Z"
      })
      assert.isUndefined(result.report.timesReadAsUtc)
      assert.isUndefined((yield* RunReport.read(`${dir}/report.json`)).timesReadAsUtc)

      const otherZone = yield* Effect.flip(DurableImport.run({ ...options, csv: { timeZone: "America/New_York" } }))
      assert.include(otherZone.message, "other settings")
      const utc = yield* Effect.flip(DurableImport.run({ ...options, csv: { timeZone: "UTC" } }))
      assert.include(utc.message, "other settings")
      const noZone = yield* Effect.flip(DurableImport.run({ ...options, offsetlessTimes: "utc" }))
      assert.include(noZone.message, "other settings")
      const sameZone = yield* DurableImport.run({ ...options, csv: { timeZone: "europe/paris" } })
      assert.isTrue(sameZone.resumed)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("with offsetlessTimes utc, reads them as UTC and counts them, with their columns, in the report", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/customers.csv`, customersCsv)
      const options = {
        input: `${dir}/customers.csv`,
        resource: BulkResource.Customers,
        journal: `${dir}/customers.journal`,
        report: `${dir}/report.json`,
        pipeline: fastPipeline
      }
      const result = yield* DurableImport.run({ ...options, offsetlessTimes: "utc" })
      assert.strictEqual(result.summary.created, 2)
      const [ada] = yield* simulator.findByExternalId("customers", "c-1")
      assert.deepInclude(ada?.attributes ?? {}, { signedUpAt: "2024-03-31T03:30:00.000Z" })
      const expected = { count: 3, columns: ["createdAt", "signedUpAt"] }
      assert.deepStrictEqual(result.report.timesReadAsUtc, expected)
      assert.deepStrictEqual((yield* RunReport.read(`${dir}/report.json`)).timesReadAsUtc, expected)
      // UTC given reads them as this run did: its journal is resumed (as one begun before time zones existed).
      const resumed = yield* DurableImport.run({ ...options, csv: { timeZone: "UTC" } })
      assert.isTrue(resumed.resumed)
      assert.strictEqual(resumed.skipped, 2)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("an unknown time zone stops the import before the journal is opened or anything is sent", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/customers.csv`, customersCsv)
      const error = yield* Effect.flip(DurableImport.run({
        input: `${dir}/customers.csv`,
        resource: BulkResource.Customers,
        journal: `${dir}/customers.journal`,
        csv: { timeZone: "Europe/Pariss" },
        pipeline: fastPipeline
      }))
      assert.strictEqual(error.reason, "Input")
      assert.include(error.message, "\"Europe/Pariss\" is not a time zone")
      assert.isFalse(NodeFs.existsSync(`${dir}/customers.journal`))
      assert.strictEqual((yield* simulator.stats).requests.total, 0)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("without a time zone, they are refused before the journal is opened or anything is sent", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/customers.csv`, customersCsv)
      const options = {
        input: `${dir}/customers.csv`,
        resource: BulkResource.Customers,
        journal: `${dir}/customers.journal`,
        pipeline: fastPipeline
      }
      const error = yield* Effect.flip(DurableImport.run(options))
      assert.strictEqual(error.reason, "Input")
      assert.strictEqual(error.cause?._tag, "OffsetlessTimes")
      if (error.cause?._tag === "OffsetlessTimes") {
        // signedUpAt is converted by the customers' schema, createdAt by the library's defaults: both count.
        assert.strictEqual(error.cause.count, 3)
        assert.deepStrictEqual(error.cause.position, { index: 0, line: 2 })
        assert.strictEqual(error.cause.column, "createdAt")
        assert.strictEqual(error.cause.text, "2024-03-31 01:30")
      }
      assert.include(
        error.message,
        "3 times have no offset (first: line 2, column \"createdAt\": \"2024-03-31 01:30\")"
      )
      assert.isFalse(NodeFs.existsSync(`${dir}/customers.journal`))
      assert.strictEqual((yield* simulator.stats).requests.total, 0)

      // The records a trial takes are the ones counted; the first is named by its own line.
      const trial = yield* Effect.flip(DurableImport.run({ ...options, skip: 1 }))
      assert.include(trial.message, "1 time has no offset (first: line 3, column \"signedUpAt\": \"2024-01-15 12:00\")")

      // UTC given reads them as UTC: nothing is refused.
      const result = yield* DurableImport.run({ ...options, csv: { timeZone: "UTC" } })
      assert.strictEqual(result.summary.created, 2)
      const [ada] = yield* simulator.findByExternalId("customers", "c-1")
      assert.deepInclude(ada?.attributes ?? {}, { signedUpAt: "2024-03-31T03:30:00.000Z" })
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("standard input is checked through its temporary copy, then imported from it", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const stdin = Stream.make(new TextEncoder().encode(customersCsv))
      const options = {
        input: "-",
        format: "csv" as const,
        stdin,
        resource: BulkResource.Customers,
        pipeline: fastPipeline
      }
      const error = yield* Effect.flip(DurableImport.run(options))
      assert.strictEqual(error.cause?._tag, "OffsetlessTimes")
      assert.include(error.message, "standard input: 3 times have no offset (first: line 2, column \"createdAt\"")
      assert.strictEqual((yield* simulator.stats).requests.total, 0)
      const result = yield* DurableImport.run({ ...options, csv: { timeZone: "Europe/Paris" } })
      assert.strictEqual(result.summary.created, 2)
    }).pipe(Effect.provide(simulated())))

  it("the tally counts every cell and keeps the first; UTC reads as no zone does", () => {
    const tally = [
      ImportSource.parsed({ index: 0, line: 2 }, {}),
      ImportSource.parsed({ index: 1, line: 3 }, {}, ["Created", "Updated"]),
      ImportSource.unparsable({ index: 2, line: 4 }, "bad row"),
      ImportSource.parsed({ index: 3, line: 5 }, {}, ["Updated"])
    ].reduce(OffsetlessTimes.add, OffsetlessTimes.none)
    assert.deepStrictEqual(tally, { count: 3, first: { position: { index: 1, line: 3 }, column: "Created" } })
    assert.isTrue(OffsetlessTimes.applies(undefined, undefined))
    assert.isTrue(OffsetlessTimes.applies({ mapping: {} }, "refuse"))
    assert.isFalse(OffsetlessTimes.applies(undefined, "utc"))
    assert.isFalse(OffsetlessTimes.applies({ timeZone: "UTC" }, undefined))
  })
})
