/**
 * `kustomer-bulk convert zendesk <tickets> [--users FILE] --out BUNDLE`: turns a Zendesk export into a migration
 * bundle (JSON Lines, one conversation per line) for `kustomer-bulk migrate`. Tickets are streamed; users are held
 * in memory by id (requesters are found by them). Whatever cannot be carried over is written, with its ticket and
 * comment ids and the reason, to a problems file next to the bundle — nothing is dropped without a word.
 *
 * @since 0.1.0
 */
import { ZendeskExport } from "@effect-kustomer/migration"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { CliError } from "./Failure.js"
import { Output } from "./Output.js"

/**
 * What `convert zendesk` was asked to do.
 *
 * @since 0.1.0
 */
export interface ConvertRequest {
  readonly tickets: string
  readonly users: string | undefined
  readonly out: string
  readonly problems: string | undefined
}

/**
 * What a conversion did, for the summary and tests.
 *
 * @since 0.1.0
 */
export interface ConvertSummary {
  readonly tickets: number
  readonly conversations: number
  readonly messages: number
  readonly notes: number
  readonly problems: number
  readonly problemsFile: string | undefined
}

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
const readDocument = (fs: FileSystem.FileSystem, path: string, key: "tickets" | "users") =>
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
const readRecords = (path: string, key: "tickets" | "users") =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const lines = fs.stream(path).pipe(Stream.decodeText(), Stream.splitLines)
    const first = yield* Stream.runHead(Stream.filter(lines, (line) => line.trim().length > 0))
    const firstRecord = Option.map(first, (line) => parseLine(line, 1))
    const isJsonLines = Option.match(firstRecord, {
      onNone: () => true,
      onSome: (record) =>
        Either.isRight(record.value) && isObject(record.value.right) &&
        !Array.isArray(record.value.right["tickets"]) && !Array.isArray(record.value.right["users"])
    })
    if (!isJsonLines) return Stream.fromIterable(yield* readDocument(fs, path, key))
    return lines.pipe(
      Stream.zipWithIndex,
      Stream.filter(([line]) => line.trim().length > 0),
      Stream.map(([line, index]) => parseLine(line, index + 1))
    )
  }).pipe(Stream.unwrap)

/** The users of the export, by id; undecodable ones are problems. */
const loadUsers = (path: string | undefined, problems: Ref.Ref<Chunk.Chunk<Record<string, unknown>>>) =>
  Effect.gen(function*() {
    const users = new Map<string, ZendeskExport.User>()
    if (path === undefined) return users
    yield* readRecords(path, "users").pipe(
      Stream.runForEach((record) =>
        Either.match(Either.flatMap(record.value, (value) => userOf(value)), {
          onLeft: (reason) => Ref.update(problems, Chunk.append({ file: path, line: record.line, reason })),
          onRight: (user) => Effect.sync(() => void users.set(ZendeskExport.userKey(user), user))
        })
      )
    )
    return users
  })

const userOf = (value: unknown): Either.Either<ZendeskExport.User, string> =>
  Either.mapLeft(ZendeskExport.decodeUser(value), (error) => `not a Zendesk user: ${error.message}`)

/**
 * Converts the export; the bundle is written as it is read.
 *
 * @since 0.1.0
 */
export const convert = (request: ConvertRequest) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const problems = yield* Ref.make(Chunk.empty<Record<string, unknown>>())
    const users = yield* loadUsers(request.users, problems)
    const counts = { tickets: 0, conversations: 0, messages: 0, notes: 0 }
    const encoder = new TextEncoder()
    const addProblems = (entries: ReadonlyArray<Record<string, unknown>>) =>
      Ref.update(problems, (all) => Chunk.appendAll(all, Chunk.fromIterable(entries)))
    yield* readRecords(request.tickets, "tickets").pipe(
      Stream.mapEffect((record) =>
        Effect.gen(function*() {
          counts.tickets += 1
          const ticket = Either.flatMap(record.value, (value) =>
            Either.mapLeft(ZendeskExport.decodeTicket(value), (error) => `not a Zendesk ticket: ${error.message}`))
          if (Either.isLeft(ticket)) {
            yield* addProblems([{ file: request.tickets, line: record.line, reason: ticket.left }])
            return Option.none<string>()
          }
          const converted = ZendeskExport.convertTicket(ticket.right, (id) =>
            Option.fromNullable(users.get(id)))
          yield* addProblems(
            converted.problems.map((problem) => ({ file: request.tickets, line: record.line, ...problem }))
          )
          return Option.map(converted.line, (line) => {
            counts.conversations += 1
            counts.messages += Array.isArray(line["messages"]) ? line["messages"].length : 0
            counts.notes += Array.isArray(line["notes"]) ? line["notes"].length : 0
            return `${JSON.stringify(line)}\n`
          })
        })
      ),
      Stream.filterMap((line) => line),
      Stream.map((line) => encoder.encode(line)),
      Stream.run(fs.sink(request.out))
    )
    const found = Chunk.toReadonlyArray(yield* Ref.get(problems))
    const problemsFile = found.length === 0 ? undefined : request.problems ?? `${request.out}.problems.jsonl`
    if (problemsFile !== undefined) {
      yield* fs.writeFileString(problemsFile, found.map((problem) => `${JSON.stringify(problem)}\n`).join(""))
    }
    return { ...counts, problems: found.length, problemsFile } satisfies ConvertSummary
  })

/**
 * Runs `convert zendesk` and prints its summary; returns 0, or 2 when something could not be carried over.
 *
 * @since 0.1.0
 */
export const run = (request: ConvertRequest) =>
  Effect.gen(function*() {
    const output = yield* Output
    const summary = yield* convert(request)
    yield* output.err(
      `converted ${summary.tickets} tickets into ${summary.conversations} conversations with ` +
        `${summary.messages} messages and ${summary.notes} notes → ${request.out}`
    )
    if (summary.problemsFile !== undefined) {
      yield* output.err(`${summary.problems} problems (not carried over) → ${summary.problemsFile}`)
      return 2
    }
    return 0
  })
