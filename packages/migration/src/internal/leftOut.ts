/**
 * What the migration reads from the bundle and does not send — the companies of customers that went without them
 * (the company was not created, or is no company) — counted, so that the summary says so instead of leaving them
 * out without a word. (Attachments not carried are counted by the carrier, each with its reason.)
 */

/** The counts of what was left out. */
export interface LeftOutCounts {
  /** Customers sent without the company they name as an object: it was not created (see the companies phase). */
  readonly companies: number
}

/** A tally of what was left out. */
export interface LeftOut {
  readonly company: () => void
  readonly counts: () => LeftOutCounts
}

/** A fresh tally. */
export const make = (): LeftOut => {
  let companies = 0
  return {
    company: () => {
      companies += 1
    },
    counts: () => ({ companies })
  }
}
