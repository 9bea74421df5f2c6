/**
 * Identifiers used on the Kustomer wire.
 *
 * Kustomer object ids are 24-character lowercase hexadecimal strings (MongoDB ObjectIds in every documented
 * example). Each kind of id gets its own brand, so a customer id cannot be passed where a user id is expected.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const objectIdPattern = /^[0-9a-f]{24}$/

/**
 * A 24-character lowercase hexadecimal object id, not yet tied to a kind of object.
 *
 * @since 0.1.0
 */
export const ObjectId = Schema.String.pipe(
  Schema.pattern(objectIdPattern, {
    message: (issue) => `Expected a 24-character lowercase hex object id, got ${JSON.stringify(issue.actual)}`
  }),
  Schema.annotations({ identifier: "ObjectId" })
)

const objectIdOf = <const B extends string>(brand: B) =>
  ObjectId.pipe(Schema.brand(brand), Schema.annotations({ identifier: brand }))

/**
 * The id of a customer (`customer` on a conversation).
 *
 * @since 0.1.0
 */
export const CustomerId = objectIdOf("CustomerId")
/** @since 0.1.0 */
export type CustomerId = typeof CustomerId.Type

/**
 * The id of a company (`company` on a customer).
 *
 * @since 0.1.0
 */
export const CompanyId = objectIdOf("CompanyId")
/** @since 0.1.0 */
export type CompanyId = typeof CompanyId.Type

/**
 * The id of a conversation.
 *
 * @since 0.1.0
 */
export const ConversationId = objectIdOf("ConversationId")
/** @since 0.1.0 */
export type ConversationId = typeof ConversationId.Type

/**
 * The id of a message.
 *
 * @since 0.1.0
 */
export const MessageId = objectIdOf("MessageId")
/** @since 0.1.0 */
export type MessageId = typeof MessageId.Type

/**
 * The id of a note.
 *
 * @since 0.1.0
 */
export const NoteId = objectIdOf("NoteId")
/** @since 0.1.0 */
export type NoteId = typeof NoteId.Type

/**
 * The id of a user (`assignedUsers`).
 *
 * @since 0.1.0
 */
export const UserId = objectIdOf("UserId")
/** @since 0.1.0 */
export type UserId = typeof UserId.Type

/**
 * The id of a team (`assignedTeams`).
 *
 * @since 0.1.0
 */
export const TeamId = objectIdOf("TeamId")
/** @since 0.1.0 */
export type TeamId = typeof TeamId.Type

/**
 * The id of a bulk job, as returned by a bulk endpoint and used in `/v1/bulk/{id}`.
 *
 * Its format is not documented, so any non-empty string without a path separator is accepted.
 *
 * @since 0.1.0
 */
export const BulkJobId = Schema.String.pipe(
  Schema.minLength(1),
  Schema.pattern(/^[^/?#\s]+$/, { message: () => "A bulk job id must not contain '/', '?', '#' or spaces" }),
  Schema.brand("BulkJobId"),
  Schema.annotations({ identifier: "BulkJobId" })
)
/** @since 0.1.0 */
export type BulkJobId = typeof BulkJobId.Type
