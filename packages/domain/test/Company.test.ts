import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Company } from "../src/index.js"

const decode = Schema.decodeUnknownEither(Company.CompanyInput, { onExcessProperty: "error" })
const encode = Schema.encodeSync(Company.CompanyInput)

const acme: Company.CompanyInputEncoded = {
  name: "Acme Ltd",
  externalId: "zd-org-7",
  domains: ["acme.example", "acme.test"],
  emails: [{ type: "work", email: "hello@acme.example", verified: true }],
  phones: [{ type: "fax", phone: "+44 20 7946 0002" }],
  createdAt: "2021-03-04T05:06:07.000Z",
  importedAt: "2026-12-02T10:00:00Z",
  custom: { tierStr: "gold", seatsNum: 40 },
  tags: ["vip"],
  _clientRef: "row-1"
}

describe("CompanyInput", () => {
  it("accepts a company with every field, and only a name", () => {
    assert.deepStrictEqual(Either.map(decode(acme), (company) => encode(company)), Either.right(acme))
    assert.deepStrictEqual(decode({ name: "Acme" }), Either.right({ name: "Acme" }))
  })

  it("round-trips to the same wire JSON", () => {
    const decoded = Schema.decodeUnknownSync(Company.CompanyInput)(acme)
    assert.deepStrictEqual(encode(decoded), acme)
  })

  it.each([
    ["no name", {}],
    ["an empty name", { name: "" }],
    ["a null name", { name: null }],
    ["an empty externalId", { name: "Acme", externalId: "" }],
    ["domains that are not strings", { name: "Acme", domains: [1] }],
    ["an e-mail kind Kustomer does not know (as for customers)", { name: "A", emails: [{ type: "x", email: "a@b" }] }],
    ["an address that is not an e-mail", { name: "Acme", emails: [{ email: "not-an-address" }] }],
    ["a phone kind Kustomer does not know", { name: "Acme", phones: [{ type: "pager", phone: "1" }] }],
    ["a date without a time zone", { name: "Acme", createdAt: "2021-03-04T05:06:07" }],
    ["a custom attribute without a type suffix", { name: "Acme", custom: { tier: "gold" } }],
    ["a field Kustomer does not know", { name: "Acme", industry: "rockets" }]
  ])("refuses %s", (_, input) => {
    assert.isTrue(Either.isLeft(decode(input)))
  })
})
