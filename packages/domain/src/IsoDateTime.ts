/**
 * Date-time strings as Kustomer writes them: ISO 8601 with a time zone, e.g. `2026-10-21T14:02:11.925Z`.
 *
 * The value stays a string on both sides so that re-encoding reproduces the input exactly.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const isoDateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

/**
 * An ISO 8601 date-time string with an explicit offset (`Z` or `±hh:mm`).
 *
 * @since 0.1.0
 */
export const IsoDateTime = Schema.String.pipe(
  Schema.filter(
    (value) =>
      isoDateTimePattern.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `Expected an ISO 8601 date-time with a time zone (e.g. 2026-10-21T14:02:11.925Z), got ${
          JSON.stringify(value)
        }`,
    {
      arbitrary: () => (fc) =>
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
          .map((date) => date.toISOString())
    }
  ),
  Schema.brand("IsoDateTime"),
  Schema.annotations({ identifier: "IsoDateTime" })
)
/** @since 0.1.0 */
export type IsoDateTime = typeof IsoDateTime.Type
