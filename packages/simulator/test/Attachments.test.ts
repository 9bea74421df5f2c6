/** Attachments: the document, the presigned upload to the storage route, and references from messages and notes. */
import type { BulkJob } from "@effect-kustomer/domain"
import { BulkResource } from "@effect-kustomer/domain"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { Simulator, SimulatorClient } from "../src/index.js"
import type { SimulatorConfig } from "../src/index.js"
import { at, inProcessApi, str, submitAndAwait } from "./utils.js"

const run = <A, E>(
  options: SimulatorConfig.SimulatorOptions,
  effect: Effect.Effect<A, E, Simulator.Simulator | HttpClient.HttpClient>
) => Effect.provide(effect, SimulatorClient.layerSimulator({ jobLatency: 0, itemLatency: 0, ...options }))

const encoder = new TextEncoder()

/** A multipart body written out by hand here (not the client's builder), so that the two are checked apart. */
const form = (
  fields: ReadonlyArray<readonly [string, string]>,
  file: Uint8Array | undefined,
  options: { readonly fileFirst?: boolean } = {}
): { readonly body: Uint8Array; readonly contentType: string } => {
  const boundary = "test-boundary-4f1c"
  const chunks: Array<Uint8Array> = []
  const fieldChunks = fields.map(([name, value]) =>
    encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
  )
  const fileChunks = file === undefined ? [] : [
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n"
    ),
    file,
    encoder.encode("\r\n")
  ]
  if (options.fileFirst === true) chunks.push(...fileChunks, ...fieldChunks)
  else chunks.push(...fieldChunks, ...fileChunks)
  chunks.push(encoder.encode(`--${boundary}--\r\n`))
  const body = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}

interface Created {
  readonly id: string
  readonly url: string
  readonly fields: ReadonlyArray<readonly [string, string]>
}

const createAttachment = (contentLength: number, name = "a.bin") =>
  Effect.gen(function*() {
    const api = yield* inProcessApi
    const reply = yield* api.post("/v1/attachments", {
      json: { name, contentType: "application/octet-stream", contentLength }
    })
    assert.strictEqual(reply.status, 201, reply.text)
    const rawFields = at(reply.body, "meta", "upload", "fields")
    const fields: Array<readonly [string, string]> = []
    if (Predicate.isRecord(rawFields)) {
      for (const [key, value] of Object.entries(rawFields)) fields.push([key, String(value)])
    }
    const created: Created = {
      id: str(reply.body, "data", "id"),
      url: str(reply.body, "meta", "upload", "url"),
      fields
    }
    return created
  })

const postForm = (
  url: string,
  body: { readonly body: Uint8Array; readonly contentType: string },
  headers: Record<string, string> = {}
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(url).pipe(
        HttpClientRequest.setHeaders({ "content-length": String(body.body.length), ...headers }),
        HttpClientRequest.bodyUint8Array(body.body, body.contentType)
      )
    )
    return { status: response.status, text: yield* response.text }
  })

const bytesOf = (length: number): Uint8Array => Uint8Array.from({ length }, (_, index) => (index * 7) % 256)

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

const messageWith = (conversation: string, attachments: ReadonlyArray<unknown>) => ({
  channel: "email",
  app: "postmark",
  conversation,
  preview: "with a file",
  attachments
})

/** A conversation to hang messages and notes on. */
const aConversation = Effect.gen(function*() {
  const simulator = yield* Simulator.Simulator
  const submitted = yield* submitAndAwait(BulkResource.Conversations.bulkPath, [
    { customer: simulator.customerIds[0] ?? "", externalId: "conv-with-files" }
  ])
  return submitted.batches[0]?.objectIds?.[0] ?? ""
})

const errorsOf = (batch: BulkJob.BatchAttributes | undefined) =>
  (batch?.errors ?? []).map((error) => Either.getOrThrow(error))

describe("attachments", () => {
  it.effect("create → upload → reference from a message and a note → stats and inspection", () =>
    run(
      {},
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const conversation = yield* aConversation
        const file = bytesOf(1000)
        const created = yield* createAttachment(file.length)
        assert.match(created.url, /\/__uploads\//)
        assert.deepStrictEqual(created.fields.map(([name]) => name), ["key", "policy", "signature", "Content-Type"])
        const uploaded = yield* postForm(created.url, form(created.fields, file))
        assert.strictEqual(uploaded.status, 204, uploaded.text)
        // Idempotent: the same upload again replaces the first.
        assert.strictEqual((yield* postForm(created.url, form(created.fields, file))).status, 204)

        const reference = {
          _id: created.id,
          name: "a.bin",
          contentType: "application/octet-stream",
          contentLength: 1000
        }
        const messages = yield* submitAndAwait(BulkResource.Messages.bulkPath, [messageWith(conversation, [reference])])
        assert.strictEqual(messages.batches[0]?.successCount, 1)
        const notes = yield* submitAndAwait(BulkResource.Notes.bulkPath, [
          { conversation, body: "see file", attachments: [reference] }
        ])
        assert.strictEqual(notes.batches[0]?.successCount, 1)

        const stats = yield* simulator.stats
        assert.deepStrictEqual(stats.attachments, {
          created: 1,
          uploaded: 1,
          bytes: 1000,
          referenced: 1,
          referencedTwice: 1,
          uploadRequests: 2,
          uploadsRefused: 0,
          uploadFaults: 0
        })
        const [stored] = yield* simulator.attachments
        assert.strictEqual(stored?.sha256, sha256(file))
        assert.strictEqual(stored?.size, 1000)
        assert.isTrue(stored?.uploaded)
        assert.deepStrictEqual(stored?.referencedBy, [
          messages.batches[0]?.objectIds?.[0] ?? "",
          notes.batches[0]?.objectIds?.[0] ?? ""
        ])
      })
    ))

  it.effect("a large upload streamed in small pieces is counted and hashed as it comes", () =>
    run(
      {},
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const file = bytesOf(3 * 1024 * 1024 + 17)
        const created = yield* createAttachment(file.length)
        const { body, contentType } = form(created.fields, file)
        const pieces: Array<Uint8Array> = []
        for (let offset = 0; offset < body.length; offset += 65_536) pieces.push(body.subarray(offset, offset + 65_536))
        const client = yield* HttpClient.HttpClient
        const response = yield* client.execute(
          HttpClientRequest.post(created.url).pipe(
            HttpClientRequest.setHeader("content-length", String(body.length)),
            HttpClientRequest.bodyStream(Stream.fromIterable(pieces), { contentType, contentLength: body.length })
          )
        )
        assert.strictEqual(response.status, 204, yield* response.text)
        const [stored] = yield* simulator.attachments
        assert.strictEqual(stored?.size, file.length)
        assert.strictEqual(stored?.sha256, sha256(file))
      })
    ))

  it.effect("an upload with a changed or missing field, a wrong size, or the file not last is refused", () =>
    run(
      {},
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const file = bytesOf(10)
        const created = yield* createAttachment(file.length)
        const tampered = created.fields.map(([name, value]): readonly [string, string] =>
          name === "key" ? [name, `${value}-other`] : [name, value]
        )
        const changed = yield* postForm(created.url, form(tampered, file))
        assert.strictEqual(changed.status, 403)
        assert.include(changed.text, "<Code>SignatureDoesNotMatch</Code>")
        const missing = yield* postForm(created.url, form(created.fields.slice(1), file))
        assert.strictEqual(missing.status, 400)
        assert.include(missing.text, "must contain a field named 'key'")
        const short = yield* postForm(created.url, form(created.fields, bytesOf(9)))
        assert.strictEqual(short.status, 400)
        assert.include(short.text, "EntityTooSmall")
        const long = yield* postForm(created.url, form(created.fields, bytesOf(11)))
        assert.include(long.text, "EntityTooLarge")
        const fileFirst = yield* postForm(created.url, form(created.fields, file, { fileFirst: true }))
        assert.strictEqual(fileFirst.status, 400)
        const noFile = yield* postForm(created.url, form(created.fields, undefined))
        assert.strictEqual(noFile.status, 400)
        const unknown = yield* postForm(
          created.url.replace(created.id, "000000000000000000000000"),
          form(created.fields, file)
        )
        assert.strictEqual(unknown.status, 404)
        const [stored] = yield* simulator.attachments
        assert.isFalse(stored?.uploaded)
        assert.strictEqual((yield* simulator.stats).attachments.uploadsRefused, 7)
      })
    ))

  it.effect("an upload carrying Authorization is refused: the API key must not go to the storage host", () =>
    run(
      {},
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const file = bytesOf(5)
        const created = yield* createAttachment(file.length)
        const reply = yield* postForm(created.url, form(created.fields, file), {
          authorization: `Bearer ${simulator.apiKey}`
        })
        assert.strictEqual(reply.status, 400)
        assert.include(reply.text, "Only one auth mechanism allowed")
        assert.strictEqual((yield* simulator.stats).attachments.uploaded, 0)
      })
    ))

  it.effect("a message or note naming an unknown, un-uploaded or differently sized attachment is refused per item", () =>
    run(
      {},
      Effect.gen(function*() {
        const conversation = yield* aConversation
        const uploaded = yield* createAttachment(4)
        yield* postForm(uploaded.url, form(uploaded.fields, bytesOf(4)))
        const pending = yield* createAttachment(4)
        const ref = (id: string, contentLength = 4) => ({
          _id: id,
          name: "a.bin",
          contentType: "application/octet-stream",
          contentLength
        })
        const { batches } = yield* submitAndAwait(BulkResource.Messages.bulkPath, [
          messageWith(conversation, [ref("5f1e3c8a00a70000000000ff")]),
          messageWith(conversation, [ref(pending.id)]),
          messageWith(conversation, [ref(uploaded.id, 5)]),
          messageWith(conversation, [ref(uploaded.id)])
        ])
        assert.strictEqual(batches[0]?.successCount, 1)
        const errors = errorsOf(batches[0])
        assert.deepStrictEqual(errors.map((error) => error.index), [0, 1, 2])
        assert.include(errors[0]?.error ?? "", "not found")
        assert.include(errors[1]?.error ?? "", "never uploaded")
        assert.include(errors[2]?.error ?? "", "does not match")
        const notes = yield* submitAndAwait(BulkResource.Notes.bulkPath, [
          { conversation, body: "x", attachments: [ref(pending.id)] }
        ])
        assert.include(errorsOf(notes.batches[0])[0]?.error ?? "", "never uploaded")
        const simulator = yield* Simulator.Simulator
        const stats = yield* simulator.stats
        assert.strictEqual(stats.attachments.referenced, 1)
        assert.strictEqual(stats.attachments.referencedTwice, 0)
      })
    ))

  it.effect("uploads do not spend the rate limit; the document request does", () =>
    run(
      { rateLimit: { limit: 2, window: "1 minute" } },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const api = yield* inProcessApi
        const file = bytesOf(3)
        const created = yield* createAttachment(file.length)
        for (let attempt = 0; attempt < 5; attempt++) {
          assert.strictEqual((yield* postForm(created.url, form(created.fields, file))).status, 204)
        }
        assert.strictEqual((yield* api.get("/v1/auth/tokens/current")).status, 200)
        assert.strictEqual((yield* api.get("/v1/auth/tokens/current")).status, 429)
        const stats = yield* simulator.stats
        assert.strictEqual(stats.requests.byRoute["POST /v1/attachments"], 1)
        assert.strictEqual(stats.requests.total, 3)
        assert.strictEqual(stats.attachments.uploadRequests, 5)
      })
    ))

  it.effect("the fault profile injects 5xx on uploads, counted apart from the API's faults", () =>
    run(
      { faults: { serverErrorRate: 1, afterAcceptanceShare: 0, seed: 5 } },
      Effect.gen(function*() {
        const simulator = yield* Simulator.Simulator
        const file = bytesOf(3)
        const created = yield* createAttachment(file.length)
        const reply = yield* postForm(created.url, form(created.fields, file))
        assert.isAtLeast(reply.status, 500)
        const stats = yield* simulator.stats
        assert.strictEqual(stats.attachments.uploadFaults, 1)
        assert.strictEqual(stats.attachments.uploaded, 0)
      })
    ))

  it.effect("a create needs a message or note role and a valid body", () =>
    run(
      {
        apiKeys: [
          { key: "all", roles: ["org.permission.message.create"] },
          { key: "none", roles: ["org.permission.customer.read"] }
        ]
      },
      Effect.gen(function*() {
        const api = yield* inProcessApi
        const body = { name: "a", contentType: "text/plain", contentLength: 1 }
        assert.strictEqual((yield* api.post("/v1/attachments", { json: body, key: "none" })).status, 403)
        assert.strictEqual((yield* api.post("/v1/attachments", { json: body, key: "all" })).status, 201)
        const invalid = yield* api.post("/v1/attachments", { json: { name: "a" }, key: "all" })
        assert.strictEqual(invalid.status, 400)
      })
    ))
})
