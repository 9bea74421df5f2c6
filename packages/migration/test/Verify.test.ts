/**
 * `Verify.run` against the simulator: no difference after a migration (attachments, date-times and tags as
 * Kustomer normalises them included); exactly the differences made behind its back through the bulk update and
 * delete; a seeded `sample` that draws the same objects every time; and the comparison's tolerance of the
 * API's normalisation, field by field.
 */
import { BulkJob, KustomerClient } from "@effect-kustomer/client"
import type { BulkJob as BulkJobDocument } from "@effect-kustomer/domain"
import { BulkResource, Conversation, Message, Note } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration, Verify } from "../src/index.js"
import * as VerifyCompare from "../src/internal/verifyCompare.js"
import { bundleLines, createOldConversation, writeBundle } from "./fixtures/undoHarness.js"

const migrated = (count: number) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    yield* createOldConversation
    NodeFs.writeFileSync(`${dir}/receipt.pdf`, "x".repeat(1234))
    const lines = bundleLines(count).map((line, index) =>
      index !== 1 ? line : {
        ...line,
        messages: [{
          externalId: "m-with-file",
          channel: "email",
          app: "postmark",
          preview: "Receipt attached",
          attachments: [{ name: "receipt.pdf", contentType: "application/pdf", size: 1234, path: "receipt.pdf" }]
        }]
      }
    )
    writeBundle(`${dir}/bundle.jsonl`, lines)
    const journal = `${dir}/migration.journal`
    yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, journal, pipeline: fastPipeline })
    return { dir, journal }
  })

/** The id of the object stored with this externalId. */
const idOf = (resource: BulkResource.ResourceName, externalId: string) =>
  Effect.map(
    Effect.flatMap(Simulator.Simulator, (simulator) => simulator.findByExternalId(resource, externalId)),
    (found) => found[0]?.id ?? ""
  )

/** Sends a bulk change and waits for its job. */
const applied = <E, R>(send: Effect.Effect<BulkJobDocument.BulkJobDocument, E, R>) =>
  Effect.flatMap(send, (job) => BulkJob.awaitResults(job.data.id, { firstRead: "5 millis" }))

describe("Verify", () => {
  it.scopedLive("no difference after a migration; exactly those made behind its back", () =>
    Effect.gen(function*() {
      const { journal } = yield* migrated(6)
      const clean = yield* Verify.run({ journal })
      assert.deepStrictEqual(clean.differences, [])
      assert.deepStrictEqual(clean.checked, {
        companies: 1,
        customers: 3,
        conversations: 6,
        messages: 12,
        notes: 6
      })
      // The conversation and the customer found existing are read once to tell whether they are the migration's.
      assert.strictEqual(clean.requests, 30)
      assert.isNull(clean.sample)

      const client = yield* KustomerClient.KustomerClient
      const ticket2 = yield* idOf("conversations", "ticket-2")
      const ticket3 = yield* idOf("conversations", "ticket-3")
      const user0 = yield* idOf("customers", "user-0")
      const user1 = yield* idOf("customers", "user-1")
      yield* applied(client.bulkUpdate(BulkResource.Conversations, [
        Schema.decodeSync(Conversation.ConversationUpdate)({ id: ticket2, status: "done", name: "Renamed" }),
        // The same tags in another order: not a difference.
        Schema.decodeSync(Conversation.ConversationUpdate)({ id: ticket3, tags: ["t0", "migrated"] }),
        // Moved to another customer: a link differs.
        Schema.decodeSync(Conversation.ConversationUpdate)({
          id: yield* idOf("conversations", "ticket-1"),
          customer: user0
        })
      ]))
      yield* applied(client.bulkUpdate(BulkResource.Conversations, [
        Schema.decodeSync(Conversation.ConversationUpdate)({
          id: yield* idOf("conversations", "ticket-4"),
          deleted: true
        })
      ]))
      yield* applied(client.bulkUpdate(BulkResource.Messages, [
        Schema.decodeSync(Message.MessageUpdate)({ id: yield* idOf("messages", "m-1-1"), preview: "Edited" })
      ]))
      yield* applied(client.bulkUpdate(BulkResource.Notes, [
        Schema.decodeSync(Note.NoteUpdate)({ id: yield* idOf("notes", "n-5"), body: "Edited note" })
      ]))
      const user2 = yield* idOf("customers", "user-2")
      yield* Effect.flatMap(
        client.bulkDelete(BulkResource.Customers, [user2]),
        (job) => Option.isSome(job) ? BulkJob.awaitResults(job.value.data.id, { firstRead: "5 millis" }) : Effect.void
      )

      const report = yield* Verify.run({ journal })
      const found = report.differences.map((difference) => [
        difference.resource,
        difference.externalId,
        difference.line,
        difference.field,
        difference.expected,
        difference.actual
      ])
      assert.sameDeepMembers(found, [
        ["customers", "user-2", 4, "exists", true, false],
        ["conversations", "ticket-2", 4, "name", "Ticket 2", "Renamed"],
        ["conversations", "ticket-2", 4, "status", "open", "done"],
        ["conversations", "ticket-4", 6, "deleted", false, true],
        ["messages", "m-1-1", 3, "preview", "Message 1 of ticket 1", "Edited"],
        ["notes", "n-5", 7, "body", "Checked ticket 5", "Edited note"],
        ["conversations", "ticket-1", 3, "customer", user1, user0]
      ])
      assert.strictEqual(found.length, 7)
    }).pipe(Effect.provide(simulated({ customers: 2 }))))

  it.scopedLive("--sample: the same seed draws the same objects; another seed others", () =>
    Effect.gen(function*() {
      const { journal } = yield* migrated(10)
      const client = yield* KustomerClient.KustomerClient
      // Every conversation renamed: each one the sample draws is a difference.
      const ids = yield* Effect.forEach(Array.from({ length: 10 }, (_, index) => `ticket-${index}`), (externalId) =>
        idOf("conversations", externalId))
      yield* applied(client.bulkUpdate(
        BulkResource.Conversations,
        ids.map((id) =>
          Schema.decodeSync(Conversation.ConversationUpdate)({ id, name: "Renamed" })
        )
      ))
      const first = yield* Verify.run({ journal, sample: 12, seed: 42 })
      const again = yield* Verify.run({ journal, sample: 12, seed: 42 })
      const other = yield* Verify.run({ journal, sample: 12, seed: 7 })
      const drawn = (report: Verify.Report) => report.differences.map((difference) => difference.id)
      assert.deepStrictEqual(first.sample, { size: 12, seed: 42 })
      assert.strictEqual(first.requests, 14)
      assert.deepStrictEqual(drawn(first), drawn(again))
      assert.deepStrictEqual(first.checked, again.checked)
      assert.notDeepEqual([drawn(first), first.checked], [drawn(other), other.checked])
      assert.strictEqual(Object.values(first.checked).reduce((sum, count) => sum + count, 0), 12)
      const six = [1, 2, 3, 4, 5, 6]
      assert.deepStrictEqual(yield* Verify.sampleOf(six, 3, 9), yield* Verify.sampleOf(six, 3, 9))
      assert.lengthOf(yield* Verify.sampleOf(six, 3, 9), 3)
      assert.deepStrictEqual(yield* Verify.sampleOf([1, 2, 3], 5, 9), [1, 2, 3])
    }).pipe(Effect.provide(simulated({ customers: 2 }))))
})

describe("Verify's comparison", () => {
  const object = (attributes: Record<string, unknown>, customer?: string) =>
    Option.some({
      type: "conversation",
      id: "c1",
      attributes,
      ...(customer === undefined ? {} : { relationships: { customer: { data: { type: "customer", id: customer } } } })
    })

  it("tolerates what Kustomer normalises: date-times to milliseconds, tags' order and repeats", () => {
    const expected: VerifyCompare.Expected = {
      resource: "conversations",
      fields: { name: "A", createdAt: "2024-02-01T09:00:00Z", tags: ["b", "a", "a"], priority: 3 },
      links: { customer: "u1" }
    }
    assert.deepStrictEqual(
      VerifyCompare.compare(
        expected,
        object({ name: "A", createdAt: "2024-02-01T09:00:00.000Z", tags: ["a", "b"], priority: 3 }, "u1")
      ),
      []
    )
    assert.deepStrictEqual(
      VerifyCompare.compare(
        expected,
        object({ name: "A", createdAt: "2024-02-01T09:00:01.000Z", tags: ["a"], priority: 4 }, "u2")
      ),
      [
        { field: "customer", expected: "u1", actual: "u2" },
        { field: "priority", expected: 3, actual: 4 },
        { field: "createdAt", expected: "2024-02-01T09:00:00Z", actual: "2024-02-01T09:00:01.000Z" },
        { field: "tags", expected: ["a", "b"], actual: ["a"] }
      ]
    )
  })

  it("compares attachments by their sizes, and a field the bundle does not set not at all", () => {
    const expected: VerifyCompare.Expected = {
      resource: "messages",
      fields: { preview: "Hi", attachments: [{ name: "a.pdf", size: 10 }] },
      links: {}
    }
    assert.deepStrictEqual(
      VerifyCompare.compare(
        expected,
        object({ preview: "Hi", createdAt: "2020-01-01T00:00:00Z", attachments: [{ contentLength: 10 }] })
      ),
      []
    )
    assert.deepStrictEqual(
      VerifyCompare.compare(expected, object({ preview: "Hi", attachments: [{ contentLength: 11 }] })),
      [{ field: "attachments.size", expected: [10], actual: [11] }]
    )
    assert.deepStrictEqual(VerifyCompare.compare(expected, Option.none()), [
      { field: "exists", expected: true, actual: false }
    ])
  })
})
