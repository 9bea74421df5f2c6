/**
 * Durable imports into Kustomer: a SQLite journal behind the pipeline's checkpoint hook, crash-safe resume,
 * exactly-once creation by `externalId`, a rejects file and a run report.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as DurableImport from "./DurableImport.js"
/** @since 0.1.0 */
export * as ImportInput from "./ImportInput.js"
/** @since 0.1.0 */
export * as JournalError from "./JournalError.js"
/** @since 0.1.0 */
export * as Migration from "./Migration.js"
/** @since 0.1.0 */
export * as RejectsFile from "./RejectsFile.js"
/** @since 0.1.0 */
export * as RunReport from "./RunReport.js"

/**
 * A run's time series for the report's charts: outcomes, requests, 429s, rate-limit waits and job turnaround per
 * interval, in bounded memory.
 *
 * @since 0.1.0
 */
export * as RunTimeline from "./RunTimeline.js"
/** @since 0.1.0 */
export * as SqliteJournal from "./SqliteJournal.js"
