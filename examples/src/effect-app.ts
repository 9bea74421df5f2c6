/**
 * Example 4 — the import composed into an Effect application.
 *
 * - `TicketMigration` is an application service (`Effect.Service`). It depends on `KustomerClient`, which comes
 *   from `KustomerClient.layerConfig()`: the key, base URL and rate limit are read from `Config`
 *   (`KUSTOMER_API_KEY`, `KUSTOMER_BASE_URL` or `KUSTOMER_ORG` / `KUSTOMER_REGION`, `KUSTOMER_RATE_LIMIT`). The
 *   application's own settings are `Config` too. Its `migrate` needs nothing from its caller: the client and the
 *   rate limiter were captured when the layer was built.
 * - Every public operation of the library runs in a span (`KustomerClient.bulkCreate`, `BulkImport.submitChunk`,
 *   `BulkImport.awaitJob`, …), and `migrate` is an `Effect.fn` span around them. Provide `NodeSdk.layer(...)` from
 *   `@effect/opentelemetry` and they are exported, with no code change. Here a recording tracer prints them.
 *
 *   pnpm example effect-app
 */
import { BulkImport, ImportSource, KustomerClient, type RateLimiter } from "@effect-kustomer/client"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as SpanRecorder from "./SpanRecorder.js"
import * as Target from "./Target.js"

/** A ticket as the application knows it. */
export interface Ticket {
  readonly id: number
  readonly subject: string
  readonly requester: string
  readonly solved: boolean
  readonly openedAt: string
}

/** The application's own settings, from `Config` (environment variables by default). */
const MigrationSettings = Config.all({
  maxItems: Config.integer("MIGRATION_MAX_ITEMS").pipe(Config.withDefault(100)),
  concurrency: Config.integer("MIGRATION_CONCURRENCY").pipe(Config.withDefault(4)),
  tag: Config.string("MIGRATION_TAG").pipe(Config.withDefault("migrated"))
})

/** Moves tickets into Kustomer as conversations. */
class TicketMigration extends Effect.Service<TicketMigration>()("examples/TicketMigration", {
  effect: Effect.gen(function*() {
    const settings = yield* MigrationSettings
    // The client and its rate limiter, captured once: `migrate` then requires nothing of its callers.
    const kustomer = yield* Effect.context<KustomerClient.KustomerClient | RateLimiter.RateLimiter>()

    const migrate = Effect.fn("TicketMigration.migrate")(function*(tickets: ReadonlyArray<Ticket>) {
      yield* Effect.annotateCurrentSpan("migration.tickets", tickets.length)
      const conversations = tickets.map((ticket) => ({
        customer: ticket.requester,
        externalId: `ticket-${ticket.id}`,
        name: ticket.subject,
        status: ticket.solved ? "done" : "open",
        createdAt: ticket.openedAt,
        importedAt: "2026-01-15T09:30:00.000Z",
        tags: [settings.tag]
      }))
      return yield* BulkImport.run(ImportSource.fromIterable(conversations), {
        maxItems: settings.maxItems,
        submitConcurrency: settings.concurrency,
        firstPollDelay: "300 millis"
      }).pipe(Effect.provide(kustomer))
    })

    return { migrate }
  }),
  dependencies: [KustomerClient.layerConfig()]
}) {}

/** The application: its service, and a tracer (the place for `NodeSdk.layer` from `@effect/opentelemetry`). */
const AppLayer = Layer.merge(TicketMigration.Default, SpanRecorder.layer)

/** What the application does. */
const program = Effect.gen(function*() {
  const target = yield* Target.Target
  const migration = yield* TicketMigration
  const tickets = Array.from({ length: 320 }, (_, index): Ticket => ({
    id: 5000 + index,
    subject: `Ticket ${5000 + index}`,
    requester: target.customerIds[index % target.customerIds.length] ?? "",
    solved: index % 3 !== 0,
    openedAt: "2025-11-02T08:00:00.000Z"
  }))
  const summary = yield* migration.migrate(tickets)
  yield* Console.log(`Migrated ${summary.created + summary.alreadyExisting} of ${summary.read} tickets.`)

  const spans = yield* Effect.flatMap(SpanRecorder.SpanRecorder, (recorder) => recorder.spans)
  const byName = new Map<string, { count: number; millis: number }>()
  for (const span of spans) {
    const entry = byName.get(span.name) ?? { count: 0, millis: 0 }
    byName.set(span.name, { count: entry.count + 1, millis: entry.millis + span.millis })
  }
  yield* Console.log("\nSpans an OpenTelemetry exporter would receive:")
  for (const [name, entry] of byName) {
    yield* Console.log(
      `  ${name.padEnd(36)} ×${String(entry.count).padStart(3)}  ${
        Duration.format(Duration.millis(Math.round(entry.millis)))
      }`
    )
  }
})

/** Runs the example. */
export const main = (_args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const target = yield* Target.Target
    // Against the embedded simulator, the application's environment points at it; against a real org, the
    // environment is read as it is.
    const environment = target.kind === "simulator"
      ? ConfigProvider.fromMap(
        new Map([
          ["KUSTOMER_API_KEY", Redacted.value(target.apiKey)],
          ["KUSTOMER_BASE_URL", target.baseUrl]
        ])
      )
      : ConfigProvider.fromEnv()
    yield* program.pipe(Effect.provide(AppLayer), Effect.withConfigProvider(environment))
    yield* Target.showStored
  }).pipe(Effect.provide(Target.layer()))
