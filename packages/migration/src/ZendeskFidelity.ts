/**
 * What a Zendesk conversion carried (`ZendeskExport.convertTicket`): per kind — tickets, deleted tickets, comments,
 * attachments, users, organizations, and the fields priority, type, tags, custom fields, satisfaction, assignee —
 * how many were carried and how many not, with each reason's count. `convert zendesk` prints it, writes it with
 * `--summary FILE` (its Schema, {@link FidelitySummary}) and exits 2 when anything was not carried.
 *
 * @since 0.1.0
 */
import * as fidelity from "./internal/zendesk/fidelity.js"

/**
 * How many of one kind were carried and how many not, with each reason's count.
 *
 * @since 0.1.0
 */
export const KindSummary = fidelity.KindSummary

/** @since 0.1.0 */
export type KindSummary = fidelity.KindSummary

/**
 * The fidelity summary of a conversion: per kind (tickets, deleted tickets, comments, attachments, users,
 * organizations, and the fields priority, type, tags, custom fields, satisfaction, assignee) what was carried and
 * what not, and why; what the bundle holds; the number of problems; notes (how the attachments are fetched, …).
 * `complete` is true when everything was carried.
 *
 * @since 0.1.0
 */
export const FidelitySummary = fidelity.FidelitySummary

/** @since 0.1.0 */
export type FidelitySummary = fidelity.FidelitySummary

/**
 * What one ticket carried, as the tally adds it up.
 *
 * @since 0.1.0
 */
export type TicketFidelity = fidelity.TicketFidelity

/**
 * Adds up what the tickets carried (`record`), the records that could not be read (`unreadable`), and makes the
 * summary once the export was read (`summary`, given the ids of the users and organizations read).
 *
 * @since 0.1.0
 */
export const FidelityTally = fidelity.FidelityTally

/** @since 0.1.0 */
export type FidelityTally = fidelity.FidelityTally

/**
 * The reasons users and organizations of the export files are not carried.
 *
 * @since 0.1.0
 */
export const userReasons = fidelity.userReasons

/** @since 0.1.0 */
export const organizationReasons = fidelity.organizationReasons
