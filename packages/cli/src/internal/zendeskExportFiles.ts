/**
 * Reading a Zendesk export's files for `convert zendesk`: JSON Lines or one JSON document per file, the side files
 * (users, organizations) by id, the ticket fields, and the conversion's options from the request's flags and files.
 */
import { ZendeskExport } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { CliError } from "../Failure.js"

/** The files an export is read from, and the key of each in an API page. */
type ExportKey = "tickets" | "users" | "organizations" | "ticket_fields"

const exportKeys: ReadonlyArray<ExportKey> = ["tickets", "users", "organizations", "ticket_fields"]

/** One value read from an export file, with the line it started on (1-based). */
interface ExportRecord {
  readonly line: number
  readonly value: Either.Either<unknown, string>
}

const parseLine = (text: string, line: number): ExportRecord => {
  try {
    return { line, value: Either.right(JSON.parse(text)) }
  } catch (error) {
    return { line, value: Either.left(`line ${line} is not JSON: ${String(error)}`) }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A whole-file JSON document: an array of records, or an API page whose `key` array holds them. */
const readDocument = (fs: FileSystem.FileSystem, path: string, key: ExportKey) =>
  Effect.gen(function*() {
    const text = yield* fs.readFileString(path)
    const parsed = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) => new CliError({ message: `${path} is neither JSON Lines nor a JSON document: ${String(error)}` })
    })
    const values = Array.isArray(parsed)
      ? parsed
      : yield* Either.match(ZendeskExport.decodePage(parsed), {
        onLeft: () => Effect.fail(new CliError({ message: `${path}: expected an array or {"${key}": [...]}` })),
        onRight: (page) => Effect.succeed(page[key])
      })
    return values.map((value, index): ExportRecord => ({ line: index + 1, value: Either.right(value) }))
  })

/**
 * The records of an export file: JSON Lines (the full JSON export), or one JSON document (an array, or an API page
 * such as `{"tickets": [...], "users": [...]}`) — told apart by the first line.
 */
export const readRecords = (path: string, key: ExportKey) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const lines = fs.stream(path).pipe(Stream.decodeText(), Stream.splitLines)
    const first = yield* Stream.runHead(Stream.filter(lines, (line) => line.trim().length > 0))
    const firstRecord = Option.map(first, (line) => parseLine(line, 1))
    const isJsonLines = Option.match(firstRecord, {
      onNone: () => true,
      onSome: (record) =>
        Either.match(record.value, {
          onLeft: () => false,
          onRight: (value) => isObject(value) && !exportKeys.some((name) => Array.isArray(value[name]))
        })
    })
    if (!isJsonLines) return Stream.fromIterable(yield* readDocument(fs, path, key))
    return lines.pipe(
      Stream.zipWithIndex,
      Stream.filter(([line]) => line.trim().length > 0),
      Stream.map(([line, index]) => parseLine(line, index + 1))
    )
  }).pipe(Stream.unwrap)

/**
 * The records of a side file (users, organizations) by id; undecodable ones are problems and counted as not
 * carried.
 */
export const loadById = <A>(
  path: string | undefined,
  key: "users" | "organizations",
  decode: (value: unknown) => Either.Either<A, { readonly message: string }>,
  keyOf: (record: A) => string,
  onUnreadable: (file: string, line: number, reason: string) => Effect.Effect<void>
) =>
  Effect.gen(function*() {
    const byId = new Map<string, A>()
    if (path === undefined) return byId
    const what = key === "users" ? "user" : "organization"
    yield* readRecords(path, key).pipe(
      Stream.runForEach((record) =>
        Either.match(
          Either.flatMap(
            record.value,
            (value) => Either.mapLeft(decode(value), (error) => `not a Zendesk ${what}: ${error.message}`)
          ),
          {
            onLeft: (reason) => onUnreadable(path, record.line, reason),
            onRight: (found) => Effect.sync(() => void byId.set(keyOf(found), found))
          }
        )
      )
    )
    return byId
  })

/** The ticket fields' definitions, when given: a field map may name fields by title. */
const loadTicketFields = (path: string | undefined) =>
  path === undefined
    ? Effect.succeed(undefined)
    : readRecords(path, "ticket_fields").pipe(
      Stream.mapEffect((record) =>
        Either.match(
          Either.flatMap(
            record.value,
            (value) => Either.mapLeft(ZendeskExport.decodeTicketField(value), (error) => error.message)
          ),
          {
            onLeft: (reason) =>
              Effect.fail(new CliError({ message: `${path}:${record.line}: not a Zendesk ticket field: ${reason}` })),
            onRight: (field) => Effect.succeed(field)
          }
        )
      ),
      Stream.runCollect,
      Effect.map((fields) => Chunk.toReadonlyArray(fields))
    )

/** The conversion's options, from the request's flags and files; a mistake in them stops the conversion. */
export const optionsOf = (request: {
  readonly priorityMap: string | undefined
  readonly ticketFields: string | undefined
  readonly fieldsMap: string | undefined
  readonly includeDeleted: boolean
}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const priorityMap = request.priorityMap === undefined
      ? ZendeskExport.defaultPriorityMap
      : yield* Either.mapLeft(
        ZendeskExport.parsePriorityMap(request.priorityMap),
        (message) => new CliError({ message })
      )
    const ticketFields = yield* loadTicketFields(request.ticketFields)
    let fieldsMap: ZendeskExport.FieldsMap = ZendeskExport.defaultOptions.fieldsMap
    if (request.fieldsMap !== undefined) {
      const text = yield* fs.readFileString(request.fieldsMap)
      const entries = yield* Either.mapLeft(
        ZendeskExport.parseFieldsMap(text, request.fieldsMap),
        (message) => new CliError({ message })
      )
      fieldsMap = yield* Either.mapLeft(
        ZendeskExport.resolveFieldsMap(entries, ticketFields),
        (message) => new CliError({ message: `${request.fieldsMap}: ${message}` })
      )
    }
    return { includeDeleted: request.includeDeleted, priorityMap, fieldsMap } satisfies ZendeskExport.ConvertOptions
  })
