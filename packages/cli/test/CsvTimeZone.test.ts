import { OffsetlessTimes, RunError } from "@effect-kustomer/journal"
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Failure from "../src/Failure.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.cli-timezone-secret.c2lnbmF0dXJl"

const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], jobLatency: "20 millis" })

/** A Zendesk-style export: times in the account's zone (Paris), without an offset, but for one with `Z`. */
const writeExport = (customerId: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-cli-timezone-" })
    const file = path.join(directory, "tickets.csv")
    yield* fs.writeFileString(
      file,
      [
        "Id,Subject,Requester,Created at",
        `z-1,Before the change,${customerId},2024-03-31 01:30`,
        `z-2,After the change,${customerId},2024-03-31 03:30`,
        `z-3,With its own zone,${customerId},2024-03-31T01:30:00Z`
      ].join("\n")
    )
    return file
  })

const mapping = ["externalId=Id", "name=Subject", "customer=Requester", "createdAt=Created at"]
  .flatMap((pair) => ["--mapping", pair])

describe("kustomer-bulk import --timezone", () => {
  it.scopedLive("reads times without an offset in the zone given, and sends them in UTC", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeExport(server.customerIds[0] ?? "")
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const result = yield* runCli(["import", file, ...mapping, "--timezone", "Europe/Paris"], env)
      assert.strictEqual(result.code, 0, result.text)
      assert.notInclude(result.text, "read as UTC")
      const createdAt = (externalId: string) =>
        Effect.map(
          server.simulator.findByExternalId("conversations", externalId),
          ([stored]) => stored?.attributes["createdAt"]
        )
      assert.strictEqual(yield* createdAt("z-1"), "2024-03-31T00:30:00.000Z")
      assert.strictEqual(yield* createdAt("z-2"), "2024-03-31T01:30:00.000Z")
      assert.strictEqual(yield* createdAt("z-3"), "2024-03-31T01:30:00.000Z")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("without it, refuses before the first request, naming how many times and the first", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const file = yield* writeExport(server.customerIds[0] ?? "")
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const result = yield* runCli(["import", file, ...mapping, "--journal", `${file}.journal`], env)
      assert.strictEqual(result.code, 1, result.text)
      assert.include(
        result.text,
        "2 times have no offset (first: line 2, column \"Created at\": \"2024-03-31 01:30\"): give the export's " +
          "zone with --timezone Area/City (e.g. --timezone Europe/Paris), or --timezone UTC if they are UTC"
      )
      assert.strictEqual((yield* server.simulator.stats).requests.total, 0)
      // The journal is not begun: the same command with --timezone is a fresh run.
      const fs = yield* FileSystem.FileSystem
      assert.isFalse(yield* fs.exists(`${file}.journal`))

      const utc = yield* runCli(["import", file, ...mapping, "--journal", `${file}.journal`, "--timezone", "UTC"], env)
      assert.strictEqual(utc.code, 0, utc.text)
      assert.notInclude(utc.text, "Resuming")
      const [stored] = yield* server.simulator.findByExternalId("conversations", "z-1")
      assert.strictEqual(stored?.attributes["createdAt"], "2024-03-31T01:30:00.000Z")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("a dry run refuses them too, before a key is needed; a zone that does not exist is refused", () =>
    Effect.gen(function*() {
      const file = yield* writeExport("5cb3a1b7c9e77c0013e5f2d1")
      const dry = yield* runCli(["import", file, ...mapping, "--dry-run"])
      assert.strictEqual(dry.code, 1, dry.text)
      assert.include(dry.text, "2 times have no offset (first: line 2, column \"Created at\": \"2024-03-31 01:30\")")
      // A trial's records are the ones checked: the second row on has one such time.
      const trial = yield* runCli(["import", file, ...mapping, "--dry-run", "--skip", "1"])
      assert.include(trial.text, "1 time has no offset (first: line 3, column \"Created at\": \"2024-03-31 03:30\")")
      const zoned = yield* runCli(["import", file, ...mapping, "--dry-run", "--timezone", "Europe/Paris"])
      assert.strictEqual(zoned.code, 0, zoned.text)
      assert.notInclude(zoned.text, "no offset")
      const unknown = yield* runCli(["import", file, ...mapping, "--dry-run", "--timezone", "Paris"])
      assert.strictEqual(unknown.code, 1)
      assert.include(unknown.text, "--timezone: \"Paris\" is not a time zone")
    }).pipe(Effect.provide(nodeLayer)))

  it("the message: the count with its thousands, the first cell, and the flag", () => {
    const cause = new OffsetlessTimes.OffsetlessTimes({
      source: "tickets.csv",
      count: 1204,
      position: { index: 5, line: 7 },
      column: "Created at",
      text: "2024-03-31 01:30"
    })
    assert.strictEqual(
      Failure.describe(RunError.fromCause(cause)),
      "1,204 times have no offset (first: line 7, column \"Created at\": \"2024-03-31 01:30\"): give the export's " +
        "zone with --timezone Area/City (e.g. --timezone Europe/Paris), or --timezone UTC if they are UTC. " +
        "Nothing was sent."
    )
  })
})

/** A CSV bundle as a helpdesk exports it: each ticket with its requester, created at a time without an offset. */
const writeBundle = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-cli-timezone-migrate-" })
  const file = `${directory}/tickets.csv`
  yield* fs.writeFileString(
    file,
    [
      "Id,Subject,Requester email,Created at",
      "m-1,Before the change,ada@example.com,2024-03-31 01:30",
      "m-2,After the change,grace@example.com,2024-03-31 03:30"
    ].join("\n")
  )
  return { file, journal: `${directory}/migration.journal` }
})

const bundleMapping = ["externalId=Id", "name=Subject", "customer.email=Requester email", "createdAt=Created at"]
  .flatMap((pair) => ["--mapping", pair])

describe("kustomer-bulk migrate --timezone", () => {
  it.scopedLive("without it, a CSV bundle is refused before anything is created, the dry run too", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const { file, journal } = yield* writeBundle
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const refused = yield* runCli(["migrate", file, ...bundleMapping, "--journal", journal], env)
      assert.strictEqual(refused.code, 1, refused.text)
      assert.include(
        refused.text,
        "2 times have no offset (first: line 2, column \"Created at\": \"2024-03-31 01:30\"): give the export's zone " +
          "with --timezone Area/City"
      )
      assert.strictEqual((yield* server.simulator.stats).requests.total, 0)
      const dry = yield* runCli(["migrate", file, ...bundleMapping, "--dry-run"])
      assert.strictEqual(dry.code, 1, dry.text)
      assert.include(dry.text, "2 times have no offset (first: line 2, column \"Created at\"")
      const json = yield* runCli(["migrate", file.replace(/\.csv$/, ".jsonl"), "--timezone", "UTC"], env)
      assert.strictEqual(json.code, 1)
      assert.include(json.text, "--timezone applies to CSV input only")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("with it, migrates; a resume must give the same zone, in any spelling", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const { file, journal } = yield* writeBundle
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const migrated = yield* runCli(
        ["migrate", file, ...bundleMapping, "--journal", journal, "--timezone", "Europe/Paris"],
        env
      )
      assert.strictEqual(migrated.code, 0, migrated.text)
      const createdAt = (externalId: string) =>
        Effect.map(
          server.simulator.findByExternalId("conversations", externalId),
          ([stored]) => stored?.attributes["createdAt"]
        )
      assert.strictEqual(yield* createdAt("m-1"), "2024-03-31T00:30:00.000Z")
      assert.strictEqual(yield* createdAt("m-2"), "2024-03-31T01:30:00.000Z")

      const otherZone = yield* runCli(
        ["migrate", file, ...bundleMapping, "--journal", journal, "--timezone", "UTC"],
        env
      )
      assert.strictEqual(otherZone.code, 1, otherZone.text)
      assert.include(otherZone.text, "another bundle")
      const sameZone = yield* runCli(
        ["migrate", file, ...bundleMapping, "--journal", journal, "--timezone", "europe/paris"],
        env
      )
      assert.strictEqual(sameZone.code, 0, sameZone.text)
      assert.include(sameZone.text, "Resumed")
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
})
