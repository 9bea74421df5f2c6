/**
 * The org's users (agents): `GET /v1/users` answers pages of them (JSON:API, `links.next`). A migration reads them
 * once to find the Kustomer user of each author and assignee of the history by e-mail. Read tolerantly: a user
 * without an e-mail is kept (it cannot be matched by one), unknown fields are ignored.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable } from "./internal/schema.js"

/**
 * Path of the users list.
 *
 * @since 0.1.0
 */
export const listPath = "/v1/users"

/**
 * The roles that may read the org's users, in both spellings.
 *
 * @since 0.1.0
 */
export const readRoles = ["org.permission.user.read", "org.user.user.read"] as const

/**
 * One user as listed.
 *
 * @since 0.1.0
 */
export const UserResource = Schema.Struct({
  id: Schema.String,
  attributes: nullable(Schema.Struct({
    email: nullable(Schema.String),
    name: nullable(Schema.String),
    displayName: nullable(Schema.String)
  }))
})
/** @since 0.1.0 */
export type UserResource = typeof UserResource.Type

/**
 * A page of users; `data: null` is an empty page, `links` may be absent.
 *
 * @since 0.1.0
 */
export const UserPage = Schema.Struct({
  data: Schema.NullOr(Schema.Array(UserResource)),
  links: nullable(Schema.Struct({ next: nullable(Schema.String) }))
})
/** @since 0.1.0 */
export type UserPage = typeof UserPage.Type

/**
 * A user as a migration needs it: its id and, when it has one, its e-mail.
 *
 * @since 0.1.0
 */
export interface UserSummary {
  readonly id: string
  readonly email: string | undefined
  readonly name: string | undefined
}

/**
 * The summary of a listed user.
 *
 * @since 0.1.0
 */
export const summaryOf = (user: UserResource): UserSummary => ({
  id: user.id,
  email: user.attributes?.email,
  name: user.attributes?.name ?? user.attributes?.displayName
})
