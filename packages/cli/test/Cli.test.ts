import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Cli from "../src/Cli.js"
import type * as Convert from "../src/Convert.js"
import type * as Demo from "../src/Demo.js"
import type * as ImportRequest from "../src/ImportRequest.js"
import type * as Job from "../src/Job.js"
import type * as MigrateRequest from "../src/MigrateRequest.js"
import { Output } from "../src/Output.js"
import type * as UndoRequest from "../src/UndoRequest.js"
import { capturingOutput, nodeLayer } from "./harness.js"

type Call =
  | { readonly _tag: "import"; readonly request: ImportRequest.ImportRequest }
  | { readonly _tag: "job"; readonly request: Job.JobRequest }
  | { readonly _tag: "simulate"; readonly args: ReadonlyArray<string> }
  | { readonly _tag: "demo"; readonly request: Demo.DemoRequest }
  | { readonly _tag: "convert"; readonly request: Convert.ConvertRequest }
  | { readonly _tag: "migrate"; readonly request: MigrateRequest.MigrateRequest }
  | { readonly _tag: "report"; readonly request: Cli.ReportRequest }
  | { readonly _tag: "rollback"; readonly request: UndoRequest.RollbackRequest }
  | { readonly _tag: "verify"; readonly request: UndoRequest.VerifyRequest }

/** Parses a command line with actions that only record what they were asked, and answer `answer`. */
const parse = (args: ReadonlyArray<string>, answer = 0) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make<ReadonlyArray<Call>>([])
    const record = (call: Call) => Effect.as(Ref.update(calls, (all) => [...all, call]), answer)
    const { captured, output } = yield* capturingOutput()
    const code = yield* Cli.main<never>({
      import: (request) => record({ _tag: "import", request }),
      job: (request) => record({ _tag: "job", request }),
      simulate: (args) => record({ _tag: "simulate", args }),
      demo: (request) => record({ _tag: "demo", request }),
      convert: (request) => record({ _tag: "convert", request }),
      migrate: (request) => record({ _tag: "migrate", request }),
      report: (request) => record({ _tag: "report", request }),
      rollback: (request) => record({ _tag: "rollback", request }),
      verify: (request) => record({ _tag: "verify", request })
    })(args).pipe(Effect.provideService(Output, output))
    return { code, calls: yield* Ref.get(calls), stderr: (yield* captured).stderr.join("\n") }
  }).pipe(Effect.provide(nodeLayer))

const importOf = (calls: ReadonlyArray<Call>) => {
  const [call] = calls
  assert.strictEqual(call?._tag, "import")
  if (call?._tag !== "import") throw new Error("no import")
  return call.request
}

describe("kustomer-bulk command line", () => {
  it.effect("parses migrate", () =>
    Effect.gen(function*() {
      const { calls, code } = yield* parse([
        "migrate",
        "bundle.jsonl",
        "--journal",
        "m.journal",
        "--rejects",
        "r.jsonl",
        "--max-items",
        "50",
        "--max-jobs-in-flight",
        "64",
        "--rate-limit",
        "300/1m"
      ])
      assert.strictEqual(code, 0)
      const [call] = calls
      assert.strictEqual(call?._tag, "migrate")
      if (call?._tag !== "migrate") return
      assert.strictEqual(call.request.bundle, "bundle.jsonl")
      assert.strictEqual(call.request.journal, "m.journal")
      assert.strictEqual(call.request.rejects, "r.jsonl")
      assert.strictEqual(call.request.maxItems, 50)
      assert.strictEqual(call.request.maxJobsInFlight, 64)
      assert.isFalse(call.request.dryRun)
      const refused = yield* parse(["migrate", "bundle.jsonl", "--dry-run", "--journal", "m.journal"])
      assert.strictEqual(refused.code, 1)
      assert.include(refused.stderr, "--dry-run")
    }))

  it.effect("parses migrate's --attachment-idle-timeout: seconds, 1 to 3600; unset, the library's default", () =>
    Effect.gen(function*() {
      const given = (yield* parse(["migrate", "b.jsonl", "--attachment-idle-timeout", "90"])).calls[0]
      assert.deepStrictEqual(
        given?._tag === "migrate" ? given.request.attachmentIdleTimeout : undefined,
        Duration.seconds(90)
      )
      const unset = (yield* parse(["migrate", "b.jsonl"])).calls[0]
      assert.strictEqual(unset?._tag, "migrate")
      assert.isUndefined(unset?._tag === "migrate" ? unset.request.attachmentIdleTimeout : "not a migrate")
      const refused = yield* parse(["migrate", "b.jsonl", "--attachment-idle-timeout", "0"])
      assert.strictEqual(refused.code, 1)
      assert.include(refused.stderr, "--attachment-idle-timeout")
    }))

  it.effect("parses migrate's phases: together by default, --sequential-phases one after another", () =>
    Effect.gen(function*() {
      const sequentialOf = (call: Call | undefined) => call?._tag === "migrate" ? call.request.sequentialPhases : "none"
      assert.strictEqual(sequentialOf((yield* parse(["migrate", "b.jsonl"])).calls[0]), false)
      assert.strictEqual(sequentialOf((yield* parse(["migrate", "b.jsonl", "--sequential-phases"])).calls[0]), true)
      // The flag of when overlapping was not the default is still accepted.
      assert.strictEqual(sequentialOf((yield* parse(["migrate", "b.jsonl", "--overlap-phases"])).calls[0]), false)
      const refused = yield* parse(["migrate", "b.jsonl", "--sequential-phases", "--overlap-phases"])
      assert.strictEqual(refused.code, 1)
      assert.include(refused.stderr, "--sequential-phases and --overlap-phases")
    }))

  it.effect("parses convert zendesk", () =>
    Effect.gen(function*() {
      const { calls, code } = yield* parse([
        "convert",
        "zendesk",
        "tickets.json",
        "--users",
        "users.json",
        "--out",
        "b.jsonl"
      ])
      assert.strictEqual(code, 0)
      assert.deepStrictEqual(calls, [{
        _tag: "convert",
        request: {
          tickets: "tickets.json",
          users: "users.json",
          organizations: undefined,
          ticketFields: undefined,
          fieldsMap: undefined,
          priorityMap: undefined,
          includeDeleted: false,
          attachmentsDir: undefined,
          out: "b.jsonl",
          problems: undefined,
          summary: undefined
        }
      }])
      const every = yield* parse([
        "convert",
        "zendesk",
        "tickets.json",
        "--organizations",
        "organizations.json",
        "--fields-map",
        "fields.csv",
        "--ticket-fields",
        "ticket_fields.json",
        "--priority-map",
        "normal=3",
        "--include-deleted",
        "--attachments-dir",
        "files",
        "--out",
        "b.jsonl",
        "--summary",
        "summary.json"
      ])
      assert.strictEqual(every.code, 0)
      assert.deepStrictEqual(every.calls, [{
        _tag: "convert",
        request: {
          tickets: "tickets.json",
          users: undefined,
          organizations: "organizations.json",
          ticketFields: "ticket_fields.json",
          fieldsMap: "fields.csv",
          priorityMap: "normal=3",
          includeDeleted: true,
          attachmentsDir: "files",
          out: "b.jsonl",
          problems: undefined,
          summary: "summary.json"
        }
      }])
    }))

  it.effect("parses import with every flag", () =>
    Effect.gen(function*() {
      const { calls, code } = yield* parse([
        "import",
        "tickets.csv",
        "--mapping",
        "name=Subject",
        "--mapping",
        "mapping.json",
        "--delimiter",
        ";",
        "--timezone",
        "europe/paris",
        "--org",
        "acme",
        "--concurrency",
        "8",
        "--max-items",
        "50",
        "--max-bytes",
        "50000",
        "--rate-limit",
        "300/1m",
        "--journal",
        "run.sqlite",
        "--report",
        "report.json",
        "--rejects",
        "rejects.jsonl",
        "--assign-external-ids"
      ])
      assert.strictEqual(code, 0)
      const request = importOf(calls)
      assert.strictEqual(request.input, "tickets.csv")
      assert.strictEqual(request.format, "csv")
      assert.deepStrictEqual(request.mapping, ["name=Subject", "mapping.json"])
      assert.strictEqual(request.delimiter, ";")
      assert.strictEqual(request.timeZone, "Europe/Paris")
      assert.strictEqual(request.connection.org, "acme")
      assert.strictEqual(request.connection.rateLimit?.limit, 300)
      assert.isTrue(Duration.equals(request.connection.rateLimit?.window ?? Duration.zero, Duration.minutes(1)))
      assert.strictEqual(request.concurrency, 8)
      assert.strictEqual(request.maxItems, 50)
      assert.strictEqual(request.maxBytes, 50_000)
      assert.strictEqual(request.journal, "run.sqlite")
      assert.strictEqual(request.report, "report.json")
      assert.strictEqual(request.rejects, "rejects.jsonl")
      assert.isTrue(request.assignExternalIds)
      assert.isFalse(request.dryRun)
    }))

  it.effect("guesses the format from the extension, and reads standard input with flags after the -", () =>
    Effect.gen(function*() {
      const file = importOf((yield* parse(["import", "export.NDJSON", "--dry-run"])).calls)
      assert.strictEqual(file.format, "jsonl")
      assert.isTrue(file.dryRun)
      const piped = importOf((yield* parse(["import", "-", "--format", "json", "--region", "eu"])).calls)
      assert.strictEqual(piped.input, "-")
      assert.strictEqual(piped.format, "json")
      assert.strictEqual(piped.connection.region, "eu")
    }))

  it.effect.each<readonly [ReadonlyArray<string>, string]>([
    [["import", "-"], "--format is required when reading standard input"],
    [["import", "export.txt"], "pass --format jsonl, json or csv"],
    [["import", "a.jsonl", "--mapping", "name=Subject"], "--mapping applies to CSV input only"],
    [["import", "a.jsonl", "--timezone", "Europe/Paris"], "--timezone applies to CSV input only"],
    [["import", "a.csv", "--timezone", "Europe/Pariss"], "--timezone: \"Europe/Pariss\" is not a time zone"],
    [["import", "a.jsonl", "--max-items", "101"], "--max-items must be a whole number from 1 to 100"],
    [["import", "a.jsonl", "--max-bytes", "200000"], "--max-bytes must be a whole number from 1000 to 100000"],
    [["import", "a.jsonl", "--concurrency", "0"], "--concurrency must be a whole number from 1 to 32"],
    [["import", "a.jsonl", "--rate-limit", "fast"], "--rate-limit:"],
    [["import", "a.jsonl", "--dry-run", "--journal", "j.sqlite"], "--dry-run sends nothing"],
    [["import", "a.jsonl", "--dry-run", "--html", "a.html"], "drop --html"],
    [["migrate", "b.jsonl", "--dry-run", "--html", "b.html"], "--html"],
    [["demo", "--records", "0"], "--records must be"],
    [["demo", "--fail-rate", "0.9"], "--fail-rate must be from 0 to 0.5"]
  ])("refuses %j with exit code 1: %s", ([args, message]) =>
    Effect.gen(function*() {
      const result = yield* parse(args)
      assert.strictEqual(result.code, 1)
      assert.lengthOf(result.calls, 0)
      assert.include(result.stderr, message)
    }))

  it.effect("exits 1 on an unknown flag or a missing argument, as @effect/cli reports them", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* parse(["import", "a.jsonl", "--api-key", "secret"])).code, 1)
      assert.strictEqual((yield* parse(["import"])).code, 1)
      assert.strictEqual((yield* parse(["frobnicate"])).code, 1)
    }))

  it.effect("passes the action's exit code through", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* parse(["import", "a.jsonl"], 2)).code, 2)
      assert.strictEqual((yield* parse(["import", "a.jsonl"], 0)).code, 0)
    }))

  it.effect("parses job, demo and simulate", () =>
    Effect.gen(function*() {
      const job = (yield* parse(["job", "6b097023c500000000000001", "--json", "--base-url", "http://localhost:4010"]))
        .calls[0]
      assert.deepStrictEqual(
        job?._tag === "job" ? [job.request.id, job.request.json, job.request.connection.baseUrl] : [],
        [
          "6b097023c500000000000001",
          true,
          "http://localhost:4010"
        ]
      )
      const demo = (yield* parse(["demo", "--records", "500", "--with-errors", "--rate-limit", "100/10s"])).calls[0]
      assert.deepStrictEqual(
        demo?._tag === "demo" ? [demo.request.records, demo.request.withErrors, demo.request.rateLimit?.limit] : [],
        [500, true, 100]
      )
      const defaults = (yield* parse(["demo"])).calls[0]
      assert.strictEqual(defaults?._tag === "demo" ? defaults.request.records : 0, 2000)
      // The simulator's own flags, --help included, reach it untouched.
      const simulate = (yield* parse(["simulate", "--port", "0", "--fail-rate", "0.1", "--help"])).calls[0]
      assert.deepStrictEqual(simulate?._tag === "simulate" ? simulate.args : [], [
        "--port",
        "0",
        "--fail-rate",
        "0.1",
        "--help"
      ])
    }))

  it.effect("parses report, --html, --verbose and --otel-endpoint", () =>
    Effect.gen(function*() {
      const report = (yield* parse(["report", "run/report.json", "--html", "run/report.html"])).calls[0]
      assert.deepStrictEqual(report?._tag === "report" ? report.request : undefined, {
        report: "run/report.json",
        html: "run/report.html"
      })
      // --html is required: @effect/cli says so (on the console) and nothing runs.
      const withoutHtml = yield* parse(["report", "run/report.json"])
      assert.deepStrictEqual([withoutHtml.code, withoutHtml.calls.length], [1, 0])
      const imported = importOf((yield* parse(["import", "a.jsonl", "--html", "a.html", "--verbose"])).calls)
      assert.strictEqual(imported.html, "a.html")
      const migrated = (yield* parse(["migrate", "b.jsonl", "--html", "b.html"])).calls[0]
      assert.strictEqual(migrated?._tag === "migrate" ? migrated.request.html : undefined, "b.html")
      const badEndpoint = yield* parse(["import", "a.jsonl", "--otel-endpoint", "localhost:4318"])
      assert.strictEqual(badEndpoint.code, 1)
      assert.include(badEndpoint.stderr, "--otel-endpoint")
      assert.lengthOf(badEndpoint.calls, 0)
    }))

  it.effect("prints help and exits 0", () =>
    Effect.gen(function*() {
      const result = yield* parse(["--help"])
      assert.strictEqual(result.code, 0)
      assert.lengthOf(result.calls, 0)
    }))

  it.effect("parses rollback and verify; rollback without a terminal needs --yes, --seed needs --sample", () =>
    Effect.gen(function*() {
      const refused = yield* parse(["rollback", "--journal", "m.journal"])
      assert.strictEqual(refused.code, 1)
      assert.lengthOf(refused.calls, 0)
      assert.include(refused.stderr, "--yes")
      const rollback = yield* parse(["rollback", "--journal", "m.journal", "--yes", "--max-items", "50"])
      const [call] = rollback.calls
      assert.strictEqual(call?._tag, "rollback")
      if (call?._tag === "rollback") {
        assert.deepStrictEqual(
          [call.request.journal, call.request.yes, call.request.dryRun, call.request.maxItems, call.request.bundle],
          ["m.journal", true, false, 50, undefined]
        )
      }
      assert.lengthOf((yield* parse(["rollback", "--journal", "m.journal", "--dry-run"])).calls, 1)
      const verify = yield* parse(["verify", "--journal", "m.journal", "--sample", "20", "--seed", "7"])
      const [verifyCall] = verify.calls
      assert.strictEqual(verifyCall?._tag, "verify")
      if (verifyCall?._tag === "verify") {
        assert.deepStrictEqual([verifyCall.request.sample, verifyCall.request.seed], [20, 7])
      }
      const seedAlone = yield* parse(["verify", "--journal", "m.journal", "--seed", "7"])
      assert.strictEqual(seedAlone.code, 1)
      assert.include(seedAlone.stderr, "--sample")
    }))
})
