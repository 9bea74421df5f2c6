/**
 * Example 6 — your own pipeline, built from the import's stages.
 *
 * `BulkImport.stream` is one composition of four stages; here they are recombined with two steps of our own:
 *
 * ```text
 * records ─▶ enrich (a routing service, one call per 25 records) ─▶ validate ─▶ chunk
 *         ─▶ audit (every chunk written to an audit log before it is sent) ─▶ submit ─▶ settle (custom polling)
 * ```
 *
 * - **enrich**: each batch of records is sent to a (simulated) routing service that picks a queue tag and a
 *   priority for every ticket — one call per batch, not per record. A ticket the service cannot route is still
 *   imported, tagged `unrouted`.
 * - **audit**: between `chunk` and `submit`, each chunk's number and size go to an audit log (a `Ref` here; a
 *   database or a message bus in an application) before any request is made with it.
 * - **settle** polls jobs on a custom `Schedule`: every 250 ms at first, backing off to every 2 s.
 *
 *   pnpm example compose-stages
 */
import { BulkImport, ImportEvent, ImportSource } from "@effect-kustomer/client"
import * as Arr from "effect/Array"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Target from "./Target.js"

/** What the routing service decides for a ticket. */
interface Route {
  readonly queueTag: string
  readonly priority: number
}

/** A routing service: routes tickets by subject, a batch per call. */
class Routing extends Context.Tag("examples/Routing")<Routing, {
  readonly routeAll: (subjects: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Route | undefined>>
  readonly calls: Effect.Effect<number>
}>() {}

/** The simulated routing service: refunds and shipping have queues; anything else is not routed. */
const routingLayer = Layer.effect(
  Routing,
  Effect.gen(function*() {
    const calls = yield* Ref.make(0)
    const routeOne = (subject: string): Route | undefined =>
      subject.includes("refund")
        ? { queueTag: "queue-refunds", priority: 2 }
        : subject.includes("shipping")
        ? { queueTag: "queue-shipping", priority: 3 }
        : undefined
    return {
      routeAll: (subjects) =>
        Effect.as(Ref.update(calls, (count) => count + 1), subjects.map((subject) => routeOne(subject))),
      calls: Ref.get(calls)
    }
  })
)

/** The tickets to import: a subject each, and no queue yet. */
const ticketsFor = (customerIds: ReadonlyArray<string>) =>
  Arr.makeBy(240, (index) => ({
    externalId: `example-compose-${index}`,
    customer: customerIds[index % customerIds.length],
    name: `${["refund request", "shipping delay", "question"][index % 3]} #${index}`,
    importedAt: "2026-01-15T09:30:00.000Z"
  }))

type Ticket = ReturnType<typeof ticketsFor>[number]

/** Our first step: routes the records in batches and adds the route's tag and priority to each. */
const enrich = (routing: Routing["Type"]) => <E, R>(records: Stream.Stream<ImportSource.SourceRecord, E, R>) =>
  records.pipe(
    Stream.grouped(25),
    Stream.mapEffect((batch) => {
      const all = Chunk.toReadonlyArray(batch)
      const subjects = all.map((record) => record._tag === "Parsed" ? String(subjectOf(record.value)) : "")
      return Effect.map(routing.routeAll(subjects), (routes) =>
        all.map((record, index) => {
          if (record._tag !== "Parsed") return record
          const route = routes[index]
          return ImportSource.parsed(record.position, {
            ...objectOf(record.value),
            tags: [route?.queueTag ?? "unrouted"],
            priority: route?.priority ?? 4
          })
        }))
    }),
    Stream.flattenIterables
  )

const objectOf = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? { ...value } : {}

const subjectOf = (value: unknown): unknown => objectOf(value)["name"]

/** Polls every 250 ms, backing off by half each time up to every 2 s. */
const pollSchedule = Schedule.exponential(Duration.millis(250), 1.5).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(2)))
)

/** Runs the example. */
export const main = (_args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const target = yield* Target.Target
    const routing = yield* Routing
    const audit = yield* Ref.make<ReadonlyArray<string>>([])
    const importer = yield* BulkImport.make({ maxItems: 50, firstPollDelay: "250 millis", pollSchedule })
    const tickets: ReadonlyArray<Ticket> = ticketsFor(target.customerIds)

    const outcomes = yield* ImportSource.fromIterable(tickets).pipe(
      enrich(routing),
      BulkImport.validate(importer),
      BulkImport.chunk(importer),
      // Our second step: every chunk is written to the audit log before it is sent; events pass through.
      BulkImport.tapChunks((chunk) =>
        Ref.update(audit, (log) => [...log, `chunk ${chunk.chunk}: ${chunk.items.length} tickets`])
      ),
      BulkImport.submit(importer),
      BulkImport.settle(importer),
      Stream.filter(ImportEvent.isOutcome),
      Stream.runCollect,
      Effect.map((collected) => Chunk.toReadonlyArray(collected))
    )

    const created = outcomes.filter((outcome) => outcome._tag === "Created").length
    yield* Console.log(`${created} of ${tickets.length} tickets created`)
    yield* Console.log(`routing service called ${yield* routing.calls} times for ${tickets.length} tickets`)
    for (const line of yield* Ref.get(audit)) yield* Console.log(`audited before sending: ${line}`)
    yield* Target.showStored
    if (Option.isSome(target.simulator)) {
      const stored = yield* target.simulator.value.objects("conversations")
      const tags = stored.flatMap((conversation) => {
        const value = conversation.attributes["tags"]
        return Array.isArray(value) ? value.map((tag) => String(tag)) : []
      })
      const byTag = Arr.groupBy(tags, (tag) => tag)
      yield* Console.log(
        `stored with tags: ${Object.entries(byTag).map(([tag, all]) => `${tag} ${all.length}`).join(", ")}`
      )
    }
  }).pipe(
    Effect.provide(Layer.merge(Target.clientLayer(), routingLayer)),
    Effect.provide(Target.layer())
  )
