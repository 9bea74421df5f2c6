/**
 * Date-time strings as Kustomer writes them: ISO 8601 with a time zone, e.g. `2026-10-21T14:02:11.925Z`.
 *
 * The value stays a string on both sides so that re-encoding reproduces the input exactly.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const isoDateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : month === 4 || month === 6 || month === 9 || month === 11
    ? 30
    : 31

/** The number written by the two digits at `at` (the pattern has checked that they are digits). */
const twoDigits = (value: string, at: number): number =>
  (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48

/**
 * The calendar fields of a value that has the ISO shape, checked by position (this runs for every date of every
 * record, so it allocates nothing): `YYYY-MM-DDThh:mm[:ss[.f]]` then `Z`, `±hh:mm` or `±hhmm`.
 */
const fieldIssue = (value: string): string | undefined => {
  const year = twoDigits(value, 0) * 100 + twoDigits(value, 2)
  const month = twoDigits(value, 5)
  const day = twoDigits(value, 8)
  const hour = twoDigits(value, 11)
  const minute = twoDigits(value, 14)
  const second = value.charCodeAt(16) === 58 ? twoDigits(value, 17) : 0
  if (month < 1 || month > 12) return `month ${month} does not exist`
  if (day < 1 || day > daysIn(year, month)) return `${value.slice(0, 7)} has no day ${day}`
  if (hour > 23) return `hour ${hour} does not exist`
  if (minute > 59) return `minute ${minute} does not exist`
  if (second > 59) return `second ${second} does not exist`
  if (value.charCodeAt(value.length - 1) !== 90) {
    const colon = value.charCodeAt(value.length - 3) === 58
    const offsetHours = twoDigits(value, value.length - (colon ? 5 : 4))
    const offsetMinutes = twoDigits(value, value.length - 2)
    if (offsetHours > 23 || offsetMinutes > 59) return "the time zone offset is out of range"
  }
  return undefined
}

/**
 * Why an ISO 8601 date-time names no real instant (`2024-02-30`, month 13, hour 24, minute 60, offset +25:00), or
 * `undefined` when its fields are in range or it does not have the ISO shape at all. `Date.parse` alone is not
 * enough: it rolls impossible days over into the next month.
 *
 * @since 0.1.0
 */
export const calendarIssue = (value: string): string | undefined =>
  isoDateTimePattern.test(value) ? fieldIssue(value) : undefined

const problemOf = (value: string): string | undefined => {
  if (!isoDateTimePattern.test(value)) {
    return `Expected an ISO 8601 date-time with a time zone (e.g. 2026-10-21T14:02:11.925Z), got ${
      JSON.stringify(value)
    }`
  }
  const issue = fieldIssue(value)
  return issue === undefined ? undefined : `Expected a real calendar date-time, got ${JSON.stringify(value)}: ${issue}`
}

/**
 * Whether a string is a valid {@link IsoDateTime}: the same check as the schema's, without its parse machinery.
 *
 * @since 0.1.0
 */
export const isIsoDateTime = (value: string): boolean =>
  isoDateTimePattern.test(value) && fieldIssue(value) === undefined

/**
 * An ISO 8601 date-time string with an explicit offset (`Z` or `±hh:mm`) that names a real instant.
 *
 * @since 0.1.0
 */
export const IsoDateTime = Schema.String.pipe(
  Schema.filter((value) => problemOf(value), {
    arbitrary: () => (fc) =>
      fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
        .map((date) => date.toISOString())
  }),
  Schema.brand("IsoDateTime"),
  Schema.annotations({ identifier: "IsoDateTime" })
)
/** @since 0.1.0 */
export type IsoDateTime = typeof IsoDateTime.Type
