/**
 * A Zendesk export's files converted: the side files (users, organizations) read into maps by id, the tickets
 * streamed through `convertTicket` and tallied, each outcome emitted as an event; and the conversion's options
 * read from their flags' files (the fields map, the ticket fields).
 */
import { ImportSource } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as NodePath from "node:path"
import * as Bundle from "../../Bundle.js"
import { convertTicket, type Lookups } from "./convert.js"
import { type ExportKey, readRecords } from "./exportFile.js"
import { FidelitySummary, FidelityTally, type Kind, organizationReasons, userReasons } from "./fidelity.js"
import {
  type ConvertOptions,
  defaultOptions,
  defaultPriorityMap,
  emptyFieldsMap,
  type FieldsMap,
  parseFieldsMap,
  parsePriorityMap,
  resolveFieldsMap
} from "./options.js"
import { idText, Organization, Ticket, TicketField, User } from "./schema.js"

// --- The events of a conversion ---

/** A ticket converted: its bundle line. */
export class BundleLine extends Schema.TaggedClass<BundleLine>()("BundleLine", {
  ticket: Schema.String,
  line: Bundle.Line
}) {}

const problemFields = {
  file: Schema.String,
  line: Schema.Number,
  ticket: Schema.optional(Schema.String),
  comment: Schema.optional(Schema.String),
  field: Schema.optional(Schema.String),
  reason: Schema.String,
  ticketDropped: Schema.optional(Schema.Boolean)
}

/** Something of the export not carried, where it is and why. */
export class Problem extends Schema.TaggedClass<Problem>()("Problem", problemFields) {}

/** The end of a conversion: its fidelity summary. */
export class Finished extends Schema.TaggedClass<Finished>()("Finished", { summary: FidelitySummary }) {}

/** What a conversion emits. */
export type Event = BundleLine | Problem | Finished

/** The events' Schema. */
export const Event = Schema.Union(BundleLine, Problem, Finished)

const ProblemLine = Schema.Struct(problemFields)

/** A problem as a line of the problems file: its fields, without the tag. */
export const encodeProblem = (problem: Problem): string => JSON.stringify(Schema.encodeSync(ProblemLine)(problem))

// --- The conversion ---

/** The files of an export and what their conversion is told. */
export interface ExportFiles {
  readonly tickets: string
  readonly users?: string | undefined
  readonly organizations?: string | undefined
  readonly options?: ConvertOptions | undefined
}

const decodeTicket = Schema.decodeUnknownEither(Ticket)
const decodeUser = Schema.decodeUnknownEither(User)
const decodeOrganization = Schema.decodeUnknownEither(Organization)
const decodeTicketField = Schema.decodeUnknownEither(TicketField)

const unreadableTicket = "not a Zendesk ticket (see the problems file)"

/**
 * The records of a side file into `byId`; each record that cannot be read is a problem, and counted as not
 * carried. Emits the problems only.
 */
const sideFile = <A extends { readonly id: string | number }>(
  path: string | undefined,
  key: ExportKey & Kind,
  what: string,
  decode: (value: unknown) => Either.Either<A, { readonly message: string }>,
  byId: Map<string, A>,
  onUnreadable: () => void
): Stream.Stream<Problem, ImportSource.SourceError, FileSystem.FileSystem> =>
  path === undefined ? Stream.empty : readRecords(path, key).pipe(
    Stream.mapConcat((record) => {
      const decoded = Either.flatMap(
        record.value,
        (value) => Either.mapLeft(decode(value), (error) => `not a Zendesk ${what}: ${error.message}`)
      )
      if (Either.isRight(decoded)) {
        byId.set(idText(decoded.right.id), decoded.right)
        return []
      }
      onUnreadable()
      return [new Problem({ file: path, line: record.line, reason: decoded.left })]
    })
  )

/** Each ticket as its bundle line and its problems, tallied. */
const tickets = (
  path: string,
  lookups: Lookups,
  options: ConvertOptions,
  tally: FidelityTally
): Stream.Stream<BundleLine | Problem, ImportSource.SourceError, FileSystem.FileSystem> =>
  readRecords(path, "tickets").pipe(
    Stream.mapConcat((record): ReadonlyArray<BundleLine | Problem> => {
      const ticket = Either.flatMap(
        record.value,
        (value) => Either.mapLeft(decodeTicket(value), (error) => `not a Zendesk ticket: ${error.message}`)
      )
      if (Either.isLeft(ticket)) {
        tally.unreadable("tickets", unreadableTicket)
        return [new Problem({ file: path, line: record.line, reason: ticket.left })]
      }
      const converted = convertTicket(ticket.right, lookups, options)
      tally.record(converted.fidelity)
      const problems = converted.problems.map((problem) => new Problem({ file: path, line: record.line, ...problem }))
      return Option.match(converted.line, {
        onNone: () => problems,
        // The line was decoded by the bundle's Schema in `convertTicket`: not checked again.
        onSome: (line) => [new BundleLine({ ticket: idText(ticket.right.id), line }, true), ...problems]
      })
    })
  )

/**
 * The conversion of an export's files: the side files' problems, then per ticket its line and problems, then the
 * summary. The maps and the tally are this run's own, made when the stream starts.
 */
export const convert = (
  files: ExportFiles
): Stream.Stream<Event, ImportSource.SourceError, FileSystem.FileSystem> =>
  Stream.suspend(() => {
    const tally = new FidelityTally()
    const users = new Map<string, User>()
    const organizations = new Map<string, Organization>()
    const lookups: Lookups = {
      user: (id) => Option.fromNullable(users.get(id)),
      organization: (id) => Option.fromNullable(organizations.get(id))
    }
    return sideFile(
      files.users,
      "users",
      "user",
      decodeUser,
      users,
      () => tally.unreadable("users", userReasons.unreadable)
    ).pipe(
      Stream.concat(
        sideFile(
          files.organizations,
          "organizations",
          "organization",
          decodeOrganization,
          organizations,
          () => tally.unreadable("organizations", organizationReasons.unreadable)
        )
      ),
      Stream.concat(Stream.suspend(() => tickets(files.tickets, lookups, files.options ?? defaultOptions, tally))),
      Stream.concat(Stream.sync(() =>
        new Finished({ summary: tally.summary({ users: users.keys(), organizations: organizations.keys() }) })
      ))
    )
  })

// --- The options ---

/** A mistake in what the conversion is told: a priority map, a fields map or a ticket field that cannot be used. */
export class OptionsError extends Data.TaggedError("ZendeskOptionsError")<{ readonly message: string }> {}

/** What the options are read from: the flags' values and files. */
export interface OptionsInput {
  readonly includeDeleted?: boolean | undefined
  readonly priorityMap?: string | undefined
  readonly fieldsMap?: string | undefined
  readonly ticketFields?: string | undefined
  /**
   * A folder of attachments already downloaded: a file named `<attachment id>-<name>` (or `_`), or any file in a
   * folder named by the attachment id, is that attachment's. With {@link OptionsInput.bundle}, the bundle's path,
   * so that the files are named relative to it.
   */
  readonly attachmentsDir?: string | undefined
  /** Where the bundle is written (the `path`s of attachments are relative to its folder). Default: this folder. */
  readonly bundle?: string | undefined
}

/** The attachment id a downloaded file belongs to: its name's leading digits before `-`/`_`, else its folder's. */
const attachmentIdOf = (relative: string): string | undefined => {
  const segments = relative.split(/[\\/]/)
  const name = segments[segments.length - 1] ?? ""
  const prefixed = /^(\d+)[-_]/.exec(name)?.[1]
  if (prefixed !== undefined) return prefixed
  const folder = segments[segments.length - 2]
  return folder !== undefined && /^\d+$/.test(folder) ? folder : undefined
}

/** Every file of the attachments folder by attachment id, as a path relative to the bundle's folder. */
const readAttachmentFiles = (dir: string, bundle: string | undefined) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const entries = yield* fs.readDirectory(dir, { recursive: true }).pipe(
      Effect.mapError((error) => new ImportSource.SourceError({ source: dir, reason: error.message }))
    )
    const from = NodePath.dirname(NodePath.resolve(bundle ?? "bundle.jsonl"))
    const files = new Map<string, string>()
    for (const entry of [...entries].sort()) {
      const id = attachmentIdOf(entry)
      const full = NodePath.join(dir, entry)
      const info = yield* Effect.option(fs.stat(full))
      if (id === undefined || files.has(id) || Option.isNone(info) || info.value.type !== "File") continue
      files.set(id, NodePath.relative(from, NodePath.resolve(full)))
    }
    return files
  })

/** The ticket fields' definitions, when given; one that cannot be read stops the conversion. */
const readTicketFields = (path: string | undefined) =>
  path === undefined ? Effect.succeed(undefined) : readRecords(path, "ticket_fields").pipe(
    Stream.mapEffect((record) =>
      Either.match(
        Either.flatMap(record.value, (value) => Either.mapLeft(decodeTicketField(value), (error) => error.message)),
        {
          onLeft: (reason) =>
            Effect.fail(new OptionsError({ message: `${path}:${record.line}: not a Zendesk ticket field: ${reason}` })),
          onRight: (field) => Effect.succeed(field)
        }
      )
    ),
    Stream.runCollect,
    Effect.map((fields) => Array.from(fields))
  )

const readText = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError((error) => new ImportSource.SourceError({ source: path, reason: error.message }))
  )

/** The fields map from its file, with its titles looked up in the ticket fields. */
const readFieldsMap = (path: string, ticketFields: ReadonlyArray<TicketField> | undefined) =>
  Effect.gen(function*() {
    const entries = yield* Either.mapLeft(parseFieldsMap(yield* readText(path), path), (message) =>
      new OptionsError({ message }))
    return yield* Either.mapLeft(resolveFieldsMap(entries, ticketFields), (message) =>
      new OptionsError({ message: `${path}: ${message}` }))
  })

/** The conversion's options; a mistake in them stops the conversion before anything is converted. */
export const readOptions = (
  input: OptionsInput
): Effect.Effect<ConvertOptions, ImportSource.SourceError | OptionsError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const priorityMap = input.priorityMap === undefined
      ? defaultPriorityMap
      : yield* Either.mapLeft(parsePriorityMap(input.priorityMap), (message) => new OptionsError({ message }))
    const ticketFields = yield* readTicketFields(input.ticketFields)
    const fieldsMap: FieldsMap = input.fieldsMap === undefined
      ? emptyFieldsMap
      : yield* readFieldsMap(input.fieldsMap, ticketFields)
    const attachmentFiles = input.attachmentsDir === undefined
      ? undefined
      : yield* readAttachmentFiles(input.attachmentsDir, input.bundle)
    return {
      includeDeleted: input.includeDeleted ?? false,
      priorityMap,
      fieldsMap,
      ...(attachmentFiles === undefined ? {} : { attachmentFiles })
    }
  })
