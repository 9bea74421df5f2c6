/**
 * A Zendesk export's files converted into migration-bundle lines: the tickets streamed, the side files (users,
 * organizations) held in maps by id, each ticket converted by `ZendeskExport.convertTicket` and tallied by
 * `ZendeskFidelity`. Every outcome is an event — a {@link BundleLine} per converted ticket, a {@link Problem} for
 * whatever was not carried (a record that cannot be read included, with its file and line), and at the end one
 * {@link Finished} with the fidelity summary — so nothing is left out silently, and memory stays flat in the
 * number of tickets.
 *
 * Each file is read through the client's `ImportSource` readers, in the format its first record shows: JSON Lines
 * (Zendesk's full JSON export: one record per line), or one JSON document — an array, or an API page such as
 * `{"tickets": [...], "users": [...], "next_page": ...}` whose array at the file's key (`tickets`, `users`,
 * `organizations`, `ticket_fields`) holds the records — streamed as well. The same page may be given as the
 * tickets and the users file. A file that cannot be read any further fails the stream with a `SourceError`.
 *
 * @since 0.1.0
 */
import type { ImportSource } from "@effect-kustomer/client"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as files from "./internal/zendesk/files.js"
import type * as options from "./internal/zendesk/options.js"

// --- What a conversion emits ---

/**
 * A ticket converted: `ticket` is its Zendesk id, `line` its bundle line (written with `Bundle.encodeLine`).
 *
 * @since 0.1.0
 */
export const BundleLine = files.BundleLine

/** @since 0.1.0 */
export type BundleLine = files.BundleLine

/**
 * Something of the export not carried, and why: `file` and `line` say where (the physical line in JSON Lines, the
 * record's number from 1 in a JSON document); `ticket`, `comment` and `field` what, when a ticket was read;
 * `ticketDropped` whether the ticket itself was left out. A record that cannot be read has only `file`, `line`
 * and `reason`.
 *
 * @since 0.1.0
 */
export const Problem = files.Problem

/** @since 0.1.0 */
export type Problem = files.Problem

/**
 * The last event: the fidelity summary (`ZendeskFidelity.FidelitySummary`) of everything read.
 *
 * @since 0.1.0
 */
export const Finished = files.Finished

/** @since 0.1.0 */
export type Finished = files.Finished

/**
 * What a conversion emits: {@link BundleLine}, {@link Problem}, and {@link Finished} once, at the end.
 *
 * @since 0.1.0
 */
export const Event: Schema.Union<[typeof BundleLine, typeof Problem, typeof Finished]> = files.Event

/** @since 0.1.0 */
export type Event = files.Event

/**
 * A problem as a line of a problems file (JSON, without the event's tag).
 *
 * @since 0.1.0
 */
export const encodeProblem: (problem: Problem) => string = files.encodeProblem

// --- The conversion ---

/**
 * The files of an export: the tickets (comments inline), and optionally the users (requesters, authors,
 * assignees) and organizations (the customers' companies); `options` default to `ZendeskExport.defaultOptions`.
 *
 * @since 0.1.0
 */
export interface ExportFiles extends files.ExportFiles {}

/**
 * Converts an export's files: first the problems of the users and organizations files (read whole into maps by
 * id), then per ticket its {@link BundleLine} and its problems, as the tickets file is read, then {@link Finished}.
 * Each run reads the files anew and has its own tally.
 *
 * @example
 * ```ts
 * import { Bundle, ZendeskFiles } from "@effect-kustomer/migration"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const options = yield* ZendeskFiles.readOptions({ fieldsMap: "fields-map.json", includeDeleted: false })
 *   yield* ZendeskFiles.convert({ tickets: "tickets.json", users: "users.json", options }).pipe(
 *     Stream.runForEach((event) => {
 *       switch (event._tag) {
 *         case "BundleLine": return Effect.log(Bundle.encodeLine(event.line))
 *         case "Problem": return Effect.logWarning(ZendeskFiles.encodeProblem(event))
 *         case "Finished": return Effect.log(`complete: ${event.summary.complete}`)
 *       }
 *     })
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 */
export const convert = (
  exportFiles: ExportFiles
): Stream.Stream<Event, ImportSource.SourceError, FileSystem.FileSystem> =>
  files.convert(exportFiles).pipe(Stream.withSpan("ZendeskFiles.convert"))

// --- The options ---

/**
 * A mistake in what a conversion is told: a priority map, a fields map or a ticket field that cannot be used.
 * `message` says which, and why.
 *
 * @since 0.1.0
 */
export const OptionsError = files.OptionsError

/** @since 0.1.0 */
export type OptionsError = files.OptionsError

/**
 * What a conversion's options are read from: whether deleted tickets are converted, the priority map as text
 * (`low=1,normal=3,…`, over the default map), the fields map's file (JSON or CSV, see
 * `ZendeskExport.parseFieldsMap`) and the ticket fields' file (Zendesk's `GET /api/v2/ticket_fields`, needed when
 * the fields map names a field by title).
 *
 * @since 0.1.0
 */
export interface OptionsInput extends files.OptionsInput {}

/**
 * The conversion's options from their text and files. A priority map, fields map or ticket field that cannot be
 * used fails with an {@link OptionsError}, a file that cannot be read with a `SourceError` — before anything is
 * converted.
 *
 * @since 0.1.0
 */
export const readOptions = (
  input: OptionsInput
): Effect.Effect<options.ConvertOptions, ImportSource.SourceError | OptionsError, FileSystem.FileSystem> =>
  files.readOptions(input).pipe(Effect.withSpan("ZendeskFiles.readOptions"))
