/**
 * Checks a migration against its newest export (`kustomer-bulk verify`): reads back, by id, what the journal sets
 * say the migration's runs created — its first run's and every delta's (`<journal>.delta-<n>`), every object or a
 * seeded sample of them — and compares each with its line in the newest export (the last delta's bundle, else the
 * first run's; messages and notes, which a delta never changes, with the bundle that created them): that it
 * exists (and is not marked deleted), its links (a conversation's customer, a message's conversation and customer,
 * a note's conversation) and its fields (name, status, priority, createdAt, tags, a message's text, a note's body,
 * the attachments' sizes), in the form Kustomer normalises them to (see `internal/verifyCompare.ts`). Every read
 * goes through the client, so its rate limiter, under the one retry policy. Objects the migration found existing
 * are not checked — they are not its own — except a company, customer or conversation that carries its run's own
 * `importedAt`: the migration created it, but its creation's answer was lost (each such object is read once to
 * tell, before the sample is drawn; see `internal/ownership.ts`, which rollback reads too). A company, customer or
 * conversation the newest export no longer holds is counted as created, not checked.
 *
 * @since 0.1.0
 */
import { KustomerClient } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import type { MigrationError } from "./internal/failure.js"
import type * as Input from "./internal/input.js"
import * as MigrationRecord from "./internal/migrationRecord.js"
import * as Ownership from "./internal/ownership.js"
import type { PipelineOptions } from "./internal/pipeline.js"
import { retriedRead } from "./internal/reads.js"
import * as UndoRoles from "./internal/undoRoles.js"
import * as VerifyCompare from "./internal/verifyCompare.js"
import * as VerifyExpected from "./internal/verifyExpected.js"

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The migration's journal (its id map, with its phase journals beside it). */
  readonly journal: string
  /**
   * The bundle as the first run read it: its path (read as that run read it), or the whole input. Default: the path
   * its journals recorded. One that changed since is refused. Each delta's bundle is the one its journals recorded.
   */
  readonly bundle?: string | Input.BundleInput | undefined
  /** Check `sample` objects drawn from all it created (with `seed`), instead of every one. */
  readonly sample?: number | undefined
  /** The seed of the sample: the same seed and journal draw the same objects. Default 1. */
  readonly seed?: number | undefined
  /** Reads made at the same time. Default 4. */
  readonly concurrency?: number | undefined
  /** The retry schedule and rate-limit retries of the reads, as for the migration. */
  readonly pipeline?: PipelineOptions | undefined
}

/**
 * The resources verify reads back.
 *
 * @since 0.1.0
 */
export const Resource = Schema.Literal("companies", "customers", "conversations", "messages", "notes")

/** @since 0.1.0 */
export type Resource = typeof Resource.Type

/**
 * One difference: the object (resource, Kustomer id, `externalId`), its bundle line, the field — `exists`,
 * `deleted`, a link (`customer`, `conversation`), a field (`attachments.size` for the attachments), or `bundle`
 * (the journal names an object its bundle does not hold) — and the
 * value the bundle (or, for a link, the id map) expects next to the one Kustomer has.
 *
 * @since 0.1.0
 */
export const Difference = Schema.Struct({
  resource: Resource,
  id: Schema.String,
  line: Schema.NullOr(Schema.Number),
  externalId: Schema.optional(Schema.String),
  field: Schema.String,
  expected: Schema.Unknown,
  actual: Schema.Unknown
})

/** @since 0.1.0 */
export type Difference = typeof Difference.Type

/**
 * The verification's report (`kustomer-bulk verify --report`): what was created and what was checked, per
 * resource, the sample drawn (if any), the requests it cost and every difference.
 *
 * @since 0.1.0
 */
export const Report = Schema.Struct({
  journal: Schema.String,
  bundle: Schema.String,
  sample: Schema.NullOr(Schema.Struct({ size: Schema.Number, seed: Schema.Number })),
  created: Schema.Record({ key: Schema.String, value: Schema.Number }),
  checked: Schema.Record({ key: Schema.String, value: Schema.Number }),
  requests: Schema.Number,
  differences: Schema.Array(Difference)
})

/** @since 0.1.0 */
export type Report = typeof Report.Type

const registry: { readonly [R in Resource]: BulkResource.Any } = {
  companies: BulkResource.Companies,
  customers: BulkResource.Customers,
  conversations: BulkResource.Conversations,
  messages: BulkResource.Messages,
  notes: BulkResource.Notes
}

const resourceOrder: ReadonlyArray<Resource> = ["companies", "customers", "conversations", "messages", "notes"]

/**
 * `size` of `candidates`, drawn with the PRNG seeded with `seed` and kept in their order: the same seed and
 * candidates give the same sample.
 *
 * @since 0.1.0
 */
export const sampleOf = <A>(
  candidates: ReadonlyArray<A>,
  size: number,
  seed: number
): Effect.Effect<ReadonlyArray<A>> =>
  size >= candidates.length
    ? Effect.succeed(candidates)
    : Random.shuffle(candidates.map((_, index) => index)).pipe(
      Effect.withRandom(Random.make(seed)),
      Effect.map((drawn) => {
        const kept = new Set(Chunk.toReadonlyArray(drawn).slice(0, Math.max(0, size)))
        return candidates.filter((_, index) => kept.has(index))
      })
    )

const countBy = (items: ReadonlyArray<{ readonly resource: Resource }>) =>
  Object.fromEntries(
    resourceOrder.map((resource) => [resource, items.filter((item) => item.resource === resource).length])
  )

/**
 * Verifies the migration of `options.journal` (see the module's description). Fails with the migration's
 * `RunError` when it cannot run (no journal, another bundle, a key without a read role); differences are the
 * report's, not failures.
 *
 * @since 0.1.0
 */
export const run = (
  options: Options
): Effect.Effect<Report, MigrationError, KustomerClient.KustomerClient | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const history = yield* MigrationRecord.readAll(options.journal, options.bundle)
    const client = yield* KustomerClient.KustomerClient
    yield* UndoRoles.check(client, UndoRoles.verifyNeeds(resourceOrder), "verification", options.pipeline)
    let requests = 0
    const read = (resource: Resource, id: string) =>
      retriedRead(
        { pipeline: options.pipeline },
        Effect.zipRight(
          Effect.sync(() => {
            requests += 1
          }),
          client.getById(registry[resource], id)
        )
      )
    const concurrency = options.concurrency ?? 4
    // Parents found existing are the migration's own when they carry their run's importedAt (their answer lost).
    const ownership = yield* Ownership.resolve(
      history,
      (resource, id) =>
        Effect.map(read(resource, id), (found) => Option.map(found, (object) => object.attributes ?? {})),
      { concurrency }
    ).pipe(Effect.mapError((error) => VerifyExpected.readFailure(error)))
    const { checkable, created } = VerifyExpected.createdObjects(history, ownership)
    const candidates = VerifyExpected.ordered(checkable)
    const seed = options.seed ?? 1
    const selected = options.sample === undefined ? candidates : yield* sampleOf(candidates, options.sample, seed)
    const expected = yield* VerifyExpected.expectations(history, selected)
    const differences = yield* Effect.forEach(selected, (object) =>
      Effect.gen(function*() {
        const found = yield* read(object.resource, object.id)
        const wanted = expected.get(VerifyExpected.keyOf(object))
        // The journal names an object its bundle does not hold (cannot happen with the bundle it was made from).
        if (wanted === undefined) {
          return [{
            resource: object.resource,
            id: object.id,
            line: object.line,
            field: "bundle",
            expected: true,
            actual: false
          }]
        }
        return VerifyCompare.compare(wanted, found).map((difference): Difference => ({
          resource: object.resource,
          id: object.id,
          line: object.line ?? wanted.line ?? null,
          ...(wanted.externalId === undefined ? {} : { externalId: wanted.externalId }),
          ...difference
        }))
      }), { concurrency }).pipe(
        Effect.mapError((error) => VerifyExpected.readFailure(error))
      )
    return {
      journal: options.journal,
      bundle: MigrationRecord.newestRun(history).input.bundle,
      sample: options.sample === undefined ? null : { size: selected.length, seed },
      created: countBy(created.map((resource) => ({ resource }))),
      checked: countBy(selected),
      requests,
      differences: differences.flat()
    }
  })).pipe(Effect.withSpan("Verify.run", { attributes: { "migration.journal": options.journal } }))
