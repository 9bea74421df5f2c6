import { BulkResource } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { SimulatorConfig } from "../src/index.js"

describe("SimulatorConfig", () => {
  it("parses rate limits as LIMIT/SECONDS or with a unit", () => {
    const parsed = (text: string) =>
      Option.map(SimulatorConfig.parseRateLimit(text), (limit) => [limit.limit, Duration.toMillis(limit.window)])
    assert.deepStrictEqual(parsed("1000/60"), Option.some([1000, 60_000]))
    assert.deepStrictEqual(parsed("100/10s"), Option.some([100, 10_000]))
    assert.deepStrictEqual(parsed(" 1000 / 1m "), Option.some([1000, 60_000]))
    assert.deepStrictEqual(parsed("50/500ms"), Option.some([50, 500]))
    assert.deepStrictEqual(parsed("5/1h"), Option.some([5, 3_600_000]))
    for (const bad of ["", "100", "100/", "/10", "a/b", "10/0", "10/5d", "-1/10"]) {
      assert.isTrue(Option.isNone(SimulatorConfig.parseRateLimit(bad)), bad)
    }
  })

  it("parses a job latency in milliseconds, fixed or a range MIN-MAX", () => {
    const millis = (text: string) =>
      Option.map(SimulatorConfig.parseJobLatency(text), (latency) => {
        const config = SimulatorConfig.make({ jobLatency: latency })
        return [Duration.toMillis(config.jobLatency), Duration.toMillis(config.jobLatencyMax)]
      })
    assert.deepStrictEqual(millis("100"), Option.some([100, 100]))
    assert.deepStrictEqual(millis("0"), Option.some([0, 0]))
    assert.deepStrictEqual(millis("1000-3000"), Option.some([1000, 3000]))
    assert.deepStrictEqual(millis(" 3000 - 8000 "), Option.some([3000, 8000]))
    assert.deepStrictEqual(millis("500-500"), Option.some([500, 500]))
    for (const bad of ["", "-", "1000-", "-3000", "3000-1000", "1s", "a-b", "1-2-3"]) {
      assert.isTrue(Option.isNone(SimulatorConfig.parseJobLatency(bad)), bad)
    }
  })

  it("keeps a fixed job latency as before and orders a range's ends", () => {
    const ends = (options: SimulatorConfig.SimulatorOptions) => {
      const config = SimulatorConfig.make(options)
      return [Duration.toMillis(config.jobLatency), Duration.toMillis(config.jobLatencyMax)]
    }
    assert.deepStrictEqual(ends({}), [100, 100])
    assert.deepStrictEqual(ends({ jobLatency: "2 seconds" }), [2000, 2000])
    assert.deepStrictEqual(ends({ jobLatency: { min: "1 second", max: "3 seconds" } }), [1000, 3000])
    assert.deepStrictEqual(ends({ jobLatency: { min: "3 seconds", max: "1 second" } }), [3000, 3000])
  })

  it("defaults to one key with every role, 1000 requests per minute, 100-item batches and 403", () => {
    const config = SimulatorConfig.make()
    assert.strictEqual(config.apiKeys.length, 1)
    assert.strictEqual(config.apiKeys[0]?.key, SimulatorConfig.defaultApiKey)
    assert.match(config.apiKeys[0]?.key ?? "", /^sim-key-/)
    assert.deepStrictEqual(config.apiKeys[0]?.roles, SimulatorConfig.allRoles)
    for (
      const role of [
        ...BulkResource.Conversations.createRoles,
        ...BulkResource.Companies.createRoles,
        ...BulkResource.Companies.readRoles,
        ...BulkResource.bulkReadRoles,
        "org.admin"
      ]
    ) {
      assert.include(SimulatorConfig.allRoles, role)
    }
    assert.strictEqual(SimulatorConfig.orgAdminRole, "org.admin")
    assert.notInclude(SimulatorConfig.resourceRoles, "org.admin")
    assert.strictEqual(config.rateLimit.limit, 1000)
    assert.strictEqual(Duration.toMillis(config.rateLimit.window), 60_000)
    assert.strictEqual(config.batchSize, 100)
    assert.strictEqual(config.maxItemsPerRequest, BulkResource.maxItemsPerRequest)
    assert.strictEqual(config.maxBodyBytes, BulkResource.maxBodyBytes)
    assert.strictEqual(config.forbiddenStatus, 403)
    assert.strictEqual(config.retryAfterHeader, false)
    assert.deepStrictEqual(config.duplicateExternalIds, {
      companies: "allow",
      customers: "reject",
      conversations: "reject",
      messages: "allow",
      notes: "allow"
    })
    assert.match(config.orgId, /^[0-9a-f]{24}$/)
  })

  it("fills in roles and user ids of configured keys, and keeps counts sane", () => {
    const config = SimulatorConfig.make({
      apiKeys: [{ key: "a" }, { key: "b", roles: ["org.user.bulk.read"] }],
      workers: 0,
      batchSize: -5,
      rateLimit: { limit: 100, window: "10 seconds" }
    })
    assert.deepStrictEqual(config.apiKeys.map((key) => key.roles.length), [SimulatorConfig.allRoles.length, 1])
    const [first, second] = config.apiKeys.map((key) => key.userId)
    assert.match(first ?? "", /^[0-9a-f]{24}$/)
    assert.match(second ?? "", /^[0-9a-f]{24}$/)
    assert.notStrictEqual(first, second)
    assert.strictEqual(config.workers, 1)
    assert.strictEqual(config.batchSize, 1)
    assert.strictEqual(Duration.toMillis(config.rateLimit.window), 10_000)
  })

  it("duplicateExternalIds: a string sets every resource, an object overrides Kustomer's behaviour per resource", () => {
    const policies = (option: SimulatorConfig.SimulatorOptions["duplicateExternalIds"]) =>
      SimulatorConfig.make(option === undefined ? {} : { duplicateExternalIds: option }).duplicateExternalIds
    assert.deepStrictEqual(policies(undefined), SimulatorConfig.kustomerDuplicatePolicies)
    assert.deepStrictEqual(policies("reject"), {
      companies: "reject",
      customers: "reject",
      conversations: "reject",
      messages: "reject",
      notes: "reject"
    })
    assert.deepStrictEqual(policies("allow"), {
      companies: "allow",
      customers: "allow",
      conversations: "allow",
      messages: "allow",
      notes: "allow"
    })
    assert.deepStrictEqual(policies({ messages: "reject", customers: "allow" }), {
      companies: "allow",
      customers: "allow",
      conversations: "reject",
      messages: "reject",
      notes: "allow"
    })
    assert.deepStrictEqual(SimulatorConfig.deduplicatedResources(policies({})), ["customers", "conversations"])
  })

  it("parses --deduplicate: the resources whose duplicates are refused, or none", () => {
    const refused = (text: string) =>
      Option.map(SimulatorConfig.parseDeduplicate(text), (policies) => SimulatorConfig.deduplicatedResources(policies))
    assert.deepStrictEqual(
      refused("customers,conversations,messages,notes"),
      Option.some(["customers", "conversations", "messages", "notes"])
    )
    assert.deepStrictEqual(refused(" Messages , customers "), Option.some(["customers", "messages"]))
    assert.deepStrictEqual(refused("customers,conversations"), Option.some(["customers", "conversations"]))
    // Companies are a resource like the others (stored again by default, as Kustomer documents no detection).
    assert.deepStrictEqual(refused("notes,companies"), Option.some(["companies", "notes"]))
    assert.deepStrictEqual(refused("none"), Option.some([]))
    assert.deepStrictEqual(refused(""), Option.some([]))
    for (const bad of ["kobjects", "customers,kobjects", "none,customers", "message", "company"]) {
      assert.isTrue(Option.isNone(SimulatorConfig.parseDeduplicate(bad)), bad)
    }
  })
})
