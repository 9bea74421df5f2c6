/**
 * The top failure reasons of a run, with counts, for the summary: rejected, failed and unknown outcomes grouped by
 * their reason text. Memory stays bounded: after {@link maxDistinct} distinct reasons, new ones are counted
 * together as "other reasons".
 *
 * @since 0.1.0
 */
import { ImportEvent } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"

/** Distinct reasons kept; the rest are counted together. @since 0.1.0 */
export const maxDistinct = 1_000

/** One reason and how often it occurred. @since 0.1.0 */
export interface ReasonCount {
  readonly outcome: "Rejected" | "Failed" | "Unknown"
  readonly reason: string
  readonly count: number
}

/**
 * A tally of reasons, fed with a run's events.
 *
 * @since 0.1.0
 */
export interface Tally {
  /** Counts the event when it is a rejected, failed or unknown outcome; `label` (a resource) prefixes its reason. */
  readonly onEvent: (event: ImportEvent.ImportEvent, label?: string) => Effect.Effect<void>
  /** The `n` most frequent reasons, most frequent first. */
  readonly top: (n: number) => Effect.Effect<ReadonlyArray<ReasonCount>>
}

const otherReasons = "other reasons"

/**
 * A new, empty tally.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<Tally> = Effect.sync(() => {
  const counts = new Map<string, ReasonCount>()
  const add = (outcome: ReasonCount["outcome"], reason: string) => {
    const key = `${outcome}\u0000${reason}`
    const known = counts.get(key)
    if (known !== undefined) return void counts.set(key, { ...known, count: known.count + 1 })
    if (counts.size < maxDistinct || reason === otherReasons) {
      return void counts.set(key, { outcome, reason, count: 1 })
    }
    add(outcome, otherReasons)
  }
  return {
    onEvent: (event, label) =>
      Effect.sync(() => {
        if (!ImportEvent.isOutcome(event)) return
        if (event._tag === "Created" || event._tag === "AlreadyExisting") return
        add(event._tag, label === undefined ? event.reason : `${label}: ${event.reason}`)
      }),
    top: (n) =>
      Effect.sync(() =>
        [...counts.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)).slice(0, n)
      )
  }
})

/** How many reasons the summary lists. @since 0.1.0 */
export const shown = 5

const outcomeText = { Rejected: "rejected", Failed: "failed", Unknown: "unknown" } as const

/**
 * The summary's lines for the top reasons, after a blank line, to append to it; none when nothing went wrong.
 *
 * @since 0.1.0
 */
export const render = (top: ReadonlyArray<ReasonCount>): string =>
  top.length === 0 ? "" : [
    "",
    "",
    "  Top failure reasons:",
    ...top.map((entry) =>
      `  ${Format.count(entry.count).padStart(8)}  ${outcomeText[entry.outcome]}: ${
        entry.reason.length > 160 ? `${entry.reason.slice(0, 157)}…` : entry.reason
      }`
    )
  ].join("\n")
