/**
 * The record streams of the migration's phases, read from the bundle each time (it is never held in memory):
 * the distinct customers, then the conversations with their customer's id, then the messages and the notes with
 * their conversation's (and customer's) id. A record whose parent was not created is not sent: it becomes an
 * `Unparsable` record whose reason names the parent and why it is missing, so the pipeline reports it rejected.
 * A record whose parent is in doubt (its job's verdict was never read) is held: left out of this attempt and
 * unsettled, so that a later attempt sends it once the parent's fate is known.
 */
import { ImportSource } from "@effect-kustomer/client"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Bundle from "./bundle.js"
import * as IdMap from "./idMap.js"
import type * as LeftOut from "./leftOut.js"
import type * as People from "./people.js"

/** What the phases ask of the id map: where the parents went. */
export interface Linker {
  readonly companyLinks: IdMap.IdMap["companyLinks"]
  readonly customerLinks: IdMap.IdMap["customerLinks"]
  readonly conversationLinks: IdMap.IdMap["conversationLinks"]
  /** Counts a record held back because its parent is in doubt. */
  readonly onHeld: Effect.Effect<void>
  /** The Kustomer users of the history's authors and assignees. */
  readonly people: People.People
  /** What the bundle holds and the migration does not send. */
  readonly leftOut: LeftOut.LeftOut
  /** A message's or note's attachments carried (uploaded, referenced), or `held` when one cannot be for now. */
  readonly carry: (
    phase: ChildPhase,
    position: ImportSource.Position,
    value: unknown
  ) => Effect.Effect<unknown, IdMap.IdMapError>
}

/** Messages and notes whose attachments are carried at once. */
const carryConcurrency = 4

/** The child phases: objects nested in each conversation. */
export type ChildPhase = "messages" | "notes"

/**
 * Lines handled per look-up of their parents: about a request's worth, so that when the phases overlap a batch
 * waits for the parents of about one chunk, not of several.
 */
const linesPerBatch = 100

type BundleRecords<E, R> = Stream.Stream<ImportSource.SourceRecord, E, R>

/** A party (customer or company) as the id map collects it: its key, the line that names it first, its record. */
export interface PartyToCollect {
  readonly key: string
  readonly line: number
  readonly record: string
}

/** A line's parties, for the id map: its customer, and the company the customer names as an object. */
export interface LineParties {
  readonly customer: PartyToCollect
  readonly company: Option.Option<PartyToCollect>
}

/**
 * The parties of a line, for the id map (none when the line or its customer cannot be read). Kept in the id map at
 * their first appearance.
 */
export const partiesToCollect = (record: ImportSource.SourceRecord): Option.Option<LineParties> => {
  if (record._tag === "Unparsable") return Option.none()
  const parts = Bundle.split(record.value)
  if (Either.isLeft(parts)) return Option.none()
  return Option.map(Either.getRight(parts.right.customer), (customer) => {
    const at = record.position.line ?? record.position.index + 1
    const company = Option.map(Bundle.companyOf(customer.record), (company): PartyToCollect => ({
      key: Bundle.companyKey(company),
      line: at,
      record: JSON.stringify(company)
    }))
    return {
      customer: { key: customer.key, line: at, record: JSON.stringify(customer.record) } satisfies PartyToCollect,
      company
    }
  })
}

/** The parties a bundle line names: its customer's key, and its company's when named as an object. */
export const partiesOf = (
  record: ImportSource.SourceRecord
): ReadonlyArray<{ readonly customer: string; readonly company: string | undefined }> => {
  if (record._tag === "Unparsable") return []
  const parts = Bundle.split(record.value)
  if (Either.isLeft(parts) || Either.isLeft(parts.right.customer)) return []
  const customer = parts.right.customer.right
  const company = Option.getOrUndefined(
    Option.map(Bundle.companyOf(customer.record), (company) => Bundle.companyKey(company))
  )
  return [{ customer: customer.key, company }]
}

/** The rows of a parties table that are not linked yet, by ordinal, a batch of links read at a time. */
const unlinked = <E, R, LE>(
  rows: Stream.Stream<IdMap.CustomerRow, E, R>,
  links: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, IdMap.Parent>, LE>
) =>
  rows.pipe(
    Stream.grouped(linesPerBatch),
    Stream.mapEffect((batch) =>
      Effect.map(links(Chunk.toReadonlyArray(batch).map((row) => row.key)), (linked) =>
        Chunk.filter(batch, (row) => linked.get(row.key)?._tag !== "Linked"))
    ),
    Stream.flattenChunks
  )

/**
 * The companies phase: the distinct companies customers name as objects, by ordinal, except those the id map
 * already links. Kustomer neither looks companies up nor reports a duplicate, so the phase journal alone keeps
 * them from being created twice.
 */
export const companyRecords = <E, R>(
  companies: Stream.Stream<IdMap.CustomerRow, E, R>,
  idMap: Pick<IdMap.IdMap, "companyLinks">,
  importedAt: string
): Stream.Stream<ImportSource.SourceRecord, E | IdMap.IdMapError, R> =>
  unlinked(companies, idMap.companyLinks).pipe(
    Stream.map((row) =>
      ImportSource.parsed(
        { index: row.ordinal, line: row.line },
        Bundle.withLinks(JSON.parse(row.record), importedAt, {})
      )
    )
  )

/**
 * A customer as sent: the company it names as an object linked to the id the companies phase gave it; a company
 * that was not created (rejected, or in doubt) or that is no company (no name) is left out, and counted — the
 * customer is still created. A company id (a string) is sent as given.
 */
const withCompany = (
  customer: unknown,
  companies: ReadonlyMap<string, IdMap.Parent>,
  leftOut: LeftOut.LeftOut
): unknown => {
  if (!Predicate.isRecord(customer) || !Predicate.isRecord(customer["company"])) return customer
  const { company: _company, ...fields } = customer
  const linked = Option.flatMap(
    Bundle.companyOf(customer),
    (company) =>
      Option.fromNullable(companies.get(Bundle.companyKey(company))).pipe(
        Option.filter((parent) => parent._tag === "Linked")
      )
  )
  if (Option.isSome(linked) && linked.value._tag === "Linked") return { ...fields, company: linked.value.id }
  leftOut.company()
  return fields
}

/** Finds a customer's id by e-mail; `None` when Kustomer has none. */
export type FindByEmail<E> = (email: string) => Effect.Effect<Option.Option<string>, E>

/** Customers looked up concurrently. */
const lookupConcurrency = 4

/**
 * The customers phase: the distinct customers, by ordinal, except those whose id the id map already holds. A
 * customer known only by e-mail is looked up first (Kustomer reports no duplicate for an e-mail): one that exists
 * is linked, not created again, and `onFound` counts it.
 */
export const customerRecords = <E, R, LE>(
  customers: Stream.Stream<IdMap.CustomerRow, E, R>,
  idMap: Pick<IdMap.IdMap, "customerLinks" | "settleCustomer">,
  companyLinks: IdMap.IdMap["companyLinks"],
  importedAt: string,
  findByEmail: FindByEmail<LE>,
  onFound: Effect.Effect<void>,
  leftOut: LeftOut.LeftOut
): Stream.Stream<ImportSource.SourceRecord, E | LE | IdMap.IdMapError, R> =>
  unlinked(customers, idMap.customerLinks).pipe(
    Stream.grouped(linesPerBatch),
    // A few look-ups by e-mail at a time; a batch without customers known only by e-mail needs no fiber per row.
    Stream.mapEffect((batch) => {
      const rows = Chunk.toReadonlyArray(batch)
      const lookingUp = rows.some((row) => row.key.startsWith(emailKeyPrefix))
      return Effect.map(
        Effect.forEach(
          rows,
          (row) => emailLookup(row, idMap, findByEmail, onFound),
          lookingUp ? { concurrency: lookupConcurrency } : undefined
        ),
        (kept) => kept.flatMap((row) => Option.toArray(row))
      )
    }),
    Stream.mapEffect((rows) => {
      const pending = rows.map((row) => ({ row, customer: JSON.parse(row.record) }))
      const keys = pending.flatMap(({ customer }) =>
        Option.toArray(Option.map(Bundle.companyOf(customer), (company) => Bundle.companyKey(company)))
      )
      return Effect.map(companyLinks(keys), (companies) =>
        pending.map(({ customer, row }) =>
          ImportSource.parsed(
            { index: row.ordinal, line: row.line },
            Bundle.withLinks(withCompany(customer, companies, leftOut), importedAt, {})
          )
        ))
    }),
    Stream.flattenIterables
  )

/** How the id map keys a customer known only by e-mail. */
export const emailKeyPrefix = "email:"

/** The row to create, or `None` when the customer was found by e-mail (and linked). */
const emailLookup = <LE>(
  row: IdMap.CustomerRow,
  idMap: Pick<IdMap.IdMap, "settleCustomer">,
  findByEmail: FindByEmail<LE>,
  onFound: Effect.Effect<void>
): Effect.Effect<Option.Option<IdMap.CustomerRow>, LE | IdMap.IdMapError> =>
  !row.key.startsWith(emailKeyPrefix)
    ? Effect.succeed(Option.some(row))
    : Effect.flatMap(findByEmail(row.key.slice(emailKeyPrefix.length)), (found) =>
      Option.match(found, {
        onNone: () => Effect.succeed(Option.some(row)),
        onSome: (id) =>
          Effect.as(
            Effect.zipRight(idMap.settleCustomer(row.ordinal, IdMap.Parent.Linked({ id, existed: true })), onFound),
            Option.none()
          )
      }))

/** What a record does about its parent: sent with the parent's id, rejected with a reason, or held. */
type ParentFate = Either.Either<string, string> | "held"

/** What a record does about its parent, from the parent's fate (`undefined`: not settled, so not created). */
const fateOf = (what: string, parent: IdMap.Parent | undefined): ParentFate => {
  if (parent === undefined) return Either.left(`${what} was not created`)
  return IdMap.Parent.$match(parent, {
    Linked: ({ id }) => Either.right(id),
    NotCreated: ({ reason }) => Either.left(`${what} was not created: ${reason}`),
    InDoubt: (): ParentFate => "held"
  })
}

/** The conversations phase: each line's conversation, linked to its customer. */
export const conversationRecords = <E, R>(
  records: BundleRecords<E, R>,
  linker: Linker,
  importedAt: string
): Stream.Stream<ImportSource.SourceRecord, E | IdMap.IdMapError, R> =>
  records.pipe(
    Stream.grouped(linesPerBatch),
    Stream.mapEffect((lines) =>
      Effect.gen(function*() {
        const all = Chunk.toReadonlyArray(lines)
        const keys = all.flatMap((record) =>
          record._tag === "Parsed"
            ? Either.match(Bundle.split(record.value), {
              onLeft: () => [],
              onRight: (parts) => Either.match(parts.customer, { onLeft: () => [], onRight: (c) => [c.key] })
            })
            : []
        )
        const links = yield* linker.customerLinks(keys)
        return yield* heldOut(
          all.map((record) => conversationRecord(record, links, importedAt, linker.people)),
          linker
        )
      })
    ),
    Stream.flattenIterables
  )

/** The records to send or reject; the held ones are counted and left out. */
const heldOut = (records: ReadonlyArray<ImportSource.SourceRecord | "held">, linker: Linker) =>
  Effect.gen(function*() {
    const kept: Array<ImportSource.SourceRecord> = []
    for (const record of records) {
      if (record === "held") yield* linker.onHeld
      else kept.push(record)
    }
    return kept
  })

const conversationRecord = (
  record: ImportSource.SourceRecord,
  links: ReadonlyMap<string, IdMap.Parent>,
  importedAt: string,
  people: People.People
): ImportSource.SourceRecord | "held" => {
  if (record._tag === "Unparsable") return record
  const parts = Bundle.split(record.value)
  if (Either.isLeft(parts)) return ImportSource.unparsable(record.position, parts.left)
  const customer = parts.right.customer
  if (Either.isLeft(customer)) return ImportSource.unparsable(record.position, customer.left)
  const fate = fateOf(`its customer (${customer.right.key})`, links.get(customer.right.key))
  if (fate === "held") return fate
  return Either.match(fate, {
    onLeft: (reason) => ImportSource.unparsable(record.position, reason),
    onRight: (id) =>
      ImportSource.parsed(
        record.position,
        Bundle.withLinks(withAssignee(parts.right.conversation, people), importedAt, { customer: id })
      )
  })
}

interface Child {
  readonly position: ImportSource.Position
  readonly value: unknown
  readonly conversationIndex: number
  readonly customerKey: string
}

/** A line whose children the child phases send: a conversation with a usable customer. */
export interface UsableLine {
  readonly parts: Bundle.BundleParts
  readonly customer: Bundle.BundleCustomer
  /** The index of its first message (and note) among the bundle's, as the child phases number them. */
  readonly first: { readonly [P in ChildPhase]: number }
}

/** A record of the bundle, with its children's numbers when it is a usable line. */
export interface NumberedRecord {
  readonly record: ImportSource.SourceRecord
  readonly usable: Option.Option<UsableLine>
}

/** The bundle's records, the children of its usable lines numbered across the bundle, per child phase. */
export const numberedRecords = <E, R>(records: BundleRecords<E, R>): Stream.Stream<NumberedRecord, E, R> =>
  Stream.mapAccum(records, { messages: 0, notes: 0 }, (first, record) => {
    const usable = record._tag === "Unparsable" ? Option.none() : Option.flatMap(
      Either.getRight(Bundle.split(record.value)),
      (parts) => Option.map(Either.getRight(parts.customer), (customer): UsableLine => ({ parts, customer, first }))
    )
    const next = Option.match(usable, {
      onNone: () => first,
      onSome: ({ parts }) => ({
        messages: first.messages + parts.messages.length,
        notes: first.notes + parts.notes.length
      })
    })
    return [next, { record, usable }] as const
  })

/** The children of each usable line, numbered across the bundle. */
const children = <E, R>(records: BundleRecords<E, R>, phase: ChildPhase): Stream.Stream<Child, E, R> =>
  numberedRecords(records).pipe(
    Stream.mapConcat(({ record, usable }) =>
      Option.match(usable, {
        onNone: () => [],
        onSome: (line) =>
          line.parts[phase].map((value, offset): Child => ({
            position: { index: line.first[phase] + offset, line: record.position.line ?? record.position.index + 1 },
            value,
            conversationIndex: record.position.index,
            customerKey: line.customer.key
          }))
      })
    )
  )

/** What becomes of a child before it is linked: sent, left out (it exists), or rejected with a reason. */
export type ChildVerdict = "send" | "skip" | { readonly reject: string }

/** Decides each child of a batch (a delta leaves out what an earlier run created). */
export type ChildFilter = (
  children: ReadonlyArray<{ readonly value: unknown; readonly conversationIndex: number }>
) => Effect.Effect<ReadonlyArray<ChildVerdict>, IdMap.IdMapError>

/** A child phase: each message (or note) of each line, linked to its conversation (and its customer). */
export const childRecords = <E, R>(
  records: BundleRecords<E, R>,
  phase: ChildPhase,
  linker: Linker,
  importedAt: string,
  keep: (conversationIndex: number) => boolean = () => true,
  filter?: ChildFilter
): Stream.Stream<ImportSource.SourceRecord, E | IdMap.IdMapError, R> =>
  children(records, phase).pipe(
    Stream.filter((child) => keep(child.conversationIndex)),
    Stream.grouped(linesPerBatch),
    Stream.mapEffect((batch) =>
      Effect.gen(function*() {
        const given = Chunk.toReadonlyArray(batch)
        const verdicts = filter === undefined ? [] : yield* filter(given)
        const rejected = given.flatMap((child, index) => {
          const verdict = verdicts[index]
          return typeof verdict === "object" ? [ImportSource.unparsable(child.position, verdict.reject)] : []
        })
        const all = given.filter((_child, index) => (verdicts[index] ?? "send") === "send")
        const conversations = yield* linker.conversationLinks(all.map((child) => child.conversationIndex))
        const customers = phase === "messages"
          ? yield* linker.customerLinks(all.map((child) => child.customerKey))
          : new Map<string, IdMap.Parent>()
        // A few children's attachments carried at a time; a batch without any needs no fiber per child.
        const carrying = all.some((child) => Bundle.hasAttachments(child.value))
        const records = yield* Effect.forEach(
          all,
          (child) =>
            withAttachments(
              childRecord(child, phase, conversations, customers, importedAt, linker.people),
              phase,
              linker
            ),
          carrying ? { concurrency: carryConcurrency } : undefined
        )
        return [...rejected, ...(yield* heldOut(records, linker))]
      })
    ),
    Stream.flattenIterables
  )

/**
 * A conversation with its `assignee` (the source's agent) as `assignedUsers`, when the agent is a Kustomer user and
 * the bundle does not set `assignedUsers` itself.
 */
const withAssignee = (
  conversation: Readonly<Record<string, unknown>>,
  people: People.People
): Readonly<Record<string, unknown>> => {
  const { assignee, ...fields } = conversation
  if (assignee === undefined || fields["assignedUsers"] !== undefined) return fields
  const user = people.userOf(assignee)
  return user === undefined ? fields : { ...fields, assignedUsers: [user] }
}

/**
 * A message or note with its `author` (who wrote it in the source) as `createdBy`, when the author is a Kustomer
 * user: every note, and messages the team sent (`direction: out`) — an inbound message is the customer's.
 */
const withAuthor = (value: unknown, phase: ChildPhase, people: People.People): unknown => {
  if (!Predicate.isRecord(value) || !("author" in value)) return value
  const { author, ...fields } = value
  const byTeam = phase === "notes" || fields["direction"] === "out"
  if (!byTeam || fields["createdBy"] !== undefined) return fields
  const user = people.userOf(author)
  return user === undefined ? fields : { ...fields, createdBy: user }
}

/** A record to send with its attachments carried; held when one of them must wait. */
const withAttachments = (
  record: ImportSource.SourceRecord | "held",
  phase: ChildPhase,
  linker: Linker
): Effect.Effect<ImportSource.SourceRecord | "held", IdMap.IdMapError> =>
  record === "held" || record._tag === "Unparsable"
    ? Effect.succeed(record)
    : Effect.map(
      linker.carry(phase, record.position, record.value),
      (value) => value === "held" ? value : ImportSource.parsed(record.position, value)
    )

const childRecord = (
  child: Child,
  phase: ChildPhase,
  conversations: ReadonlyMap<number, IdMap.Parent>,
  customers: ReadonlyMap<string, IdMap.Parent>,
  importedAt: string,
  people: People.People
): ImportSource.SourceRecord | "held" => {
  const problem = Bundle.linkProblem(Bundle.linkFields[phase], child.value) ?? Bundle.childProblem(phase, child.value)
  if (problem !== undefined) return ImportSource.unparsable(child.position, problem)
  const conversation = fateOf("its conversation", conversations.get(child.conversationIndex))
  if (conversation === "held") return conversation
  if (Either.isLeft(conversation)) return ImportSource.unparsable(child.position, conversation.left)
  if (phase === "notes") {
    return ImportSource.parsed(
      child.position,
      Bundle.withLinks(withAuthor(child.value, phase, people), importedAt, {
        conversation: conversation.right
      })
    )
  }
  const customer = fateOf(`its customer (${child.customerKey})`, customers.get(child.customerKey))
  if (customer === "held") return customer
  return Either.match(customer, {
    onLeft: (reason) => ImportSource.unparsable(child.position, reason),
    onRight: (customerId) =>
      ImportSource.parsed(
        child.position,
        Bundle.withLinks(withAuthor(child.value, phase, people), importedAt, {
          conversation: conversation.right,
          customer: customerId
        })
      )
  })
}
