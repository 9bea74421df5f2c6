import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Customer } from "../src/index.js"

const decode = Schema.decodeUnknownEither(Customer.CustomerInput, { onExcessProperty: "error" })

describe("CustomerInput", () => {
  it("accepts null where Kustomer's customer schema does, and rev", () => {
    const decoded = decode({
      name: null,
      company: null,
      username: null,
      avatarUrl: null,
      signedUpAt: null,
      lastSeenAt: null,
      locale: null,
      birthdayAt: null,
      locations: [{ type: "home", cityName: null, latitude: null }],
      rev: 3
    })
    assert.isTrue(Either.isRight(decoded))
  })

  it("keeps externalId a non-empty string: it is the key an import finds the customer by", () => {
    assert.isTrue(Either.isLeft(decode({ externalId: null })))
    assert.isTrue(Either.isLeft(decode({ externalId: "" })))
  })

  it("refuses kinds Kustomer does not know: socials, urls, locations, gender", () => {
    assert.isTrue(Either.isRight(decode({ socials: [{ type: "linkedin", username: "ada" }] })))
    assert.isTrue(Either.isLeft(decode({ socials: [{ type: "myspace", username: "ada" }] })))
    assert.isTrue(Either.isLeft(decode({ socials: [{ type: "twitter" }] })))
    assert.isTrue(Either.isRight(decode({ urls: [{ type: "blog", url: "https://ada.example" }] })))
    assert.isTrue(Either.isLeft(decode({ urls: [{ type: "shop", url: "https://ada.example" }] })))
    assert.isTrue(Either.isLeft(decode({ locations: [{ type: "moon" }] })))
    assert.isTrue(Either.isRight(decode({ gender: "f" })))
    assert.isTrue(Either.isLeft(decode({ gender: "female" })))
  })

  it("builds the e-mail look-up path, encoded", () => {
    assert.strictEqual(Customer.emailPath("ada+1@example.com"), "/v1/customers/email=ada%2B1%40example.com")
  })
})
