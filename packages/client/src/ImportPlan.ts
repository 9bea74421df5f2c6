/**
 * The dry run of an import: the same validation and chunking as `BulkImport.stream` — the same options, the same
 * limits — with no request sent and nothing recorded. It emits a `Rejected` outcome for every invalid record and a
 * {@link ChunkPlanned} for every bulk request the import would send; it needs no client and no credentials.
 *
 * @since 0.1.0
 */
import type { BulkResource, Conversation } from "@effect-kustomer/domain"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Checkpoint from "./ImportCheckpoint.js"
import type * as Events from "./ImportEvent.js"
import type { Position, SourceRecord } from "./ImportSource.js"
import { bodyBytes, chunkedAmong } from "./internal/chunking.js"
import type { Prepared } from "./internal/import/codec.js"
import * as Internal from "./internal/import/importer.js"
import * as Prepare from "./internal/import/prepare.js"
import type * as Settings from "./internal/import/settings.js"

/**
 * A chunk a dry run formed: what one bulk request of the import would carry.
 *
 * @since 0.1.0
 */
export class ChunkPlanned extends Data.TaggedClass("ChunkPlanned")<{
  readonly chunk: number
  /** Items in the request. */
  readonly items: number
  /** Bytes of the request body. */
  readonly bytes: number
  /** Where its first and last records are in the source. */
  readonly first: Position
  readonly last: Position
  /** Items without an `externalId`: if their request were lost in flight, they could not be checked. */
  readonly withoutExternalId: number
}> {}

/**
 * What a dry run emits: rejected records and planned chunks, in source order.
 *
 * @since 0.1.0
 */
export type PlanEvent = Events.Rejected | ChunkPlanned

/**
 * A dry run: validates and chunks exactly as `BulkImport.stream` would — the same validation, the same chunking, the
 * same options — and sends nothing. Emits a `Rejected` outcome for every invalid record and a
 * {@link ChunkPlanned} for every request the import would send. Needs no client and no credentials.
 *
 * @since 0.1.0
 */
export const plan = <
  E,
  R,
  Item extends BulkResource.BulkItemBase = Conversation.ConversationInput,
  Encoded extends BulkResource.BulkItemBase = Conversation.ConversationInputEncoded
>(
  source: Stream.Stream<SourceRecord, E, R>,
  options: Omit<Settings.Options<Item, Encoded>, "checkpoint" | "source"> = {}
): Stream.Stream<PlanEvent, E, R> =>
  Stream.unwrap(Effect.gen(function*() {
    // A dry run records nothing: no journal, no metrics.
    const preparation: Internal.Preparation<never> = {
      ...(yield* Internal.makePreparation(options)),
      begin: Effect.succeed(Checkpoint.freshStart),
      record: () => Effect.void
    }
    let count = 0
    const planned = (items: Chunk.Chunk<Prepared>): ChunkPlanned => {
      const all = Chunk.toReadonlyArray(items)
      const first = all[0]?.position ?? { index: 0 }
      return new ChunkPlanned({
        chunk: count++,
        items: all.length,
        bytes: bodyBytes(all.map((item) => item.bytes)),
        first,
        last: all[all.length - 1]?.position ?? first,
        withoutExternalId: all.filter((item) => item.externalId === undefined).length
      })
    }
    return source.pipe(
      Prepare.validate(preparation),
      (items) =>
        chunkedAmong<Prepared, Events.Rejected, E, R>(
          items,
          preparation.settings,
          (value): value is Prepared => !Prepare.isEvent(value)
        ),
      // A plain map over each delivery: an effect per planned chunk cost more than planning it.
      Stream.mapChunks((values) =>
        Chunk.map(values, (value): PlanEvent => Chunk.isChunk(value) ? planned(value) : value)
      )
    )
  }))
