/**
 * Time as the simulator writes it: epoch milliseconds read from `Clock`, rendered as ISO 8601 UTC.
 */
import * as DateTime from "effect/DateTime"

/** Formats epoch milliseconds as an ISO 8601 UTC string. */
export const isoString = (millis: number): string => DateTime.formatIso(DateTime.unsafeMake(millis))
