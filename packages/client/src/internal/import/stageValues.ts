/**
 * The values that travel between the import's stages, each a class of its own with a `_tag`: a prepared item
 * (validate → chunk), a pending chunk (chunk → submit) and a submitted job (submit → settle). Events travel beside
 * them; {@link isStageValue} tells the two apart by class, not by the presence of a `_tag`.
 */
import type { Ids } from "@effect-kustomer/domain"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import type * as Events from "../../ImportEvent.js"
import type { Position } from "../../ImportSource.js"

/** A valid record, encoded once to its wire JSON (with its `_clientRef`) and measured. */
export class PreparedItem implements Checkpoint.ChunkItem {
  readonly _tag = "PreparedItem"
  constructor(
    readonly position: Position,
    readonly clientRef: string,
    readonly externalId: string | undefined,
    readonly json: string,
    readonly bytes: number
  ) {}
}

/**
 * A chunk bound for one bulk request, numbered and journaled. `inDoubt`: an earlier attempt may have sent it (a
 * resumed chunk caught while being sent), so its items are checked before they are sent again.
 */
export class PendingChunk {
  readonly _tag = "PendingChunk"
  constructor(readonly chunk: Checkpoint.PlannedChunk, readonly inDoubt: boolean) {}
}

/**
 * A chunk the API accepted as a job. `resent`: an earlier request with these items may have created them, so a
 * duplicate verdict means this import created them.
 */
export class SubmittedJob {
  readonly _tag = "SubmittedJob"
  constructor(
    readonly chunk: Checkpoint.PlannedChunk,
    readonly jobId: Ids.BulkJobId,
    readonly submittedAt: number,
    readonly resent: boolean
  ) {}
}

/** A value between two stages that is not an event. */
export type StageValue = PreparedItem | PendingChunk | SubmittedJob

/** Whether a value is a stage's own (an item, a chunk, a job) rather than an event passing through. */
export const isStageValue = (value: unknown): value is StageValue =>
  value instanceof PreparedItem || value instanceof PendingChunk || value instanceof SubmittedJob

/** Whether a value between two stages is an event passing through. */
export const isEvent = <A>(value: A | Events.ImportEvent): value is Events.ImportEvent => !isStageValue(value)
