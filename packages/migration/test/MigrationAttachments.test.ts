/**
 * The source's attachments carried over: each file's document created, its bytes uploaded, and its message or
 * note referencing it — once, whatever is run again; a file that cannot be carried is that attachment's reject,
 * and its message is still created.
 */
import { Simulator } from "@effect-kustomer/simulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import { fastPipeline, readJsonLines, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex")

/** A file of `size` bytes, different for each name. */
const fileBytes = (name: string, size: number) =>
  new Uint8Array(Array.from({ length: size }, (_, index) => (index * 31 + name.length * 7) % 251))

const conversations = 6

const bundleOf = (dir: string) => {
  const lines = Array.from({ length: conversations }, (_, index) => {
    const screenshot = `shot-${index}.png`
    NodeFs.writeFileSync(`${dir}/${screenshot}`, fileBytes(screenshot, 1_000 + index * 500))
    const log = `logs/log-${index}.txt`
    NodeFs.mkdirSync(`${dir}/logs`, { recursive: true })
    NodeFs.writeFileSync(`${dir}/${log}`, `log of ticket ${index}\n`.repeat(40))
    return {
      externalId: `att-${index}`,
      customer: { externalId: `att-user-${index}` },
      messages: [{
        externalId: `att-${index}-m`,
        direction: "in",
        channel: "email",
        app: "postmark",
        preview: "see attached",
        attachments: [{ name: screenshot, contentType: "image/png", path: screenshot }]
      }],
      notes: [{
        externalId: `att-${index}-n`,
        body: "log attached",
        attachments: [
          { name: `log-${index}.txt`, contentType: "text/plain", path: log },
          // Not there: that attachment's reject, the note still created.
          ...(index === 2 ? [{ name: "gone.pdf", contentType: "application/pdf", path: "gone.pdf" }] : []),
          // Its size is not what the bundle says.
          ...(index === 4 ? [{ name: "short.txt", contentType: "text/plain", path: log, size: 3 }] : [])
        ]
      }]
    }
  })
  NodeFs.writeFileSync(`${dir}/bundle.jsonl`, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
}

describe("Migration, attachments", () => {
  it.scopedLive("each file uploaded once into its own document and referenced by its message or note", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      bundleOf(dir)
      const options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: fastPipeline
      }
      const result = yield* Migration.run(options)
      assert.deepStrictEqual(result.phases.map((phase) => phase.summary.created), [6, 6, 6, 6])
      assert.strictEqual(result.attachments.carried, 2 * conversations)
      assert.strictEqual(result.attachments.notCarried, 2)
      assert.strictEqual(result.attachments.held, 0)

      const simulator = yield* Simulator.Simulator
      const documents = yield* simulator.attachments
      assert.strictEqual(documents.length, 2 * conversations, "one document per file")
      const objects = [...(yield* simulator.objects("messages")), ...(yield* simulator.objects("notes"))]
      for (const document of documents) {
        assert.isTrue(document.uploaded, `${document.name} uploaded`)
        const path = document.name.startsWith("shot-") ? `${dir}/${document.name}` : `${dir}/logs/${document.name}`
        assert.strictEqual(document.sha256, sha256(NodeFs.readFileSync(path)), `${document.name}: its bytes`)
        assert.strictEqual(document.referencedBy.length, 1, `${document.name} referenced once`)
        const owner = objects.find((object) => object.id === document.referencedBy[0])
        const index = /-(\d+)\./.exec(document.name)?.[1]
        assert.strictEqual(
          owner?.attributes["externalId"],
          `att-${index}-${document.name.startsWith("shot-") ? "m" : "n"}`
        )
      }
      const rejects = readJsonLines(`${dir}/rejects.jsonl`)
      assert.deepStrictEqual(rejects.map((entry) => [entry["resource"], entry["of"]]), [
        ["attachments", "notes"],
        ["attachments", "notes"]
      ])
      assert.match(String(rejects[0]?.["reason"]), /gone\.pdf/)
      assert.match(String(rejects[1]?.["reason"]), /bundle says 3/)

      // Run again: nothing uploaded again, nothing created again; the counts are the bundle's, as the rejects file.
      const again = yield* Migration.run(options)
      assert.deepStrictEqual(again.attachments, result.attachments)
      assert.strictEqual((yield* simulator.attachments).length, 2 * conversations)
      assert.strictEqual(readJsonLines(`${dir}/rejects.jsonl`).length, 2)
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a document whose upload failed for now holds its message; the next run uploads into that document", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      bundleOf(dir)
      const options = {
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        pipeline: { ...fastPipeline, retrySchedule: Schedule.recurs(1) }
      }
      // The storage answers 503 to every upload: documents are created, their bytes cannot be sent for now.
      const first = yield* Migration.run(options).pipe(Effect.provide(uploadsFailing))
      assert.strictEqual(first.attachments.carried, 0)
      assert.strictEqual(first.attachments.held, 2 * conversations, "every message and note with a file waits")
      assert.deepStrictEqual(first.phases.map((phase) => [phase.phase, phase.summary.created, phase.held]), [
        ["customers", 6, 0],
        ["conversations", 6, 0],
        ["messages", 0, 6],
        ["notes", 0, 6]
      ])
      const simulator = yield* Simulator.Simulator
      const created = yield* simulator.attachments
      assert.strictEqual(created.length, 2 * conversations)
      assert.isTrue(created.every((document) => !document.uploaded))

      const second = yield* Migration.run(options)
      assert.strictEqual(second.attachments.carried, 2 * conversations)
      const documents = yield* simulator.attachments
      assert.deepStrictEqual(
        documents.map((document) => document.id),
        created.map((document) => document.id),
        "the same documents, no second one"
      )
      for (const document of documents) {
        assert.isTrue(document.uploaded)
        assert.strictEqual(document.referencedBy.length, 1)
      }
    }).pipe(Effect.provide(simulated())))
})

describe("Migration, attachments at a source that cannot be reached", () => {
  it.scopedLive("the attachment is not carried, at once and with the reason; its message is created", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const line = {
        externalId: "far-1",
        customer: { externalId: "far-user" },
        messages: [{
          externalId: "far-1-m",
          direction: "in",
          channel: "email",
          app: "postmark",
          attachments: [{ name: "a.png", contentType: "image/png", url: "https://attachments.invalid/a.png" }]
        }]
      }
      NodeFs.writeFileSync(`${dir}/bundle.jsonl`, JSON.stringify(line) + "\n")
      // Downloads through a real HTTP client: `.invalid` never resolves.
      const result = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: fastPipeline
      }).pipe(Effect.provide(NodeHttpClient.layerUndici))
      assert.strictEqual(result.phases[2]?.summary.created, 1, "the message is created")
      assert.deepStrictEqual(
        [result.attachments.carried, result.attachments.notCarried, result.attachments.held],
        [0, 1, 0]
      )
      assert.match(
        String(readJsonLines(`${dir}/rejects.jsonl`)[0]?.["reason"]),
        /attachments\.invalid cannot be reached/
      )
    }).pipe(Effect.provide(simulated())))
})

/** The plain HTTP client with the storage failing: 503 to every upload, everything else as it was. */
const uploadsFailing = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (inner) =>
    HttpClient.make((request, url) =>
      url.pathname.startsWith("/__uploads/")
        ? Effect.succeed(
          HttpClientResponse.fromWeb(request, new Response("<Error><Code>SlowDown</Code></Error>", { status: 503 }))
        )
        : inner.execute(request)
    ))
)
