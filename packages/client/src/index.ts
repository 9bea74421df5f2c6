/**
 * Effect services for the Kustomer bulk API. The wire contract is `@effect-kustomer/domain`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Attachments from "./Attachments.js"
/** @since 0.1.0 */
export * as BatchResults from "./BatchResults.js"
/** @since 0.1.0 */
export * as BulkImport from "./BulkImport.js"
/** @since 0.1.0 */
export * as BulkJob from "./BulkJob.js"
/** @since 0.1.0 */
export * as CsvMapping from "./CsvMapping.js"
/** @since 0.1.0 */
export * as ImportCheckpoint from "./ImportCheckpoint.js"
/** @since 0.1.0 */
export * as ImportEvent from "./ImportEvent.js"
/** @since 0.1.0 */
export * as ImportPlan from "./ImportPlan.js"
/** @since 0.1.0 */
export * as ImportSource from "./ImportSource.js"
/** @since 0.1.0 */
export * as KustomerAuth from "./KustomerAuth.js"
/** @since 0.1.0 */
export * as KustomerClient from "./KustomerClient.js"
/** @since 0.1.0 */
export * as KustomerConfig from "./KustomerConfig.js"
/** @since 0.1.0 */
export * as KustomerError from "./KustomerError.js"
/** @since 0.1.0 */
export * as KustomerSchedule from "./KustomerSchedule.js"
/** @since 0.1.0 */
export * as RateLimiter from "./RateLimiter.js"
/** @since 0.1.0 */
export * as RetryPolicy from "./RetryPolicy.js"
