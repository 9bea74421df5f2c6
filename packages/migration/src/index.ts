/**
 * The history migration into Kustomer: a *bundle* (one conversation per line, with its customer, messages and
 * notes nested) migrated in phases — companies, customers, conversations, messages, notes — each linked to the ids its
 * parents were given, with an id map and phase journals that make it resumable; and the source converters that
 * turn a helpdesk's export into a bundle.
 *
 * @since 0.1.0
 */

/**
 * The migration bundle's Schema: one line per conversation, with its customer, company, messages, notes and the
 * source's people and attachments — encoded by the converters, decoded by the migration; and the rejects file's
 * line, which holds the bundle line to send again.
 *
 * @since 0.1.0
 */
export * as Bundle from "./Bundle.js"

/**
 * The migration: `run` (with the journal set, the rejects file and the in-doubt reads) and `dryRun`.
 *
 * @since 0.1.0
 */
export * as Migration from "./Migration.js"

/**
 * The JSON report of a migration: one Schema, encoded by the CLI's `migrate --report` and decoded by its `report`.
 *
 * @since 0.1.0
 */
export * as MigrationReport from "./MigrationReport.js"

/**
 * Undoes a migration from its journal: the conversations it created marked deleted, the customers it created
 * deleted, what cannot be undone listed — resumable, with a journal of its own.
 *
 * @since 0.1.0
 */
export * as Rollback from "./Rollback.js"

/**
 * Reads back what a migration's journal says it created (every object, or a seeded sample) and compares it with
 * the bundle: existence, links and fields, every difference with its bundle line and field.
 *
 * @since 0.1.0
 */
export * as Verify from "./Verify.js"

/**
 * Source converter: a Zendesk Support export (tickets with their comments, and users) decoded and turned into
 * bundle lines.
 *
 * @since 0.1.0
 */
export * as ZendeskExport from "./ZendeskExport.js"

/**
 * What a Zendesk conversion carried and what not, with reasons: the fidelity summary and its tally.
 *
 * @since 0.1.0
 */
export * as ZendeskFidelity from "./ZendeskFidelity.js"

/**
 * A Zendesk export's files (JSON Lines or JSON documents, read through `ImportSource`) converted as a stream of
 * events: bundle lines, problems, and the fidelity summary at the end; and the conversion's options from their files.
 *
 * @since 0.1.0
 */
export * as ZendeskFiles from "./ZendeskFiles.js"
