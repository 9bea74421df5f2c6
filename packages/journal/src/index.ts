/**
 * Durable imports into Kustomer: a SQLite journal behind the pipeline's checkpoint hook, crash-safe resume,
 * exactly-once creation by `externalId`, a rejects file and a run report — and the pieces other durable runs (the
 * migration in `@effect-kustomer/migration`) build on: the preflight checks, the journal's files, a full disk.
 *
 * @since 0.1.0
 */

/**
 * A full disk said by name: recognised in SQLite's and the file system's failures, with what to do about it.
 *
 * @since 0.1.0
 */
export * as DiskFull from "./DiskFull.js"
/** @since 0.1.0 */
export * as DurableImport from "./DurableImport.js"
/** @since 0.1.0 */
export * as ImportInput from "./ImportInput.js"
/** @since 0.1.0 */
export * as JournalError from "./JournalError.js"

/**
 * A journal's file as the journal checks it (identity, content, metadata, transactions whose commit may fail), for
 * files kept beside a journal.
 *
 * @since 0.1.0
 */
export * as JournalFile from "./JournalFile.js"

/**
 * What is checked before the first request: the output files, an input of records in doubt, a broken or cut-short
 * input, the key's access.
 *
 * @since 0.1.0
 */
export * as Preflight from "./Preflight.js"
/** @since 0.1.0 */
export * as RejectsFile from "./RejectsFile.js"

/**
 * Why a durable run (an import, a migration) stopped: one `RunError` with a `reason` and the failure below it as
 * its typed `cause`.
 *
 * @since 0.1.0
 */
export * as RunError from "./RunError.js"
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

/**
 * CSV date-times without an offset: counted, checked before the first request, refused without a time zone.
 *
 * @since 0.1.0
 */
export * as OffsetlessTimes from "./OffsetlessTimes.js"
