/**
 * Phases that overlap: children go while their parents' phase still runs, never before their own parent exists,
 * and everything is stored once; one after another on request.
 */
import { KustomerClient } from "@effect-kustomer/client"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

/** `conversations` lines, each with a customer of its own, 2 messages and a note. */
const bundle = (conversations: number) =>
  Array.from({ length: conversations }, (_, index) => ({
    externalId: `ticket-${index}`,
    name: `Ticket ${index}`,
    customer: { externalId: `user-${index}`, name: `Person ${index}` },
    messages: [0, 1].map((message) => ({
      externalId: `m-${index}-${message}`,
      direction: "in",
      channel: "email",
      app: "postmark",
      preview: `Message ${message}`
    })),
    notes: [{ externalId: `n-${index}`, body: `Note ${index}` }]
  }))

interface Sent {
  readonly resource: string
  /** The parent ids the chunk's items name that the API did not hold when the chunk was sent. */
  readonly unknownParents: number
}

/**
 * The client in context, recording each bulk creation in order with the parents its items name (`customer` of a
 * conversation, `conversation` of a message or note) that did not exist in the simulator when it was sent; the
 * job of the customers chunk holding `slowCustomer` (when given) cannot be read until a chunk of messages was sent:
 * with phases one after another that never happens, so it is given only to the overlapped run.
 */
const recordingSubmissions = (
  sent: Array<Sent>,
  slowCustomer: string | undefined,
  messagesSent: Deferred.Deferred<void>
) =>
  Layer.effect(
    KustomerClient.KustomerClient,
    Effect.gen(function*() {
      const client = yield* KustomerClient.KustomerClient
      const simulator = yield* Simulator.Simulator
      const slowJobs = new Set<string>()
      const known = (resource: "customers" | "conversations") =>
        Effect.map(simulator.objects(resource), (objects) => new Set(objects.map((object) => object.id)))
      const slow = <A, E>(id: string, read: Effect.Effect<A, E>) =>
        slowJobs.has(id)
          ? Effect.zipRight(Deferred.await(messagesSent), read)
          : read
      return {
        ...client,
        bulkCreatePrepared: (resource, body) =>
          Effect.gen(function*() {
            const items: ReadonlyArray<Record<string, unknown>> = JSON.parse(body.json)
            const field = resource.name === "conversations" ? "customer" : "conversation"
            const parents = yield* known(resource.name === "conversations" ? "customers" : "conversations")
            const named = resource.name === "customers" ? [] : items.map((item) => String(item[field]))
            sent.push({ resource: resource.name, unknownParents: named.filter((id) => !parents.has(id)).length })
            if (resource.name === "messages") yield* Deferred.succeed(messagesSent, undefined)
            const job = yield* client.bulkCreatePrepared(resource, body)
            if (slowCustomer !== undefined && items.some((item) => item["externalId"] === slowCustomer)) {
              slowJobs.add(job.data.id)
            }
            return job
          }),
        getBulkJob: (id) => slow(id, client.getBulkJob(id)),
        getBulkJobBatches: (id) => slow(id, client.getBulkJobBatches(id))
      } satisfies KustomerClient.KustomerClient["Type"]
    })
  )

const writeBundle = (path: string, lines: ReadonlyArray<unknown>) =>
  NodeFs.writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")

describe("Migration, overlapped phases", () => {
  for (const phases of ["overlapped", "sequential"] as const) {
    it.scopedLive(`${phases}: children go once their own parents exist, and each object is stored once`, () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const conversations = 150
        writeBundle(`${dir}/bundle.jsonl`, bundle(conversations))
        const sent: Array<Sent> = []
        const messagesSent = yield* Deferred.make<void>()
        let total = 0
        // Overlapped, the last customers' job is slow: the other conversations and their messages go meanwhile.
        const result = yield* Migration.run({
          bundle: `${dir}/bundle.jsonl`,
          journal: `${dir}/migration.journal`,
          pipeline: { ...fastPipeline, maxItems: 10 },
          phases,
          onTotal: (objects) =>
            Effect.sync(() => {
              total = objects
            })
        }).pipe(Effect.provide(recordingSubmissions(
          sent,
          phases === "overlapped" ? `user-${conversations - 1}` : undefined,
          messagesSent
        )))

        assert.deepStrictEqual(result.phases.map((phase) => [phase.phase, phase.summary.created]), [
          ["customers", conversations],
          ["conversations", conversations],
          ["messages", 2 * conversations],
          ["notes", conversations]
        ])
        assert.strictEqual(total, 5 * conversations, "the total given before the first phase: every object")
        const order = sent.map((chunk) => chunk.resource)
        const lastCustomers = order.lastIndexOf("customers")
        const firstMessages = order.indexOf("messages")
        if (phases === "overlapped") {
          // Messages went while the last customers' job was still unread, so before the last conversations.
          assert.isBelow(firstMessages, order.lastIndexOf("conversations"), "messages before the last conversations")
        } else {
          assert.isAbove(order.indexOf("conversations"), lastCustomers, "no conversation before the last customer")
          assert.isAbove(firstMessages, order.lastIndexOf("conversations"), "no message before the last conversation")
        }
        assert.deepStrictEqual(
          sent.filter((chunk) => chunk.unknownParents > 0),
          [],
          "no object sent before its parent existed"
        )
        const simulator = yield* Simulator.Simulator
        const stats = yield* simulator.stats
        for (const resource of ["customers", "conversations", "messages", "notes"] as const) {
          assert.strictEqual(stats[resource].storedTwice, 0, `${resource} stored twice`)
        }
        assert.strictEqual((yield* simulator.objects("messages")).length, 2 * conversations)
      }).pipe(Effect.provide(simulated())))
  }
})
