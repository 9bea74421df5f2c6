/**
 * The totals of an import, defined once: how many records ended in each outcome, and how many requests of each
 * kind were sent. The pipeline's summary, the journal's report and the command's summary all use these.
 *
 * @since 0.1.0
 */
import * as Record from "effect/Record"
import * as Schema from "effect/Schema"
import * as Struct from "effect/Struct"

const Count = Schema.Int.pipe(Schema.nonNegative())

/**
 * Records by final outcome. `read = created + alreadyExisting + failed + rejected + unknown` always holds.
 *
 * @since 0.1.0
 */
export const OutcomeCounts = Schema.Struct({
  read: Count,
  created: Count,
  alreadyExisting: Count,
  failed: Count,
  rejected: Count,
  unknown: Count
}).annotations({ identifier: "OutcomeCounts" })
/** @since 0.1.0 */
export type OutcomeCounts = typeof OutcomeCounts.Type

/**
 * The final outcomes a record can have, by the field of {@link OutcomeCounts} that counts them.
 *
 * @since 0.1.0
 */
export const outcomeFields = {
  Created: "created",
  AlreadyExisting: "alreadyExisting",
  Failed: "failed",
  Rejected: "rejected",
  Unknown: "unknown"
} as const

/** @since 0.1.0 */
export type OutcomeTag = keyof typeof outcomeFields

/**
 * No records yet.
 *
 * @since 0.1.0
 */
export const noOutcomes: OutcomeCounts = { read: 0, created: 0, alreadyExisting: 0, failed: 0, rejected: 0, unknown: 0 }

/**
 * The counts after one more record ended with the outcome `tag`.
 *
 * @since 0.1.0
 */
export const addOutcome = <C extends OutcomeCounts>(counts: C, tag: OutcomeTag): C => {
  const field = outcomeFields[tag]
  return { ...counts, read: counts.read + 1, [field]: counts[field] + 1 }
}

/**
 * Requests by kind. `requests = submits + polls + lookups`.
 *
 * @since 0.1.0
 */
export const RequestCounts = Schema.Struct({
  /** Jobs the API accepted. */
  jobs: Count,
  /** Bulk submissions sent, retries included. */
  submits: Count,
  /** Job reads (status and batches). */
  polls: Count,
  /** Look-ups by external id. */
  lookups: Count,
  /** 429 answers received. */
  rateLimited: Count,
  /** Retries of failed requests. */
  retries: Count
}).annotations({ identifier: "RequestCounts" })
/** @since 0.1.0 */
export type RequestCounts = typeof RequestCounts.Type

/**
 * No requests yet.
 *
 * @since 0.1.0
 */
export const noRequests: RequestCounts = { jobs: 0, submits: 0, polls: 0, lookups: 0, rateLimited: 0, retries: 0 }

const requestFields = Record.keys(RequestCounts.fields)

/**
 * Only the request counts of a value that carries more (an event, a summary).
 *
 * @since 0.1.0
 */
export const requestsOf = (value: RequestCounts): RequestCounts => Struct.pick(value, ...requestFields)

/**
 * Requests sent in all.
 *
 * @since 0.1.0
 */
export const requestsSent = (counts: RequestCounts): number => counts.submits + counts.polls + counts.lookups

/**
 * Outcome and request counts together, with the total of requests: the totals of one attempt.
 *
 * @since 0.1.0
 */
export const Totals = Schema.Struct({
  ...OutcomeCounts.fields,
  ...RequestCounts.fields,
  /** Requests sent in all. */
  requests: Count
}).annotations({ identifier: "ImportTotals" })
/** @since 0.1.0 */
export type Totals = typeof Totals.Type

/**
 * The totals of two passes over the same input together (each count added).
 *
 * @since 0.1.0
 */
export const addTotals = (first: Totals, second: Totals): Totals => ({
  read: first.read + second.read,
  created: first.created + second.created,
  alreadyExisting: first.alreadyExisting + second.alreadyExisting,
  failed: first.failed + second.failed,
  rejected: first.rejected + second.rejected,
  unknown: first.unknown + second.unknown,
  jobs: first.jobs + second.jobs,
  submits: first.submits + second.submits,
  polls: first.polls + second.polls,
  lookups: first.lookups + second.lookups,
  rateLimited: first.rateLimited + second.rateLimited,
  retries: first.retries + second.retries,
  requests: first.requests + second.requests
})
