/**
 * A delta migration: a newer export of the same source migrated over the journal of the first run. Objects are
 * matched by key — a conversation, message or note by its `externalId`, a customer or company by the key the id
 * map gives it — in the journal's ledger (`ledger.ts`), never by line, so a re-export in another order is the same.
 *
 * Each delta is a generation of the journal: its own journal set beside the journal (`<journal>.delta-<n>`, an id
 * map and a phase journal per phase), for one export (by its fingerprint), so a delta interrupted and run again
 * continues, and a finished one run again sends nothing. Before its phases, the delta records its export's keys
 * (once), plans (once: what the ledger knows is matched; a matched conversation whose updatable fields changed is
 * to be updated) and links its id map to the matched parties and conversations. Its phases then create what is new
 * — the pipeline's look-ups and in-doubt checks as in a first run —, the updates phase sends the changes with the
 * bulk update, and what the ledger knows and the export no longer has is counted as gone, never deleted.
 */
import { type ImportCheckpoint, type ImportEvent, ImportSource } from "@effect-kustomer/client"
import * as Arr from "effect/Array"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"
import * as Bundle from "./bundle.js"
import type * as BundlePass from "./bundlePass.js"
import * as IdMap from "./idMap.js"
import type * as Ledger from "./ledger.js"
import type * as People from "./people.js"
import * as Phases from "./phases.js"
import type { Phase } from "./pipeline.js"

/** The conversation fields a delta compares and updates: status, tags, priority, assignee, custom attributes. */
export const updatableFields = ["status", "tags", "priority", "assignee", "assignedUsers", "custom"] as const

/** A value as canonical JSON: object keys sorted at every depth, so that equal values digest alike. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item)).join(",")}]`
  if (Predicate.isRecord(value)) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

/** The updatable fields of a conversation as the bundle gives them. */
export const updatableOf = (conversation: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
  const fields: Record<string, unknown> = {}
  for (const field of updatableFields) {
    const value = conversation[field]
    if (value !== undefined && value !== null) fields[field] = value
  }
  return fields
}

/**
 * The digest of a conversation's updatable fields: what the ledger keeps of what was sent. Tags count as a set:
 * their order alone is no change.
 */
export const digestOf = (fields: Readonly<Record<string, unknown>>): string => {
  const tags = fields["tags"]
  const compared = Array.isArray(tags)
    ? { ...fields, tags: Array.from(new Set(tags.map((tag) => String(tag)))).sort() }
    : fields
  return Crypto.createHash("sha256").update(canonical(compared)).digest("hex").slice(0, 32)
}

/** The keys of one bundle line: its conversation (with its digest), its customer and company, its children. */
const keysOfLine = (record: ImportSource.SourceRecord, withChildren: boolean): ReadonlyArray<Ledger.BundleKey> => {
  if (record._tag === "Unparsable") return []
  const parts = Bundle.split(record.value)
  if (Either.isLeft(parts)) return []
  const line = record.position.line ?? record.position.index + 1
  const keys: Array<Ledger.BundleKey> = []
  const other = (resource: Ledger.Resource, key: string): Ledger.BundleKey => ({
    resource,
    key,
    index: -1,
    line,
    digest: null,
    record: null
  })
  const externalId = parts.right.conversation["externalId"]
  if (typeof externalId === "string" && externalId.length > 0) {
    const fields = updatableOf(parts.right.conversation)
    keys.push({
      resource: "conversations",
      key: externalId,
      index: record.position.index,
      line,
      digest: digestOf(fields),
      record: JSON.stringify(fields)
    })
  }
  if (!withChildren) return keys
  for (const party of Phases.partiesOf(record)) {
    keys.push(other("customers", party.customer))
    if (party.company !== undefined) keys.push(other("companies", party.company))
  }
  for (const phase of ["messages", "notes"] as const) {
    for (const child of parts.right[phase]) {
      const key = childKey(child)
      if (key !== undefined) keys.push(other(phase, key))
    }
  }
  return keys
}

/** A message's or note's key: its `externalId`. */
export const childKey = (child: unknown): string | undefined =>
  Predicate.isRecord(child) && typeof child["externalId"] === "string" && child["externalId"].length > 0
    ? child["externalId"]
    : undefined

/** The meta key recording that a generation's keys were collected. */
const collectedKey = (generation: number) => `keys_collected:${generation}`

/**
 * The keys of a run's bundle, for the ledger's file, collected once per generation by the one pass over the bundle
 * before the phases (`bundlePass.ts`): the conversations' (with their digests) for every run; for a delta, every
 * object's, to match and to tell what is gone. None when this generation's are collected already.
 */
export const keysCollector = (
  ledgerMap: IdMap.IdMap,
  generation: number
): Effect.Effect<Option.Option<BundlePass.Collector<IdMap.IdMapError>>, IdMap.IdMapError> =>
  Effect.map(ledgerMap.meta(collectedKey(generation)), (collected) =>
    Option.isSome(collected)
      ? Option.none()
      : Option.some({
        add: (records) =>
          // A delta's line has a key per child too: written 500 at a time, as SQLite takes a bounded number of values.
          Effect.forEach(
            Arr.chunksOf(records.flatMap((record) => keysOfLine(record, generation > 0)), 500),
            (keys) => ledgerMap.ledger.addKeys(generation, keys),
            { discard: true }
          ),
        done: ledgerMap.setMeta(collectedKey(generation), "1")
      }))

/**
 * Plans a delta once and links its id map to what it matched: the parties by key, the conversations by record
 * index (to their ids, so that their new children are sent with them and the conversations are not sent again).
 */
export const planAndLink = (ledgerMap: IdMap.IdMap, deltaMap: IdMap.IdMap, generation: number) =>
  Effect.gen(function*() {
    if (Option.isNone(yield* ledgerMap.meta(`planned:${generation}`))) {
      yield* ledgerMap.ledger.plan(generation)
      yield* ledgerMap.setMeta(`planned:${generation}`, "1")
    }
    if (Option.isSome(yield* deltaMap.meta("delta_linked"))) return
    const linked = IdMap.Parent.Linked
    yield* ledgerMap.ledger.matchedRows(generation, "conversations").pipe(
      Stream.runForEach((row) => deltaMap.settleConversation(row.index, linked({ id: row.id, existed: false })))
    )
    for (const table of ["customers", "companies"] as const) {
      const settle = table === "customers" ? deltaMap.settleCustomer : deltaMap.settleCompany
      yield* (table === "customers" ? deltaMap.customers : deltaMap.companies).pipe(
        Stream.grouped(500),
        Stream.runForEach((rows) =>
          Effect.flatMap(
            ledgerMap.ledger.matched(generation, table, Chunk.toReadonlyArray(rows).map((row) => row.key)),
            (matched) =>
              Effect.forEach(rows, (row) => {
                const id = matched.get(row.key)
                return id === undefined || id === ""
                  ? Effect.void
                  : settle(row.ordinal, linked({ id, existed: true }))
              }, { discard: true })
          )
        )
      )
    }
    yield* deltaMap.setMeta("delta_linked", "1")
  })

/**
 * Records in the ledger what a run created: its parties and conversations from its id map (each conversation
 * with the digest of its fields as sent). An object already in the ledger keeps its row.
 */
export const fill = (runMap: IdMap.IdMap, ledgerMap: IdMap.IdMap, generation: number) =>
  Effect.gen(function*() {
    for (const table of ["companies", "customers"] as const) {
      yield* runMap.linkedParties(table).pipe(
        Stream.grouped(500),
        Stream.runForEach((rows) =>
          ledgerMap.ledger.record(
            generation,
            table,
            Chunk.toReadonlyArray(rows).map((row) => ({ key: row.key, id: row.id, digest: null }))
          )
        )
      )
    }
    yield* runMap.linkedConversations.pipe(
      Stream.grouped(500),
      Stream.runForEach((rows) =>
        Effect.flatMap(
          ledgerMap.ledger.conversationKeys(generation, Chunk.toReadonlyArray(rows).map((row) => row.index)),
          (keys) =>
            ledgerMap.ledger.record(
              generation,
              "conversations",
              Chunk.toReadonlyArray(rows).flatMap((row) => {
                const key = keys.get(row.index)
                return key === undefined ? [] : [{ key: key.key, id: row.id, digest: key.digest }]
              })
            )
        )
      )
    )
  })

/** The ledger's row of an outcome whose object may exist: created, found, or in doubt (never sent again as new). */
const mayExistRow = (
  outcome: ImportEvent.Outcome
): ReadonlyArray<{ readonly key: string; readonly id: string | null; readonly digest: null }> => {
  switch (outcome._tag) {
    case "Created":
    case "AlreadyExisting":
      return outcome.externalId === undefined
        ? []
        : [{ key: outcome.externalId, id: outcome.objectId ?? null, digest: null }]
    case "Unknown":
      return outcome.externalId === undefined ? [] : [{ key: outcome.externalId, id: null, digest: null }]
    default:
      return []
  }
}

/**
 * The phase's journal, recording in the ledger before each outcome is committed: the messages and notes that may
 * exist (created, found, or in doubt), and the conversations' updates applied (their digests).
 */
export const ledgerCheckpoint = (
  journal: ImportCheckpoint.ImportCheckpoint,
  phase: Phase,
  ledgerMap: IdMap.IdMap,
  generation: number,
  toCheckpointError: (error: IdMap.IdMapError) => ImportCheckpoint.CheckpointError
): ImportCheckpoint.ImportCheckpoint => {
  const record = (outcomes: ReadonlyArray<ImportEvent.Outcome>): Effect.Effect<void, IdMap.IdMapError> => {
    switch (phase) {
      case "messages":
      case "notes":
        return ledgerMap.ledger.record(generation, phase, outcomes.flatMap((outcome) => mayExistRow(outcome)))
      case "updates":
        return Effect.forEach(
          outcomes,
          (outcome) =>
            outcome._tag === "Created" && outcome.externalId !== undefined
              ? ledgerMap.ledger.applied(generation, outcome.externalId)
              : Effect.void,
          { discard: true }
        )
      default:
        return Effect.void
    }
  }
  return {
    ...journal,
    settled: (outcomes, chunk) =>
      Effect.mapError(record(outcomes), toCheckpointError).pipe(Effect.zipRight(journal.settled(outcomes, chunk)))
  }
}

/** Where a delta keeps its plan and records what it creates: the journal's id map, and the delta's generation. */
export interface DeltaContext {
  readonly ledgerMap: IdMap.IdMap
  readonly generation: number
}

/** The fields an update sends: those of the bundle, its assignee as a Kustomer user, tags emptied when none. */
const updateFields = (fields: unknown, people: People.People): Readonly<Record<string, unknown>> => {
  if (!Predicate.isRecord(fields)) return {}
  const { assignee, ...rest } = fields
  const user = assignee === undefined || rest["assignedUsers"] !== undefined ? undefined : people.userOf(assignee)
  return { ...rest, tags: rest["tags"] ?? [], ...(user === undefined ? {} : { assignedUsers: [user] }) }
}

/** The updates phase: each conversation whose fields changed, as `{ id, externalId, …fields }`. */
export const updateRecords = (
  delta: DeltaContext,
  people: People.People
): Stream.Stream<ImportSource.SourceRecord, IdMap.IdMapError> =>
  Stream.map(
    delta.ledgerMap.ledger.updates(delta.generation),
    (row) =>
      ImportSource.parsed({ index: row.index, line: row.line }, {
        id: row.id,
        externalId: row.key,
        ...updateFields(JSON.parse(row.record), people)
      })
  )

/** Why a delta does not send an object it cannot match. */
const unmatchable = (what: string) =>
  `a delta matches ${what} by externalId, and this one has none: it is not sent, since an earlier run may have ` +
  "created it (give it an externalId, as the converters do)"

/**
 * A delta's conversations: those the plan matched are left out (they exist; their changes are the updates
 * phase's), one without an `externalId` is rejected (it cannot be matched).
 */
export const newConversations = <E, R>(
  delta: DeltaContext,
  lines: Stream.Stream<ImportSource.SourceRecord, E, R>
): Stream.Stream<ImportSource.SourceRecord, E | IdMap.IdMapError, R> =>
  lines.pipe(
    Stream.grouped(500),
    Stream.mapEffect((batch) => {
      const all = Chunk.toReadonlyArray(batch)
      const keyOf = (record: ImportSource.SourceRecord) =>
        record._tag === "Parsed" && Predicate.isRecord(record.value) ? childKey(record.value) : undefined
      return Effect.map(
        delta.ledgerMap.ledger.matched(delta.generation, "conversations", all.flatMap((record) => keyOf(record) ?? [])),
        (matched) =>
          all.flatMap((record) => {
            if (record._tag === "Unparsable") return [record]
            const key = keyOf(record)
            if (key === undefined) return [ImportSource.unparsable(record.position, unmatchable("conversations"))]
            return matched.has(key) ? [] : [record]
          })
      )
    }),
    Stream.flattenIterables
  )

/**
 * What a delta does with each child of a batch: `skip` one the plan matched (it exists), `send` a new one, and
 * reject one without an `externalId` in a conversation the plan matched (it cannot be matched).
 */
export const childVerdicts = (delta: DeltaContext, phase: "messages" | "notes"): Phases.ChildFilter => (children) =>
  Effect.gen(function*() {
    const { generation, ledgerMap } = delta
    const matched = yield* ledgerMap.ledger.matched(
      generation,
      phase,
      children.flatMap((child) => childKey(child.value) ?? [])
    )
    const keys = yield* ledgerMap.ledger.conversationKeys(generation, children.map((child) => child.conversationIndex))
    const oldConversations = yield* ledgerMap.ledger.matched(
      generation,
      "conversations",
      Array.from(keys.values(), (key) => key.key)
    )
    return children.map((child): Phases.ChildVerdict => {
      const key = childKey(child.value)
      if (key !== undefined) return matched.has(key) ? "skip" : "send"
      const conversation = keys.get(child.conversationIndex)
      return conversation !== undefined && oldConversations.has(conversation.key)
        ? { reject: unmatchable(phase) }
        : "send"
    })
  })
