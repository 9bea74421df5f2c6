/**
 * Companies, the fifth resource, served from the domain's registry like the others: bulk created and checked by
 * the domain schema, stored again when sent again (Kustomer documents no duplicate detection), readable by id but
 * not by external id, and named by id from customers.
 */
import { BulkResource } from "@effect-kustomer/domain"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Simulator, SimulatorClient, SimulatorConfig } from "../src/index.js"
import { at, inProcessApi, submitAndAwait } from "./utils.js"

const run = <A, E>(
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>,
  options: SimulatorConfig.SimulatorOptions = {}
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

/** Submits items, waits for the job; the submission's status, the created ids and the failures. */
const importItems = (path: string, items: ReadonlyArray<unknown>) =>
  Effect.map(submitAndAwait(path, items), (submitted) => {
    const batch = submitted.batches[0]
    return {
      status: submitted.status,
      objectIds: (batch?.objectIds ?? []).map((id) => String(id)),
      errors: (batch?.errors ?? []).map((error) => Either.getOrThrow(error))
    }
  })

const acme = {
  name: "Acme Ltd",
  externalId: "zd-org-7",
  domains: ["acme.example"],
  emails: [{ type: "work", email: "hello@acme.example" }],
  phones: [{ type: "work", phone: "+44 20 7946 0002" }],
  createdAt: "2021-03-04T05:06:07.000Z",
  importedAt: "2026-12-02T10:00:00.000Z",
  custom: { tierStr: "gold" },
  tags: ["vip"]
}

describe("companies", () => {
  it.effect("are created at POST /v1/companies/bulk (201), checked by the domain schema, read back by id", () =>
    run(Effect.gen(function*() {
      const result = yield* importItems(BulkResource.Companies.bulkPath, [
        acme,
        { externalId: "no-name" },
        { name: "" },
        { name: "Bad Mail", emails: [{ type: "personal", email: "x@example.com" }] }
      ])
      assert.strictEqual(result.status, 201)
      assert.strictEqual(result.objectIds.length, 1)
      assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code]), [
        [1, "invalid"],
        [2, "invalid"],
        [3, "invalid"]
      ])
      assert.include(result.errors[0]?.error ?? "", "name")
      const id = result.objectIds[0] ?? ""
      assert.match(id, /^[0-9a-f]{24}$/)
      const api = yield* inProcessApi
      const read = yield* api.get(BulkResource.Companies.objectPath(id))
      assert.strictEqual(read.status, 200)
      assert.strictEqual(at(read.body, "data", "type"), "company")
      assert.strictEqual(at(read.body, "data", "attributes", "name"), "Acme Ltd")
      assert.deepStrictEqual(at(read.body, "data", "attributes", "domains"), ["acme.example"])
      assert.strictEqual(at(read.body, "data", "attributes", "createdAt"), "2021-03-04T05:06:07.000Z")
      const simulator = yield* Simulator.Simulator
      const stored = yield* simulator.objects("companies")
      assert.deepStrictEqual(stored.map((company) => [company.id, company.type, company.externalId]), [
        [id, "company", "zd-org-7"]
      ])
      const jobs = yield* simulator.jobs
      assert.deepStrictEqual(jobs.map((job) => job.resource), ["companies"])
      const stats = yield* simulator.stats
      assert.strictEqual(stats.companies.stored, 1)
      assert.strictEqual(stats.companies.itemsFailed, 3)
      assert.strictEqual(stats.requests.byRoute["POST /v1/companies/bulk"], 1)
      assert.strictEqual(stats.requests.byRoute["GET /v1/companies/{id}"], 1)
    })))

  it.effect("sent again, a company is stored again by default, and counted in storedTwice", () =>
    run(Effect.gen(function*() {
      assert.deepStrictEqual(SimulatorConfig.kustomerDuplicatePolicies.companies, "allow")
      const first = yield* importItems(BulkResource.Companies.bulkPath, [acme])
      const again = yield* importItems(BulkResource.Companies.bulkPath, [acme, acme])
      assert.strictEqual(first.objectIds.length + again.objectIds.length, 3)
      assert.deepStrictEqual(again.errors, [])
      const simulator = yield* Simulator.Simulator
      const stats = yield* simulator.stats
      assert.strictEqual(stats.companies.stored, 3)
      assert.strictEqual(stats.companies.storedTwice, 2)
      assert.strictEqual(stats.companies.duplicatesRejected, 0)
      assert.deepStrictEqual(stats.companies.externalIdsStoredMoreThanOnce, [{ externalId: "zd-org-7", count: 3 }])
      assert.strictEqual((yield* simulator.findByExternalId("companies", "zd-org-7")).length, 3)
      const api = yield* inProcessApi
      const served = yield* api.get("/__admin/stats", { key: null })
      assert.strictEqual(at(served.body, "companies", "storedTwice"), 2)
    })))

  it.effect("refused again when so configured (duplicateExternalIds: { companies: \"reject\" })", () =>
    run(
      Effect.gen(function*() {
        const result = yield* importItems(BulkResource.Companies.bulkPath, [acme, acme])
        assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code, error.error]), [
          [1, "duplicate", "duplicate detected"]
        ])
      }),
      { duplicateExternalIds: { companies: "reject" } }
    ))

  it.effect("have no look-up by external id in either spelling", () =>
    run(Effect.gen(function*() {
      yield* importItems(BulkResource.Companies.bulkPath, [acme])
      const api = yield* inProcessApi
      for (const path of ["/v1/companies/externalId=zd-org-7", "/v1/companies/externalid=zd-org-7"]) {
        const reply = yield* api.get(path)
        assert.strictEqual(reply.status, 404, path)
        assert.include(reply.text, "no company with id", path)
      }
    })))

  it.effect("need the company roles of the registry, in either spelling", () =>
    run(
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const refused = yield* api.post(BulkResource.Companies.bulkPath, { json: [acme], key: "no-company" })
        assert.strictEqual(refused.status, 403)
        assert.include(refused.text, "org.permission.company.create or org.user.company.write")
        const legacy = yield* api.post(BulkResource.Companies.bulkPath, { json: [acme], key: "legacy" })
        assert.strictEqual(legacy.status, 201)
        const read = yield* api.get(BulkResource.Companies.objectPath("5cb3a1b7c9e77c0013e5f2d1"), { key: "legacy" })
        assert.strictEqual(read.status, 403)
        assert.include(read.text, "org.permission.company.read or org.user.company.read")
      }),
      {
        apiKeys: [
          { key: "admin" },
          { key: "no-company", roles: BulkResource.Customers.createRoles },
          { key: "legacy", roles: ["org.user.company.write"] }
        ]
      }
    ))
})

describe("customers and their company", () => {
  it.effect("a customer naming a company that does not exist is refused (not_found); one naming a stored one is kept", () =>
    run(Effect.gen(function*() {
      const company = yield* importItems(BulkResource.Companies.bulkPath, [acme])
      const companyId = company.objectIds[0] ?? ""
      const result = yield* importItems(BulkResource.Customers.bulkPath, [
        { externalId: "c-1", name: "Ada", company: companyId },
        { externalId: "c-2", name: "Grace", company: "5cb3a1b7c9e77c0013e5f2d1" },
        { externalId: "c-3", name: "Alan", company: null },
        { externalId: "c-4", name: "Edsger" }
      ])
      assert.strictEqual(result.objectIds.length, 3)
      assert.deepStrictEqual(result.errors.map((error) => [error.index, error.code, error.error, error.externalId]), [
        [1, "not_found", "company not found", "c-2"]
      ])
      const simulator = yield* Simulator.Simulator
      const [ada] = yield* simulator.findByExternalId("customers", "c-1")
      assert.strictEqual(ada?.attributes["company"], companyId)
      assert.deepStrictEqual(yield* simulator.findByExternalId("customers", "c-2"), [])
      const stats = yield* simulator.stats
      assert.strictEqual(stats.customers.itemsFailed, 1)
    })))
})

describe("every resource of the registry is served", () => {
  it.effect("each bulk path answers (an empty array is refused with 400, not 404), in the registry's order", () =>
    run(Effect.gen(function*() {
      assert.deepStrictEqual(SimulatorConfig.resourceNames, BulkResource.all.map((resource) => resource.name))
      assert.deepStrictEqual(SimulatorConfig.resourceNames, [
        "companies",
        "customers",
        "conversations",
        "messages",
        "notes"
      ])
      const api = yield* inProcessApi
      for (const resource of BulkResource.all) {
        const reply = yield* api.post(resource.bulkPath, { json: [] })
        assert.strictEqual(reply.status, 400, resource.bulkPath)
      }
      const stats = yield* (yield* Simulator.Simulator).stats
      for (const name of SimulatorConfig.resourceNames) assert.strictEqual(stats[name].stored >= 0, true, name)
    })))
})
