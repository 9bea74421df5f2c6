/** The HTML report without a browser: escaping, and the rejects grouped by reason. */
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HtmlReport from "../src/HtmlReport.js"
import * as RejectGroups from "../src/RejectGroups.js"
import * as RunView from "../src/RunView.js"
import { nodeLayer } from "./harness.js"

describe("HtmlReport (pure)", () => {
  it.effect("escapes what the data says: a reason with markup stays text", () =>
    Effect.sync(() => {
      const view = Either.getOrThrow(RunView.fromDocument({
        status: "finished",
        bundle: "<b>bundle</b>.jsonl",
        startedAt: "2026-01-01T00:00:00.000Z",
        elapsedMillis: 1000,
        phases: [{ resource: "customers", read: 1, rejected: 1 }]
      }))
      const html = HtmlReport.render(view, {
        path: "rejects.jsonl",
        lines: 1,
        otherLines: 0,
        groups: [{ outcome: "Rejected", reason: "<script>alert(1)</script>", count: 1, examples: [] }]
      })
      assert.notInclude(html, "<script>")
      assert.include(html, "&lt;script&gt;alert(1)&lt;/script&gt;")
      assert.include(html, "Migration of &lt;b&gt;bundle&lt;/b&gt;.jsonl")
      assert.include(html, `data-total="rejected">1<`)
      const refused = RunView.fromDocument({ a: 1 })
      assert.isTrue(Either.isLeft(refused))
      assert.include(Either.isLeft(refused) ? refused.left : "", "not a report written by --report")
      assert.include(Either.isLeft(refused) ? refused.left : "", "status: is missing")
    }))

  it.effect("a migration's attachments: carried with their bytes, not carried, held", () =>
    Effect.sync(() => {
      const document = {
        status: "finished",
        bundle: "bundle.jsonl",
        startedAt: "2026-01-01T00:00:00.000Z",
        elapsedMillis: 1000,
        phases: [{ resource: "messages", read: 3, created: 3 }]
      }
      const html = HtmlReport.render(
        Either.getOrThrow(RunView.fromDocument({
          ...document,
          attachments: { carried: 3, bytes: 2048, notCarried: 1, held: 2 }
        })),
        undefined
      )
      assert.match(
        html,
        /id="attachments">Attachments: 3 carried \([^)]*\), 1 not carried[^,]*, 2 messages or notes held/
      )
      assert.notInclude(HtmlReport.render(Either.getOrThrow(RunView.fromDocument(document)), undefined), "Attachments:")
    }))

  it.effect("a delta: per resource created, updated, unchanged and gone, gone said as never deleted", () =>
    Effect.sync(() => {
      const document = {
        status: "finished",
        bundle: "second.jsonl",
        startedAt: "2026-01-01T00:00:00.000Z",
        elapsedMillis: 1000,
        phases: [{ resource: "conversations", read: 3, created: 1 }]
      }
      const html = HtmlReport.render(
        Either.getOrThrow(RunView.fromDocument({
          ...document,
          delta: {
            generation: 2,
            resources: [
              { resource: "customers", created: 1, updated: 0, unchanged: 2, gone: 0 },
              { resource: "conversations", created: 1, updated: 3, unchanged: 4, gone: 5 },
              { resource: "notes", created: 0, updated: 0, unchanged: 0, gone: 0 }
            ]
          }
        })),
        undefined
      )
      assert.include(html, "Delta 2: what changed since the last run")
      assert.include(
        html,
        `<tr data-delta="conversations"><td>conversations</td><td>1</td><td>3</td><td>4</td><td>5</td></tr>`
      )
      assert.include(html, `<tr data-delta="customers"><td>customers</td><td>1</td><td>0</td><td>2</td><td>0</td></tr>`)
      assert.notInclude(html, `data-delta="notes"`)
      assert.include(html, "5 objects migrated before are gone from this export: reported, never deleted.")
      assert.notInclude(HtmlReport.render(Either.getOrThrow(RunView.fromDocument(document)), undefined), "Delta")
    }))

  it.effect("verify's page: totals per resource and every difference, what the data says escaped", () =>
    Effect.sync(() => {
      const html = HtmlReport.renderVerify({
        journal: "m.journal",
        bundle: "<i>bundle</i>.jsonl",
        sample: { size: 4, seed: 7 },
        created: { customers: 2, conversations: 3 },
        checked: { customers: 2, conversations: 2 },
        requests: 9,
        differences: [
          {
            resource: "customers",
            id: "cu-1",
            line: 1,
            externalId: "u-1",
            field: "exists",
            expected: true,
            actual: false
          },
          {
            resource: "conversations",
            id: "co-2",
            line: 2,
            externalId: "<img src=x onerror=alert(1)>",
            field: "status",
            expected: "open",
            actual: "</td><script>x</script>"
          },
          { resource: "conversations", id: "co-2", line: 2, field: "tags", expected: ["a"], actual: undefined }
        ]
      })
      assert.notInclude(html, "<script>")
      assert.notInclude(html, "<img")
      assert.include(html, "Verification of m.journal")
      assert.include(html, `<span class="status-failed" id="status">3 differences</span>`)
      assert.include(html, "against &lt;i&gt;bundle&lt;/i&gt;.jsonl · a sample of 4 (seed 7)")
      assert.include(html, `data-total="checked">4<`)
      assert.include(html, `data-total="missing">1<`)
      assert.include(html, `data-total="differing">1<`)
      assert.include(
        html,
        `<tr data-resource="customers"><td>customers</td><td>2</td><td>2</td><td>1</td><td>0</td></tr>`
      )
      assert.include(
        html,
        `<tr data-resource="conversations"><td>conversations</td><td>3</td><td>2</td><td>0</td><td>1</td></tr>`
      )
      assert.include(
        html,
        `<tr data-difference="status"><td class="text">conversations</td><td class="text">2</td>` +
          `<td class="text">&lt;img src=x onerror=alert(1)&gt;</td><td class="text">co-2</td>` +
          `<td class="text">status</td><td class="text">&quot;open&quot;</td>` +
          `<td class="text">&quot;&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;&quot;</td></tr>`
      )
      assert.include(html, `<td class="text">tags</td><td class="text">[&quot;a&quot;]</td><td class="text">—</td>`)
      const clean = HtmlReport.renderVerify({
        journal: "m.journal",
        bundle: "b.jsonl",
        sample: null,
        created: { customers: 1 },
        checked: { customers: 1 },
        requests: 1,
        differences: []
      })
      assert.include(clean, `<span class="status-finished" id="status">no differences</span>`)
      assert.notInclude(clean, `id="differences"`)
    }))

  it.effect("rollback's page: counts per resource and state, every object not undone with why", () =>
    Effect.sync(() => {
      const html = HtmlReport.renderRollback({
        journal: "m.journal",
        rollbackJournal: "m.journal.rollback",
        dryRun: false,
        resumed: false,
        complete: true,
        counts: { conversations: { undone: 3 }, companies: { notUndoable: 1 } },
        withConversations: { messages: 3, notes: 2 },
        migrationInDoubt: { customers: 0, conversations: 1 },
        requests: 5,
        objects: [
          ...["a", "b", "c"].map((id) => ({
            resource: "conversations" as const,
            id,
            line: 1,
            state: "undone" as const
          })),
          {
            resource: "companies",
            id: "co-<1>",
            line: null,
            state: "notUndoable",
            reason: "Kustomer documents no <delete> of companies"
          }
        ]
      })
      assert.include(html, `<span class="status-finished" id="status">complete</span>`)
      assert.include(html, `data-total="undone">3<`)
      assert.include(html, `data-total="kept">1<`)
      assert.include(
        html,
        `<tr data-resource="conversations"><td>conversations</td><td>3</td><td>0</td></tr>`
      )
      assert.include(
        html,
        `<tr data-state="notUndoable"><td class="text">companies</td><td class="text">co-&lt;1&gt;</td>` +
          `<td class="text">—</td><td class="text">notUndoable</td>` +
          `<td class="text">Kustomer documents no &lt;delete&gt; of companies</td></tr>`
      )
      assert.include(html, "With their conversations: 3 messages and 2 notes.")
      assert.include(html, "0 customers and 1 conversations in doubt")
    }))

  it.effect("a resumed migration: phases on the time axis, the true window, the cap, every attempt, details, next", () =>
    Effect.sync(() => {
      const bucket = {
        created: 1,
        alreadyExisting: 0,
        failed: 0,
        rejected: 0,
        unknown: 0,
        requests: 5,
        rateLimited: 0,
        waitMillis: 0,
        jobsSettled: 0,
        turnaroundMillis: 0,
        longestTurnaroundMillis: 0
      }
      const html = HtmlReport.render(
        Either.getOrThrow(RunView.fromDocument({
          status: "finished",
          bundle: "bundle.jsonl",
          journal: "m.journal",
          rejects: "rejects.jsonl",
          startedAt: "2026-01-01T00:00:00.000Z",
          elapsedMillis: 20_000,
          phases: [{ resource: "customers", settledBefore: 4 }, {
            resource: "conversations",
            read: 6,
            created: 5,
            rejected: 1
          }],
          phaseSpans: [{ resource: "customers", startMillis: 0, endMillis: 2_000 }, {
            resource: "conversations",
            startMillis: 2_000,
            endMillis: 20_000
          }],
          attempt: 2,
          attempts: [
            {
              attempt: 1,
              status: "interrupted",
              startedAt: "2025-12-31T23:00:00.000Z",
              elapsedMillis: 9_000,
              created: 4
            },
            { attempt: 2, status: "finished", startedAt: "2026-01-01T00:00:00.000Z", elapsedMillis: 20_000, created: 5 }
          ],
          cumulative: [
            { resource: "customers", read: 4, created: 4, jobIds: ["job-c1"] },
            { resource: "conversations", read: 6, created: 5, rejected: 1, jobIds: ["job-v1", "job-v2"] }
          ],
          run: {
            host: "acme.api.kustomerapp.com",
            version: "0.1.0",
            command: ["migrate", "bundle.jsonl", "--rate-limit", "300/60"],
            bundleSha256: "ab12",
            rateLimitCap: { limit: 300, windowMillis: 60_000 }
          },
          timeline: { bucketMillis: 1_000, buckets: Array.from({ length: 20 }, () => bucket) }
        })),
        undefined
      )
      assert.include(html, `data-band="customers"`)
      assert.include(html, `data-band="conversations"`)
      // A 20 s run of a 60 s window draws the minute (not the 20 s it saw), and the cap of 300 per window.
      assert.include(html, "Requests per rate-limit window (1m")
      assert.include(html, `class="cap"`)
      assert.include(html, "capped at 300 (--rate-limit)")
      assert.include(html, `data-attempt="1"`)
      assert.include(html, `data-attempt="2"`)
      assert.match(html, /<tr data-resource="customers"><td>customers<\/td><td>4<\/td>/)
      assert.include(html, "acme.api.kustomerapp.com")
      assert.include(html, "kustomer-bulk migrate bundle.jsonl --rate-limit 300/60")
      assert.include(html, "conversations: 2 jobs")
      assert.include(html, "What next")
      assert.include(html, "1 objects were not created: <code>rejects.jsonl</code>")
    }))

  it.scoped("groups a rejects file by reason, with distinct examples, bounded", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-html-" })
      const file = `${directory}/rejects.jsonl`
      const lines = [
        ...Array.from({ length: 8 }, (_, index) => ({
          position: { index, line: index + 1 },
          outcome: "Rejected",
          reason: "priority: too high",
          record: {}
        })),
        { resource: "messages", line: 40, outcome: "Failed", reason: "no such conversation", record: {} },
        { resource: "messages", line: 40, outcome: "Failed", reason: "no such conversation", record: {} },
        ...Array.from({ length: RejectGroups.maxReasons + 3 }, (_, index) => ({
          position: { index: 100 + index },
          outcome: "Unknown",
          reason: `reason ${index}`,
          record: {}
        }))
      ]
      yield* fs.writeFileString(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\nnot json\n`)
      const rejects = yield* RejectGroups.read(file)
      assert.strictEqual(rejects.lines, lines.length + 1)
      const [first, second] = rejects.groups
      assert.deepStrictEqual([first?.reason, first?.count, first?.examples.length], ["priority: too high", 8, 5])
      assert.deepStrictEqual(first?.examples[0], { where: "line 1", externalId: undefined })
      assert.deepStrictEqual([second?.reason, second?.count], ["messages: no such conversation", 2])
      assert.deepStrictEqual(second?.examples, [{ where: "messages, line 40", externalId: undefined }])
      assert.strictEqual(rejects.groups.length, RejectGroups.maxReasons)
      assert.strictEqual(
        rejects.groups.reduce((sum, group) => sum + group.count, 0) + rejects.otherLines,
        rejects.lines
      )

      // The file of records in doubt joins the rejects file; a file that does not exist adds nothing.
      const unknown = `${directory}/rejects.jsonl.unknown.jsonl`
      yield* fs.writeFileString(
        unknown,
        [
          { position: { index: 3, line: 4 }, outcome: "Unknown", reason: "reason 0", record: {} },
          { position: { index: 5, line: 6 }, outcome: "Unknown", reason: "job did not finish", record: {} }
        ].map((line) => JSON.stringify(line)).join("\n")
      )
      const both = yield* RejectGroups.readIfAny([file, unknown, `${directory}/missing.jsonl`, undefined])
      assert.strictEqual(both?.lines, rejects.lines + 2)
      const reasonZero = both?.groups.find((group) => group.reason === "reason 0")
      assert.deepStrictEqual(
        [reasonZero?.count, reasonZero?.examples.map((example) => example.where)],
        [2, ["record 100", "line 4"]]
      )
      assert.strictEqual(yield* RejectGroups.readIfAny([`${directory}/missing.jsonl`]), undefined)
    }).pipe(Effect.provide(nodeLayer)))

  it.scoped("a migration's rejects by root cause: dependants counted with their line, first when they are many", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-html-" })
      const file = `${directory}/rejects.jsonl`
      const customer = { index: 0, line: 5 }
      const lines = [
        ...[1, 2].map((line) => ({
          resource: "notes",
          position: { index: line, line },
          outcome: "Rejected",
          reason: "body: must not be empty"
        })),
        {
          resource: "conversations",
          position: { index: 3, line: 3 },
          outcome: "Rejected",
          reason: "status: snoozed is no status",
          dependants: { messages: 3, notes: 1 },
          bundle: {}
        },
        {
          resource: "customers",
          position: customer,
          outcome: "Rejected",
          reason: "emails.0.email: Expected an e-mail address",
          dependants: { conversations: 2, messages: 2, notes: 1 },
          bundle: {}
        },
        {
          resource: "conversations",
          position: { index: 6, line: 6 },
          outcome: "Rejected",
          reason: "its customer (externalId:c-bad) was not created: emails.0.email: Expected an e-mail address",
          dependants: { notes: 1 },
          cause: { resource: "customers", position: customer },
          bundle: {}
        }
      ]
      yield* fs.writeFileString(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`)
      const rejects = yield* RejectGroups.read(file)
      assert.deepStrictEqual(rejects.groups.map((group) => [group.reason, group.count, group.dependants]), [
        ["customers: emails.0.email: Expected an e-mail address", 1, 5],
        ["conversations: status: snoozed is no status", 1, 4],
        ["notes: body: must not be empty", 2, 0]
      ])
      assert.strictEqual(rejects.dependantLines, 1)
      const html = HtmlReport.render(
        Either.getOrThrow(RunView.fromDocument({
          status: "finished",
          bundle: "bundle.jsonl",
          startedAt: "2026-01-01T00:00:00.000Z",
          elapsedMillis: 1000,
          phases: [{ resource: "conversations", read: 3, rejected: 2 }]
        })),
        rejects
      )
      assert.include(html, "and 5 objects not created only because of it")
      assert.include(html, "(1 of them conversations of a customer not created, counted with it)")
    }).pipe(Effect.provide(nodeLayer)))
})
