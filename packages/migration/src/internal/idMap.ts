/**
 * The migration's id map, in a SQLite file: every distinct company and customer of the bundle (its key, the record
 * to send, and once settled its Kustomer id or why it has none) and every conversation's id by bundle record index. It
 * lives on disk, so memory stays flat in the bundle's size, and it survives a kill: a resumed migration links
 * children to the parents an earlier attempt created.
 */
import { DiskFull, JournalFile } from "@effect-kustomer/journal"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { keysetPages } from "./keysetPages.js"
import * as Ledger from "./ledger.js"

/** The id map cannot be opened, read or written; `noSpace`: because its disk is full. */
export class IdMapError extends Schema.TaggedError<IdMapError>()("IdMapError", {
  path: Schema.String,
  reason: Schema.String,
  noSpace: Schema.optional(Schema.Boolean)
}) {
  override get message(): string {
    return this.noSpace === true
      ? `${DiskFull.noSpaceLeft(this.path)}: ${DiskFull.resumeAfterSpace}`
      : `migration id map ${this.path}: ${this.reason}`
  }
}

/** The id map's failure, a full disk said by name. */
const failureAt = (path: string) => (error: unknown): IdMapError =>
  DiskFull.isNoSpace(error)
    ? new IdMapError({ path, reason: DiskFull.noSpaceLeft(path), noSpace: true })
    : new IdMapError({
      path,
      reason: Predicate.hasProperty(error, "message") && typeof error.message === "string"
        ? error.message
        : String(error)
    })

/**
 * A parent's fate: `Linked` to its Kustomer id (`existed`: it was there before the migration, so children of it
 * may be too), `NotCreated` with the reason, or `InDoubt` — its job's verdict was never read (an outage, a job
 * that outlived its timeout), so its children wait until the job is read again.
 */
export type Parent = Data.TaggedEnum<{
  Linked: { readonly id: string; readonly existed: boolean }
  NotCreated: { readonly reason: string }
  InDoubt: { readonly reason: string; readonly jobId: string; readonly externalId: string | undefined }
}>

/** Builds and matches {@link Parent} values. */
export const Parent = Data.taggedEnum<Parent>()

/** A parent whose job's verdict is awaited: its key in the id map, with what finds it again. */
export interface InDoubtRow<K> {
  readonly key: K
  readonly jobId: string
  readonly externalId: string | undefined
  readonly reason: string
}

/** A distinct customer (or company) of the bundle, in the order of first appearance. */
export interface CustomerRow {
  readonly ordinal: number
  readonly key: string
  readonly line: number
  readonly record: string
}

const MetaRow = Schema.Struct({ value: Schema.String })
const LinkedConversation = Schema.Struct({ index: Schema.Number, id: Schema.String })
const LinkedParty = Schema.Struct({ ordinal: Schema.Number, key: Schema.String, id: Schema.String })
const CustomerRowSchema = Schema.Struct({
  ordinal: Schema.Number,
  key: Schema.String,
  line: Schema.Number,
  record: Schema.String
})
const LinkRow = Schema.Struct({
  key: Schema.Union(Schema.String, Schema.Number),
  id: Schema.NullOr(Schema.String),
  failure: Schema.NullOr(Schema.String),
  existed: Schema.NullOr(Schema.Number),
  job: Schema.NullOr(Schema.String),
  external_id: Schema.NullOr(Schema.String)
})

const parentOf = (row: typeof LinkRow.Type): Option.Option<Parent> =>
  row.id !== null
    ? Option.some(Parent.Linked({ id: row.id, existed: row.existed === 1 }))
    : row.failure === null
    ? Option.none()
    : row.job !== null
    ? Option.some(Parent.InDoubt({ reason: row.failure, jobId: row.job, externalId: row.external_id ?? undefined }))
    : Option.some(Parent.NotCreated({ reason: row.failure }))

/** The columns that record a parent's fate. */
const parentColumns = (parent: Parent) =>
  Parent.$match(parent, {
    Linked: ({ existed, id }) => ({ id, failure: null, existed: existed ? 1 : 0, job: null, external_id: null }),
    NotCreated: ({ reason }) => ({ id: null, failure: reason, existed: null, job: null, external_id: null }),
    InDoubt: ({ externalId, jobId, reason }) => ({
      id: null,
      failure: reason,
      existed: null,
      job: jobId,
      external_id: externalId ?? null
    })
  })

/** Columns added after the first version of the id map: added to an older file when it is opened. */
const addedColumns = ["existed INTEGER", "job TEXT", "external_id TEXT"]

const InDoubtRowSchema = Schema.Struct({
  key: Schema.Number,
  job: Schema.String,
  external_id: Schema.NullOr(Schema.String),
  failure: Schema.String
})

/** The tables of distinct parties: created once each, whatever number of lines name them. */
const partyTables = ["customers", "companies"] as const
type PartyTable = typeof partyTables[number]

/** Rows read or written per statement. */
const batchSize = 500

/**
 * Where one attachment of the bundle stands, by its key (`<phase>:<child index>:<attachment index>`): `creating`
 * (its document was asked for, the answer not recorded), `created` (the document and where its bytes go),
 * `uploaded` (the bytes are there: messages and notes may reference it), or `failed` (with the reason: it is not
 * carried).
 */
export interface AttachmentRow {
  readonly key: string
  readonly state: "creating" | "created" | "uploaded" | "failed"
  readonly document: string | null
  /** The presigned upload, as JSON, once the document exists. */
  readonly upload: string | null
  readonly reason: string | null
  readonly name: string | null
  readonly contentType: string | null
  readonly contentLength: number | null
}

const AttachmentRowSchema = Schema.Struct({
  key: Schema.String,
  state: Schema.Literal("creating", "created", "uploaded", "failed"),
  document: Schema.NullOr(Schema.String),
  upload: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  name: Schema.NullOr(Schema.String),
  contentType: Schema.NullOr(Schema.String),
  contentLength: Schema.NullOr(Schema.Number)
})

/**
 * A parent the id map links to its Kustomer id: its `key` (a company's or customer's ordinal, a conversation's
 * record index), its bundle line (companies and customers), and whether it `existed` before the migration. Once
 * recorded as created by the migration, an object stays so: a resume that finds it again as a duplicate (its
 * outcome was not committed before a kill) does not make it one that existed before.
 */
export interface LinkedRow {
  readonly key: number
  readonly line: number | null
  readonly id: string
  readonly existed: boolean
}

const LinkedRowSchema = Schema.Struct({
  key: Schema.Number,
  line: Schema.NullOr(Schema.Number),
  id: Schema.String,
  existed: Schema.NullOr(Schema.Number)
})

/** The id map. */
export interface IdMap {
  /** Every linked parent of one table, by key. */
  readonly linked: (
    table: "companies" | "customers" | "conversations"
  ) => Effect.Effect<ReadonlyArray<LinkedRow>, IdMapError>
  /** Where these attachments stand, by key; a key never seen is absent. */
  readonly attachments: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, AttachmentRow>, IdMapError>
  /** Records where an attachment stands (before the step it describes is taken further). */
  readonly setAttachment: (row: AttachmentRow) => Effect.Effect<void, IdMapError>
  readonly meta: (key: string) => Effect.Effect<Option.Option<string>, IdMapError>
  readonly setMeta: (key: string, value: string) => Effect.Effect<void, IdMapError>
  /**
   * Runs `writes` (this id map's) in one transaction: one commit for many rows. Nothing else of the id map runs
   * meanwhile, so `writes` must not wait on anything but the id map.
   */
  readonly inTransaction: <A, E>(writes: Effect.Effect<A, E>) => Effect.Effect<A, E | IdMapError>
  /** Adds the customers not seen yet (first appearance wins); keeps the order they come in. */
  readonly addCustomers: (
    customers: ReadonlyArray<{ readonly key: string; readonly line: number; readonly record: string }>
  ) => Effect.Effect<void, IdMapError>
  /** The distinct customers, by ordinal. */
  readonly customers: Stream.Stream<CustomerRow, IdMapError>
  /** Adds the companies not seen yet (first appearance wins), as {@link addCustomers} does. */
  readonly addCompanies: IdMap["addCustomers"]
  /** The distinct companies, by ordinal. */
  readonly companies: Stream.Stream<CustomerRow, IdMapError>
  /** How many distinct customers (or companies) the bundle names. */
  readonly partyCount: (table: "customers" | "companies") => Effect.Effect<number, IdMapError>
  readonly settleCompany: (ordinal: number, parent: Parent) => Effect.Effect<void, IdMapError>
  /** What became of these companies, by key; a key not settled yet is absent. */
  readonly companyLinks: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, Parent>, IdMapError>
  readonly settleCustomer: (ordinal: number, parent: Parent) => Effect.Effect<void, IdMapError>
  /** The key of the customer with this ordinal. */
  readonly customerKey: (ordinal: number) => Effect.Effect<Option.Option<string>, IdMapError>
  readonly settleConversation: (index: number, parent: Parent) => Effect.Effect<void, IdMapError>
  /** What became of these customers, by key; a key not settled yet is absent. */
  readonly customerLinks: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, Parent>, IdMapError>
  /** What became of the conversations at these record indexes. */
  readonly conversationLinks: (
    indexes: ReadonlyArray<number>
  ) => Effect.Effect<ReadonlyMap<number, Parent>, IdMapError>
  /** The customers in doubt, by ordinal. */
  readonly customersInDoubt: Effect.Effect<ReadonlyArray<InDoubtRow<number>>, IdMapError>
  /** The conversations in doubt, by record index. */
  readonly conversationsInDoubt: Effect.Effect<ReadonlyArray<InDoubtRow<number>>, IdMapError>
  /** Which of these conversation ids belong to conversations that existed before the migration. */
  readonly existedConversations: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>, IdMapError>
  /** The conversations linked to their ids, by record index, a batch at a time. */
  readonly linkedConversations: Stream.Stream<{ readonly index: number; readonly id: string }, IdMapError>
  /** The customers (or companies) linked to their ids, by key, a batch at a time. */
  readonly linkedParties: (
    table: "customers" | "companies"
  ) => Stream.Stream<{ readonly key: string; readonly id: string }, IdMapError>
  /** What the migrations of this journal created, and each run's bundle keys (see `ledger.ts`). */
  readonly ledger: Ledger.Ledger
}

/** Opens (or creates) the id map at `path` for the scope's life. */
export const open = (path: string): Effect.Effect<IdMap, IdMapError, Scope.Scope> =>
  Effect.gen(function*() {
    const fail = failureAt(path)
    const context = yield* Layer.build(SqliteClient.layer({ filename: path })).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(fail(defect))),
      Effect.mapError(fail)
    )
    const sql = Context.get(context, SqliteClient.SqliteClient)
    const run = <A, E extends { readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.mapError(effect, fail)
    const decode = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
      Effect.mapError(Schema.decodeUnknown(Schema.Array(schema))(rows), fail)

    yield* run(sql.unsafe("PRAGMA synchronous = NORMAL"))
    yield* run(sql`CREATE TABLE IF NOT EXISTS migration_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
    for (const table of partyTables) {
      yield* run(sql.unsafe(`CREATE TABLE IF NOT EXISTS ${table} (
        ordinal INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, line INTEGER NOT NULL, record TEXT NOT NULL,
        id TEXT, failure TEXT, existed INTEGER, job TEXT, external_id TEXT)`))
    }
    yield* run(sql`CREATE TABLE IF NOT EXISTS conversations (
      record_index INTEGER PRIMARY KEY, id TEXT, failure TEXT)`)
    for (const table of ["customers", "conversations"]) {
      const columns = yield* run(sql`SELECT name FROM pragma_table_info(${table})`.values)
      const present = new Set(columns.map((row) => String(row[0])))
      for (const column of addedColumns) {
        const name = column.split(" ")[0] ?? column
        if (!present.has(name)) yield* run(sql.unsafe(`ALTER TABLE ${table} ADD COLUMN ${column}`))
      }
    }
    yield* run(sql`CREATE INDEX IF NOT EXISTS conversations_by_id ON conversations (id)`)
    yield* run(sql`CREATE TABLE IF NOT EXISTS attachments (
      key TEXT PRIMARY KEY, state TEXT NOT NULL, document TEXT, upload TEXT, reason TEXT, name TEXT,
      content_type TEXT, content_length INTEGER)`)

    /** The parents in doubt of one table. */
    const inDoubt = (rows: Effect.Effect<ReadonlyArray<unknown>, { readonly message: string }>) =>
      rows.pipe(
        run,
        Effect.flatMap(decode(InDoubtRowSchema)),
        Effect.map((decoded) =>
          decoded.map((row): InDoubtRow<number> => ({
            key: row.key,
            jobId: row.job,
            externalId: row.external_id ?? undefined,
            reason: row.failure
          }))
        )
      )

    /** The settled links among `rows`, by key. */
    const linksOf = <K, E extends { readonly message: string }>(
      rows: Effect.Effect<ReadonlyArray<unknown>, E>,
      keyOf: (key: string | number) => K
    ) =>
      rows.pipe(
        run,
        Effect.flatMap(decode(LinkRow)),
        Effect.map((decoded) =>
          new Map(
            decoded.flatMap((row) =>
              Option.toArray(Option.map(parentOf(row), (parent) => [keyOf(row.key), parent] as const))
            )
          )
        )
      )

    /** The distinct parties (customers or companies) of one table, in order, added, settled and linked. */
    const parties = (table: PartyTable) => ({
      add: (rows: ReadonlyArray<{ readonly key: string; readonly line: number; readonly record: string }>) => {
        // First appearance wins, in the batch as in the table; the new ones get the next ordinals, in order.
        const byKey = new Map<string, typeof rows[number]>()
        for (const row of rows) if (!byKey.has(row.key)) byKey.set(row.key, row)
        const firsts = [...byKey.values()]
        return firsts.length === 0 ? Effect.void : run(
          JournalFile.transaction(sql)(Effect.gen(function*() {
            const known = yield* sql`SELECT key FROM ${sql(table)} WHERE key IN ${sql.in(firsts.map((row) => row.key))}`
              .values
            const present = new Set(known.map((row) => String(row[0])))
            const fresh = firsts.filter((row) => !present.has(row.key))
            if (fresh.length === 0) return
            const [next] = yield* sql`SELECT COALESCE(MAX(ordinal) + 1, 0) FROM ${sql(table)}`.values
            const first = Number(next?.[0] ?? 0)
            yield* sql`INSERT INTO ${sql(table)} ${
              sql.insert(fresh.map((row, offset) => ({
                ordinal: first + offset,
                key: row.key,
                line: row.line,
                record: row.record
              })))
            }`
          }))
        )
      },
      rows: keysetPages(
        0,
        batchSize,
        (from) =>
          sql`SELECT ordinal, key, line, record FROM ${sql(table)} WHERE ordinal >= ${from} ORDER BY ordinal
          LIMIT ${batchSize}`.pipe(run, Effect.flatMap(decode(CustomerRowSchema))),
        (row) => row.ordinal + 1
      ),
      settle: (ordinal: number, parent: Parent) => {
        const columns = parentColumns(parent)
        return run(sql`UPDATE ${sql(table)} SET existed = CASE WHEN id = ${columns.id} AND existed = 0 THEN 0
          ELSE ${columns.existed} END, id = ${columns.id}, failure = ${columns.failure}, job = ${columns.job},
          external_id = ${columns.external_id} WHERE ordinal = ${ordinal}`)
      },
      links: (keys: ReadonlyArray<string>): Effect.Effect<ReadonlyMap<string, Parent>, IdMapError> =>
        keys.length === 0
          ? Effect.succeed(new Map())
          : linksOf(
            sql`SELECT key, id, failure, existed, job, external_id FROM ${sql(table)} WHERE key IN ${sql.in(keys)}`,
            (key) => String(key)
          )
    })
    const customers = parties("customers")
    const companies = parties("companies")

    const ledger = yield* Ledger.make(sql, run, decode)
    /** Linked rows of a table, by an integer column, a batch at a time. */
    const linked = <A, I>(
      schema: Schema.Schema<A, I>,
      page: (from: number) => Effect.Effect<ReadonlyArray<unknown>, { readonly message: string }>,
      next: (row: A) => number
    ) => keysetPages(-1, batchSize, (from) => page(from).pipe(run, Effect.flatMap(decode(schema))), next)

    const idMap: IdMap = {
      inTransaction: (writes) =>
        Effect.catchTag(JournalFile.transaction(sql)(writes), "SqlError", (error) => Effect.fail(fail(error))),
      ledger,
      linkedConversations: linked(
        LinkedConversation,
        (from) =>
          sql`SELECT record_index AS "index", id FROM conversations WHERE id IS NOT NULL AND record_index > ${from}
            ORDER BY record_index LIMIT ${batchSize}`,
        (row) => row.index
      ),
      linkedParties: (table) =>
        Stream.map(
          linked(
            LinkedParty,
            (from) =>
              sql`SELECT ordinal, key, id FROM ${sql(table)} WHERE id IS NOT NULL AND ordinal > ${from}
                ORDER BY ordinal LIMIT ${batchSize}`,
            (row) => row.ordinal
          ),
          (row) => ({ key: row.key, id: row.id })
        ),
      attachments: (keys) =>
        keys.length === 0
          ? Effect.succeed(new Map())
          : sql`SELECT key, state, document, upload, reason, name, content_type AS "contentType",
              content_length AS "contentLength" FROM attachments WHERE key IN ${sql.in(keys)}`.pipe(
            run,
            Effect.flatMap(decode(AttachmentRowSchema)),
            Effect.map((rows) => new Map(rows.map((row) => [row.key, row] as const)))
          ),
      setAttachment: (row) =>
        run(sql`INSERT OR REPLACE INTO attachments ${
          sql.insert({
            key: row.key,
            state: row.state,
            document: row.document,
            upload: row.upload,
            reason: row.reason,
            name: row.name,
            content_type: row.contentType,
            content_length: row.contentLength
          })
        }`),
      meta: (key) =>
        sql`SELECT value FROM migration_meta WHERE key = ${key}`.pipe(
          run,
          Effect.flatMap(decode(MetaRow)),
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.value))
        ),
      setMeta: (key, value) => run(sql`INSERT OR REPLACE INTO migration_meta ${sql.insert({ key, value })}`),
      addCustomers: customers.add,
      customers: customers.rows,
      settleCustomer: customers.settle,
      addCompanies: companies.add,
      companies: companies.rows,
      partyCount: (table) =>
        sql`SELECT COUNT(*) AS count FROM ${sql(table)}`.pipe(
          run,
          Effect.map((rows) => Number(rows[0]?.["count"] ?? 0))
        ),
      settleCompany: companies.settle,
      companyLinks: companies.links,
      customerKey: (ordinal) =>
        sql`SELECT key AS value FROM customers WHERE ordinal = ${ordinal}`.pipe(
          run,
          Effect.flatMap(decode(MetaRow)),
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.value))
        ),
      settleConversation: (index, parent) => {
        const columns = parentColumns(parent)
        return run(sql`INSERT INTO conversations ${sql.insert({ record_index: index, ...columns })}
          ON CONFLICT (record_index) DO UPDATE SET existed = CASE WHEN id = excluded.id AND existed = 0 THEN 0
          ELSE excluded.existed END, id = excluded.id, failure = excluded.failure, job = excluded.job,
          external_id = excluded.external_id`)
      },
      linked: (table) =>
        (table === "conversations"
          ? sql`SELECT record_index AS key, NULL AS line, id, existed FROM conversations WHERE id IS NOT NULL
              ORDER BY record_index`
          : sql`SELECT ordinal AS key, line, id, existed FROM ${sql(table)} WHERE id IS NOT NULL ORDER BY ordinal`)
          .pipe(
            run,
            Effect.flatMap(decode(LinkedRowSchema)),
            Effect.map((rows) =>
              rows.map((row): LinkedRow => ({ key: row.key, line: row.line, id: row.id, existed: row.existed === 1 }))
            )
          ),
      customerLinks: customers.links,
      conversationLinks: (indexes) =>
        indexes.length === 0
          ? Effect.succeed(new Map())
          : linksOf(
            sql`SELECT record_index AS key, id, failure, existed, job, external_id FROM conversations
              WHERE record_index IN ${sql.in(indexes)}`,
            (key) => Number(key)
          ),
      customersInDoubt: inDoubt(sql`SELECT ordinal AS key, job, external_id, failure FROM customers
        WHERE id IS NULL AND job IS NOT NULL ORDER BY ordinal`),
      conversationsInDoubt: inDoubt(sql`SELECT record_index AS key, job, external_id, failure FROM conversations
        WHERE id IS NULL AND job IS NOT NULL ORDER BY record_index`),
      existedConversations: (ids) =>
        ids.length === 0
          ? Effect.succeed(new Set())
          : sql`SELECT DISTINCT id AS value FROM conversations WHERE existed = 1 AND id IN ${sql.in(ids)}`.pipe(
            run,
            Effect.flatMap(decode(MetaRow)),
            Effect.map((rows) => new Set(rows.map((row) => row.value)))
          )
    }
    return idMap
  })
