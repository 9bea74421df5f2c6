/**
 * The check of the key's roles before a migration creates anything, against the in-process simulator with keys of
 * chosen roles: every missing role is listed and nothing is stored or written; `org.admin` is asked for when
 * messages or notes carry dates, `acceptImportDates` goes on and says the dates were not kept; an API that does
 * not serve the key's token falls back to the job probe with a warning, and that probe goes through the retry
 * policy with the migration's schedule. A refusal is the `RunError` an import stops with, its typed cause the
 * `MissingRoles` or `KustomerError` that carries the advice.
 */
import type { KustomerError } from "@effect-kustomer/client"
import { BulkResource, Token, User } from "@effect-kustomer/domain"
import { Simulator, SimulatorConfig } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as NodeFs from "node:fs"
import { simulatedWithKey } from "../../journal/test/fixtures/keys.js"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

const historic = "2021-03-04T05:06:07.000Z"

/** `count` lines, each with a customer, two messages (the first dated) and, unless `notes: false`, a note. */
const bundle = (count: number, options: { readonly notes?: boolean } = {}) =>
  Array.from({ length: count }, (_, index) => ({
    externalId: `t-${index}`,
    name: `Ticket ${index}`,
    customer: { externalId: `c-${index % 3}`, name: `Customer ${index % 3}` },
    messages: [
      { externalId: `m-${index}-0`, direction: "in", channel: "email", app: "postmark", createdAt: historic },
      { externalId: `m-${index}-1`, direction: "out", channel: "email", app: "postmark" }
    ],
    ...(options.notes === false ? {} : { notes: [{ externalId: `n-${index}`, body: "checked" }] })
  }))

const writeBundle = (path: string, lines: ReadonlyArray<unknown>) =>
  NodeFs.writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")

const withoutRoles = (...groups: ReadonlyArray<ReadonlyArray<string>>) =>
  SimulatorConfig.resourceRoles.filter((role) => !groups.some((roles) => roles.includes(role)))

/** Nothing of any resource is stored but the customers the simulator was seeded with. */
const nothingStored = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const stats = yield* simulator.stats
  for (const resource of BulkResource.all) {
    const seeded = resource.name === "customers" ? simulator.customerIds.length : 0
    assert.strictEqual(stats[resource.name].stored, seeded, resource.name)
  }
})

describe("Migration: the key's roles, before anything is created", () => {
  it.scopedLive("a key without message.create: refused with every missing role, nothing stored or written", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, bundle(20))
      const error = yield* Effect.flip(Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: fastPipeline
      }))
      assert.strictEqual(error.reason, "Api")
      assert.include(error.message, "lacks 2 roles this migration needs")
      assert.include(error.message, "org.permission.message.create or org.user.message.write: to create messages")
      assert.include(error.message, "org.admin: to keep the createdAt and createdBy of 20 messages")
      assert.notInclude(error.message, "note.create")
      yield* nothingStored
      assert.isFalse(NodeFs.existsSync(`${dir}/migration.journal`))
      assert.isFalse(NodeFs.existsSync(`${dir}/rejects.jsonl`))
    }).pipe(Effect.provide(simulated({
      apiKeys: [{ key: "no-message-create", roles: withoutRoles(BulkResource.Messages.createRoles) }]
    }))))

  it.scopedLive("dated messages and a key without org.admin: refused, naming acceptImportDates", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, bundle(12))
      const error = yield* Effect.flip(Migration.run({ bundle: `${dir}/bundle.jsonl`, pipeline: fastPipeline }))
      assert.include(error.message, "lacks a role this migration needs")
      assert.include(error.message, "org.admin: to keep the createdAt and createdBy of 12 messages")
      assert.include(error.message, "--accept-import-dates")
      yield* nothingStored
    }).pipe(Effect.provide(simulated({ apiKeys: [{ key: "plain", roles: SimulatorConfig.resourceRoles }] }))))

  it.scopedLive("with acceptImportDates it runs, and the result says the dates were not kept", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, bundle(12))
      const result = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        acceptImportDates: true,
        pipeline: fastPipeline
      })
      assert.deepStrictEqual(result.phases.map((phase) => phase.summary.created), [3, 12, 24, 12])
      assert.isTrue(result.roles.checked)
      assert.isFalse(result.roles.createdAtAndByKept)
      assert.include(result.roles.warnings.join("\n"), "createdAt and createdBy were not kept")
      assert.include(result.roles.warnings.join("\n"), "12 messages")
      const [message] = yield* simulator.findByExternalId("messages", "m-0-0")
      assert.notStrictEqual(message?.attributes["createdAt"], historic)
    }).pipe(Effect.provide(simulated({ apiKeys: [{ key: "plain", roles: SimulatorConfig.resourceRoles }] }))))

  it.scopedLive("a bundle without dates, notes or people needs neither org.admin, note.create nor user.read", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const undated = bundle(6, { notes: false }).map((line) => ({
        ...line,
        messages: line.messages.map(({ createdAt: _createdAt, ...message }) => message)
      }))
      writeBundle(`${dir}/bundle.jsonl`, undated)
      const result = yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, pipeline: fastPipeline })
      assert.deepStrictEqual(result.phases.map((phase) => phase.summary.created), [3, 6, 12, 0])
      assert.isUndefined(result.roles.createdAtAndByKept)
      assert.deepStrictEqual(result.roles.needed.map((need) => need.roles[0]), [
        "org.permission.customer.create",
        "org.permission.conversation.create",
        "org.permission.message.create",
        "org.permission.bulk.read",
        "org.permission.customer.read",
        "org.permission.conversation.read",
        "org.permission.message.read"
      ])
    }).pipe(Effect.provide(simulated({
      apiKeys: [{
        key: "no-notes",
        roles: withoutRoles(BulkResource.Notes.createRoles, BulkResource.Notes.readRoles, User.readRoles)
      }]
    }))))

  it.scopedLive("a bundle naming people needs the users' read role", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, [{ ...bundle(1)[0], assignee: { email: "ada@team.example" } }])
      const error = yield* Effect.flip(
        Migration.run({ bundle: `${dir}/bundle.jsonl`, acceptImportDates: true, pipeline: fastPipeline })
      )
      assert.include(error.message, `${User.readRoles.join(" or ")}: to read the org's users`)
      yield* nothingStored
    }).pipe(Effect.provide(simulated({ apiKeys: [{ key: "no-users", roles: withoutRoles(User.readRoles) }] }))))

  it.scopedLive("an API that does not serve the token: the job probe instead, and a warning in the result", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, bundle(4))
      const result = yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, pipeline: fastPipeline })
      assert.deepStrictEqual(result.phases.map((phase) => phase.summary.created), [3, 4, 8, 4])
      assert.isFalse(result.roles.checked)
      assert.include(result.roles.warnings[0] ?? "", "could not be checked in advance")
      assert.include(result.roles.warnings[1] ?? "", "is not known")
      const stats = yield* simulator.stats
      assert.strictEqual(stats.requests.byRoute[`GET ${Token.currentPath}`], undefined)
      assert.strictEqual(stats.requests.byRoute["GET /v1/bulk/{id}"], 1)
    }).pipe(Effect.provide(simulatedWithKey({}, undefined, { tokenEndpoint: false }))))

  it.scopedLive("a missing role stops it with a RunError whose typed cause carries the role advice", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, bundle(5))
      const error = yield* Effect.flip(
        Migration.run({ bundle: `${dir}/bundle.jsonl`, acceptImportDates: true, pipeline: fastPipeline })
      )
      assert.strictEqual(error._tag, "RunError")
      assert.strictEqual(error.reason, "Api")
      const cause = error.cause
      assert.strictEqual(cause?._tag, "MissingRoles")
      if (cause?._tag !== "MissingRoles") return
      assert.strictEqual(cause.run, "migration")
      assert.deepStrictEqual(cause.missing.map((need) => need.roles), [BulkResource.Notes.createRoles])
      // The advice an import gets: which roles, in both spellings, and that a key cannot gain them.
      assert.include(cause.message, "org.permission.note.create or org.user.note.write: to create notes")
      assert.include(cause.message, "Roles cannot be added to a key: create a new one")
      assert.strictEqual(error.detail, cause.message)
      yield* nothingStored
    }).pipe(Effect.provide(simulated({
      apiKeys: [{ key: "no-note-create", roles: withoutRoles(BulkResource.Notes.createRoles) }]
    }))))

  it.scopedLive("the job probe is retried on the migration's schedule: a 503 is not taken for an answer", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`, bundle(4))
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const retrySchedule = Schedule.spaced("5 millis").pipe(
        Schedule.intersect(Schedule.recurs(3)),
        Schedule.tapInput((error: KustomerError.KustomerError) =>
          Ref.update(seen, (all) => [...all, `${error.method} ${error.reason._tag}`])
        )
      )
      const error = yield* Effect.flip(Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        acceptImportDates: true,
        pipeline: { ...fastPipeline, retrySchedule }
      }))
      // The first read of the probe answered 503; read again, it says the key may not read jobs: refused before
      // anything is created (taking the 503 for an answer, it would create customers whose jobs it cannot read).
      yield* nothingStored
      assert.strictEqual(error.reason, "Api")
      const cause = error.cause
      assert.strictEqual(cause?._tag, "KustomerError")
      if (cause?._tag !== "KustomerError") return
      assert.strictEqual(cause.method, "getBulkJob")
      assert.strictEqual(cause.reason._tag, "Forbidden")
      assert.include(yield* Ref.get(seen), "getBulkJob ServerError")
    }).pipe(Effect.provide(simulatedWithKey(
      { apiKeys: [{ key: "no-bulk-read", roles: withoutRoles(BulkResource.bulkReadRoles) }] },
      "no-bulk-read",
      { tokenEndpoint: false, unavailableJobReads: 1 }
    ))))
})
