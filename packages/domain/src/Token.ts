/**
 * The calling key's token: `GET /v1/auth/tokens/current` answers with the token document of the API key that
 * sent the request — its roles, the machine user behind it and its org. A client reads it once, before it
 * creates anything, to know what the key may do (e.g. whether it may set `createdAt`/`createdBy` on messages and
 * notes, which needs {@link orgAdminRole}).
 *
 * The document is read tolerantly: fields this package does not know are ignored, missing `roles` (or missing
 * attributes) read as no roles, and missing relationships as unknown ids.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { nullable, optional } from "./internal/schema.js"

/**
 * Path of the token check.
 *
 * @since 0.1.0
 */
export const currentPath = "/v1/auth/tokens/current"

/**
 * The role that lets a key set `createdAt` and `createdBy` on messages and notes; without it Kustomer silently
 * stores the key's own values (the time of creation, the key's user).
 *
 * @since 0.1.0
 */
export const orgAdminRole = "org.admin"

/** A JSON:API relationship `{ data: { type, id } }`; `data` may be `null` or absent. */
const Relationship = Schema.Struct({
  data: nullable(Schema.Struct({ type: optional(Schema.String), id: Schema.String }))
})

/**
 * The token's attributes: its roles, permission-set names and legacy names alike.
 *
 * @since 0.1.0
 */
export const TokenAttributes = Schema.Struct({
  roles: Schema.optionalWith(Schema.Array(Schema.String), { exact: true, nullable: true, default: () => [] })
})

/**
 * `{ data: token }` as `GET /v1/auth/tokens/current` answers it. Unknown fields are allowed (and dropped).
 *
 * @since 0.1.0
 */
export const TokenDocument = Schema.Struct({
  data: Schema.Struct({
    type: optional(Schema.String),
    id: optional(Schema.String),
    attributes: Schema.optionalWith(TokenAttributes, { exact: true, nullable: true, default: () => ({ roles: [] }) }),
    relationships: nullable(Schema.Struct({ user: nullable(Relationship), org: nullable(Relationship) }))
  })
}).annotations({ identifier: "TokenDocument" })
/** @since 0.1.0 */
export type TokenDocument = typeof TokenDocument.Type

/**
 * What a client needs of the token: its roles, its user's id and its org's id (`undefined` when not given).
 *
 * @since 0.1.0
 */
export const CurrentToken = Schema.Struct({
  roles: Schema.Array(Schema.String),
  userId: Schema.UndefinedOr(Schema.String),
  orgId: Schema.UndefinedOr(Schema.String)
}).annotations({ identifier: "CurrentToken" })
/** @since 0.1.0 */
export type CurrentToken = typeof CurrentToken.Type

const relationshipTo = (type: string, id: string | undefined) => (id === undefined ? {} : { data: { type, id } })

/**
 * The token document read as a {@link CurrentToken}; encoding writes the smallest document with the same roles
 * and ids.
 *
 * @since 0.1.0
 */
export const CurrentTokenFromDocument = Schema.transform(TokenDocument, CurrentToken, {
  strict: true,
  decode: (document) => ({
    roles: document.data.attributes.roles,
    userId: document.data.relationships?.user?.data?.id,
    orgId: document.data.relationships?.org?.data?.id
  }),
  encode: (token) => ({
    data: {
      attributes: { roles: token.roles },
      relationships: { user: relationshipTo("user", token.userId), org: relationshipTo("org", token.orgId) }
    }
  })
})

/**
 * Whether the token holds any of `roles` (e.g. a resource's `createRoles`: the permission-set name or the legacy
 * one, either counts). No roles asked for is always granted.
 *
 * @since 0.1.0
 */
export const grants = (token: Pick<CurrentToken, "roles">, roles: ReadonlyArray<string>): boolean =>
  roles.length === 0 || roles.some((role) => token.roles.includes(role))

/**
 * Whether Kustomer keeps the `createdAt` and `createdBy` a key sends on messages and notes: only for a key with
 * {@link orgAdminRole}.
 *
 * @since 0.1.0
 */
export const keepsCreatedAtAndBy = (token: Pick<CurrentToken, "roles">): boolean => token.roles.includes(orgAdminRole)
