/**
 * The migration's id map, in a SQLite file: every distinct customer of the bundle (its key, the record to send,
 * and once settled its Kustomer id or why it has none) and every conversation's id by bundle record index. It
 * lives on disk, so memory stays flat in the bundle's size, and it survives a kill: a resumed migration links
 * children to the parents an earlier attempt created.
 */
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** The id map cannot be opened, read or written. */
export class IdMapError extends Schema.TaggedError<IdMapError>()("IdMapError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `migration id map ${this.path}: ${this.reason}`
  }
}

/** A parent's fate: its Kustomer id, or why it has none. */
export type Link = Either.Either<string, string>

/** A distinct customer of the bundle, in the order of first appearance. */
export interface CustomerRow {
  readonly ordinal: number
  readonly key: string
  readonly line: number
  readonly record: string
}

const MetaRow = Schema.Struct({ value: Schema.String })
const CustomerRowSchema = Schema.Struct({
  ordinal: Schema.Number,
  key: Schema.String,
  line: Schema.Number,
  record: Schema.String
})
const LinkRow = Schema.Struct({
  key: Schema.Union(Schema.String, Schema.Number),
  id: Schema.NullOr(Schema.String),
  failure: Schema.NullOr(Schema.String)
})

const linkOf = (row: typeof LinkRow.Type): Option.Option<Link> =>
  row.id !== null
    ? Option.some(Either.right(row.id))
    : row.failure !== null
    ? Option.some(Either.left(row.failure))
    : Option.none()

/** Rows read or written per statement. */
const batchSize = 500

/** The id map. */
export interface IdMap {
  readonly meta: (key: string) => Effect.Effect<Option.Option<string>, IdMapError>
  readonly setMeta: (key: string, value: string) => Effect.Effect<void, IdMapError>
  /** Adds the customers not seen yet (first appearance wins); keeps the order they come in. */
  readonly addCustomers: (
    customers: ReadonlyArray<{ readonly key: string; readonly line: number; readonly record: string }>
  ) => Effect.Effect<void, IdMapError>
  /** The distinct customers, by ordinal. */
  readonly customers: Stream.Stream<CustomerRow, IdMapError>
  readonly settleCustomer: (ordinal: number, link: Link) => Effect.Effect<void, IdMapError>
  /** The key of the customer with this ordinal. */
  readonly customerKey: (ordinal: number) => Effect.Effect<Option.Option<string>, IdMapError>
  readonly settleConversation: (index: number, link: Link) => Effect.Effect<void, IdMapError>
  /** What became of these customers, by key; a key not settled yet is absent. */
  readonly customerLinks: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, Link>, IdMapError>
  /** What became of the conversations at these record indexes. */
  readonly conversationLinks: (
    indexes: ReadonlyArray<number>
  ) => Effect.Effect<ReadonlyMap<number, Link>, IdMapError>
}

/** Opens (or creates) the id map at `path` for the scope's life. */
export const open = (path: string): Effect.Effect<IdMap, IdMapError, Scope.Scope> =>
  Effect.gen(function*() {
    const fail = (error: { readonly message: string }) => new IdMapError({ path, reason: error.message })
    const context = yield* Layer.build(SqliteClient.layer({ filename: path })).pipe(
      Effect.catchAllDefect((defect) => Effect.fail(new IdMapError({ path, reason: String(defect) }))),
      Effect.mapError(fail)
    )
    const sql = Context.get(context, SqliteClient.SqliteClient)
    const run = <A, E extends { readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.mapError(effect, fail)
    const decode = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
      Effect.mapError(Schema.decodeUnknown(Schema.Array(schema))(rows), fail)

    yield* run(sql.unsafe("PRAGMA synchronous = NORMAL"))
    yield* run(sql`CREATE TABLE IF NOT EXISTS migration_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
    yield* run(sql`CREATE TABLE IF NOT EXISTS customers (
      ordinal INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, line INTEGER NOT NULL, record TEXT NOT NULL,
      id TEXT, failure TEXT)`)
    yield* run(sql`CREATE TABLE IF NOT EXISTS conversations (
      record_index INTEGER PRIMARY KEY, id TEXT, failure TEXT)`)

    const linkColumns = (link: Link) =>
      Either.match(link, {
        onLeft: (failure) => ({ id: null, failure }),
        onRight: (id) => ({ id, failure: null })
      })

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
            decoded.flatMap((row) => Option.toArray(Option.map(linkOf(row), (link) => [keyOf(row.key), link] as const)))
          )
        )
      )

    const idMap: IdMap = {
      meta: (key) =>
        sql`SELECT value FROM migration_meta WHERE key = ${key}`.pipe(
          run,
          Effect.flatMap(decode(MetaRow)),
          Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), (row) => row.value))
        ),
      setMeta: (key, value) => run(sql`INSERT OR REPLACE INTO migration_meta ${sql.insert({ key, value })}`),
      addCustomers: (customers) =>
        customers.length === 0 ? Effect.void : run(sql.withTransaction(Effect.forEach(
          customers,
          (customer) =>
            sql`INSERT OR IGNORE INTO customers (ordinal, key, line, record)
              VALUES ((SELECT COUNT(*) FROM customers), ${customer.key}, ${customer.line}, ${customer.record})`,
          { discard: true }
        ))),
      customers: Stream.paginateChunkEffect(0, (from) =>
        sql`SELECT ordinal, key, line, record FROM customers WHERE ordinal >= ${from} ORDER BY ordinal
          LIMIT ${batchSize}`.pipe(
          run,
          Effect.flatMap(decode(CustomerRowSchema)),
          Effect.map((rows) => {
            const last = rows[rows.length - 1]
            return [
              Chunk.unsafeFromArray(rows),
              rows.length < batchSize || last === undefined ? Option.none() : Option.some(last.ordinal + 1)
            ] as const
          })
        )),
      settleCustomer: (ordinal, link) => {
        const columns = linkColumns(link)
        return run(sql`UPDATE customers SET id = ${columns.id}, failure = ${columns.failure}
          WHERE ordinal = ${ordinal}`)
      },
      customerKey: (ordinal) =>
        sql`SELECT key AS value FROM customers WHERE ordinal = ${ordinal}`.pipe(
          run,
          Effect.flatMap(decode(MetaRow)),
          Effect.map((rows) =>
            Option.map(Option.fromNullable(rows[0]), (row) =>
              row.value)
          )
        ),
      settleConversation: (index, link) =>
        run(sql`INSERT OR REPLACE INTO conversations ${sql.insert({ record_index: index, ...linkColumns(link) })}`),
      customerLinks: (keys) =>
        keys.length === 0
          ? Effect.succeed(new Map())
          : linksOf(sql`SELECT key, id, failure FROM customers WHERE key IN ${sql.in(keys)}`, (key) => String(key)),
      conversationLinks: (indexes) =>
        indexes.length === 0
          ? Effect.succeed(new Map())
          : linksOf(
            sql`SELECT record_index AS key, id, failure FROM conversations WHERE record_index IN ${sql.in(indexes)}`,
            (key) => Number(key)
          )
    }
    return idMap
  })
