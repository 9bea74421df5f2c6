/**
 * How the simulator words the parts of its answers that Kustomer's docs leave open, and the plainest wording, its
 * default. Documented and exported by `SimulatorConfig.ts`.
 */

/** How the simulator words its answers (see `SimulatorConfig.AnswerStyle`). */
export interface AnswerStyle {
  /**
   * Batches per page of `GET /v1/bulk/{id}/batches`; further pages are linked by `links.next` (`?page=2`, …) and
   * the last page has `links.next: null`. `0` (default): every batch on one page, without `links`.
   */
  readonly batchesPerPage: number
  /** Empty `errors` and `objectIds` lists, and an absent `results` list, sent as `null`. Default `false`. */
  readonly nullLists: boolean
  /** An item's `error`, in `errors` and `results`: a `"string"` (default) or an `"object"` `{ code, message }`. */
  readonly itemErrors: "string" | "object"
  /** A batch's `completedAt`: an `"iso"` string (default) or `"epochMillis"`. */
  readonly completedAt: "iso" | "epochMillis"
  /** Share of created items whose `results[].objectId` is `null` (the object exists all the same). Default 0. */
  readonly nullObjectIdRate: number
  /**
   * Error bodies: `"jsonapi"` (default) `{ errors: [{ status, code, title, detail }] }`, or `"plain"`
   * `{ code, message, meta }`.
   */
  readonly errorBody: "jsonapi" | "plain"
  /** Seed of the draws behind {@link nullObjectIdRate}: the same seed picks the same objects. Default 1. */
  readonly seed: number
}

/** The answers of a simulator unless configured otherwise. */
export const plainAnswers: AnswerStyle = {
  batchesPerPage: 0,
  nullLists: false,
  itemErrors: "string",
  completedAt: "iso",
  nullObjectIdRate: 0,
  errorBody: "jsonapi",
  seed: 1
}
