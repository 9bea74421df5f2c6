/**
 * `kustomer-bulk demo`: the whole journey on one machine. Starts the simulator in process on a real port, writes
 * a migration bundle of N realistic conversations (with their customers, messages and notes), migrates it through
 * exactly the code path of `kustomer-bulk migrate`, prints the summary, and then asks the simulator what it
 * holds — one object per input object, none twice. With `--conversations-only` it shows `import` instead:
 * customers created first, then conversation records that carry their ids.
 *
 * @since 0.1.0
 */
import { BulkImport, ImportSource, KustomerAuth } from "@effect-kustomer/client"
import { BulkResource, type RateBudget } from "@effect-kustomer/domain"
import { SimulatorServer } from "@effect-kustomer/simulator"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Connection from "./Connection.js"
import * as DemoData from "./DemoData.js"
import { CliError, type RunFailure } from "./Failure.js"
import * as Format from "./Format.js"
import * as ImportRunner from "./ImportRunner.js"
import * as MigrateRunner from "./MigrateRunner.js"
import { Output } from "./Output.js"

/**
 * What `demo` was asked to do.
 *
 * @since 0.1.0
 */
export interface DemoRequest {
  /** Conversations to generate and import. */
  readonly records: number
  /** Customers to create first. */
  readonly customers: number
  /** The simulated org's rate limit (and the client's budget); default 1000 per minute. */
  readonly rateLimit: RateBudget.RateBudget | undefined
  /** Make about one record in a hundred invalid, to show rejects. */
  readonly withErrors: boolean
  /** Share of bulk requests the simulator fails (5xx or a dropped connection, half of them after storing the job). */
  readonly failRate: number
  /** The directory for the generated file, journal, rejects and report; default a new temporary one. */
  readonly out: string | undefined
  /** Import conversation records (`import`) instead of migrating a bundle (`migrate`). */
  readonly conversationsOnly: boolean
}

const noIds: ReadonlyArray<string> = []

/** When the demo first reads a job: its simulator's jobs take 0.1 s and 1 ms an object. */
const demoFirstPollDelay = "200 millis"

/** Creates the demo's customers through `POST /v1/customers/bulk` and returns their ids. */
const createCustomers = (count: number) =>
  BulkImport.stream(ImportSource.fromIterable(DemoData.customers(count)), {
    resource: BulkResource.Customers,
    linger: "10 millis",
    firstPollDelay: demoFirstPollDelay
  }).pipe(
    Stream.runFold(noIds, (ids, event) =>
      event._tag === "Created" && event.objectId !== undefined ? [...ids, event.objectId] : ids),
    Effect.filterOrFail(
      (ids) =>
        ids.length === count,
      (ids) => new CliError({ message: `the demo could create only ${ids.length} of ${count} customers` })
    )
  )

/** The default demo: a generated bundle, migrated; then what the simulator holds. */
const migrateBundle = (request: DemoRequest, server: SimulatorServer.Service, directory: string) =>
  Effect.gen(function*() {
    const output = yield* Output
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const bundle = path.join(directory, "bundle.jsonl")
    const nowMillis = yield* Clock.currentTimeMillis
    yield* Stream.fromIterable(DemoData.bundle(request.records, {
      customers: request.customers,
      nowMillis,
      invalidEvery: request.withErrors ? 100 : 0
    })).pipe(
      Stream.map((line) => `${JSON.stringify(line)}\n`),
      Stream.encodeText,
      Stream.run(fs.sink(bundle))
    )
    yield* output.err(
      `Wrote a bundle of ${Format.count(request.records)} conversations of ${Format.count(request.customers)} ` +
        `customers, with their messages and notes, to ${bundle}`
    )
    const code = yield* MigrateRunner.run({
      bundle,
      journal: path.join(directory, "migration.journal"),
      rejects: path.join(directory, "rejects.jsonl"),
      report: path.join(directory, "report.json"),
      html: path.join(directory, "report.html"),
      maxItems: undefined,
      maxBytes: undefined,
      concurrency: undefined,
      target: `${server.baseUrl} (the simulator)`,
      resumable: false,
      // The simulator's jobs finish in 0.1 s and 1 ms an object: their first read need not wait the usual 2 s.
      firstPollDelay: demoFirstPollDelay
    })
    const stats = yield* server.simulator.stats
    const resources = ["customers", "conversations", "messages", "notes"] as const
    const twice = resources.reduce((sum, resource) => sum + stats[resource].externalIdsStoredMoreThanOnce.length, 0)
    yield* output.out(
      `\nThe simulator holds ${
        resources.map((resource) => `${Format.count(stats[resource].stored)} ${resource}`).join(", ")
      } (${Format.count(twice)} stored more than once).`
    )
    yield* output.out(`The bundle, journal, rejects and report (report.json, report.html) are in ${directory}`)
    return code
  })

/**
 * Runs the demo; returns the import's exit code.
 *
 * @since 0.1.0
 */
export const run = (request: DemoRequest): Effect.Effect<
  number,
  | ServeError
  | PlatformError
  | ConfigError.ConfigError
  | BulkImport.BulkImportError
  | CliError
  | RunFailure,
  FileSystem.FileSystem | Path.Path | HttpClient.HttpClient | Output
> =>
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Output
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const server = yield* SimulatorServer.make({
      port: 0,
      customers: 0,
      ...(request.rateLimit === undefined ? {} : { rateLimit: request.rateLimit }),
      faults: {
        seed: 1,
        serverErrorRate: request.failRate * 0.6,
        connectionResetRate: request.failRate * 0.4,
        afterAcceptanceShare: 0.5
      }
    })
    yield* output.err(`Started a Kustomer simulator on ${server.baseUrl}`)
    const client = Connection.clientLayer(
      { ...Connection.fromEnvironment, baseUrl: server.baseUrl, rateLimit: request.rateLimit },
      KustomerAuth.layer(Redacted.make(server.apiKey))
    )
    // The run's files are kept for a look afterwards: the rejects, the report, the journal.
    const directory = request.out ?? (yield* fs.makeTempDirectory({ prefix: "kustomer-demo-" }))
    yield* fs.makeDirectory(directory, { recursive: true })
    if (!request.conversationsOnly) {
      return yield* migrateBundle(request, server, directory).pipe(Effect.provide(client))
    }
    return yield* Effect.gen(function*() {
      const customerIds = yield* createCustomers(request.customers)
      yield* output.err(`Created ${Format.count(customerIds.length)} customers through the bulk customers endpoint`)

      const input = path.join(directory, "conversations.jsonl")
      const nowMillis = yield* Clock.currentTimeMillis
      yield* Stream.fromIterable(DemoData.conversations(request.records, {
        customerIds,
        nowMillis,
        invalidEvery: request.withErrors ? 100 : 0
      })).pipe(
        Stream.map((record) => `${JSON.stringify(record)}\n`),
        Stream.encodeText,
        Stream.run(fs.sink(input))
      )
      yield* output.err(`Wrote ${Format.count(request.records)} helpdesk conversations to ${input}`)

      const code = yield* ImportRunner.run({
        input,
        format: "jsonl",
        csv: undefined,
        encoding: undefined,
        unknownFields: undefined,
        maxItems: undefined,
        maxBytes: undefined,
        concurrency: undefined,
        journal: path.join(directory, "journal.sqlite"),
        rejects: path.join(directory, "rejects.jsonl"),
        report: path.join(directory, "report.json"),
        html: path.join(directory, "report.html"),
        assignExternalIds: false,
        resolveExisting: false,
        target: `${server.baseUrl} (the simulator)`,
        resumable: false
      })

      const stats = yield* server.simulator.stats
      const twice = stats.conversations.externalIdsStoredMoreThanOnce.length
      const faults = Object.values(stats.faults).reduce((total, count) => total + count, 0)
      yield* output.out(
        `\nThe simulator holds ${Format.count(stats.conversations.stored)} conversations ` +
          `(${Format.count(stats.conversations.distinctExternalIds)} distinct externalIds, ` +
          `${Format.count(twice)} stored more than once)` +
          (request.failRate > 0
            ? `; it injected ${Format.count(faults)} faults and caught ` +
              `${Format.count(stats.conversations.duplicatesRejected)} re-sent duplicates.`
            : ".")
      )
      yield* output.out(`The input, journal, rejects and report (report.json, report.html) are in ${directory}`)
      return code
    }).pipe(Effect.provide(client))
  }))
