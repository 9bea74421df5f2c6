/**
 * The record streams of the migration's phases, read from the bundle each time (it is never held in memory):
 * the distinct customers, then the conversations with their customer's id, then the messages and the notes with
 * their conversation's (and customer's) id. A record whose parent has no id is not sent: it becomes an
 * `Unparsable` record whose reason names the parent and why it is missing, so the pipeline reports it rejected.
 */
import { ImportSource } from "@effect-kustomer/client"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Bundle from "./bundle.js"
import type * as IdMap from "./idMap.js"

/** What the phases ask of the id map: where the parents went. */
export interface Linker {
  readonly customerLinks: IdMap.IdMap["customerLinks"]
  readonly conversationLinks: IdMap.IdMap["conversationLinks"]
}

/** The child phases: objects nested in each conversation. */
export type ChildPhase = "messages" | "notes"

/** Lines handled per look-up of their parents. */
const linesPerBatch = 500

type BundleRecords<E, R> = Stream.Stream<ImportSource.SourceRecord, E, R>

interface SplitLine {
  readonly position: ImportSource.Position
  readonly parts: Bundle.BundleParts
}

/** The lines that are conversations with a usable shape (the others are reported by the conversations phase). */
const splitLines = <E, R>(records: BundleRecords<E, R>): Stream.Stream<SplitLine, E, R> =>
  Stream.filterMap(records, (record) =>
    record._tag === "Unparsable"
      ? Option.none()
      : Option.map(Either.getRight(Bundle.split(record.value)), (parts) => ({ position: record.position, parts })))

/** Every distinct customer of the bundle, first appearance first, for the id map. */
export const customersToCollect = <E, R>(records: BundleRecords<E, R>) =>
  splitLines(records).pipe(
    Stream.filterMap((line) =>
      Option.map(Either.getRight(line.parts.customer), (customer) => ({
        key: customer.key,
        line: line.position.line ?? line.position.index + 1,
        record: JSON.stringify(customer.record)
      }))
    )
  )

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
  importedAt: string,
  findByEmail: FindByEmail<LE>,
  onFound: Effect.Effect<void>
): Stream.Stream<ImportSource.SourceRecord, E | LE | IdMap.IdMapError, R> =>
  customers.pipe(
    Stream.grouped(linesPerBatch),
    Stream.mapEffect((rows) =>
      Effect.map(idMap.customerLinks(Chunk.toReadonlyArray(rows).map((row) => row.key)), (links) =>
        Chunk.filter(rows, (row) => Option.isNone(linkedId(Option.fromNullable(links.get(row.key))))))
    ),
    Stream.flattenChunks,
    Stream.mapEffect((row) =>
      emailLookup(row, idMap, findByEmail, onFound), { concurrency: lookupConcurrency }),
    Stream.filterMap((row) =>
      Option.map(row, (pending) =>
        ImportSource.parsed(
          { index: pending.ordinal, line: pending.line },
          Bundle.withLinks(JSON.parse(pending.record), importedAt, {})
        ))
    )
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
          Effect.as(Effect.zipRight(idMap.settleCustomer(row.ordinal, Either.right(id)), onFound), Option.none())
      }))

const parentMissing = (what: string, link: Option.Option<IdMap.Link>): string =>
  Option.match(link, {
    onNone: () => `${what} was not created`,
    onSome: (settled) =>
      Either.match(settled, { onLeft: (why) => `${what} was not created: ${why}`, onRight: () => "" })
  })

const linkedId = (link: Option.Option<IdMap.Link>): Option.Option<string> =>
  Option.flatMap(link, (settled) => Either.getRight(settled))

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
        return all.map((record) => conversationRecord(record, links, importedAt))
      })
    ),
    Stream.flattenIterables
  )

const conversationRecord = (
  record: ImportSource.SourceRecord,
  links: ReadonlyMap<string, IdMap.Link>,
  importedAt: string
): ImportSource.SourceRecord => {
  if (record._tag === "Unparsable") return record
  const parts = Bundle.split(record.value)
  if (Either.isLeft(parts)) return ImportSource.unparsable(record.position, parts.left)
  const customer = parts.right.customer
  if (Either.isLeft(customer)) return ImportSource.unparsable(record.position, customer.left)
  const link = Option.fromNullable(links.get(customer.right.key))
  return Option.match(linkedId(link), {
    onNone: () => ImportSource.unparsable(record.position, parentMissing(`its customer (${customer.right.key})`, link)),
    onSome: (id) =>
      ImportSource.parsed(record.position, Bundle.withLinks(parts.right.conversation, importedAt, { customer: id }))
  })
}

interface Child {
  readonly position: ImportSource.Position
  readonly value: unknown
  readonly conversationIndex: number
  readonly customerKey: string
}

/** The children of each usable line, numbered across the bundle. */
const children = <E, R>(records: BundleRecords<E, R>, phase: ChildPhase): Stream.Stream<Child, E, R> =>
  splitLines(records).pipe(
    Stream.filterMap((line) =>
      Option.map(Either.getRight(line.parts.customer), (customer) => ({ line, customerKey: customer.key }))
    ),
    Stream.mapAccum(0, (ordinal, { customerKey, line }) => {
      const values = phase === "messages" ? line.parts.messages : line.parts.notes
      const numbered = values.map((value, offset): Child => ({
        position: { index: ordinal + offset, line: line.position.line ?? line.position.index + 1 },
        value,
        conversationIndex: line.position.index,
        customerKey
      }))
      return [ordinal + values.length, numbered] as const
    }),
    Stream.flattenIterables
  )

/** A child phase: each message (or note) of each line, linked to its conversation (and its customer). */
export const childRecords = <E, R>(
  records: BundleRecords<E, R>,
  phase: ChildPhase,
  linker: Linker,
  importedAt: string
): Stream.Stream<ImportSource.SourceRecord, E | IdMap.IdMapError, R> =>
  children(records, phase).pipe(
    Stream.grouped(linesPerBatch),
    Stream.mapEffect((batch) =>
      Effect.gen(function*() {
        const all = Chunk.toReadonlyArray(batch)
        const conversations = yield* linker.conversationLinks(all.map((child) => child.conversationIndex))
        const customers = phase === "messages"
          ? yield* linker.customerLinks(all.map((child) => child.customerKey))
          : new Map<string, IdMap.Link>()
        return all.map((child) => childRecord(child, phase, conversations, customers, importedAt))
      })
    ),
    Stream.flattenIterables
  )

const childRecord = (
  child: Child,
  phase: ChildPhase,
  conversations: ReadonlyMap<number, IdMap.Link>,
  customers: ReadonlyMap<string, IdMap.Link>,
  importedAt: string
): ImportSource.SourceRecord => {
  const problem = Bundle.linkProblem(Bundle.linkFields[phase], child.value)
  if (problem !== undefined) return ImportSource.unparsable(child.position, problem)
  const conversationLink = Option.fromNullable(conversations.get(child.conversationIndex))
  const conversationId = linkedId(conversationLink)
  if (Option.isNone(conversationId)) {
    return ImportSource.unparsable(child.position, parentMissing("its conversation", conversationLink))
  }
  if (phase === "notes") {
    return ImportSource.parsed(
      child.position,
      Bundle.withLinks(child.value, importedAt, { conversation: conversationId.value })
    )
  }
  const customerLink = Option.fromNullable(customers.get(child.customerKey))
  return Option.match(linkedId(customerLink), {
    onNone: () =>
      ImportSource.unparsable(child.position, parentMissing(`its customer (${child.customerKey})`, customerLink)),
    onSome: (customerId) =>
      ImportSource.parsed(
        child.position,
        Bundle.withLinks(child.value, importedAt, { conversation: conversationId.value, customer: customerId })
      )
  })
}
