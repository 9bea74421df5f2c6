/**
 * Companies, the fifth resource, served from the domain's registry like the others: bulk created and checked by
 * the domain schema, stored again when sent again (Kustomer documents no duplicate detection), readable by id and
 * looked up by external id with a query parameter of their listing (`GET /v1/companies?externalId=…`, Kustomer's
 * "Get companies"), and named by id from customers.
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

  it.effect("have no look-up by external id as a path segment, in either spelling", () =>
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

/** The companies of a list document, as `[id, name, externalId]`. */
const listed = (body: unknown) => {
  const data = at(body, "data")
  assert.isTrue(Array.isArray(data), "a list document")
  return (Array.isArray(data) ? data : []).map((_, index) => [
    at(body, "data", index, "id"),
    at(body, "data", index, "attributes", "name"),
    at(body, "data", index, "attributes", "externalId")
  ])
}

describe("GET /v1/companies (Kustomer's \"Get companies\")", () => {
  const globex = { name: "Globex", externalId: "zd-org/8 & co" }
  const initech = { name: "Initech" }

  it.effect("?externalId= answers a list of the companies stored under it, an empty list when there is none", () =>
    run(Effect.gen(function*() {
      const { objectIds } = yield* importItems(BulkResource.Companies.bulkPath, [acme, globex, initech])
      const api = yield* inProcessApi
      const found = yield* api.get(`/v1/companies?externalId=${encodeURIComponent("zd-org/8 & co")}`)
      assert.strictEqual(found.status, 200)
      assert.deepStrictEqual(listed(found.body), [[objectIds[1], "Globex", "zd-org/8 & co"]])
      assert.strictEqual(at(found.body, "data", 0, "type"), "company")
      assert.isNull(at(found.body, "links", "next"))
      const missing = yield* api.get("/v1/companies?externalId=never-sent")
      assert.strictEqual(missing.status, 200, "an unknown externalId is an empty list, not a 404")
      assert.deepStrictEqual(listed(missing.body), [])
      // Sent twice (Kustomer stores it twice), a company is listed twice, the first stored first.
      const again = yield* importItems(BulkResource.Companies.bulkPath, [acme])
      const twice = yield* api.get("/v1/companies?externalId=zd-org-7")
      assert.deepStrictEqual(listed(twice.body).map(([id]) => id), [objectIds[0], again.objectIds[0]])
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/companies?externalId={externalId}"], 3)
    })))

  it.effect("?filter= filters by name without case; with both parameters both are ignored (as documented)", () =>
    run(Effect.gen(function*() {
      yield* importItems(BulkResource.Companies.bulkPath, [acme, globex, initech])
      const api = yield* inProcessApi
      const filtered = yield* api.get("/v1/companies?filter=GLOBEX")
      assert.deepStrictEqual(listed(filtered.body).map(([, name]) => name), ["Globex"])
      const part = yield* api.get("/v1/companies?filter=ltd")
      assert.deepStrictEqual(listed(part.body).map(([, name]) => name), ["Acme Ltd"])
      const both = yield* api.get("/v1/companies?externalId=zd-org-7&filter=Globex")
      assert.deepStrictEqual(listed(both.body).map(([, name]) => name), ["Acme Ltd", "Globex", "Initech"])
      const stats = yield* (yield* Simulator.Simulator).stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/companies"], 3)
    })))

  it.effect("without parameters answers every company, a page at a time (page, pageSize, links.next)", () =>
    run(Effect.gen(function*() {
      const companies = Array.from(
        { length: 5 },
        (_, index) => ({ name: `Company ${index}`, externalId: `o-${index}` })
      )
      yield* importItems(BulkResource.Companies.bulkPath, companies)
      const api = yield* inProcessApi
      const first = yield* api.get("/v1/companies?pageSize=2")
      assert.deepStrictEqual(listed(first.body).map(([, name]) => name), ["Company 0", "Company 1"])
      assert.strictEqual(at(first.body, "links", "next"), "/v1/companies?page=2&pageSize=2")
      const last = yield* api.get("/v1/companies?page=3&pageSize=2")
      assert.deepStrictEqual(listed(last.body).map(([, name]) => name), ["Company 4"])
      assert.isNull(at(last.body, "links", "next"))
      const all = yield* api.get("/v1/companies")
      assert.strictEqual(listed(all.body).length, 5)
      const looked = yield* api.get("/v1/companies?externalId=o-1&pageSize=1")
      assert.strictEqual(at(looked.body, "links", "self"), "/v1/companies?externalId=o-1&page=1&pageSize=1")
    })))

  it.effect("needs the company read role, in either spelling", () =>
    run(
      Effect.gen(function*() {
        yield* importItems(BulkResource.Companies.bulkPath, [acme])
        const api = yield* inProcessApi
        const refused = yield* api.get("/v1/companies?externalId=zd-org-7", { key: "no-read" })
        assert.strictEqual(refused.status, 403)
        assert.include(refused.text, "org.permission.company.read or org.user.company.read")
        const legacy = yield* api.get("/v1/companies?externalId=zd-org-7", { key: "legacy-read" })
        assert.strictEqual(legacy.status, 200)
        assert.strictEqual(listed(legacy.body).length, 1)
      }),
      {
        apiKeys: [
          { key: "admin" },
          { key: "no-read", roles: BulkResource.Companies.createRoles },
          { key: "legacy-read", roles: ["org.user.company.read"] }
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
