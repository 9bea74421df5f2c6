/**
 * The flags and arguments of each `kustomer-bulk` command, as `@effect/cli` options, with their help texts.
 */
import { ImportSource } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as FlagSuggestion from "../FlagSuggestion.js"
import * as ImportRequest from "../ImportRequest.js"

const optionalText = (flag: string, pseudoName: string, description: string) =>
  Options.text(flag).pipe(Options.withPseudoName(pseudoName), Options.optional, Options.withDescription(description))

const optionalInteger = (flag: string, description: string) =>
  Options.integer(flag).pipe(Options.withPseudoName("N"), Options.optional, Options.withDescription(description))

const target = {
  baseUrl: optionalText(
    "base-url",
    "URL",
    "the API's base URL, e.g. https://acme.api.kustomerapp.com (default KUSTOMER_BASE_URL, else the US region)"
  ),
  region: Options.choice("region", ["us", "eu", "in"]).pipe(
    Options.optional,
    Options.withDescription("the org's region: us (prod1), eu (prod2) or in (prod4) (default KUSTOMER_REGION)")
  ),
  org: optionalText(
    "org",
    "NAME",
    "the org's name: requests go to https://<org>.api.kustomerapp.com (default KUSTOMER_ORG)"
  )
}

const rateLimit = optionalText(
  "rate-limit",
  "LIMIT/WINDOW",
  "a ceiling on requests per window, e.g. 300/1m, even when the API allows more (default: start at " +
    "KUSTOMER_RATE_LIMIT, else 1000/60, and follow the API's rate-limit headers)"
)

const verbose = Options.boolean("verbose").pipe(
  Options.withDescription(
    "log retries, rate-limit waits, jobs and phases to standard error (debug level; --log-level picks another)"
  )
)

const otelEndpoint = optionalText(
  "otel-endpoint",
  "URL",
  "export spans, metrics and logs over OTLP/HTTP to this collector, e.g. http://localhost:4318 " +
    "(default OTEL_EXPORTER_OTLP_ENDPOINT; none when unset)"
)

const acceptImportDates = Options.boolean("accept-import-dates").pipe(
  Options.withDescription(
    "go on with a key that lacks org.admin although messages or notes carry createdAt or createdBy: Kustomer " +
      "then gives them the time of the import and the key's user, and the summary and report say so (refused " +
      "by default)"
  )
)

const html = optionalText(
  "html",
  "FILE",
  "write the run report as one self-contained HTML page: throughput, requests per rate-limit window, 429 waits, " +
    "job turnaround, outcomes per resource and the rejects by reason"
)

export const importOptions = {
  input: Args.text({ name: "file | -" }).pipe(
    Args.withDescription("a .jsonl, .json or .csv file, or - for standard input")
  ),
  resource: Options.text("resource").pipe(
    Options.withPseudoName(BulkResource.all.map((resource) => resource.name).join(" | ")),
    Options.optional,
    Options.withDescription(
      "what the records are: each is checked against that resource's schema and created with its bulk endpoint " +
        `(default ${BulkResource.Conversations.name})`
    )
  ),
  format: Options.choice("format", ["jsonl", "json", "csv"]).pipe(
    Options.optional,
    Options.withDescription("the input's format (default: from the file's extension)")
  ),
  mapping: Options.text("mapping").pipe(
    Options.withPseudoName("FIELD=COLUMN | FILE"),
    Options.repeated,
    Options.withDescription(
      "CSV column → field: field=Column (repeatable, e.g. name=Subject), or a JSON file mapping fields to columns"
    )
  ),
  delimiter: optionalText("delimiter", "CHARACTER", "the CSV delimiter (default ,)"),
  timeZone: optionalText(
    "timezone",
    "ZONE",
    "the IANA time zone in which the CSV export wrote its times without an offset, e.g. Europe/Paris (helpdesk " +
      "exports such as Zendesk's use the account's zone): they are read in it, daylight saving time included, " +
      "and sent in UTC; times with an offset or Z keep theirs. Required when the CSV has times without an " +
      "offset (the run refuses before sending anything, naming how many and the first); UTC if they are UTC"
  ),
  encoding: Options.choice("encoding", ImportSource.encodings).pipe(
    Options.optional,
    Options.withDescription(
      "the input's text encoding (default utf-8; a line that is not valid UTF-8 is rejected with its byte offset)"
    )
  ),
  unknownFields: Options.choice("unknown-fields", ImportRequest.unknownFieldsChoices).pipe(
    Options.optional,
    Options.withDescription(
      "fields the schema does not know, at any depth: reject the record (default), keep them as given, or drop them"
    )
  ),
  ...target,
  rateLimit,
  concurrency: optionalInteger("concurrency", "bulk requests in flight at once, 1–32 (default 4)"),
  maxJobsInFlight: optionalInteger(
    "max-jobs-in-flight",
    "the most jobs between submission and results, each holding its records in memory (default 320; below it " +
      "the window adapts to the job rate and turnaround)"
  ),
  maxItems: optionalInteger("max-items", "records per bulk request, 1–100 (default 100)"),
  maxBytes: optionalInteger("max-bytes", "bytes per bulk request body, 1000–100000 (default 100000)"),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription("validate and chunk only: report what would be sent; no request is sent, no key needed")
  ),
  journal: optionalText(
    "journal",
    "FILE",
    "a journal file (SQLite): records progress; when it exists, the import resumes"
  ),
  report: optionalText("report", "FILE", "write a JSON report of the run (counts, job ids, timing, rate-limit waits)"),
  html,
  rejects: optionalText(
    "rejects",
    "FILE",
    "write rejected and failed records to this JSON Lines file (fix them and import it again)"
  ),
  unknown: optionalText(
    "unknown",
    "FILE",
    "write records in doubt (they may exist in Kustomer) to this JSON Lines file (default: next to --rejects, " +
      "<rejects>.unknown.jsonl)"
  ),
  allowUnknown: Options.boolean("allow-unknown").pipe(
    Options.withDescription(
      "accept a file of records in doubt as input (refused by default: they may exist already and be duplicated)"
    )
  ),
  results: optionalText(
    "results",
    "FILE",
    "write one JSON line per record: line, externalId, outcome, the Kustomer id, job id, reason"
  ),
  skip: optionalInteger("skip", "trial runs: pass over the first N records (they keep their line numbers)"),
  limit: optionalInteger("limit", "trial runs: import at most N records (after --skip)"),
  json: Options.boolean("json").pipe(
    Options.withDescription(
      "print the summary as one JSON document on standard output; human lines go to standard error"
    )
  ),
  assignExternalIds: Options.boolean("assign-external-ids").pipe(
    Options.withDescription("give records without an externalId one derived from the run, so they can be checked")
  ),
  resolveExisting: Options.boolean("resolve-existing").pipe(
    Options.withDescription(
      "look up the Kustomer id of records that already exist (one request each; by default they are reported " +
        "without it)"
    )
  ),
  acceptImportDates,
  verbose,
  otelEndpoint
}

export const migrateOptions = {
  bundle: Args.text({ name: "bundle" }).pipe(
    Args.withDescription(
      "a migration bundle: JSON Lines, one conversation per line with its customer, messages and notes; or a CSV " +
        "file with --mapping (customer.email=COLUMN finds or creates each row's customer by e-mail)"
    )
  ),
  format: Options.choice("format", ["jsonl", "csv"]).pipe(
    Options.optional,
    Options.withDescription("the bundle's format (default: csv for a .csv file, else jsonl)")
  ),
  mapping: importOptions.mapping,
  delimiter: importOptions.delimiter,
  timeZone: importOptions.timeZone,
  encoding: importOptions.encoding,
  ...target,
  rateLimit,
  concurrency: optionalInteger("concurrency", "bulk requests in flight at once, 1–32 (default 4)"),
  maxJobsInFlight: importOptions.maxJobsInFlight,
  maxItems: optionalInteger("max-items", "objects per bulk request, 1–100 (default 100)"),
  maxBytes: optionalInteger("max-bytes", "bytes per bulk request body, 1000–100000 (default 100000)"),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription("check every object and count the requests; nothing is sent, no key needed")
  ),
  journal: optionalText(
    "journal",
    "FILE",
    "the migration's journal (the id map; each phase's journal beside it): when it exists, the migration resumes"
  ),
  report: optionalText("report", "FILE", "write a JSON report: per resource, counts, jobs and requests"),
  html,
  rejects: optionalText(
    "rejects",
    "FILE",
    "write the objects not created, with their reason, line and the bundle line that sends them again (JSON Lines; " +
      "fixed, the file migrates as a bundle)"
  ),
  results: importOptions.results,
  json: importOptions.json,
  acceptImportDates,
  limit: optionalInteger(
    "limit",
    "a trial: migrate only the first N conversations (after --skip) with the companies, customers, messages and " +
      "notes they need; a later run with the same --journal and no --limit sends the rest, nothing twice"
  ),
  skip: optionalInteger("skip", "with --limit: start the trial after the first N conversations (default 0)"),
  delta: Options.boolean("delta").pipe(
    Options.withDescription(
      "the bundle is a newer export of the source --journal migrated: create what is new, update the " +
        "conversations whose status, tags, priority, assignee or custom attributes changed, report what is gone " +
        "(never deleted); matched by externalId, in any order; run again, it continues or sends nothing"
    )
  ),
  sequentialPhases: Options.boolean("sequential-phases").pipe(
    Options.withDescription(
      "run each phase (companies, customers, conversations, messages, notes) to its end before the next begins; by " +
        "default the phases run together, each object sent as soon as its own parents' ids are in the journal"
    )
  ),
  overlapPhases: Options.boolean("overlap-phases").pipe(
    Options.withDescription("the phases run together: the default (kept for scripts written when it was not)")
  ),
  skipAttachments: Options.boolean("skip-attachments").pipe(
    Options.withDescription(
      "leave the source's attachments out, knowingly (counted in the summary); by default each file is uploaded " +
        "and referenced by its message or note"
    )
  ),
  attachmentIdleTimeout: optionalInteger(
    "attachment-idle-timeout",
    "seconds an attachment's download from its source or upload to storage may go without a byte before that " +
      "attempt fails and is retried (default 60); a source still stalled after the retries is that attachment's reject"
  ),
  usersMap: optionalText(
    "users-map",
    "FILE",
    "who the history's agents are in Kustomer: a JSON object or a two-column CSV, the source's user id (or the " +
      "bundle's author/assignee externalId) or e-mail → Kustomer user id; before the org's users by e-mail"
  ),
  verbose,
  otelEndpoint
}

export const demoOptions = {
  records: Options.integer("records").pipe(
    Options.withPseudoName("N"),
    Options.withDefault(2000),
    Options.withDescription("conversations to generate and import")
  ),
  customers: Options.integer("customers").pipe(
    Options.withPseudoName("N"),
    Options.withDefault(50),
    Options.withDescription("customers to create")
  ),
  rateLimit: optionalText(
    "rate-limit",
    "LIMIT/WINDOW",
    "the simulated org's rate limit, e.g. 100/10s (default 1000/60)"
  ),
  withErrors: Options.boolean("with-errors").pipe(
    Options.withDescription("make about one record in a hundred invalid, to show rejects")
  ),
  failRate: Options.float("fail-rate").pipe(
    Options.withPseudoName("SHARE"),
    Options.withDefault(0),
    Options.withDescription("share of bulk requests the simulator fails (5xx or dropped connections), 0–0.5")
  ),
  out: optionalText(
    "out",
    "DIRECTORY",
    "the directory for the generated file, journal, rejects and report (default: a new temporary one)"
  ),
  conversationsOnly: Options.boolean("conversations-only").pipe(
    Options.withDescription("show `import` instead: create customers, then import conversation records with their ids")
  ),
  verbose,
  otelEndpoint
}

export const jobOptions = {
  id: Args.text({ name: "id" }).pipe(Args.withDescription("the bulk job's id")),
  json: Options.boolean("json").pipe(Options.withDescription("print the job and its batches as JSON")),
  results: optionalText(
    "results",
    "FILE",
    "write one JSON line per item of the job's batches: index, clientRef, outcome, object id, reason"
  ),
  ...target,
  verbose,
  otelEndpoint
}

export const reportOptions = {
  report: Args.text({ name: "report.json" }).pipe(
    Args.withDescription("a run's JSON report, as --report wrote it (import or migrate)")
  ),
  html: Options.text("html").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("the HTML page to write (self-contained: it needs no network to open)")
  )
}

export const convertZendeskOptions = {
  tickets: Args.text({ name: "tickets" }).pipe(
    Args.withDescription("the tickets, with their comments: JSON Lines (Zendesk's full JSON export) or an API page")
  ),
  users: optionalText("users", "FILE", "the users (requesters become customers): JSON Lines or an API page"),
  out: Options.text("out").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("the migration bundle to write (JSON Lines, one conversation per line)")
  ),
  problems: optionalText(
    "problems",
    "FILE",
    "where to list what could not be carried over (default: <out>.problems.jsonl, written only when needed)"
  ),
  organizations: optionalText(
    "organizations",
    "FILE",
    "the organizations (each requester's becomes its customer's company): JSON Lines or an API page"
  ),
  fieldsMap: optionalText(
    "fields-map",
    "FILE",
    "custom fields (id or title) and satisfaction → Kustomer attributes with a type suffix (orderNumberStr): " +
      "a JSON object or CSV lines zendeskFieldIdOrTitle,kustomerAttributeName"
  ),
  ticketFields: optionalText(
    "ticket-fields",
    "FILE",
    "the ticket fields' definitions (GET /api/v2/ticket_fields), to name fields by title in --fields-map"
  ),
  priorityMap: optionalText(
    "priority-map",
    "MAP",
    "Zendesk priority → Kustomer priority 1–5 (default low=1,normal=2,high=4,urgent=5); e.g. normal=3"
  ),
  includeDeleted: Options.boolean("include-deleted").pipe(
    Options.withDescription("convert deleted tickets (as done, tagged zendesk-deleted) instead of skipping them")
  ),
  attachmentsDir: optionalText(
    "attachments-dir",
    "DIR",
    "attachments already downloaded: a file named <attachment id>-<name>, or in a folder named by the attachment " +
      "id, is written with its path (relative to --out) instead of its content_url"
  ),
  summary: optionalText(
    "summary",
    "FILE",
    "where to write the fidelity summary (what was carried and what not, per kind, with reasons) as JSON"
  )
}

/** The flags of each command, for suggestions when one is mistyped. */
/** What `rollback` and `verify` share: the migration's journal, its bundle, the connection. */
const undoShared = {
  journal: Options.text("journal").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription(
      "the migration's journal (its id map, with each phase's journal beside it; its deltas' journals, " +
        "<journal>.delta-N, are read too)"
    )
  ),
  bundle: optionalText(
    "bundle",
    "FILE",
    "the bundle as the first run migrated it (default: the path the journal recorded; a delta's bundle is always " +
      "the one its journal recorded; a bundle that changed is refused)"
  ),
  report: optionalText("report", "FILE", "write the report as JSON to FILE"),
  html: optionalText(
    "html",
    "FILE",
    "write the report as one self-contained HTML page: the counts per resource and every object listed in it"
  ),
  json: Options.boolean("json").pipe(Options.withDescription("print the report as one JSON document")),
  ...target,
  rateLimit,
  verbose,
  otelEndpoint
}

export const rollbackOptions = {
  ...undoShared,
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription(
      "list what would be undone, kept and left as not undoable (and write it to --report and --html when given); send nothing, undo nothing"
    )
  ),
  yes: Options.boolean("yes").pipe(
    Options.withDescription("do not ask for confirmation (required when there is no terminal to ask on)")
  ),
  maxItems: optionalInteger("max-items", "objects per bulk request, 1–100 (default 100)"),
  concurrency: optionalInteger("concurrency", "bulk requests in flight at once, 1–32 (default 4)")
}

export const verifyOptions = {
  ...undoShared,
  sample: optionalInteger("sample", "check N objects drawn from those the migration created (default: every one)"),
  seed: optionalInteger("seed", "the seed of --sample's draw: the same seed draws the same objects (default 1)"),
  concurrency: optionalInteger("concurrency", "reads in flight at once, 1–32 (default 4)")
}

export const flagsByCommand: Readonly<Record<string, ReadonlyArray<string>>> = {
  rollback: FlagSuggestion.flagsOf(rollbackOptions),
  verify: FlagSuggestion.flagsOf(verifyOptions),
  import: FlagSuggestion.flagsOf(importOptions),
  migrate: FlagSuggestion.flagsOf(migrateOptions),
  job: FlagSuggestion.flagsOf(jobOptions),
  demo: FlagSuggestion.flagsOf(demoOptions),
  report: FlagSuggestion.flagsOf(reportOptions)
}
