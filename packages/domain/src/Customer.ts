/**
 * A customer as sent to `POST /v1/customers/bulk`. Conversations reference customers by id, so an import of
 * history usually starts with its customers.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ClientRef } from "./ClientRef.js"
import { CustomAttributes } from "./CustomAttributes.js"
import { CustomerId } from "./Ids.js"
import { optional } from "./internal/schema.js"

/** An e-mail address of a customer. @since 0.1.0 */
export const CustomerEmail = Schema.Struct({
  type: optional(Schema.String),
  email: Schema.String.pipe(Schema.pattern(/^[^@\s]+@[^@\s]+$/, { message: () => "Expected an e-mail address" }))
})

/** A phone number of a customer. @since 0.1.0 */
export const CustomerPhone = Schema.Struct({
  type: optional(Schema.String),
  phone: Schema.NonEmptyString
})

/** One customer to create. @since 0.1.0 */
export const CustomerInput = Schema.Struct({
  name: optional(Schema.String),
  externalId: optional(Schema.NonEmptyString),
  emails: optional(Schema.Array(CustomerEmail)),
  phones: optional(Schema.Array(CustomerPhone)),
  locale: optional(Schema.NullOr(Schema.String)),
  timeZone: optional(Schema.NullOr(Schema.String)),
  tags: optional(Schema.Array(Schema.String)),
  custom: optional(CustomAttributes),
  _clientRef: optional(ClientRef)
}).annotations({ identifier: "CustomerInput" })
/** @since 0.1.0 */
export type CustomerInput = typeof CustomerInput.Type

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
