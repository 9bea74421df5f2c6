/**
 * A company as sent to `POST /v1/companies/bulk`: the organisation a customer belongs to. A customer names its
 * company by id (`company`), so an import of history creates its companies before its customers.
 *
 * `name` is the one required field (Kustomer's bulk-create-companies page and the OpenAPI-generated types of the
 * public `LarisLab/kustomer-client`). Kustomer documents no duplicate detection: a company sent twice is stored
 * twice. A company is found by its `externalId` with a query parameter, `GET /v1/companies?externalId=…` (a list
 * document; Kustomer's API reference, "Get companies").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ClientRef } from "./ClientRef.js"
import { CustomAttributes } from "./CustomAttributes.js"
import { CustomerEmail, CustomerPhone } from "./Customer.js"
import { CompanyId } from "./Ids.js"
import { optional } from "./internal/schema.js"
import { IsoDateTime } from "./IsoDateTime.js"

/**
 * One company to create. Its e-mail addresses and phone numbers have the shapes of a customer's.
 *
 * @since 0.1.0
 */
export const CompanyInput = Schema.Struct({
  name: Schema.NonEmptyString,
  externalId: optional(Schema.NonEmptyString),
  /** Internet domains of the company, e.g. `example.com`. */
  domains: optional(Schema.Array(Schema.String)),
  emails: optional(Schema.Array(CustomerEmail)),
  phones: optional(Schema.Array(CustomerPhone)),
  createdAt: optional(IsoDateTime),
  importedAt: optional(IsoDateTime),
  custom: optional(CustomAttributes),
  tags: optional(Schema.Array(Schema.String)),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "CompanyInput" })
/** @since 0.1.0 */
export type CompanyInput = typeof CompanyInput.Type
/** @since 0.1.0 */
export type CompanyInputEncoded = typeof CompanyInput.Encoded

/**
 * One item of `PUT /v1/companies/bulk`: the `id` of an existing company and the fields to change — those of
 * {@link CompanyInput}, `name` optional too (but not empty when sent).
 *
 * @since 0.1.0
 */
export const CompanyUpdate = Schema.Struct({
  ...CompanyInput.fields,
  id: CompanyId,
  name: optional(Schema.NonEmptyString)
}).annotations({ identifier: "CompanyUpdate" })
/** @since 0.1.0 */
export type CompanyUpdate = typeof CompanyUpdate.Type
