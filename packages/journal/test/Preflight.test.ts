/**
 * The check of the key's roles before an import creates anything, against the in-process simulator with keys of
 * chosen roles: what is missing is listed whole and nothing is stored; `org.admin` is asked for only when messages
 * or notes carry dates, and `acceptImportDates` goes on knowingly; an API that does not serve the key's token
 * falls back to the job probe and says so. Imports of other resources than conversations run the same way.
 */
import { BulkResource, Token } from "@effect-kustomer/domain"
import { Simulator, SimulatorConfig } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as NodeFs from "node:fs"
import { DurableImport, Preflight, RunReport } from "../src/index.js"
import { type Double, simulatedWithKey } from "./fixtures/keys.js"
import { fastPipeline, inputFile, tempDir } from "./harness.js"

const withoutRoles = (roles: ReadonlyArray<string>) =>
  SimulatorConfig.resourceRoles.filter((role) => !roles.includes(role))

const keys: SimulatorConfig.SimulatorOptions["apiKeys"] = [
  { key: "admin" },
  { key: "no-org-admin", roles: SimulatorConfig.resourceRoles },
  { key: "no-bulk-read", roles: withoutRoles(BulkResource.bulkReadRoles) },
  { key: "no-customer-create", roles: withoutRoles(BulkResource.Customers.createRoles) }
]

/** The simulator with `keys`, and a client sending `key` (through a double without the token check, if asked). */
const simulatedWith = (key: string, double: Double = {}) => simulatedWithKey({ apiKeys: keys }, key, double)

const historic = "2020-01-01T00:00:00.000Z"
const sourceAgent = "5cb3a1b7c9e77c0013e5f2d9"

/** Conversations imported first (with the same key), and a file of `count` messages on them, every other dated. */
const messagesFile = (dir: string, count: number) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.Simulator
    NodeFs.writeFileSync(`${dir}/parents.jsonl`, inputFile({ records: 2, customers: simulator.customerIds }).text)
    yield* DurableImport.run({ input: `${dir}/parents.jsonl`, pipeline: fastPipeline })
    const parents = yield* simulator.objects("conversations")
    const lines = Array.from({ length: count }, (_, index) =>
      JSON.stringify({
        externalId: `m-${index}`,
        conversation: parents[index % parents.length]?.id,
        channel: "email",
        app: "postmark",
        direction: "in",
        preview: `message ${index}`,
        ...(index % 2 === 0 ? { createdAt: historic, createdBy: sourceAgent } : {})
      }))
    NodeFs.writeFileSync(`${dir}/messages.jsonl`, `${lines.join("\n")}\n`)
    return `${dir}/messages.jsonl`
  })

describe("Preflight.checkRoles before an import", () => {
  it.scopedLive("a key without bulk.read: refused, the role listed in both spellings, nothing stored", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/in.jsonl`, inputFile({ records: 30, customers: simulator.customerIds }).text)
      const error = yield* Effect.flip(
        DurableImport.run({ input: `${dir}/in.jsonl`, report: `${dir}/report.json`, pipeline: fastPipeline })
      )
      assert.strictEqual(error.reason, "Api")
      assert.instanceOf(error.cause, Preflight.MissingRoles)
      assert.include(error.message, "lacks a role this import of conversations needs")
      assert.include(error.message, "org.permission.bulk.read or org.user.bulk.read: to read the results")
      assert.notInclude(error.message, "conversation.create")
      const stats = yield* simulator.stats
      assert.strictEqual(stats.conversations.stored, 0)
      assert.deepStrictEqual(Object.keys(stats.requests.byRoute), [`GET ${Token.currentPath}`])
      const report = yield* RunReport.read(`${dir}/report.json`)
      assert.strictEqual(report.status, "failed")
      assert.include(report.error ?? "", "org.permission.bulk.read")
    }).pipe(Effect.provide(simulatedWith("no-bulk-read"))))

  it.scopedLive("dated messages and a key without org.admin: refused before anything is sent", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const file = yield* messagesFile(dir, 10)
      const error = yield* Effect.flip(
        DurableImport.run({ input: file, resource: BulkResource.Messages, pipeline: fastPipeline })
      )
      assert.instanceOf(error.cause, Preflight.MissingRoles)
      assert.include(error.message, "org.admin: to keep the createdAt and createdBy of 5 messages")
      assert.include(error.message, "--accept-import-dates")
      assert.strictEqual((yield* simulator.stats).messages.stored, 0)
    }).pipe(Effect.provide(simulatedWith("no-org-admin"))))

  it.scopedLive("with acceptImportDates the import runs, and the result and report say the dates were not kept", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const file = yield* messagesFile(dir, 10)
      const result = yield* DurableImport.run({
        input: file,
        resource: BulkResource.Messages,
        acceptImportDates: true,
        report: `${dir}/report.json`,
        pipeline: fastPipeline
      })
      assert.strictEqual(result.summary.created, 10)
      assert.strictEqual(result.roles?.checked, true)
      assert.strictEqual(result.roles?.createdAtAndByKept, false)
      assert.include(result.roles?.warnings.join("\n") ?? "", "createdAt and createdBy were not kept")
      assert.include(result.roles?.warnings.join("\n") ?? "", "5 messages")
      const report = yield* RunReport.read(`${dir}/report.json`)
      assert.strictEqual(report.resource, "messages")
      assert.strictEqual(report.roles?.createdAtAndByKept, false)
      // As Kustomer does: the dates were replaced, without an error.
      const [dated] = yield* simulator.findByExternalId("messages", "m-0")
      assert.notStrictEqual(dated?.attributes["createdAt"], historic)
    }).pipe(Effect.provide(simulatedWith("no-org-admin"))))

  it.scopedLive("undated messages need no org.admin; dated ones with it are kept", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = yield* messagesFile(dir, 1)
      NodeFs.writeFileSync(
        `${dir}/undated.jsonl`,
        NodeFs.readFileSync(file, "utf8").replace(/,"createdAt":"[^"]*","createdBy":"[^"]*"/g, "")
      )
      const result = yield* DurableImport.run({
        input: `${dir}/undated.jsonl`,
        resource: BulkResource.Messages,
        pipeline: fastPipeline
      })
      assert.strictEqual(result.summary.created, 1)
      assert.isUndefined(result.roles?.createdAtAndByKept)
      assert.isFalse(result.roles?.needed.some((need) => need.roles.includes(Token.orgAdminRole)))
    }).pipe(Effect.provide(simulatedWith("no-org-admin"))))

  it.scopedLive("messages from standard input are read twice (kept in a file): checked, then imported", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const file = yield* messagesFile(dir, 6)
      const result = yield* DurableImport.run({
        input: "-",
        format: "jsonl",
        stdin: Stream.make(new TextEncoder().encode(NodeFs.readFileSync(file, "utf8"))),
        resource: BulkResource.Messages,
        pipeline: fastPipeline
      })
      assert.strictEqual(result.summary.created, 6)
      assert.isTrue(result.roles?.createdAtAndByKept)
      const [dated] = yield* simulator.findByExternalId("messages", "m-0")
      assert.strictEqual(dated?.attributes["createdAt"], historic)
    }).pipe(Effect.provide(simulatedWith("admin"))))

  it.scopedLive("an API that 404s the token check: the job probe instead, and a warning", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/in.jsonl`, inputFile({ records: 20, customers: simulator.customerIds }).text)
      const result = yield* DurableImport.run({
        input: `${dir}/in.jsonl`,
        report: `${dir}/report.json`,
        pipeline: fastPipeline
      })
      assert.strictEqual(result.summary.created, 20)
      assert.strictEqual(result.roles?.checked, false)
      assert.include(result.roles?.warnings[0] ?? "", "could not be checked in advance")
      const stats = yield* simulator.stats
      assert.strictEqual(stats.requests.byRoute[`GET ${Token.currentPath}`], undefined)
      assert.strictEqual(stats.requests.byRoute["GET /v1/bulk/{id}"], 1)
      assert.strictEqual((yield* RunReport.read(`${dir}/report.json`)).roles?.checked, false)
    }).pipe(Effect.provide(simulatedWith("admin", { tokenEndpoint: false }))))

  it.scopedLive("an API that cannot be reached fails the check with the transport error, before any chunk", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/in.jsonl`, inputFile({ records: 5, customers: simulator.customerIds }).text)
      const failure = yield* Effect.flip(DurableImport.run({
        input: `${dir}/in.jsonl`,
        pipeline: { ...fastPipeline, retrySchedule: Schedule.recurs(1) }
      }))
      // The token read's failure, not a chunk's after its own retries: no chunk was tried.
      assert.include(failure.message, "KustomerClient.currentToken: the request could not be sent")
      assert.include(failure.message, "ECONNREFUSED")
    }).pipe(Effect.provide(simulatedWith("admin", { unreachable: true }))))

  it.scopedLive("behind a double without the token check, a key without bulk.read is still refused", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/in.jsonl`, inputFile({ records: 5, customers: simulator.customerIds }).text)
      const error = yield* Effect.flip(DurableImport.run({ input: `${dir}/in.jsonl`, pipeline: fastPipeline }))
      assert.strictEqual(error.reason, "Api")
      assert.include(error.message, "org.permission.bulk.read")
      assert.strictEqual((yield* simulator.stats).conversations.stored, 0)
    }).pipe(Effect.provide(simulatedWith("no-bulk-read", { tokenEndpoint: false }))))

  it.scopedLive("customers are imported as customers; a key that may not create them is refused", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      const customers = Array.from({ length: 12 }, (_, index) =>
        JSON.stringify({
          externalId: `c-${index}`,
          name: `Person ${index}`,
          emails: [{ type: "home", email: `p${index}@example.com` }]
        }))
      NodeFs.writeFileSync(`${dir}/customers.jsonl`, `${customers.join("\n")}\n`)
      const before = (yield* simulator.stats).customers.stored
      const result = yield* DurableImport.run({
        input: `${dir}/customers.jsonl`,
        resource: BulkResource.Customers,
        journal: `${dir}/customers.journal`,
        report: `${dir}/report.json`,
        pipeline: fastPipeline
      })
      assert.strictEqual(result.summary.created, 12)
      assert.strictEqual((yield* simulator.stats).customers.stored, before + 12)
      assert.strictEqual((yield* RunReport.read(`${dir}/report.json`)).resource, "customers")
      assert.deepStrictEqual(
        result.roles?.needed.map((need) => need.roles[0]),
        ["org.permission.customer.create", "org.permission.bulk.read", "org.permission.customer.read"]
      )
      // The journal is of customers: an import of conversations with it is refused.
      const other = yield* Effect.flip(DurableImport.run({
        input: `${dir}/customers.jsonl`,
        journal: `${dir}/customers.journal`,
        pipeline: fastPipeline
      }))
      assert.strictEqual(other.reason, "Journal")
    }).pipe(Effect.provide(simulatedWith("admin"))))

  it.scopedLive("a key without customer.create: an import of customers is refused, one of conversations is not", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const dir = yield* tempDir
      NodeFs.writeFileSync(`${dir}/customers.jsonl`, `${JSON.stringify({ externalId: "c-1", name: "Ada" })}\n`)
      const error = yield* Effect.flip(DurableImport.run({
        input: `${dir}/customers.jsonl`,
        resource: BulkResource.Customers,
        pipeline: fastPipeline
      }))
      assert.include(error.message, "org.permission.customer.create or org.user.customer.write: to create customers")
      NodeFs.writeFileSync(`${dir}/in.jsonl`, inputFile({ records: 3, customers: simulator.customerIds }).text)
      const result = yield* DurableImport.run({ input: `${dir}/in.jsonl`, pipeline: fastPipeline })
      assert.strictEqual(result.summary.created, 3)
    }).pipe(Effect.provide(simulatedWith("no-customer-create"))))
})
