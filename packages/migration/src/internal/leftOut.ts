/**
 * What the migration reads from the bundle and does not send — the source's attachments (not uploaded: the
 * migration does not upload files yet) and the companies of customers that went without them (the company was not
 * created, or is no company) — counted, so that the summary says so instead of leaving them out without a word.
 */

/** The counts of what was left out. */
export interface LeftOutCounts {
  /** Attachments of messages and notes, as the bundle lists them (`{ externalId, name, …, url }`). */
  readonly attachments: number
  /** Customers sent without the company they name as an object: it was not created (see the companies phase). */
  readonly companies: number
}

/** A tally of what was left out. */
export interface LeftOut {
  readonly attachments: (count: number) => void
  readonly company: () => void
  readonly counts: () => LeftOutCounts
}

/** A fresh tally. */
export const make = (): LeftOut => {
  let attachments = 0
  let companies = 0
  return {
    attachments: (count) => {
      attachments += count
    },
    company: () => {
      companies += 1
    },
    counts: () => ({ attachments, companies })
  }
}
