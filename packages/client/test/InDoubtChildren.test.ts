/**
 * Messages and notes, whose repeated `externalId` Kustomer stores again: a request whose answer was lost is
 * settled by reading the conversation's listing, never by a blind resend; items that may exist from before the
 * import are read back before they are sent.
 */
import { BulkResource } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { simulated } from "./importHarness.js"
import { conversationRecord } from "./records.js"

/** Every other request has its connection reset after the API accepted it. */
const lostAnswers = { connectionResetRate: 0.5, afterAcceptanceShare: 1, seed: 11 }

const conversations = 8
const childrenPerConversation = 5

const tagCounts = (outcomes: ReadonlyArray<ImportEvent.Outcome>) =>
  outcomes.reduce<Record<string, number>>((counts, outcome) => {
    counts[outcome._tag] = (counts[outcome._tag] ?? 0) + 1
    return counts
  }, {})

const importAll = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  records: ReadonlyArray<unknown>,
  resource: BulkResource.BulkResource<Item, Encoded>,
  options: Pick<BulkImport.Options<Item, Encoded>, "mayAlreadyExist"> = {}
) =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records), {
      ...options,
      resource,
      maxItems: 7,
      linger: "10 millis"
    }).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events))
    )
  )

/** Conversations created (faults or not, Kustomer refuses their duplicates), with their ids and customer. */
const someConversations = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const customer = simulator.customerIds[0] ?? ""
  yield* importAll(
    Array.from({ length: conversations }, (_, index) => conversationRecord(index, customer)),
    BulkResource.Conversations
  )
  const stored = yield* simulator.conversations
  assert.strictEqual(stored.length, conversations)
  return { customer, ids: stored.map((conversation) => conversation.id) }
})

const messagesOf = (parents: { readonly customer: string; readonly ids: ReadonlyArray<string> }) =>
  parents.ids.flatMap((conversation, parent) =>
    Array.from({ length: childrenPerConversation }, (_, child) => ({
      externalId: `message-${parent}-${child}`,
      conversation,
      customer: parents.customer,
      channel: "email",
      app: "postmark",
      direction: "in",
      preview: `Message ${child} of conversation ${parent}`
    }))
  )

const notesOf = (parents: { readonly ids: ReadonlyArray<string> }) =>
  parents.ids.flatMap((conversation, parent) =>
    Array.from({ length: childrenPerConversation }, (_, child) => ({
      externalId: `note-${parent}-${child}`,
      conversation,
      body: `Note ${child} of conversation ${parent}`
    }))
  )

describe("in-doubt messages and notes (stored again by Kustomer when repeated)", () => {
  it.effect("messages whose answer was lost are read back from their conversation, stored once, counted created", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const records = messagesOf(yield* someConversations)
      const events = yield* importAll(records, BulkResource.Messages)
      const stats = yield* simulator.stats
      assert.isAbove(stats.faults.connection_reset_after_acceptance, 0, "some answers were lost")
      assert.strictEqual(stats.messages.storedTwice, 0, "no message stored twice")
      assert.strictEqual(stats.messages.stored, records.length)
      const outcomes = events.filter(ImportEvent.isOutcome)
      assert.deepStrictEqual(tagCounts(outcomes), { Created: records.length })
      const stored = new Set((yield* simulator.objects("messages")).map((message) => message.id))
      for (const outcome of outcomes) {
        assert.isTrue(outcome._tag === "Created" && outcome.objectId !== undefined && stored.has(outcome.objectId))
      }
      const finished = events.find((event) => event._tag === "Finished")
      assert.isTrue(finished !== undefined && finished._tag === "Finished" && finished.lookups > 0, "reads counted")
    }).pipe(Effect.provide(simulated({ faults: lostAnswers }))))

  it.effect("notes whose answer was lost are read back from their conversation (no look-up exists), stored once", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const records = notesOf(yield* someConversations)
      const events = yield* importAll(records, BulkResource.Notes)
      const stats = yield* simulator.stats
      assert.isAbove(stats.faults.connection_reset_after_acceptance, 0, "some answers were lost")
      assert.strictEqual(stats.notes.storedTwice, 0, "no note stored twice")
      assert.strictEqual(stats.notes.stored, records.length)
      assert.deepStrictEqual(tagCounts(events.filter(ImportEvent.isOutcome)), { Created: records.length })
    }).pipe(Effect.provide(simulated({ faults: lostAnswers }))))

  it.effect("notes without an externalId in a lost request are unknown, never sent twice", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const records = notesOf(yield* someConversations).map(({ body, conversation }) => ({ body, conversation }))
      const events = yield* importAll(records, BulkResource.Notes)
      const stats = yield* simulator.stats
      const counts = tagCounts(events.filter(ImportEvent.isOutcome))
      assert.isAbove(counts["Unknown"] ?? 0, 0, "the lost requests' notes cannot be checked")
      assert.strictEqual((counts["Created"] ?? 0) + (counts["Unknown"] ?? 0), records.length)
      assert.isAtMost(stats.notes.stored, records.length, "never more notes than records")
    }).pipe(Effect.provide(simulated({ faults: lostAnswers }))))
})

describe("children that may exist from before the import", () => {
  it.effect("are read back once per conversation and not sent again; the others are sent", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const parents = yield* someConversations
      const records = messagesOf(parents)
      // The first half of every conversation's messages exists already.
      const firstHalf = records.filter((_, index) => index % childrenPerConversation < 3)
      yield* importAll(firstHalf, BulkResource.Messages)
      const events = yield* importAll(records, BulkResource.Messages, {
        mayAlreadyExist: (items) => Effect.succeed(items.map(() => true))
      })
      const stats = yield* simulator.stats
      assert.strictEqual(stats.messages.storedTwice, 0, "nothing stored twice")
      assert.strictEqual(stats.messages.stored, records.length)
      const outcomes = events.filter(ImportEvent.isOutcome)
      assert.deepStrictEqual(tagCounts(outcomes), {
        AlreadyExisting: firstHalf.length,
        Created: records.length - firstHalf.length
      })
      for (const outcome of outcomes) {
        if (outcome._tag === "AlreadyExisting") assert.isDefined(outcome.objectId)
      }
      const finished = events.find((event) => event._tag === "Finished")
      // One listing per conversation a chunk touches: at most two chunks share a conversation.
      assert.isTrue(
        finished !== undefined && finished._tag === "Finished" && finished.lookups <= 2 * conversations,
        "one listing per conversation and chunk"
      )
    }).pipe(Effect.provide(simulated())))

  it.effect("checked absent, then sent in a request whose answer was lost: created by the import, not found existing", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const records = messagesOf(yield* someConversations)
      // Nothing exists before: every message the read-back after a lost answer finds is this import's.
      const events = yield* importAll(records, BulkResource.Messages, {
        mayAlreadyExist: (items) => Effect.succeed(items.map(() => true))
      })
      const stats = yield* simulator.stats
      assert.isAbove(stats.faults.connection_reset_after_acceptance, 0, "some answers were lost")
      assert.strictEqual(stats.messages.storedTwice, 0, "nothing stored twice")
      assert.strictEqual(stats.messages.stored, records.length)
      assert.deepStrictEqual(tagCounts(events.filter(ImportEvent.isOutcome)), { Created: records.length })
    }).pipe(Effect.provide(simulated({ faults: lostAnswers }))))

  it.effect("without mayAlreadyExist, a second import of the same messages stores them again (the truthful API)", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const records = messagesOf(yield* someConversations).slice(0, 10)
      yield* importAll(records, BulkResource.Messages)
      yield* importAll(records, BulkResource.Messages)
      const stats = yield* simulator.stats
      assert.strictEqual(stats.messages.storedTwice, records.length)
    }).pipe(Effect.provide(simulated())))
})
