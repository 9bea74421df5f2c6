import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { CsvMapping, ImportSource } from "../src/index.js"

const bytesOf = (text: string) => Stream.make(new TextEncoder().encode(text))

const valuesOf = (records: ReadonlyArray<ImportSource.SourceRecord>) =>
  records.map((record) => (record._tag === "Parsed" ? record.value : record.reason))

/** Helpdesk exports write times in the account's zone, without an offset; some cells carry their own. */
const exported = [
  "Ticket,Created",
  "1,2024-03-31 01:30",
  "2,2024-03-31 03:30",
  "3,2024-03-31T01:30:00Z",
  "4,2024-03-31T01:30:00+05:00",
  "5,2024-03-31 02:30",
  "6,2024-10-27 02:30"
].join("\n")

const mapping: CsvMapping.Mapping = { externalId: "Ticket", createdAt: "Created" }

const read = (options: ImportSource.CsvOptions) =>
  Effect.map(
    Stream.runCollect(ImportSource.csv(bytesOf(exported), { mapping, ...options })),
    (records) => Chunk.toReadonlyArray(records)
  )

describe("CSV date-times without an offset", () => {
  it.effect("are read in the time zone given, on either side of the change to summer time", () =>
    Effect.gen(function*() {
      const records = yield* read({ timeZone: "Europe/Paris" })
      assert.deepStrictEqual(valuesOf(records), [
        // 01:30 is still winter time in Paris (UTC+1); 03:30 is summer time (UTC+2).
        { externalId: "1", createdAt: "2024-03-31T00:30:00.000Z" },
        { externalId: "2", createdAt: "2024-03-31T01:30:00.000Z" },
        // Times with Z or an offset keep their own.
        { externalId: "3", createdAt: "2024-03-31T01:30:00.000Z" },
        { externalId: "4", createdAt: "2024-03-30T20:30:00.000Z" },
        // 02:30 never happened that night: read as the time after the gap (03:30 summer time).
        { externalId: "5", createdAt: "2024-03-31T01:30:00.000Z" },
        // 02:30 happened twice on 27 October: read as its first occurrence (summer time, UTC+2).
        { externalId: "6", createdAt: "2024-10-27T00:30:00.000Z" }
      ])
      assert.isTrue(records.every((record) => record._tag === "Parsed" && record.timesReadAsUtc === undefined))
    }))

  it.effect("take a zone already made, and an offset zone", () =>
    Effect.gen(function*() {
      const named = yield* read({ timeZone: DateTime.zoneUnsafeMakeNamed("America/New_York") })
      assert.deepStrictEqual(valuesOf(named)[0], { externalId: "1", createdAt: "2024-03-31T05:30:00.000Z" })
      const offset = yield* read({ timeZone: DateTime.zoneMakeOffset(-3 * 60 * 60 * 1000) })
      assert.deepStrictEqual(valuesOf(offset)[1], { externalId: "2", createdAt: "2024-03-31T06:30:00.000Z" })
    }))

  it.effect("are read as UTC without a time zone, and each record names their columns", () =>
    Effect.gen(function*() {
      const records = yield* read({})
      assert.deepStrictEqual(valuesOf(records).slice(0, 4), [
        { externalId: "1", createdAt: "2024-03-31T01:30:00.000Z" },
        { externalId: "2", createdAt: "2024-03-31T03:30:00.000Z" },
        { externalId: "3", createdAt: "2024-03-31T01:30:00.000Z" },
        { externalId: "4", createdAt: "2024-03-30T20:30:00.000Z" }
      ])
      assert.deepStrictEqual(
        records.map((record) => (record._tag === "Parsed" ? record.timesReadAsUtc : undefined)),
        [["Created"], ["Created"], undefined, undefined, ["Created"], ["Created"]]
      )
    }))

  it.effect("an unknown zone is refused before anything is read", () =>
    Effect.gen(function*() {
      const unread = Stream.fromEffect(Effect.dieMessage("the input was read"))
      const error = yield* Effect.flip(
        Stream.runDrain(ImportSource.csv(unread, { mapping, timeZone: "Europe/Pariss", sourceName: "export.csv" }))
      )
      assert.strictEqual(error._tag, "SourceError")
      assert.include(error.message, "cannot read export.csv")
      assert.include(error.message, "\"Europe/Pariss\" is not a time zone")
    }))
})

describe("CsvMapping", () => {
  it("timeZoneOf: IANA names, in their canonical spelling; anything else is refused with a reason", () => {
    const paris = CsvMapping.timeZoneOf(" europe/paris ")
    assert.isTrue(Either.isRight(paris))
    if (Either.isRight(paris)) assert.strictEqual(DateTime.zoneToString(paris.right), "Europe/Paris")
    assert.isTrue(Either.isRight(CsvMapping.timeZoneOf("UTC")))
    const unknown = CsvMapping.timeZoneOf("Mars/Olympus_Mons")
    assert.isTrue(Either.isLeft(unknown))
    if (Either.isLeft(unknown)) assert.include(unknown.left, "name an IANA time zone such as Europe/Paris")
    assert.isTrue(Either.isLeft(CsvMapping.timeZoneOf("")))
  })

  it("applyRow: the zone applies to every datetime column; the columns read as UTC are named once per cell", () => {
    const row = { Opened: "2024-07-01 09:00:00", Closed: "2024-07-01T10:00:00-04:00", Due: "2024-07-02" }
    const columns: CsvMapping.Mapping = {
      createdAt: "Opened",
      "custom.closedAt": "Closed",
      "custom.dueAt": { column: "Due", as: "datetime" }
    }
    const timeZone = DateTime.zoneUnsafeMakeNamed("Europe/Paris")
    assert.deepStrictEqual(CsvMapping.applyRow(row, columns, { timeZone }), {
      record: {
        createdAt: "2024-07-01T07:00:00.000Z",
        custom: { closedAt: "2024-07-01T14:00:00.000Z", dueAt: "2024-07-01T22:00:00.000Z" }
      },
      timesReadAsUtc: []
    })
    assert.deepStrictEqual(CsvMapping.applyRow(row, columns).timesReadAsUtc, ["Opened", "Due"])
    assert.deepStrictEqual(
      CsvMapping.apply(row, columns, { timeZone }),
      CsvMapping.applyRow(row, columns, { timeZone }).record
    )
  })

  it("an impossible date is still refused in a time zone", () => {
    const timeZone = DateTime.zoneUnsafeMakeNamed("Europe/Paris")
    assert.throws(
      () => CsvMapping.apply({ Created: "2024-02-30 10:00" }, { createdAt: "Created" }, { timeZone }),
      /has no day 30/
    )
  })
})
