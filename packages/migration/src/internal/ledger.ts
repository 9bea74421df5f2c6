/**
 * What the migrations of one journal created, kept in its id map so that a later export of the same source can be
 * migrated as a delta: the ledger (every object created, by resource and key — `externalId`, or a customer's or
 * company's key —, with its Kustomer id, and for a conversation a digest of its updatable fields as last sent), and
 * each run's keys of its bundle (`bundle_keys`, by generation: 0 the first run, then one per delta), with what the
 * delta's plan found of each in the ledger (`matched`) and whether a conversation's fields changed (`changed`) and
 * its update was applied (`applied`).
 */
import type * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type { IdMapError } from "./idMap.js"
import { keysetPages } from "./keysetPages.js"

/** The resources a delta matches by key. */
export const resources = ["companies", "customers", "conversations", "messages", "notes"] as const

/** A resource a delta matches by key. */
export type Resource = typeof resources[number]

/** An object of this run's bundle, by key. */
export interface BundleKey {
  readonly resource: Resource
  readonly key: string
  /** A conversation's bundle record index and line; -1 for the others. */
  readonly index: number
  readonly line: number
  /** A conversation's digest of its updatable fields, and those fields as JSON. */
  readonly digest: string | null
  readonly record: string | null
}

/** A conversation whose fields changed since they were sent: its update, and the digest it applies. */
export interface PlannedUpdate {
  readonly index: number
  readonly line: number
  readonly key: string
  readonly id: string
  readonly record: string
}

/**
 * A conversation a delta's update was applied to: its id, its bundle line, the fields the update sent (as JSON), and
 * those of the export before (the latest earlier run's, as JSON; `null` when no earlier run's bundle held it).
 */
export interface AppliedUpdate {
  readonly key: string
  readonly id: string
  readonly line: number
  readonly record: string
  readonly previous: string | null
}

/** What a delta did to a resource: created by it, updated, unchanged (found in the ledger), gone from the export. */
export interface DeltaCounts {
  readonly resource: Resource
  readonly created: number
  readonly updated: number
  readonly unchanged: number
  readonly gone: number
}

/** The ledger and the bundle keys of one id map file. */
export interface Ledger {
  /** Records objects created by generation `generation`; an object already recorded keeps its row. */
  readonly record: (
    generation: number,
    resource: Resource,
    rows: ReadonlyArray<{ readonly key: string; readonly id: string | null; readonly digest: string | null }>
  ) => Effect.Effect<void, IdMapError>
  /** Adds keys of a run's bundle (the first of each key wins). */
  readonly addKeys: (generation: number, rows: ReadonlyArray<BundleKey>) => Effect.Effect<void, IdMapError>
  /** The bundle keys of a generation's conversations by record index. */
  readonly conversationKeys: (
    generation: number,
    indexes: ReadonlyArray<number>
  ) => Effect.Effect<ReadonlyMap<number, BundleKey>, IdMapError>
  /**
   * The plan of a delta: each key of its bundle found in the ledger of an earlier generation is matched (its id),
   * and a matched conversation whose digest differs is changed. Done once: a resumed delta keeps its plan.
   */
  readonly plan: (generation: number) => Effect.Effect<void, IdMapError>
  /** The keys among `keys` that the plan of `generation` matched, with their ids (`""` for a child). */
  readonly matched: (
    generation: number,
    resource: Resource,
    keys: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, string>, IdMapError>
  /** The matched parties (or conversations, by record index as key) of a generation, a batch at a time. */
  readonly matchedRows: (
    generation: number,
    resource: Resource
  ) => Stream.Stream<BundleKey & { readonly id: string }, IdMapError>
  /** The conversations to update and not updated yet, by record index. */
  readonly updates: (generation: number) => Stream.Stream<PlannedUpdate, IdMapError>
  /** Records an update as applied: the ledger's digest becomes the one it sent. */
  readonly applied: (generation: number, key: string) => Effect.Effect<void, IdMapError>
  /** The conversations whose update a delta applied. */
  readonly appliedUpdates: (generation: number) => Effect.Effect<ReadonlyArray<AppliedUpdate>, IdMapError>
  /** What a delta did, per resource. */
  readonly counts: (generation: number) => Effect.Effect<ReadonlyArray<DeltaCounts>, IdMapError>
}

const KeyRow = Schema.Struct({
  resource: Schema.Literal(...resources),
  key: Schema.String,
  index: Schema.Number,
  line: Schema.Number,
  digest: Schema.NullOr(Schema.String),
  record: Schema.NullOr(Schema.String)
})
const MatchedRow = Schema.Struct({ ...KeyRow.fields, id: Schema.String })
const PairRow = Schema.Struct({ key: Schema.String, id: Schema.String })
const UpdateRow = Schema.Struct({
  index: Schema.Number,
  line: Schema.Number,
  key: Schema.String,
  id: Schema.String,
  record: Schema.String
})
const AppliedRow = Schema.Struct({
  key: Schema.String,
  id: Schema.String,
  line: Schema.Number,
  record: Schema.String,
  previous: Schema.NullOr(Schema.String)
})
const CountRow = Schema.Struct({ resource: Schema.Literal(...resources), count: Schema.Number })

/** Rows read or written per statement. */
const batchSize = 500

/** Creates the ledger's tables in the id map's file and builds its operations. */
export const make = (
  sql: SqliteClient.SqliteClient,
  run: <A, E extends { readonly message: string }, R>(
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, IdMapError, R>,
  decode: <A, I>(
    schema: Schema.Schema<A, I>
  ) => (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<A>, IdMapError>
): Effect.Effect<Ledger, IdMapError> =>
  Effect.gen(function*() {
    yield* run(sql`CREATE TABLE IF NOT EXISTS ledger (
      resource TEXT NOT NULL, key TEXT NOT NULL, id TEXT, digest TEXT, generation INTEGER NOT NULL,
      PRIMARY KEY (resource, key))`)
    yield* run(sql`CREATE TABLE IF NOT EXISTS bundle_keys (
      generation INTEGER NOT NULL, resource TEXT NOT NULL, key TEXT NOT NULL, record_index INTEGER NOT NULL,
      line INTEGER NOT NULL, digest TEXT, record TEXT, matched TEXT, changed INTEGER NOT NULL DEFAULT 0,
      applied INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (generation, resource, key))`)
    yield* run(sql`CREATE INDEX IF NOT EXISTS bundle_keys_by_index ON bundle_keys (generation, resource, record_index)`)
    const columns = sql`resource, key, record_index AS "index", line, digest, record`

    /** The rows of a query, paged by record index then key. */
    const paged = <A extends { readonly index: number; readonly key: string }, I>(
      schema: Schema.Schema<A, I>,
      page: (
        after: { readonly index: number; readonly key: string }
      ) => Effect.Effect<ReadonlyArray<unknown>, { readonly message: string }>
    ) =>
      keysetPages(
        { index: -2, key: "" },
        batchSize,
        (after) => page(after).pipe(run, Effect.flatMap(decode(schema))),
        (row) => ({ index: row.index, key: row.key })
      )

    const ledger: Ledger = {
      record: (generation, resource, rows) =>
        rows.length === 0 ?
          Effect.void :
          run(
            sql`INSERT OR IGNORE INTO ledger ${
              sql.insert(rows.map((row) => ({ resource, key: row.key, id: row.id, digest: row.digest, generation })))
            }`
          ),
      addKeys: (generation, rows) =>
        rows.length === 0 ? Effect.void : run(sql`INSERT OR IGNORE INTO bundle_keys ${
          sql.insert(rows.map((row) => ({
            generation,
            resource: row.resource,
            key: row.key,
            record_index: row.index,
            line: row.line,
            digest: row.digest,
            record: row.record
          })))
        }`),
      conversationKeys: (generation, indexes) =>
        indexes.length === 0 ? Effect.succeed(new Map()) : sql`SELECT ${columns} FROM bundle_keys
          WHERE generation = ${generation} AND resource = 'conversations' AND record_index IN ${sql.in(indexes)}`.pipe(
          run,
          Effect.flatMap(decode(KeyRow)),
          Effect.map((rows) => new Map(rows.map((row) => [row.index, row] as const)))
        ),
      plan: (generation) =>
        run(sql.withTransaction(Effect.zipRight(
          sql`UPDATE bundle_keys SET matched = (SELECT COALESCE(l.id, '') FROM ledger l
              WHERE l.resource = bundle_keys.resource AND l.key = bundle_keys.key AND l.generation < ${generation})
            WHERE generation = ${generation}`,
          sql`UPDATE bundle_keys SET changed = 1 WHERE generation = ${generation} AND resource = 'conversations'
            AND matched IS NOT NULL AND matched != '' AND digest IS NOT (SELECT l.digest FROM ledger l
              WHERE l.resource = 'conversations' AND l.key = bundle_keys.key)`
        ))),
      matched: (generation, resource, keys) =>
        keys.length === 0 ? Effect.succeed(new Map()) : sql`SELECT key, matched AS id FROM bundle_keys
          WHERE generation = ${generation} AND resource = ${resource} AND matched IS NOT NULL
          AND key IN ${sql.in(keys)}`.pipe(
          run,
          Effect.flatMap(decode(PairRow)),
          Effect.map((rows) => new Map(rows.map((row) => [row.key, row.id] as const)))
        ),
      matchedRows: (generation, resource) =>
        paged(MatchedRow, (after) =>
          sql`SELECT ${columns}, matched AS id FROM bundle_keys WHERE generation = ${generation}
            AND resource = ${resource} AND matched IS NOT NULL AND matched != ''
            AND (record_index, key) > (${after.index}, ${after.key}) ORDER BY record_index, key LIMIT ${batchSize}`),
      updates: (generation) =>
        paged(UpdateRow, (after) =>
          sql`SELECT record_index AS "index", line, key, matched AS id, record FROM bundle_keys
            WHERE generation = ${generation} AND resource = 'conversations' AND changed = 1 AND applied = 0
            AND (record_index, key) > (${after.index}, ${after.key}) ORDER BY record_index, key LIMIT ${batchSize}`),
      applied: (generation, key) =>
        run(sql.withTransaction(Effect.zipRight(
          sql`UPDATE ledger SET digest = (SELECT digest FROM bundle_keys WHERE generation = ${generation}
            AND resource = 'conversations' AND key = ${key}) WHERE resource = 'conversations' AND key = ${key}`,
          sql`UPDATE bundle_keys SET applied = 1 WHERE generation = ${generation} AND resource = 'conversations'
            AND key = ${key}`
        ))),
      appliedUpdates: (generation) =>
        sql`SELECT k.key, k.matched AS id, k.line, k.record, (SELECT p.record FROM bundle_keys p
            WHERE p.resource = 'conversations' AND p.key = k.key AND p.generation < k.generation
            ORDER BY p.generation DESC LIMIT 1) AS previous
          FROM bundle_keys k WHERE k.generation = ${generation} AND k.resource = 'conversations' AND k.applied = 1
          AND k.matched IS NOT NULL AND k.record IS NOT NULL ORDER BY k.record_index`.pipe(
          run,
          Effect.flatMap(decode(AppliedRow))
        ),
      counts: (generation) =>
        Effect.gen(function*() {
          const count = (query: Effect.Effect<ReadonlyArray<unknown>, { readonly message: string }>) =>
            Effect.map(
              Effect.flatMap(run(query), decode(CountRow)),
              (rows) =>
                new Map(rows.map((row) =>
                  [row.resource, row.count] as const
                ))
            )
          const created = yield* count(sql`SELECT resource, COUNT(*) AS count FROM ledger
            WHERE generation = ${generation} GROUP BY resource`)
          const updated = yield* count(sql`SELECT resource, COUNT(*) AS count FROM bundle_keys
            WHERE generation = ${generation} AND applied = 1 GROUP BY resource`)
          const unchanged = yield* count(sql`SELECT resource, COUNT(*) AS count FROM bundle_keys
            WHERE generation = ${generation} AND matched IS NOT NULL AND changed = 0 GROUP BY resource`)
          const gone = yield* count(sql`SELECT resource, COUNT(*) AS count FROM ledger l
            WHERE generation < ${generation} AND NOT EXISTS (SELECT 1 FROM bundle_keys k
              WHERE k.generation = ${generation} AND k.resource = l.resource AND k.key = l.key) GROUP BY resource`)
          return resources.map((resource): DeltaCounts => ({
            resource,
            created: created.get(resource) ?? 0,
            updated: updated.get(resource) ?? 0,
            unchanged: unchanged.get(resource) ?? 0,
            gone: gone.get(resource) ?? 0
          }))
        })
    }
    return ledger
  })
