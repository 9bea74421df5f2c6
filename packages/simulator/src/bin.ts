/**
 * The standalone simulator: `pnpm simulator --port 4010 [options]` from the repository root. Prints its base URL,
 * API key and a few seeded customer ids, then serves until SIGINT/SIGTERM. `--help` lists every option.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as SimulatorConfig from "./SimulatorConfig.js"
import * as SimulatorServer from "./SimulatorServer.js"

const rate = (name: string, description: string) =>
  Options.float(name).pipe(Options.withDefault(0), Options.withDescription(description))

const millis = (name: string, fallback: number, description: string) =>
  Options.integer(name).pipe(Options.withDefault(fallback), Options.withDescription(`${description} (milliseconds)`))

const options = {
  port: Options.integer("port").pipe(
    Options.withDefault(4010),
    Options.withDescription("TCP port; 0 picks a free one")
  ),
  host: Options.text("host").pipe(Options.withDefault("127.0.0.1"), Options.withDescription("interface to bind")),
  rateLimit: Options.text("rate-limit").pipe(
    Options.withDefault("1000/60"),
    Options.withDescription("org-wide limit as LIMIT/SECONDS, or with a unit: 100/10s, 1000/1m"),
    Options.mapEffect((text) =>
      Option.match(SimulatorConfig.parseRateLimit(text), {
        onNone: () =>
          Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--rate-limit: expected LIMIT/WINDOW, got ${text}`))),
        onSome: (limit) => Effect.succeed(limit)
      })
    )
  ),
  retryAfter: Options.boolean("retry-after").pipe(
    Options.withDescription("send Retry-After (seconds) with 429s; the real API documents none")
  ),
  apiKey: Options.text("api-key").pipe(
    Options.withDefault(SimulatorConfig.defaultApiKey),
    Options.withDescription("the API key to accept (it gets every role, org.admin included)")
  ),
  withoutOrgAdmin: Options.boolean("without-org-admin").pipe(
    Options.withDescription(
      "give the API key every role but org.admin: the createdAt and createdBy sent on messages and notes are " +
        "then replaced by the time of creation and the key's user, as Kustomer does"
    )
  ),
  forbiddenStatus: Options.choice("forbidden-status", ["403", "401"]).pipe(
    Options.withDefault("403"),
    Options.withDescription("status for a key that lacks a role")
  ),
  customers: Options.integer("customers").pipe(Options.withDefault(10), Options.withDescription("customers to seed")),
  customerIdsFile: Options.text("customer-ids-file").pipe(
    Options.withPseudoName("FILE"),
    Options.optional,
    Options.withDescription("write the seeded customers' ids to FILE, one a line (the same for the same --seed)")
  ),
  workers: Options.integer("workers").pipe(Options.withDefault(16), Options.withDescription("jobs processed at once")),
  batchSize: Options.integer("batch-size").pipe(Options.withDefault(100), Options.withDescription("items per batch")),
  jobLatency: Options.text("job-latency").pipe(
    Options.withPseudoName("MS|MIN-MAX"),
    Options.withDefault("100"),
    Options.withDescription(
      "time a job runs before its first batch (milliseconds), or a range MIN-MAX each job draws from " +
        "uniformly (seeded by --seed)"
    ),
    Options.mapEffect((text) =>
      Option.match(SimulatorConfig.parseJobLatency(text), {
        onNone: () =>
          Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--job-latency: expected MS or MIN-MAX, got ${text}`))),
        onSome: (latency) => Effect.succeed(latency)
      })
    )
  ),
  itemLatency: millis("item-latency", 1, "processing time per item"),
  duplicates: Options.all({
    deduplicate: Options.text("deduplicate").pipe(
      Options.withPseudoName("RESOURCES"),
      Options.optional,
      Options.withDescription(
        "the resources whose items with an externalId already stored are refused (duplicate detected), " +
          `comma-separated from ${SimulatorConfig.resourceNames.join(",")}, or none; the others store them ` +
          `again. Default ${
            SimulatorConfig.deduplicatedResources(SimulatorConfig.kustomerDuplicatePolicies).join(",")
          }, as Kustomer documents`
      )
    ),
    allowDuplicates: Options.boolean("allow-duplicates").pipe(
      Options.withDescription("refuse no duplicate externalId in any resource (the same as --deduplicate none)")
    )
  }).pipe(
    Options.mapEffect(({ allowDuplicates, deduplicate }) => {
      if (Option.isNone(deduplicate)) {
        return Effect.succeed(SimulatorConfig.duplicatePolicies(allowDuplicates ? "allow" : undefined))
      }
      if (allowDuplicates) {
        return Effect.fail(
          ValidationError.invalidValue(HelpDoc.p("--allow-duplicates and --deduplicate cannot be used together"))
        )
      }
      return Option.match(SimulatorConfig.parseDeduplicate(deduplicate.value), {
        onNone: () =>
          Effect.fail(ValidationError.invalidValue(HelpDoc.p(
            `--deduplicate: expected resources from ${SimulatorConfig.resourceNames.join(",")} or none, ` +
              `got ${deduplicate.value}`
          ))),
        onSome: (policies) => Effect.succeed(policies)
      })
    })
  ),
  seed: Options.integer("seed").pipe(
    Options.withDefault(1),
    Options.withDescription("seed of the fault profile, the null objectId draws and job latencies drawn from a range")
  ),
  failRate: rate("fail-rate", "fraction of bulk requests answered 500/502/503 (half after the job was stored)"),
  resetRate: rate("reset-rate", "fraction of bulk requests whose connection is reset (half after the job was stored)"),
  htmlRate: rate("html-502-rate", "fraction of bulk requests answered 502 with an HTML body"),
  afterShare: Options.float("after-acceptance-share").pipe(
    Options.withDefault(0.5),
    Options.withDescription("share of those faults, and of hung requests, injected after the job was stored")
  ),
  hangRate: rate(
    "hang-rate",
    "fraction of requests never answered: the connection stays open until the client gives up"
  ),
  slowRate: rate("slow-rate", "fraction of requests answered late"),
  slowMs: millis("slow-ms", 2000, "delay of a slow response"),
  stallRate: rate("stall-rate", "fraction of jobs that stall in running"),
  stallMs: millis("stall-ms", 30_000, "how long a stalled job stays running"),
  stormRate: rate("storm-rate", "per request, the chance that a 429 storm starts"),
  stormMs: millis("storm-ms", 5000, "how long a 429 storm lasts"),
  batchesPerPage: Options.integer("batches-per-page").pipe(
    Options.withDefault(0),
    Options.withDescription("batches per page of /v1/bulk/{id}/batches, linked by links.next (0: one page)")
  ),
  nullLists: Options.boolean("null-lists").pipe(
    Options.withDescription("send empty errors/objectIds lists, and absent results, as null")
  ),
  itemErrorObjects: Options.boolean("item-error-objects").pipe(
    Options.withDescription("send item errors as objects { code, message } instead of strings")
  ),
  completedAtMillis: Options.boolean("completed-at-millis").pipe(
    Options.withDescription("send a batch's completedAt as epoch milliseconds")
  ),
  nullObjectIdRate: rate("null-object-id-rate", "share of created items whose results[].objectId is null"),
  plainErrors: Options.boolean("plain-errors").pipe(
    Options.withDescription("answer errors with a plain { code, message, meta } body instead of JSON:API errors")
  ),
  perCustomerLimit: Options.boolean("per-customer-limit").pipe(
    Options.withDescription("refuse more than 120 creations per customer per minute, unless items carry importedAt")
  )
}

type Flags = Command.Command.ParseConfig<typeof options>

const toServerOptions = (flags: Flags): SimulatorServer.SimulatorServerOptions => ({
  port: flags.port,
  host: flags.host,
  ...(flags.withoutOrgAdmin
    ? { apiKeys: [{ key: flags.apiKey, roles: SimulatorConfig.resourceRoles }] }
    : { apiKey: flags.apiKey }),
  rateLimit: flags.rateLimit,
  retryAfterHeader: flags.retryAfter,
  forbiddenStatus: flags.forbiddenStatus === "401" ? 401 : 403,
  customers: flags.customers,
  workers: flags.workers,
  batchSize: flags.batchSize,
  jobLatency: flags.jobLatency,
  itemLatency: Duration.millis(flags.itemLatency),
  duplicateExternalIds: flags.duplicates,
  faults: {
    seed: flags.seed,
    serverErrorRate: flags.failRate,
    connectionResetRate: flags.resetRate,
    htmlBadGatewayRate: flags.htmlRate,
    afterAcceptanceShare: flags.afterShare,
    hangRate: flags.hangRate,
    slowRate: flags.slowRate,
    slowDelay: Duration.millis(flags.slowMs),
    stallRate: flags.stallRate,
    stallDuration: Duration.millis(flags.stallMs),
    rateLimitStormRate: flags.stormRate,
    rateLimitStormDuration: Duration.millis(flags.stormMs)
  },
  answers: {
    seed: flags.seed,
    batchesPerPage: flags.batchesPerPage,
    nullLists: flags.nullLists,
    itemErrors: flags.itemErrorObjects ? "object" : "string",
    completedAt: flags.completedAtMillis ? "epochMillis" : "iso",
    nullObjectIdRate: flags.nullObjectIdRate,
    errorBody: flags.plainErrors ? "plain" : "jsonapi"
  },
  perCustomerCreateLimit: flags.perCustomerLimit
})

const jobLatencyText = (config: SimulatorConfig.SimulatorConfig): string =>
  Duration.equals(config.jobLatency, config.jobLatencyMax)
    ? Duration.format(config.jobLatency)
    : `${Duration.format(config.jobLatency)}–${Duration.format(config.jobLatencyMax)}`

const duplicatesText = (config: SimulatorConfig.SimulatorConfig): string => {
  const refused = SimulatorConfig.deduplicatedResources(config.duplicateExternalIds)
  const stored = SimulatorConfig.resourceNames.filter((name) => !refused.includes(name))
  return [
    ...(refused.length === 0 ? [] : [`refused for ${refused.join(", ")}`]),
    ...(stored.length === 0 ? [] : [`stored again for ${stored.join(", ")}`])
  ].join("; ")
}

const serve = (flags: Flags) =>
  Effect.gen(function*() {
    const server = yield* SimulatorServer.SimulatorServer
    const config = server.simulator.config
    yield* Console.log(`Kustomer simulator listening on ${server.baseUrl}`)
    yield* Console.log(
      `  API key:     ${server.apiKey}` +
        (config.apiKeys[0]?.roles.includes(SimulatorConfig.orgAdminRole) === true ? "" : " (without org.admin)")
    )
    yield* Console.log(
      `  rate limit:  ${config.rateLimit.limit} requests / ${Duration.format(config.rateLimit.window)}`
    )
    yield* Console.log(
      `  workers:     ${config.workers}, job latency ${jobLatencyText(config)}, ` +
        `item latency ${Duration.format(config.itemLatency)}`
    )
    yield* Console.log(`  duplicates:  ${duplicatesText(config)}`)
    yield* Console.log(
      `  customers:   ${server.customerIds.slice(0, 5).join(", ")}` +
        (server.customerIds.length > 5 ? ` (+${server.customerIds.length - 5} more)` : "")
    )
    if (Option.isSome(flags.customerIdsFile)) {
      const fs = yield* FileSystem.FileSystem
      const file = flags.customerIdsFile.value
      yield* fs.writeFileString(file, server.customerIds.map((id) => `${id}\n`).join("")).pipe(
        Effect.zipRight(Console.log(`  customer ids: ${server.customerIds.length} in ${file}`)),
        Effect.catchAll((error) => Console.error(`  cannot write the customer ids to ${file}: ${error.message}`))
      )
    }
    yield* Console.log(`  stats:       ${server.baseUrl}/__admin/stats`)
    yield* Console.log("Press Ctrl+C to stop.")
    return yield* Effect.never
  }).pipe(
    Effect.provide(SimulatorServer.layer(toServerOptions(flags))),
    // Job latencies drawn from a range repeat with the seed: the workers draw from this Random.
    Effect.withRandom(Random.make(flags.seed)),
    Effect.onInterrupt(() => Console.log("Kustomer simulator stopped.")),
    Effect.tapError((error) => Console.error(`Kustomer simulator could not start: ${String(error.cause)}`))
  )

const command = Command.make("simulator", options, (flags) => serve(flags)).pipe(
  Command.withDescription("A local simulator of the Kustomer bulk API.")
)

const cli = Command.run(command, { name: "kustomer-simulator", version: "0.1.0" })

/** Whether output may carry colour: not with `NO_COLOR` set (https://no-color.org), nor when it is not a terminal. */
const colour = process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === ""

// eslint-disable-next-line no-control-regex
const ansiStyle = /\u001b\[[0-?]*[ -/]*[@-~]/g

/** The console, with the ANSI styles of `@effect/cli`'s help and errors removed. */
const plainConsole = (console: Console.Console): Console.Console => {
  const plain = (args: ReadonlyArray<unknown>) =>
    args.map((arg) => (typeof arg === "string" ? arg.replace(ansiStyle, "") : arg))
  return {
    ...console,
    log: (...args) => console.log(...plain(args)),
    error: (...args) => console.error(...plain(args))
  }
}

const program = colour
  ? cli(process.argv)
  : Effect.flatMap(
    Console.consoleWith((console) => Effect.succeed(plainConsole(console))),
    (plain) => Effect.withConsole(cli(process.argv), plain)
  )

program.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain({ disableErrorReporting: true }))
