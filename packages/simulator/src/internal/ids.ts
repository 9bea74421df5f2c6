/**
 * Object ids in Kustomer's format: 24 lowercase hex characters, laid out like a MongoDB ObjectId — seconds since
 * the epoch (8), a tag for the kind of object (2), then a process-wide counter (14). Deterministic, unique within
 * one simulator, and ordered by creation.
 */
const kindTags = {
  job: "b0",
  batch: "ba",
  request: "e0",
  company: "c7",
  conversation: "c0",
  customer: "c5",
  message: "d0",
  note: "d5",
  attachment: "a7"
} as const

/** The kinds of object the simulator creates ids for. */
export type IdKind = keyof typeof kindTags

/** Makes an id generator with its own counter. */
export const makeIdGenerator = (): (kind: IdKind, nowMillis: number) => string => {
  let counter = 0
  return (kind, nowMillis) => {
    counter += 1
    const seconds = (Math.floor(nowMillis / 1000) >>> 0).toString(16).padStart(8, "0")
    return `${seconds}${kindTags[kind]}${counter.toString(16).padStart(14, "0")}`
  }
}
