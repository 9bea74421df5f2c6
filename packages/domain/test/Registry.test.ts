/** The registry of bulk resources: every resource as one value, in migration order, found by name. */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { BulkResource } from "../src/index.js"

describe("BulkResource.all", () => {
  it("lists every resource in migration order: companies before the customers that name them", () => {
    assert.deepStrictEqual(BulkResource.all.map((resource) => resource.name), [
      "companies",
      "customers",
      "conversations",
      "messages",
      "notes"
    ])
    assert.deepStrictEqual(BulkResource.all, [
      BulkResource.Companies,
      BulkResource.Customers,
      BulkResource.Conversations,
      BulkResource.Messages,
      BulkResource.Notes
    ])
  })

  it("derives every path from the name", () => {
    assert.deepStrictEqual(BulkResource.all.map((resource) => resource.bulkPath), [
      "/v1/companies/bulk",
      "/v1/customers/bulk",
      "/v1/conversations/bulk",
      "/v1/messages/bulk",
      "/v1/notes/bulk"
    ])
    assert.deepStrictEqual(
      BulkResource.all.map((resource) => resource.objectPath("a b")),
      ["companies", "customers", "conversations", "messages", "notes"].map((name) => `/v1/${name}/a%20b`)
    )
  })

  it("names each resource's roles in the permission-set and the legacy spelling", () => {
    assert.deepStrictEqual(BulkResource.all.map((resource) => [resource.createRoles, resource.readRoles]), [
      [
        ["org.permission.company.create", "org.user.company.write"],
        ["org.permission.company.read", "org.user.company.read"]
      ],
      [
        ["org.permission.customer.create", "org.user.customer.write"],
        ["org.permission.customer.read", "org.user.customer.read"]
      ],
      [
        ["org.permission.conversation.create", "org.user.conversation.write"],
        ["org.permission.conversation.read", "org.user.conversation.read"]
      ],
      [
        ["org.permission.message.create", "org.user.message.write"],
        ["org.permission.message.read", "org.user.message.read"]
      ],
      [
        ["org.permission.note.create", "org.user.note.write"],
        ["org.permission.note.read", "org.user.note.read"]
      ]
    ])
  })

  it("says what Kustomer deduplicates, looks up and lists, per resource", () => {
    const facts = BulkResource.all.map((resource) => ({
      name: resource.name,
      deduplicates: resource.deduplicatesExternalId,
      lookUp: resource.externalIdLookUp,
      lookUpPath: resource.externalIdPath?.("x 1"),
      byEmail: resource.findableByEmail,
      listedUnder: resource.listing?.parentField
    }))
    assert.deepStrictEqual(facts, [
      {
        name: "companies",
        deduplicates: false,
        lookUp: { _tag: "QueryParameter", parameter: "externalId" },
        lookUpPath: "/v1/companies?externalId=x%201",
        byEmail: false,
        listedUnder: undefined
      },
      {
        name: "customers",
        deduplicates: true,
        lookUp: { _tag: "PathSegment", segment: "externalId" },
        lookUpPath: "/v1/customers/externalId=x%201",
        byEmail: true,
        listedUnder: undefined
      },
      {
        name: "conversations",
        deduplicates: true,
        lookUp: { _tag: "PathSegment", segment: "externalId" },
        lookUpPath: "/v1/conversations/externalId=x%201",
        byEmail: false,
        listedUnder: undefined
      },
      {
        name: "messages",
        deduplicates: false,
        lookUp: { _tag: "PathSegment", segment: "externalid" },
        lookUpPath: "/v1/messages/externalid=x%201",
        byEmail: false,
        listedUnder: "conversation"
      },
      {
        name: "notes",
        deduplicates: false,
        lookUp: undefined,
        lookUpPath: undefined,
        byEmail: false,
        listedUnder: "conversation"
      }
    ])
  })

  it("checks each resource's items with its own schema", () => {
    const company = Schema.decodeUnknownEither(BulkResource.Companies.item)({ name: "Acme" })
    assert.isTrue(Either.isRight(company))
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(BulkResource.Companies.item)({})))
  })
})

describe("BulkResource.byName and ResourceName", () => {
  it("finds a resource by its name, and nothing for any other", () => {
    for (const resource of BulkResource.all) {
      assert.deepStrictEqual(BulkResource.byName(resource.name), Option.some(resource))
    }
    assert.deepStrictEqual(BulkResource.byName("companies"), Option.some(BulkResource.Companies))
    for (const other of ["company", "Customers", "kobjects", "", "bulk"]) {
      assert.isTrue(Option.isNone(BulkResource.byName(other)), other)
    }
  })

  it("ResourceName is the Schema of the registry's names (e.g. for a command-line flag)", () => {
    assert.deepStrictEqual(BulkResource.ResourceName.literals, [
      "companies",
      "customers",
      "conversations",
      "messages",
      "notes"
    ])
    const decode = Schema.decodeUnknownEither(BulkResource.ResourceName)
    assert.deepStrictEqual(decode("notes"), Either.right("notes"))
    assert.isTrue(Either.isLeft(decode("kobjects")))
    // Its type is the union of the literal names.
    const name: BulkResource.ResourceName = "companies"
    // @ts-expect-error: not a resource of the registry
    const other: BulkResource.ResourceName = "kobjects"
    assert.notStrictEqual(name, other)
  })
})
