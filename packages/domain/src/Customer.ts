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

/**
 * The kinds of e-mail address Kustomer knows.
 *
 * @since 0.1.0
 */
export const EmailType = Schema.Literal("home", "work", "other")

/**
 * The kinds of phone number Kustomer knows.
 *
 * @since 0.1.0
 */
export const PhoneType = Schema.Literal("home", "work", "other", "mobile", "fax")

const emailAddress = Schema.String.pipe(
  Schema.pattern(/^[^@\s]+@[^@\s]+$/, { message: () => "Expected an e-mail address" })
)

/**
 * An e-mail address of a customer.
 *
 * @since 0.1.0
 */
export const CustomerEmail = Schema.Struct({
  type: optional(EmailType),
  email: emailAddress,
  verified: optional(Schema.Boolean)
})

/**
 * A phone number of a customer.
 *
 * @since 0.1.0
 */
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

/**
 * The social networks a customer profile may name.
 *
 * @since 0.1.0
 */
export const SocialType = Schema.Literal("twitter", "facebook", "instagram", "linkedin", "pinterest")

const Social = Schema.Struct({
  type: SocialType,
  username: Schema.String,
  userid: optional(Schema.String),
  url: optional(Schema.String),
  verified: optional(Schema.Boolean)
})

const Url = Schema.Struct({ type: optional(Schema.Literal("website", "blog", "other")), url: Schema.String })

const nullableString = optional(Schema.NullOr(Schema.String))

const Location = Schema.Struct({
  type: optional(Schema.Literal("home", "work", "other")),
  name: nullableString,
  address: nullableString,
  address2: nullableString,
  address3: nullableString,
  latitude: optional(Schema.NullOr(Schema.Number)),
  longitude: optional(Schema.NullOr(Schema.Number)),
  countryCode: nullableString,
  countryName: nullableString,
  regionCode: nullableString,
  regionName: nullableString,
  cityName: nullableString,
  zipCode: nullableString,
  areaCode: nullableString
})

const Sentiment = Schema.Struct({ polarity: Schema.Literal(-1, 0, 1), confidence: Schema.Number })

/**
 * One customer to create. Where Kustomer's schema allows `null` (names, dates, locations) so does this one, except
 * for `externalId`: it is the key an import finds the customer again by, so it is a non-empty string or absent.
 *
 * @since 0.1.0
 */
export const CustomerInput = Schema.Struct({
  name: nullableString,
  company: nullableString,
  externalId: optional(Schema.NonEmptyString),
  username: nullableString,
  signedUpAt: optional(Schema.NullOr(IsoDateTime)),
  lastActivityAt: optional(Schema.NullOr(IsoDateTime)),
  lastCustomerActivityAt: optional(Schema.NullOr(IsoDateTime)),
  lastSeenAt: optional(Schema.NullOr(IsoDateTime)),
  avatarUrl: nullableString,
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
  gender: optional(Schema.Literal("m", "f")),
  birthdayAt: optional(Schema.NullOr(IsoDateTime)),
  tags: optional(Schema.Array(Schema.String)),
  sentiment: optional(Sentiment),
  custom: optional(CustomAttributes),
  createdAt: optional(IsoDateTime),
  importedAt: optional(IsoDateTime),
  /** The revision for optimistic locking (a number Kustomer increments on each change). */
  rev: optional(Schema.Number),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "CustomerInput" })
/** @since 0.1.0 */
export type CustomerInput = typeof CustomerInput.Type

/**
 * One item of `PUT /v1/customers/bulk`: the `id` of an existing customer and the fields to change — any field of
 * {@link CustomerInput}, each optional as there.
 *
 * @since 0.1.0
 */
export const CustomerUpdate = Schema.Struct({ ...CustomerInput.fields, id: CustomerId }).annotations({
  identifier: "CustomerUpdate"
})
/** @since 0.1.0 */
export type CustomerUpdate = typeof CustomerUpdate.Type

/**
 * Path that reads the customer with an e-mail address: `GET /v1/customers/email={email}`. The spelling follows
 * the look-up by external id (INFERRED from the single-customer API family; not confirmed in Kustomer's docs).
 *
 * @since 0.1.0
 */
export const emailPath = (email: string): string => `/v1/customers/email=${encodeURIComponent(email)}`

/**
 * A stored customer as `GET /v1/customers/{id}` returns it.
 *
 * @since 0.1.0
 */
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

/**
 * `{ data: customer }`.
 *
 * @since 0.1.0
 */
export const CustomerDocument = Schema.Struct({ data: CustomerResource })
