/**
 * The records of one file of a Zendesk export, read through the client's `ImportSource` readers: JSON Lines (the
 * full JSON export, one record per line) or one JSON document — an array, or an API page such as
 * `{"tickets": [...], "next_page": ...}` whose array at the file's key holds the records — both streamed.
 */
import { ImportSource } from "@effect-kustomer/client"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** The files an export is read from, and the key of each in an API page. */
export type ExportKey = "tickets" | "users" | "organizations" | "ticket_fields"

const exportKeys: ReadonlyArray<ExportKey> = ["tickets", "users", "organizations", "ticket_fields"]

/**
 * One record of an export file: its value, or why it cannot be read. `line` is the physical line it is on in JSON
 * Lines, its number (from 1) in a JSON document.
 */
export interface ExportRecord {
  readonly line: number
  readonly value: Either.Either<unknown, string>
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Whether the first record, read as JSON Lines, says the file is JSON Lines: an object that is not an API page. */
const startsJsonLines = (first: Option.Option<ImportSource.SourceRecord>): boolean =>
  Option.match(first, {
    onNone: () => true,
    onSome: (record) => {
      if (record._tag !== "Parsed") return false
      const value = record.value
      return isObject(value) && !exportKeys.some((key) => Array.isArray(value[key]))
    }
  })

const jsonLinesRecord = (record: ImportSource.SourceRecord): ExportRecord => {
  const line = record.position.line ?? record.position.index + 1
  return record._tag === "Parsed"
    ? { line, value: Either.right(record.value) }
    : { line, value: Either.left(`line ${line}: ${record.reason}`) }
}

const documentRecord = (record: ImportSource.SourceRecord): ExportRecord => {
  const line = record.position.index + 1
  return record._tag === "Parsed"
    ? { line, value: Either.right(record.value) }
    : { line, value: Either.left(`record ${line}: ${record.reason}`) }
}

/**
 * The records of an export file, told apart by its first record read as JSON Lines: an object that is not an API
 * page starts JSON Lines; anything else (a first line that is not JSON by itself, an array, a page) starts a JSON
 * document. A record that cannot be read is a `Left` with its line; a file that cannot be read any further fails
 * with the reader's `SourceError`.
 */
export const readRecords = (
  path: string,
  key: ExportKey
): Stream.Stream<ExportRecord, ImportSource.SourceError, FileSystem.FileSystem> =>
  Effect.map(
    Stream.runHead(ImportSource.fromFile(path, { format: "jsonl" })),
    (first) => {
      if (startsJsonLines(first)) return Stream.map(ImportSource.fromFile(path, { format: "jsonl" }), jsonLinesRecord)
      const document = Stream.map(ImportSource.fromFile(path, { format: "json", arrayKey: key }), documentRecord)
      // A first line that is not JSON by itself starts a document written on several lines, or is a broken first
      // line of JSON Lines: when the document cannot be read, the error says both.
      const firstIsJson = Option.exists(first, (record) => record._tag === "Parsed")
      return firstIsJson ? document : Stream.mapError(document, (error) =>
        new ImportSource.SourceError({
          source: error.source,
          reason: `neither JSON Lines nor a JSON document: ${error.reason}`,
          ...(error.position === undefined ? {} : { position: error.position })
        }))
    }
  ).pipe(Stream.unwrap)
