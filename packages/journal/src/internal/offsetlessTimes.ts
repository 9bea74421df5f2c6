/**
 * CSV date-times written without an offset, with no time zone to read them in: counted before the first request
 * and refused. Read as UTC, an export that wrote them in its account's zone would be created hours off, and a
 * history once created cannot be moved.
 */
import { CsvMapping, ImportSource } from "@effect-kustomer/client"
import type { BulkResource } from "@effect-kustomer/domain"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as ResourceRecords from "./resourceRecords.js"

/** What a run does with date-times without an offset when no time zone is given. */
export type Mode = "refuse" | "utc"

/** The cells counted so far, and where the first is. */
export interface Tally {
  readonly count: number
  readonly first: { readonly position: ImportSource.Position; readonly column: string } | undefined
}

export const noTimes: Tally = { count: 0, first: undefined }

/** The tally after one more record (its `timesReadAsUtc`: one column per cell). */
export const add = (tally: Tally, record: ImportSource.SourceRecord): Tally => {
  const columns = record._tag === "Parsed" ? record.timesReadAsUtc ?? [] : []
  const column = columns[0]
  if (column === undefined) return tally
  return { count: tally.count + columns.length, first: tally.first ?? { position: record.position, column } }
}

/** The input has date-times without an offset and no time zone was given: nothing was sent. */
export class OffsetlessTimes extends Data.TaggedError("OffsetlessTimes")<{
  readonly source: string
  readonly count: number
  readonly position: ImportSource.Position
  readonly column: string
  /** The first cell's text, when it could be read again. */
  readonly text: string | undefined
}> {
  /** How many, and the first: `1,204 times have no offset (first: line 7, column "Created at": "…")`. */
  get found(): string {
    const times = this.count === 1 ? "1 time has" : `${this.count.toLocaleString("en-US")} times have`
    const text = this.text === undefined ? "" : `: ${JSON.stringify(this.text)}`
    return `${times} no offset (first: ${ImportSource.describePosition(this.position)}, column ` +
      `${JSON.stringify(this.column)}${text})`
  }

  override get message(): string {
    return `${this.source}: ${this.found}, and no time zone was given to read them in: name the zone the export ` +
      "wrote them in (an IANA name such as Europe/Paris), or UTC if they are UTC. Nothing was sent"
  }
}

/** Whether `zone` reads a time without an offset as UTC would: such a zone does not change the records. */
export const isUtc = (zone: string | DateTime.TimeZone): boolean => {
  const named = typeof zone === "string" ? Either.getOrUndefined(CsvMapping.timeZoneOf(zone)) : zone
  if (named === undefined) return false
  const name = DateTime.zoneToString(named)
  return name === "UTC" || name === "+00:00"
}

/** Whether a CSV input read with these options must be checked: no time zone, and not read as UTC on purpose. */
export const mustCheck = (csv: ImportSource.CsvOptions | undefined, mode: Mode | undefined): boolean =>
  csv?.timeZone === undefined && mode !== "utc"

/** How the input is read again for the first cell's text. */
export interface Reread {
  readonly csv?: ImportSource.CsvOptions | undefined
  readonly encoding?: ImportSource.Encoding | undefined
  readonly sourceName: string
}

/** The text of one cell, read again (up to its row) with a mapping of that column alone. */
const cellText = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  first: NonNullable<Tally["first"]>,
  options: Reread
): Effect.Effect<string | undefined, never, R> =>
  ImportSource.csv(bytes, {
    mapping: { cell: { column: first.column, as: "string" } },
    delimiter: options.csv?.delimiter,
    encoding: options.encoding,
    sourceName: options.sourceName
  }).pipe(
    Stream.filter((record) => record.position.index === first.position.index),
    Stream.runHead,
    Effect.map((record) =>
      Option.getOrUndefined(Option.flatMap(record, (found) => {
        const value = found._tag === "Parsed" && Predicate.isRecord(found.value) ? found.value["cell"] : undefined
        return typeof value === "string" ? Option.some(value) : Option.none()
      }))
    ),
    Effect.orElseSucceed(() => undefined)
  )

/** Fails when the tally counted any time: with how many, and the first (its text read again from `bytes`). */
export const refuse = <E, R>(
  tally: Tally,
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: Reread
): Effect.Effect<void, OffsetlessTimes, R> => {
  const first = tally.first
  if (tally.count === 0 || first === undefined) return Effect.void
  return Effect.flatMap(cellText(bytes, first, options), (text) =>
    Effect.fail(
      new OffsetlessTimes({
        source: options.sourceName,
        count: tally.count,
        position: first.position,
        column: first.column,
        text
      })
    ))
}

/** What {@link check} reads: the input as the import reads it, and the records it takes. */
export interface CheckOptions {
  readonly csv?: ImportSource.CsvOptions | undefined
  readonly encoding?: ImportSource.Encoding | undefined
  readonly sourceName: string
  readonly resource?: BulkResource.Any | undefined
  readonly skip?: number | undefined
  readonly limit?: number | undefined
}

/**
 * One streamed pass over a CSV input, read as an import of `resource` reads it (its mapping, and the resource's
 * own conversions), over the records the import takes: fails with {@link OffsetlessTimes} when a date-time has no
 * offset. An input that cannot be read on is left to the import, which reports it: the records before are counted.
 */
export const check = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options: CheckOptions
): Effect.Effect<void, OffsetlessTimes, R> => {
  const all = ResourceRecords.records(bytes, "csv", options).records.pipe(Stream.catchAll(() => Stream.empty))
  const skipped = options.skip === undefined ? all : Stream.drop(all, options.skip)
  const taken = options.limit === undefined ? skipped : Stream.take(skipped, options.limit)
  return Stream.runFold(taken, noTimes, add).pipe(Effect.flatMap((tally) => refuse(tally, bytes, options)))
}
