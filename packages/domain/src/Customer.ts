/**
 * A customer as sent to `POST /v1/customers/bulk`. Conversations reference customers by id, so an import of
 * history starts with its customers.
 *
 * The fields are those of Kustomer's customer create schema (the OpenAPI-generated types of the public
 * `LarisLab/kustomer-client` and the bulk-create-customers page): every field Kustomer accepts is accepted here,
 * and a field it does not know is refused rather than silently dropped.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ClientRef } from "./ClientRef.js"
import { CustomAttributes } from "./CustomAttributes.js"
import { CustomerId } from "./Ids.js"
import { optional } from "./internal/schema.js"
import { IsoDateTime } from "./IsoDateTime.js"

/** The kinds of e-mail address Kustomer knows. @since 0.1.0 */
export const EmailType = Schema.Literal("home", "work", "other")

/** The kinds of phone number Kustomer knows. @since 0.1.0 */
export const PhoneType = Schema.Literal("home", "work", "other", "mobile", "fax")

const emailAddress = Schema.String.pipe(
  Schema.pattern(/^[^@\s]+@[^@\s]+$/, { message: () => "Expected an e-mail address" })
)

/** An e-mail address of a customer. @since 0.1.0 */
export const CustomerEmail = Schema.Struct({
  type: optional(EmailType),
  email: emailAddress,
  verified: optional(Schema.Boolean)
})

/** A phone number of a customer. @since 0.1.0 */
export const CustomerPhone = Schema.Struct({
  type: optional(PhoneType),
  phone: Schema.NonEmptyString,
  verified: optional(Schema.Boolean)
})

const WhatsApp = Schema.Struct({
  type: optional(Schema.Literal("mobile")),
  phone: Schema.NonEmptyString,
  verified: optional(Schema.Boolean)
})

const LinkedExternalId = Schema.Struct({ externalId: Schema.NonEmptyString, verified: optional(Schema.Boolean) })

const FacebookId = Schema.Struct({ pageId: Schema.String, userId: Schema.String, name: optional(Schema.String) })

const InstagramId = Schema.Struct({
  pageId: Schema.String,
  threadId: Schema.String,
  username: Schema.String,
  instagramId: optional(Schema.String)
})

const Social = Schema.Struct({
  type: Schema.String,
  username: optional(Schema.String),
  userid: optional(Schema.String),
  url: optional(Schema.String),
  verified: optional(Schema.Boolean)
})

const Url = Schema.Struct({ type: optional(Schema.String), url: Schema.String })

const Location = Schema.Struct({
  type: optional(Schema.String),
  name: optional(Schema.String),
  address: optional(Schema.String),
  address2: optional(Schema.String),
  address3: optional(Schema.String),
  latitude: optional(Schema.Number),
  longitude: optional(Schema.Number),
  countryCode: optional(Schema.String),
  countryName: optional(Schema.String),
  regionCode: optional(Schema.String),
  regionName: optional(Schema.String),
  cityName: optional(Schema.String),
  zipCode: optional(Schema.String),
  areaCode: optional(Schema.String)
})

const Sentiment = Schema.Struct({ polarity: Schema.Literal(-1, 0, 1), confidence: Schema.Number })

/** One customer to create. @since 0.1.0 */
export const CustomerInput = Schema.Struct({
  name: optional(Schema.String),
  company: optional(Schema.String),
  externalId: optional(Schema.NonEmptyString),
  username: optional(Schema.String),
  signedUpAt: optional(IsoDateTime),
  lastActivityAt: optional(IsoDateTime),
  lastCustomerActivityAt: optional(IsoDateTime),
  lastSeenAt: optional(IsoDateTime),
  avatarUrl: optional(Schema.String),
  externalIds: optional(Schema.Array(LinkedExternalId)),
  sharedExternalIds: optional(Schema.Array(LinkedExternalId)),
  emails: optional(Schema.Array(CustomerEmail)),
  sharedEmails: optional(Schema.Array(CustomerEmail)),
  phones: optional(Schema.Array(CustomerPhone)),
  sharedPhones: optional(Schema.Array(CustomerPhone)),
  whatsapps: optional(Schema.Array(WhatsApp)),
  facebookIds: optional(Schema.Array(FacebookId)),
  instagramIds: optional(Schema.Array(InstagramId)),
  socials: optional(Schema.Array(Social)),
  sharedSocials: optional(Schema.Array(Social)),
  urls: optional(Schema.Array(Url)),
  locations: optional(Schema.Array(Location)),
  locale: optional(Schema.NullOr(Schema.String)),
  timeZone: optional(Schema.NullOr(Schema.String)),
  defaultLang: optional(Schema.NullOr(Schema.String)),
  gender: optional(Schema.NullOr(Schema.String)),
  birthdayAt: optional(Schema.NullOr(IsoDateTime)),
  tags: optional(Schema.Array(Schema.String)),
  sentiment: optional(Sentiment),
  custom: optional(CustomAttributes),
  createdAt: optional(IsoDateTime),
  importedAt: optional(IsoDateTime),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "CustomerInput" })
/** @since 0.1.0 */
export type CustomerInput = typeof CustomerInput.Type

/**
 * Path that reads the customer with an e-mail address: `GET /v1/customers/email={email}`. The spelling follows
 * the look-up by external id (INFERRED from the single-customer API family; not confirmed in Kustomer's docs).
 *
 * @since 0.1.0
 */
export const emailPath = (email: string): string => `/v1/customers/email=${encodeURIComponent(email)}`

/** A stored customer as `GET /v1/customers/{id}` returns it. @since 0.1.0 */
export const CustomerResource = Schema.Struct({
  type: Schema.Literal("customer"),
  id: CustomerId,
  attributes: optional(Schema.Struct({
    name: optional(Schema.NullOr(Schema.String)),
    externalId: optional(Schema.NullOr(Schema.String))
  }))
}).annotations({ identifier: "CustomerResource" })
/** @since 0.1.0 */
export type CustomerResource = typeof CustomerResource.Type

/** `{ data: customer }`. @since 0.1.0 */
export const CustomerDocument = Schema.Struct({ data: CustomerResource })
