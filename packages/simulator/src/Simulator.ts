/**
 * The simulator itself: one simulated Kustomer org (keys, rate limit, stored objects, bulk jobs, faults) and the
 * `HttpApp` that serves it. Serve the app with {@link SimulatorServer} (real sockets) or call it in process with
 * {@link SimulatorClient}.
 *
 * @since 0.1.0
 */
import type { Customer } from "@effect-kustomer/domain"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { JobSnapshot, ResourceName, SimulatorStats, StoredAttachment, StoredObject } from "./Inspection.js"
import * as Engine from "./internal/engine.js"
import * as Jobs from "./internal/jobs.js"
import { ConnectionReset as ConnectionResetError } from "./internal/responses.js"
import * as Router from "./internal/router.js"
import { SimulatorState } from "./internal/state.js"
import * as SimulatorConfig from "./SimulatorConfig.js"

/**
 * The failure of {@link Service.app} when a fault destroys the connection instead of answering: the server
 * destroys the socket, the in-process client fails with a transport `RequestError`.
 *
 * @since 0.1.0
 */
export const ConnectionReset = ConnectionResetError
/** @since 0.1.0 */
export type ConnectionReset = ConnectionResetError

/**
 * A customer to seed: the wire JSON of a `Customer.CustomerInput`.
 *
 * @since 0.1.0
 */
export type CustomerSeed = typeof Customer.CustomerInput.Encoded

/**
 * A running simulator.
 *
 * @since 0.1.0
 */
export interface Service {
  /** The resolved configuration. */
  readonly config: SimulatorConfig.SimulatorConfig
  /** The HTTP app serving the simulated API (and `GET /__admin/stats`). */
  readonly app: HttpApp.Default<ConnectionReset>
  /** The first configured API key (by default one with every role). */
  readonly apiKey: string
  /** Ids of the customers seeded at start-up. */
  readonly customerIds: ReadonlyArray<string>
  /** Every counter, as served at `GET /__admin/stats`. */
  readonly stats: Effect.Effect<SimulatorStats>
  /** Stored conversations, in the order they were stored, as they are now (see {@link objects}). */
  readonly conversations: Effect.Effect<ReadonlyArray<StoredObject>>
  /** Stored customers, in the order they were stored (seeded ones first), as they are now (see {@link objects}). */
  readonly customers: Effect.Effect<ReadonlyArray<StoredObject>>
  /**
   * Stored objects of any resource (companies, messages and notes included), in the order they were stored: each as
   * it is now — with the changes of bulk updates applied, deleted ones left out — copied, so that a later update does
   * not change what was read.
   */
  readonly objects: (resource: ResourceName) => Effect.Effect<ReadonlyArray<StoredObject>>
  /**
   * Objects of a resource stored with this `externalId`, first one first (more than one only in a resource whose
   * duplicates are stored again: by default companies, messages and notes).
   */
  readonly findByExternalId: (resource: ResourceName, externalId: string) => Effect.Effect<ReadonlyArray<StoredObject>>
  /** How many objects of a resource are stored under each `externalId`. */
  readonly externalIdCounts: (resource: ResourceName) => Effect.Effect<ReadonlyMap<string, number>>
  /** Stores customers directly (no job, no request counted): `n` generated ones, or the given ones. Returns their ids. */
  readonly seedCustomers: (customers: number | ReadonlyArray<CustomerSeed>) => Effect.Effect<ReadonlyArray<string>>
  /** The state of a bulk job. */
  readonly job: (id: string) => Effect.Effect<Option.Option<JobSnapshot>>
  /** Every bulk job, oldest first. */
  readonly jobs: Effect.Effect<ReadonlyArray<JobSnapshot>>
  /** Attachment documents, in the order they were created, with what was uploaded and who references them. */
  readonly attachments: Effect.Effect<ReadonlyArray<StoredAttachment>>
  /** Starts a 429 storm now: every authenticated request gets 429 until it ends. */
  readonly startRateLimitStorm: (duration: Duration.DurationInput) => Effect.Effect<void>
}

/**
 * The simulator service.
 *
 * @since 0.1.0
 */
export class Simulator extends Context.Tag("@effect-kustomer/simulator/Simulator")<Simulator, Service>() {}

const generatedCustomer = (index: number): CustomerSeed => ({
  externalId: `sim-customer-${index}`,
  name: `Simulated Customer ${index}`,
  emails: [{ type: "home", email: `customer${index}@simulator.example` }]
})

/**
 * When the start-up customers were created, by the seed: a second from September 2020 on, so that their ids (whose
 * first 8 characters are seconds) are the same for the same seed and differ between seeds.
 *
 * @since 0.1.0
 */
export const startUpCustomersMillis = (seed: number): number => (1_600_000_000 + (seed % 100_000_000)) * 1000

/**
 * Creates a simulator in the current scope: seeds its customers and starts its worker pool. When the scope closes
 * the workers stop, and requests held by the hang fault (`FaultProfile.hangRate`) end as connection resets. Its
 * time is the `Clock` of the fiber that creates it and of each request.
 *
 * @since 0.1.0
 */
export const make = (options: SimulatorConfig.SimulatorOptions = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const config = SimulatorConfig.make(options)
    const state = new SimulatorState(config)
    const enqueue = yield* Engine.start(state)
    const stopped = yield* Deferred.make<void>()
    yield* Effect.addFinalizer(() => Deferred.succeed(stopped, undefined))
    const app = Router.make(state, enqueue, stopped)

    const seedCustomersAt = (customers: number | ReadonlyArray<CustomerSeed>, nowMillis: number) => {
      const seeds = typeof customers === "number"
        ? Array.from(
          { length: customers },
          (_, offset) => generatedCustomer(state.store.collections.customers.all.length + offset + 1)
        )
        : customers
      return seeds.map((seed) => state.store.seedCustomer(seed, nowMillis))
    }
    /** A stored object as it is now, copied: updates change stored objects in place. */
    const copyOf = (object: StoredObject): StoredObject => ({ ...object, attributes: { ...object.attributes } })
    const snapshotOf = (resource: ResourceName): ReadonlyArray<StoredObject> =>
      state.store.collections[resource].all.map((object) => copyOf(object))
    const seedCustomers = (customers: number | ReadonlyArray<CustomerSeed>) =>
      Effect.map(Clock.currentTimeMillis, (nowMillis) => seedCustomersAt(customers, nowMillis))

    // The start-up customers are the first objects, dated by the seed rather than the clock: the same seed gives
    // the same ids on every start, so users' tests can keep them in fixtures.
    const customerIds = seedCustomersAt(config.customers, startUpCustomersMillis(config.answers.seed))
    const firstKey = config.apiKeys[0]

    return {
      config,
      app,
      apiKey: firstKey === undefined ? "" : firstKey.key,
      customerIds,
      stats: Effect.sync(() => state.stats()),
      conversations: Effect.sync(() => snapshotOf("conversations")),
      customers: Effect.sync(() => snapshotOf("customers")),
      objects: (resource) => Effect.sync(() => snapshotOf(resource)),
      findByExternalId: (resource, externalId) =>
        Effect.sync(() =>
          state.store.collections[resource].findByExternalId(externalId).map((object) => copyOf(object))
        ),
      externalIdCounts: (resource) => Effect.sync(() => state.store.collections[resource].externalIdCounts()),
      seedCustomers,
      job: (id) =>
        Effect.sync(() => Option.map(Option.fromNullable(state.jobs.byId.get(id)), (job) => Jobs.snapshot(job))),
      jobs: Effect.sync(() => Array.from(state.jobs.byId.values(), (job) => Jobs.snapshot(job))),
      attachments: Effect.sync(() => state.store.attachments.inspect()),
      startRateLimitStorm: (duration) =>
        Effect.map(Clock.currentTimeMillis, (nowMillis) => {
          state.limiter.startStorm(nowMillis, Duration.toMillis(duration))
          state.counters.countFault("rate_limit_storm")
        })
    }
  })

/**
 * A simulator with no server: use it with {@link SimulatorClient.layer}, or serve `app` yourself.
 *
 * @since 0.1.0
 */
export const layer = (options: SimulatorConfig.SimulatorOptions = {}): Layer.Layer<Simulator> =>
  Layer.scoped(Simulator, make(options))
