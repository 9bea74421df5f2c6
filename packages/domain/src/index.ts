/**
 * The Kustomer bulk API wire contract.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Attachment from "./Attachment.js"
/** @since 0.1.0 */
export * as BulkChange from "./BulkChange.js"
/** @since 0.1.0 */
export * as BulkJob from "./BulkJob.js"
/** @since 0.1.0 */
export * as BulkResource from "./BulkResource.js"
/** @since 0.1.0 */
export * as ClientRef from "./ClientRef.js"
/** @since 0.1.0 */
export * as Company from "./Company.js"
/** @since 0.1.0 */
export * as Conversation from "./Conversation.js"
/** @since 0.1.0 */
export * as CustomAttributes from "./CustomAttributes.js"
/** @since 0.1.0 */
export * as Customer from "./Customer.js"
/** @since 0.1.0 */
export * as ImportCounts from "./ImportCounts.js"
/** @since 0.1.0 */
export * as IsoDateTime from "./IsoDateTime.js"
/** @since 0.1.0 */
export * as ErrorBody from "./ErrorBody.js"
/** @since 0.1.0 */
export * as Ids from "./Ids.js"
/** @since 0.1.0 */
export * as Message from "./Message.js"
/** @since 0.1.0 */
export * as Note from "./Note.js"
/** @since 0.1.0 */
export * as ItemError from "./ItemError.js"
/** @since 0.1.0 */
export * as ObjectDocument from "./ObjectDocument.js"
/** @since 0.1.0 */
export * as RateBudget from "./RateBudget.js"
/** @since 0.1.0 */
export * as RateLimit from "./RateLimit.js"
/** @since 0.1.0 */
export * as Token from "./Token.js"
/** @since 0.1.0 */
export * as User from "./User.js"

/**
 * How existing objects are found again: look-ups by external id and listings under a parent.
 *
 * @since 0.1.0
 */
export * as LookUp from "./LookUp.js"
