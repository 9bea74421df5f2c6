/**
 * The rejects file's lines of objects (`Bundle.Reject`), written once every phase is done (attachments' lines are
 * written as they come): one per object not created for a reason of its own, with the bundle line that sends it
 * again; the objects not created only because of it are counted on its line (`dependants`) and sent again with it.
 *
 * - a company: its line, without a bundle line (its customers were created without it, and a run does not change
 *   a customer that exists);
 * - a customer: its line carries its first conversation's line, and counts its conversations and theirs; each of
 *   its other conversations has a line of its own (a bundle line each) naming the customer as its `cause`;
 * - a conversation: its whole line — customer, messages, notes, none of which could be created;
 * - a message or note in a conversation that was created: the conversation's line holding only it. The run that
 *   reads it finds the customer and the conversation by their keys (`AlreadyExisting`, then a look-up) and reads the
 *   conversation's children back before sending any, so it creates nothing twice.
 *
 * A line has no bundle line where sending it again could double an object or could not create it: a conversation of
 * unknown fate without an `externalId`; a message or note without one, or in a conversation without one (the
 * children of a conversation that exists are found again by their `externalId` only). In a bundle line, a company
 * that was created is named by its id (so it is not created again), and a file's `path` is made absolute (the
 * rejects file may live in another folder than the bundle).
 *
 * Read from the phase journals (what each did not create, in position order), the id map and the bundle, read once
 * more (twice when a customer was not created: its dependants are counted first). Memory holds a batch of lines,
 * a page of each journal's rejects and the customers not created.
 */
import type { ImportEvent, ImportSource } from "@effect-kustomer/client"
import { type JournalError, RejectsFile } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Path from "node:path"
import type * as BundleSchema from "../Bundle.js"
import * as Bundle from "./bundle.js"
import type * as IdMap from "./idMap.js"
import * as Input from "./input.js"
import type * as JournalSet from "./journalSet.js"
import * as Phases from "./phases.js"
import type { Phase } from "./pipeline.js"
import type * as Rejects from "./rejects.js"

/** An object a phase did not create, as its journal recorded it. */
type NotCreated = ImportEvent.Rejected | ImportEvent.Failed | ImportEvent.Unknown

/**
 * The objects the lines written stand for: `rootCauses`, each not created for a reason of its own, and
 * `dependants`, not created only because one of those was not (counted on its line, sent again with it).
 */
export interface RejectsCounts {
  readonly rootCauses: number
  readonly dependants: number
}

/** What the lines are written from. */
export interface RejectsContext {
  readonly input: Input.BundleInput
  readonly idMap: JournalSet.JournalSet
  /** The phases the migration ran (their journals exist). */
  readonly phases: ReadonlyArray<Phase>
  readonly window: Input.WindowKeys | undefined
  readonly rejects: Rejects.RejectsWriter
}

/** Lines handled per look-up of their parents. */
const linesPerBatch = 500

/** A stream sorted by index, read in steps. */
interface Cursor<E> {
  /** What is at or before an index and was not taken yet, by index. */
  readonly upTo: (last: number) => Effect.Effect<ReadonlyMap<number, NotCreated>, E>
  /** Whether nothing is left to take. */
  readonly isEmpty: Effect.Effect<boolean, E>
}

const cursorOf = <E>(stream: Stream.Stream<NotCreated, E>): Effect.Effect<Cursor<E>, never, Scope.Scope> =>
  Effect.map(Stream.toPull(stream), (pull) => {
    let buffered: Array<NotCreated> = []
    let done = false
    const upTo = (last: number): Effect.Effect<ReadonlyMap<number, NotCreated>, E> =>
      Effect.gen(function*() {
        while (!done && (buffered.length === 0 || (buffered[buffered.length - 1]?.position.index ?? 0) <= last)) {
          const next = yield* Effect.either(pull)
          if (Either.isRight(next)) buffered = [...buffered, ...Chunk.toReadonlyArray(next.right)]
          else if (Option.isNone(next.left)) done = true
          else return yield* Effect.fail(next.left.value)
        }
        const taken = buffered.filter((outcome) => outcome.position.index <= last)
        buffered = buffered.filter((outcome) => outcome.position.index > last)
        return new Map(taken.map((outcome) => [outcome.position.index, outcome] as const))
      })
    return { upTo, isEmpty: Effect.map(upTo(-1), () => done && buffered.length === 0) }
  })

/** The line of an object not created, with its bundle line when there is one (else what was sent or read). */
const rejectOf = (
  resource: Phase,
  outcome: NotCreated,
  more: {
    readonly dependants?: BundleSchema.Dependants | undefined
    readonly cause?: BundleSchema.Reject["cause"] | undefined
    readonly bundle?: unknown
  } = {}
): ReadonlyArray<BundleSchema.Reject> =>
  Option.match(RejectsFile.entryOf(outcome), {
    onNone: () => [],
    onSome: ({ record, ...entry }) => [{
      resource,
      ...entry,
      ...(more.dependants === undefined || countOf(more.dependants) === 0
        ? {}
        : { dependants: withoutNone(more.dependants) }),
      ...(more.cause === undefined ? {} : { cause: more.cause }),
      ...(more.bundle === undefined ? { record } : { bundle: more.bundle })
    }]
  })

/** Dependants without the kinds there are none of. */
const withoutNone = (dependants: BundleSchema.Dependants): BundleSchema.Dependants =>
  Object.fromEntries(Object.entries(dependants).filter(([, count]) => count !== undefined && count > 0))

/** How many objects dependants are. */
const countOf = (dependants: BundleSchema.Dependants): number =>
  (dependants.conversations ?? 0) + (dependants.messages ?? 0) + (dependants.notes ?? 0)

/** A line's messages and notes: none is created when its conversation is not. */
const childrenOf = (value: unknown): { messages: number; notes: number } => {
  const count = (key: string) => Predicate.isRecord(value) && Array.isArray(value[key]) ? value[key].length : 0
  return { messages: count("messages"), notes: count("notes") }
}

const hasExternalId = (value: unknown): boolean =>
  Predicate.isRecord(value) && typeof value["externalId"] === "string" && value["externalId"] !== ""

/** A message's or note's files with an absolute `path`: the bundle's folder is not the rejects file's. */
const withAbsolutePaths = (child: unknown, folder: string): unknown => {
  if (!Predicate.isRecord(child) || !Array.isArray(child["attachments"])) return child
  const attachments = child["attachments"].map((attachment: unknown) =>
    Predicate.isRecord(attachment) && typeof attachment["path"] === "string"
      ? { ...attachment, path: Path.resolve(folder, attachment["path"]) }
      : attachment
  )
  return { ...child, attachments }
}

/**
 * A line as the rejects file sends it again: its customer's company by its id when it was created (a company
 * known by name only would be created again), its files' paths absolute.
 */
const bundleForm = (value: unknown, companies: ReadonlyMap<string, IdMap.Parent>, folder: string): unknown => {
  if (!Predicate.isRecord(value)) return value
  const customer = value["customer"]
  const company = Option.flatMap(
    Bundle.companyOf(customer),
    (company) => Option.fromNullable(companies.get(Bundle.companyKey(company)))
  )
  const children = (key: string) =>
    Array.isArray(value[key]) ? { [key]: value[key].map((child: unknown) => withAbsolutePaths(child, folder)) } : {}
  return {
    ...value,
    ...(Predicate.isRecord(customer) && Option.isSome(company) && company.value._tag === "Linked"
      ? { customer: { ...customer, company: company.value.id } }
      : {}),
    ...children("messages"),
    ...children("notes")
  }
}

/** A customer not created: its line, and what its lines count. */
interface CustomerReject {
  readonly outcome: NotCreated
  readonly dependants: { conversations: number; messages: number; notes: number }
  written: boolean
}

/** What the lines of one batch are judged by. */
interface Judged {
  readonly conversations: ReadonlyMap<number, NotCreated>
  /** The id map's word on the conversations above: one of unknown fate may have been linked by a later attempt. */
  readonly conversationLinks: ReadonlyMap<number, IdMap.Parent>
  readonly children: { readonly [P in Phases.ChildPhase]: ReadonlyMap<number, NotCreated> }
  readonly customers: ReadonlyMap<string, IdMap.Parent>
  readonly companies: ReadonlyMap<string, IdMap.Parent>
  readonly rejectedCustomers: ReadonlyMap<string, CustomerReject>
  readonly folder: string
}

/** The lines of one bundle record: its conversation's, its customer's, or its messages' and notes'. */
const linesOf = (numbered: Phases.NumberedRecord, judged: Judged): ReadonlyArray<BundleSchema.Reject> => {
  const { record, usable } = numbered
  const index = record.position.index
  const conversation = judged.conversationLinks.get(index)?._tag === "Linked"
    ? undefined
    : judged.conversations.get(index)
  if (record._tag === "Unparsable") {
    return conversation === undefined ? [] : rejectOf("conversations", conversation, { bundle: record.text })
  }
  const line = bundleForm(record.value, judged.companies, judged.folder)
  if (Option.isNone(usable)) {
    // A line that is no object is sent again as its JSON text, read back as the same value.
    return conversation === undefined ? [] : rejectOf("conversations", conversation, {
      dependants: childrenOf(line),
      bundle: Predicate.isRecord(line) ? line : JSON.stringify(line)
    })
  }
  const { customer, first, parts } = usable.value
  const owner = judged.customers.get(customer.key)?._tag === "Linked"
    ? undefined
    : judged.rejectedCustomers.get(customer.key)
  if (owner !== undefined) {
    if (owner.written) {
      return conversation === undefined ? [] : rejectOf("conversations", conversation, {
        dependants: childrenOf(line),
        cause: { resource: "customers", position: owner.outcome.position },
        bundle: line
      })
    }
    // The customer's first line carries it (and gives its fields to the run that reads the rejects file).
    owner.written = true
    return rejectOf("customers", owner.outcome, { dependants: owner.dependants, bundle: line })
  }
  if (conversation !== undefined) {
    const resend = conversation._tag !== "Unknown" || hasExternalId(parts.conversation)
    return rejectOf("conversations", conversation, {
      dependants: childrenOf(line),
      ...(resend ? { bundle: line } : {})
    })
  }
  // The conversation was created (or found): its children not created, each with the line holding only it.
  const { messages: _messages, notes: _notes, ...conversationLine } = Predicate.isRecord(line) ? line : {}
  return (["messages", "notes"] as const).flatMap((phase) =>
    parts[phase].flatMap((child, offset) => {
      const outcome = judged.children[phase].get(first[phase] + offset)
      if (outcome === undefined) return []
      const resend = hasExternalId(parts.conversation) && hasExternalId(child)
      return rejectOf(phase, outcome, {
        ...(resend ? { bundle: { ...conversationLine, [phase]: [withAbsolutePaths(child, judged.folder)] } } : {})
      })
    })
  )
}

/** The customers not created, by key, with their dependants counted in the bundle's lines. */
const rejectedCustomers = <E>(
  context: RejectsContext,
  rejects: Stream.Stream<NotCreated, E>
) =>
  Effect.gen(function*() {
    const byKey = new Map<string, CustomerReject>()
    yield* Stream.runForEach(rejects, (outcome) =>
      Effect.gen(function*() {
        const key = yield* context.idMap.customerKey(outcome.position.index)
        if (Option.isNone(key)) return
        // One of unknown fate may have been linked by a later attempt: it was created.
        const link = (yield* context.idMap.customerLinks([key.value])).get(key.value)
        if (link?._tag === "Linked") return
        byKey.set(key.value, { outcome, dependants: { conversations: 0, messages: 0, notes: 0 }, written: false })
      }))
    if (byKey.size === 0) {
      return byKey
    }
    yield* Stream.runForEach(Phases.numberedRecords(Input.bundleRecords(context.input)), ({ record, usable }) =>
      Effect.sync(() => {
        if (Option.isNone(usable) || !inWindow(context, record)) {
          return
        }
        const counts = byKey.get(usable.value.customer.key)?.dependants
        if (counts === undefined) {
          return
        }
        counts.conversations += 1
        counts.messages += usable.value.parts.messages.length
        counts.notes += usable.value.parts.notes.length
      }))
    return byKey
  })

const inWindow = (context: RejectsContext, record: ImportSource.SourceRecord): boolean =>
  context.window === undefined || Input.inWindow(context.window.window, record.position.index)

/** The highest index of a batch's children of one phase (-1 when it has none). */
const lastChild = (batch: ReadonlyArray<Phases.NumberedRecord>, phase: Phases.ChildPhase): number =>
  batch.reduce(
    (last, { usable }) =>
      Option.match(usable, {
        onNone: () => last,
        onSome: (line) => Math.max(last, line.first[phase] + line.parts[phase].length - 1)
      }),
    -1
  )

/**
 * Writes the lines of the objects not created, from the phase journals, the id map and the bundle (see the module's
 * comment); what the lines stand for.
 */
export const writeObjects = (
  context: RejectsContext
): Effect.Effect<
  RejectsCounts,
  JournalError.JournalError | IdMap.IdMapError | ImportSource.SourceError,
  Scope.Scope | FileSystem.FileSystem
> =>
  Effect.gen(function*() {
    const { idMap, input, rejects } = context
    const journals = new Map<Phase, Stream.Stream<NotCreated, JournalError.JournalError>>()
    for (const phase of context.phases) {
      journals.set(phase, (yield* idMap.openPhase(phase, rejects)).rejects)
    }
    const rejectsOf = (phase: Phase) => journals.get(phase) ?? Stream.empty
    let rootCauses = 0
    let dependants = 0
    const write = (line: BundleSchema.Reject) => {
      if (line.cause === undefined) {
        rootCauses += 1
        dependants += countOf(line.dependants ?? {})
      }
      return rejects.writeReject(line)
    }
    yield* Stream.runForEach(rejectsOf("companies"), (outcome) =>
      Effect.forEach(rejectOf("companies", outcome), write, { discard: true }))
    const customers = yield* rejectedCustomers(context, rejectsOf("customers"))
    const conversations = yield* cursorOf(rejectsOf("conversations"))
    const messages = yield* cursorOf(rejectsOf("messages"))
    const notes = yield* cursorOf(rejectsOf("notes"))
    const folder = Path.resolve(Path.dirname(input.bundle))
    // Read the bundle again only when one of its lines has something to say.
    const empty = yield* Effect.all([conversations.isEmpty, messages.isEmpty, notes.isEmpty])
    if (customers.size === 0 && !empty.includes(false)) {
      return { rootCauses, dependants }
    }
    yield* Phases.numberedRecords(Input.bundleRecords(input)).pipe(
      Stream.grouped(linesPerBatch),
      Stream.runForEach((chunk) =>
        Effect.gen(function*() {
          const batch = Chunk.toReadonlyArray(chunk)
          const lines = batch.filter(({ record }) =>
            inWindow(context, record)
          )
          const usable = lines.flatMap(({ usable }) => Option.toArray(usable))
          const notCreated = yield* conversations.upTo(batch[batch.length - 1]?.record.position.index ?? -1)
          const judged: Judged = {
            conversations: notCreated,
            conversationLinks: yield* idMap.conversationLinks([...notCreated.keys()]),
            children: {
              messages: yield* messages.upTo(lastChild(batch, "messages")),
              notes: yield* notes.upTo(lastChild(batch, "notes"))
            },
            customers: yield* idMap.customerLinks(usable.map((line) => line.customer.key)),
            companies: yield* idMap.companyLinks(
              usable.flatMap((line) =>
                Option.toArray(
                  Option.map(Bundle.companyOf(line.customer.record), (company) => Bundle.companyKey(company))
                )
              )
            ),
            rejectedCustomers: customers,
            folder
          }
          yield* Effect.forEach(
            lines,
            (numbered) => Effect.forEach(linesOf(numbered, judged), write, { discard: true }),
            { discard: true }
          )
        })
      )
    )
    // A customer none of whose lines was read (it cannot be, short of a changed bundle): its line all the same.
    for (const customer of customers.values()) {
      if (!customer.written) yield* Effect.forEach(rejectOf("customers", customer.outcome), write)
    }
    return { rootCauses, dependants }
  })
