/**
 * A CSV bundle's date-times without an offset: read in the time zone given, refused without one before anything is
 * created (and by the dry run), read as UTC only when asked; the zone joins the journal's fingerprint, so that a
 * journal is resumed only in its zone — `UTC` standing for a run that read them as UTC without one.
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

const csv = [
  "Id,Subject,Requester email,Created at",
  "t-1,Before the change,ada@example.com,2024-03-31 01:30",
  "t-2,With its own offset,grace@example.com,2024-03-31T01:30:00Z",
  "t-3,After the change,ada@example.com,2024-03-31 03:30"
].join("\n")

const mapping = {
  externalId: "Id",
  name: "Subject",
  "customer.email": "Requester email",
  createdAt: "Created at"
}

const setUp = Effect.gen(function*() {
  const dir = yield* tempDir
  NodeFs.writeFileSync(`${dir}/tickets.csv`, csv)
  return {
    bundle: `${dir}/tickets.csv`,
    format: "csv" as const,
    journal: `${dir}/migration.journal`,
    pipeline: fastPipeline
  }
})

const createdAt = (externalId: string) =>
  Effect.flatMap(Simulator.Simulator, (simulator) =>
    Effect.map(
      simulator.findByExternalId("conversations", externalId),
      ([stored]) => stored?.attributes["createdAt"]
    ))

describe("Migration of a CSV bundle's date-times without an offset", () => {
  it.scopedLive("without a time zone: refused before any request, by the dry run too, naming the first", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const options = { ...(yield* setUp), csv: { mapping } }
      const error = yield* Effect.flip(Migration.run(options))
      assert.strictEqual(error.reason, "Input")
      assert.strictEqual(error.cause?._tag, "OffsetlessTimes")
      assert.include(
        error.message,
        "2 times have no offset (first: line 2, column \"Created at\": \"2024-03-31 01:30\")"
      )
      assert.strictEqual((yield* simulator.stats).requests.total, 0)
      assert.isFalse(NodeFs.existsSync(options.journal))
      const dry = yield* Effect.flip(Migration.dryRun(options))
      assert.strictEqual(dry.cause?._tag, "OffsetlessTimes")
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("in the zone given; a resume in another zone is refused, in the same one (any spelling) goes on", () =>
    Effect.gen(function*() {
      const options = yield* setUp
      const paris = yield* Migration.run({ ...options, csv: { mapping, timeZone: "Europe/Paris" } })
      assert.isFalse(paris.resumed)
      assert.strictEqual(yield* createdAt("t-1"), "2024-03-31T00:30:00.000Z")
      assert.strictEqual(yield* createdAt("t-2"), "2024-03-31T01:30:00.000Z")
      assert.strictEqual(yield* createdAt("t-3"), "2024-03-31T01:30:00.000Z")
      const other = yield* Effect.flip(Migration.run({ ...options, csv: { mapping, timeZone: "UTC" } }))
      assert.strictEqual(other.reason, "Journal")
      assert.include(other.message, "time zone")
      const same = yield* Migration.run({ ...options, csv: { mapping, timeZone: "europe/paris" } })
      assert.isTrue(same.resumed)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("read as UTC when asked; such a journal is resumed with UTC given", () =>
    Effect.gen(function*() {
      const options = yield* setUp
      const asUtc = yield* Migration.run({ ...options, csv: { mapping }, offsetlessTimes: "utc" })
      assert.isFalse(asUtc.resumed)
      assert.strictEqual(yield* createdAt("t-1"), "2024-03-31T01:30:00.000Z")
      const resumed = yield* Migration.run({ ...options, csv: { mapping, timeZone: "Etc/UTC" } })
      assert.isTrue(resumed.resumed)
      const paris = yield* Effect.flip(Migration.run({ ...options, csv: { mapping, timeZone: "Europe/Paris" } }))
      assert.strictEqual(paris.reason, "Journal")
    }).pipe(Effect.provide(simulated())))
})
