/**
 * Reading back which items of a chunk exist: what an import does instead of a blind resend when a resend could
 * store an item twice (a request whose answer was lost, for a resource whose duplicates Kustomer does not
 * refuse; items that may exist from an earlier run). Items listed under a parent (a message's conversation) are
 * found through one listing per parent, shared by the chunk's items; others by a look-up each. Every read goes
 * through the import's retry policy and rate limiter and is counted as a look-up.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import { isFatal, type KustomerError } from "../../KustomerError.js"
import type { Importer } from "./importer.js"

/**
 * What a read found for one item: its id (`Some`), that it does not exist (`None`), or why the read failed;
 * `undefined` when the item cannot be found at all (no `externalId` and no other key).
 */
export type Found = Either.Either<Option.Option<string>, KustomerError> | undefined

/** Reads at once per chunk. */
const readConcurrency = 4

/** A read's result as a value, except a fatal failure (credentials, an API gone silent), which stops the import. */
const settledRead = <A>(read: Effect.Effect<A, KustomerError>) =>
  Effect.flatMap(
    Effect.either(read),
    (result) => Either.isLeft(result) && isFatal(result.left) ? Effect.fail(result.left) : Effect.succeed(result)
  )

/** Looks one item up by its key, under the retry policy. */
const lookUp = (importer: Importer, item: Checkpoint.ChunkItem): Effect.Effect<Found, KustomerError> => {
  const key = importer.codec.keyOf(item)
  if (key === undefined || !importer.codec.findable(key)) return Effect.succeed(undefined)
  return settledRead(importer.retry(
    Effect.zipRight(importer.bump("lookups"), importer.codec.find(importer.client, key)),
    { write: false }
  ))
}

/** Lists one parent's objects, under the retry policy; every page counts as a look-up. */
const listParent = (importer: Importer, parentId: string) =>
  settledRead(
    importer.retry(importer.codec.list(importer.client, parentId, importer.bump("lookups")), { write: false })
  )

/**
 * Finds the items: one result per item, in order. An item with an `externalId` and a parent is found in that
 * parent's listing (read once for all of the chunk's items under it); any other findable item by a look-up.
 * Fails only with a fatal error.
 */
export const findExisting = (
  importer: Importer,
  items: ReadonlyArray<Checkpoint.ChunkItem>
): Effect.Effect<ReadonlyArray<Found>, KustomerError> =>
  Effect.gen(function*() {
    const parents = items.map((item) => item.externalId === undefined ? undefined : importer.codec.parentOf(item))
    const distinctParents = [...new Set(parents.flatMap((parent) => parent === undefined ? [] : [parent]))]
    const listings = new Map(
      yield* Effect.forEach(
        distinctParents,
        (parentId) => Effect.map(listParent(importer, parentId), (listed) => [parentId, listed] as const),
        { concurrency: readConcurrency }
      )
    )
    return yield* Effect.forEach(items, (item, index): Effect.Effect<Found, KustomerError> => {
      const parentId = parents[index]
      const listed = parentId === undefined ? undefined : listings.get(parentId)
      if (listed === undefined || item.externalId === undefined) return lookUp(importer, item)
      const externalId = item.externalId
      return Effect.succeed(Either.map(listed, (ids) => Option.fromNullable(ids.get(externalId))))
    }, { concurrency: readConcurrency })
  })
