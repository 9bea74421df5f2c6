/**
 * CSV date-times without an offset (`2024-03-31 01:30`, as helpdesk exports write them in the account's zone): a
 * run given no time zone to read them in refuses them before anything is sent, naming how many and the first
 * ({@link OffsetlessTimes}) — the counting, the check and the refusal.
 *
 * @since 0.1.0
 */
import type { ImportSource } from "@effect-kustomer/client"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as Offsetless from "./internal/offsetlessTimes.js"

/**
 * What a run does with CSV date-times without an offset when no time zone is given: `refuse` (the default of
 * `DurableImport.run` and the migration: nothing is sent, see {@link OffsetlessTimes}), or `utc` (read them as
 * UTC, and count them in the report's `timesReadAsUtc`). A time zone given — `UTC` included — reads them in it.
 *
 * @since 0.1.0
 */
export type Mode = Offsetless.Mode

/**
 * A CSV input has date-times without an offset (`2024-03-31 01:30`, as helpdesk exports write them in the
 * account's zone) and no time zone was given to read them in: refused before anything was sent. `count` cells;
 * the first at `position`, in `column`, with its `text`; `found` says both in a line.
 *
 * @since 0.1.0
 */
export const OffsetlessTimes = Offsetless.OffsetlessTimes
/** @since 0.1.0 */
export type OffsetlessTimes = Offsetless.OffsetlessTimes

/**
 * The date-times without an offset counted so far in records (`ImportSource.Parsed`'s `timesReadAsUtc`), and where
 * the first is.
 *
 * @since 0.1.0
 */
export type Tally = Offsetless.Tally

/**
 * None counted yet.
 *
 * @since 0.1.0
 */
export const none: Tally = Offsetless.noTimes

/**
 * The tally after one more record, for a run that reads its input once already (the migration's scan).
 *
 * @since 0.1.0
 */
export const add: (tally: Tally, record: ImportSource.SourceRecord) => Tally = Offsetless.add

/**
 * Whether a CSV input read with these options is checked for date-times without an offset: no time zone is given
 * and they are not to be read as UTC (`mode` `utc`).
 *
 * @since 0.1.0
 */
export const applies: (
  csv: ImportSource.CsvOptions | undefined,
  mode: Mode | undefined
) => boolean = Offsetless.mustCheck

/**
 * How the CSV input was read (its options, encoding and name), to read the first cell's text again.
 *
 * @since 0.1.0
 */
export type Reread = Offsetless.Reread

/**
 * Fails with {@link OffsetlessTimes} when `tally` counted any, its first cell's text read again from `bytes` (up
 * to its row) with the CSV options the records were read with.
 *
 * @since 0.1.0
 */
export const refuse: <E, R>(
  tally: Tally,
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: Reread
) => Effect.Effect<void, OffsetlessTimes, R> = Offsetless.refuse

/**
 * Options of {@link check}: the CSV input as an import reads it (mapping, delimiter, encoding, the
 * resource whose schema converts its cells) and the records it takes (`skip`, `limit`).
 *
 * @since 0.1.0
 */
export type CheckOptions = Offsetless.CheckOptions

/**
 * Reads a CSV input once, as an import of its resource would, and fails with {@link OffsetlessTimes} when a
 * date-time of the records it takes has no offset; `DurableImport.run` runs it before its first request when no
 * time zone is given. The bytes are read again for the first cell's text: give a file's (standard input spooled).
 *
 * @since 0.1.0
 */
export const check: <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: CheckOptions
) => Effect.Effect<void, OffsetlessTimes, R> = Offsetless.check
