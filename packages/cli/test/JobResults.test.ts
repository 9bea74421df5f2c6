/**
 * `job <id>` and the import read a job's batches the same way: both go through `BatchResults.read`, so the same odd
 * answer gives each item the same outcome in the import's results, in `job <id> --results` and in the report.
 */
import { BulkJob, KustomerClient } from "@effect-kustomer/client"
import { Ids } from "@effect-kustomer/domain"
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { createServer } from "node:http"
import * as DemoData from "../src/DemoData.js"
import * as ResultsFile from "../src/ResultsFile.js"
import { nodeLayer, quickFirstPoll, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.job-results-secret.c2lnbmF0dXJl"

const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(ResultsFile.Line))

const readLines = (file: string) =>
  Effect.map(
    Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(file)),
    (text) => text.trim().split("\n").map((line) => decodeLine(line))
  )

const tempFile = (name: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    return path.join(yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-job-results-test-" }), name)
  })

const objectId = (index: number) => String(index).padStart(24, "c")

/** A job whose batches carry results: two pages, a status-less batch, counts as strings, `errors: {}`, `links: null`. */
const withResults = "6b097023c5000000000000a1"

/** A job whose batches carry no results: object ids, and errors by index (a numeric string), counts as strings. */
const withoutResults = "6b097023c5000000000000a2"

const answers: Record<string, ReadonlyArray<unknown>> = {
  [withResults]: [
    {
      data: [{
        type: "bulk_batch",
        id: "b1",
        attributes: {
          status: null,
          successCount: "1",
          failureCount: "1",
          errors: {},
          results: [
            { _clientRef: "r0", status: "created", objectId: objectId(0) },
            // A duplicate said only in the text, under another code.
            { _clientRef: "r1", status: "error", error: { code: "invalid", message: "duplicate detected" } }
          ]
        }
      }],
      links: { next: `/v1/bulk/${withResults}/batches?page=2` }
    },
    {
      data: [{
        type: "bulk_batch",
        id: "b2",
        attributes: {
          status: "complete",
          successCount: "2",
          failureCount: "2",
          errors: null,
          objectIds: null,
          results: [
            { _clientRef: "r2", status: "error", error: "customer not found" },
            { _clientRef: "r3", status: 42 },
            { _clientRef: "r4", status: "skipped", objectId: objectId(4) },
            { _clientRef: "r5", status: "created", objectId: null }
          ]
        }
      }],
      links: null
    }
  ],
  [withoutResults]: [{
    data: [{
      attributes: {
        status: "complete",
        successCount: "2",
        failureCount: "1",
        objectIds: [objectId(0), objectId(2)],
        errors: [{ index: "1", externalId: "e1", code: "invalid", message: "duplicate detected" }]
      }
    }],
    links: null
  }]
}

/** A server answering `GET /v1/bulk/{id}` and its batches pages from {@link answers}; it counts the pages read. */
const oddServer = Effect.gen(function*() {
  const pagesRead = yield* Ref.make(0)
  const server = yield* NodeHttpServer.make(() => createServer(), { port: 0, host: "127.0.0.1" })
  yield* server.serve(Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const url = new URL(request.url, "http://127.0.0.1")
    const [, , , id, batches] = url.pathname.split("/")
    const pages = answers[id ?? ""]
    if (pages === undefined) return HttpServerResponse.unsafeJson({ errors: [{ status: 404 }] }, { status: 404 })
    if (batches === undefined) {
      return HttpServerResponse.unsafeJson({ data: { type: "bulk", id, attributes: { status: "complete" } } })
    }
    yield* Ref.update(pagesRead, (n) => n + 1)
    return HttpServerResponse.unsafeJson(pages[Number(url.searchParams.get("page") ?? "1") - 1])
  }))
  const baseUrl = server.address._tag === "TcpAddress" ? `http://127.0.0.1:${server.address.port}` : ""
  return {
    env: { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: baseUrl, ...quickFirstPoll },
    pagesRead: Ref.get(pagesRead)
  }
})

/** The verdicts the import settles its items from: `BulkJob.awaitResults`, as its `settle` stage calls it. */
const importReading = (env: Record<string, string>, jobId: string, clientRefs: ReadonlyArray<string>) =>
  BulkJob.awaitResults(Ids.BulkJobId.make(jobId), {
    items: clientRefs.map((clientRef) => ({ clientRef })),
    firstRead: 0
  }).pipe(
    Effect.provide(KustomerClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layer))),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

/** The outcome an import gives a verdict (`settle`: a duplicate `externalId` exists already; a strange answer is unknown). */
const importOutcome = {
  Created: "Created",
  Duplicate: "AlreadyExisting",
  Failed: "Failed",
  Strange: "Unknown"
} as const

describe("job <id> and the import read the same odd answer the same way", () => {
  it.scopedLive("batches with results, over two pages: the same outcome, object id and reason for each item", () =>
    Effect.gen(function*() {
      const server = yield* oddServer
      const clientRefs = ["r0", "r1", "r2", "r3", "r4", "r5"]
      const reading = yield* importReading(server.env, withResults, clientRefs)
      const file = yield* tempFile("job.jsonl")
      const run = yield* runCli(["job", withResults, "--results", file], server.env)
      const lines = yield* readLines(file)
      assert.deepStrictEqual(lines.map((line) => line.clientRef), clientRefs)
      for (const line of lines) {
        const verdict = reading.verdicts.get(line.clientRef ?? "")
        assert.isDefined(verdict, line.clientRef)
        if (verdict === undefined) continue
        assert.strictEqual(line.outcome, importOutcome[verdict._tag], line.clientRef)
        if (verdict._tag === "Created") assert.strictEqual(line.objectId, verdict.objectId)
        assert.strictEqual(
          line.reason,
          verdict._tag === "Created" ? undefined : verdict._tag === "Strange" ? verdict.detail : verdict.error
        )
      }
      assert.deepStrictEqual(lines.map((line) => line.outcome), [
        "Created",
        "AlreadyExisting",
        "Failed",
        "Unknown",
        "Unknown",
        "Created"
      ])
      // The report says the same, and fails the command for the one failed item only.
      assert.strictEqual(run.code, 2, run.text)
      assert.match(run.text, /1\s+r1\s+already existing\s+duplicate detected/)
      assert.match(run.text, /2\s+r2\s+error\s+customer not found/)
      assert.match(run.text, /3\s+r3\s+unreadable\s+the API reported an entry this client cannot read/)
      assert.match(run.text, /4\s+r4\s+skipped\s+the API reported status "skipped"/)
      assert.match(run.text, /batches complete\s+1\/2/)
      // Both followed links.next to the second page.
      assert.strictEqual(yield* server.pagesRead, 2 + 2)
    }).pipe(Effect.provide(nodeLayer)))

  it.scopedLive("batches without results: an error by its index, the object ids at the places it leaves", () =>
    Effect.gen(function*() {
      const server = yield* oddServer
      const clientRefs = ["r0", "r1", "r2"]
      const reading = yield* importReading(server.env, withoutResults, clientRefs)
      const file = yield* tempFile("job.jsonl")
      const run = yield* runCli(["job", withoutResults, "--results", file], server.env)
      const lines = yield* readLines(file)
      assert.deepStrictEqual(
        lines.map((line) => [line.index, line.outcome]),
        clientRefs.map((clientRef, index) => [index, importOutcome[reading.verdicts.get(clientRef)?._tag ?? "Strange"]])
      )
      assert.deepStrictEqual(lines.map((line) => line.objectId), [objectId(0), undefined, objectId(2)])
      assert.strictEqual(lines[1]?.externalId, "e1")
      assert.strictEqual(run.code, 0, run.text)
    }).pipe(Effect.provide(nodeLayer)))

  it.scopedLive("an import and job <id> of its job, against a simulator's odd answers, write the same lines", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const env = {
        KUSTOMER_API_KEY: secretKey,
        KUSTOMER_BASE_URL: server.baseUrl,
        ...quickFirstPoll
      }
      const fs = yield* FileSystem.FileSystem
      const records = [...DemoData.conversations(8, { customerIds: server.customerIds, nowMillis: 1_790_000_000_000 })]
      const input = yield* tempFile("conversations.jsonl")
      const write = (some: ReadonlyArray<unknown>) =>
        fs.writeFileString(input, some.map((record) => JSON.stringify(record)).join("\n"))
      // Two of them exist already; one names a customer that does not.
      yield* write(records.slice(0, 2))
      yield* runCli(["import", input], env)
      yield* write(
        records.map((record, index) => index === 5 ? { ...record, customer: "0123456789abcdef01234567" } : record)
      )
      const imported = yield* tempFile("import.jsonl")
      yield* runCli(["import", input, "--results", imported], env)
      const importLines = yield* readLines(imported)
      const jobId = importLines.find((line) => line.jobId !== undefined)?.jobId ?? ""
      const fromJob = yield* tempFile("job.jsonl")
      yield* runCli(["job", jobId, "--results", fromJob], env)
      const byIndex = (lines: ReadonlyArray<ResultsFile.Line>) =>
        [...lines].sort((a, b) => a.index - b.index).map((line) => [
          line.index,
          line.outcome,
          line.objectId,
          line.outcome === "Failed" ? line.reason : undefined
        ])
      assert.deepStrictEqual(byIndex(yield* readLines(fromJob)), byIndex(importLines))
      assert.deepStrictEqual(importLines.map((line) => line.outcome).sort(), [
        "AlreadyExisting",
        "AlreadyExisting",
        "Created",
        "Created",
        "Created",
        "Created",
        "Created",
        "Failed"
      ])
    }).pipe(Effect.provide(Layer.merge(
      SimulatorServer.layer({
        apiKeys: [{ key: secretKey }],
        jobLatency: "20 millis",
        batchSize: 3,
        answers: { batchesPerPage: 1, nullLists: true, itemErrors: "object", nullObjectIdRate: 0.5 }
      }),
      nodeLayer
    ))))
})
