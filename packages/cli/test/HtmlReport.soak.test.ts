/** The HTML report in a real headless Chromium: pages of an import and a migration, as users open them. */
import { SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFileSync } from "node:child_process"
import { pathToFileURL } from "node:url"
import { chromium } from "playwright-core"
import * as DemoData from "../src/DemoData.js"
import { nodeLayer, runCli } from "./harness.js"

const secretKey = "eyJhbGciOiJIUzI1NiJ9.html-report-secret.c2lnbmF0dXJl"

const simulator = SimulatorServer.layer({ apiKeys: [{ key: secretKey }], customers: 20, jobLatency: "10 millis" })

/** The system's Chromium (Debian's `chromium` package; `.ci/run` installs it), when there is one. */
const installedChromium = (() => {
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim()
  } catch {
    return undefined
  }
})()

/**
 * Without Chromium the browser tests are skipped on a developer's machine (with a warning) and fail in CI, which
 * installs it.
 */
const withoutBrowser = installedChromium === undefined && process.env["CI"] !== "true"
if (withoutBrowser) {
  console.warn("HtmlReport.test.ts: chromium is not installed (apt-get install -y chromium): browser tests skipped")
}

const chromiumPath = () => {
  if (installedChromium === undefined) {
    throw new Error("chromium is not installed: apt-get install -y chromium (.ci/run does this)")
  }
  return installedChromium
}

/** A headless Chromium for the test's scope; closed when the scope closes, however the test ends. */
const browser = Effect.acquireRelease(
  Effect.promise(() => chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] })),
  (opened) => Effect.promise(() => opened.close())
)

/** Opens `file` in a new page: what it shows, and every console error, page error and request it made. */
const openPage = (file: string) =>
  Effect.gen(function*() {
    const opened = yield* browser
    const page = yield* Effect.promise(() => opened.newPage())
    const errors: Array<string> = []
    const requests: Array<string> = []
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text())
    })
    page.on("pageerror", (error) => errors.push(error.message))
    page.on("request", (request) => requests.push(request.url()))
    yield* Effect.promise(() => page.goto(pathToFileURL(file).href, { waitUntil: "load" }))
    const totals = yield* Effect.promise(() =>
      page.$$eval("[data-total]", (cells) =>
        Object.fromEntries(cells.map((cell) => [cell.getAttribute("data-total"), cell.textContent ?? ""])))
    )
    const charts = yield* Effect.promise(() =>
      page.$$eval("figure svg", (svgs) => svgs.length)
    )
    const bars = yield* Effect.promise(() => page.$$eval("#throughput rect", (rects) => rects.length))
    const resources = yield* Effect.promise(() =>
      page.$$eval("#resources tr[data-resource]", (rows) => rows.map((row) => row.getAttribute("data-resource")))
    )
    const rejectCounts = yield* Effect.promise(() =>
      page.$$eval("#rejects tr td:first-child", (cells) => cells.map((cell) => cell.textContent ?? ""))
    )
    const rejectsText = yield* Effect.promise(() => page.$eval("body", (body) => body.innerText))
    return { errors, requests, totals, charts, bars, resources, rejectCounts, text: rejectsText }
  })

const count = (text: string | undefined) => Number((text ?? "").replace(/,/g, ""))

describe.skipIf(withoutBrowser)("the HTML report in a real headless Chromium", () => {
  it.scopedLive(
    "import --html and report --html: loads offline without console errors, shows the report's totals",
    () =>
      Effect.gen(function*() {
        const server = yield* SimulatorServer.SimulatorServer
        const fs = yield* FileSystem.FileSystem
        const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-html-" })
        const input = `${directory}/conversations.jsonl`
        const records = [
          ...DemoData.conversations(150, {
            customerIds: server.customerIds,
            nowMillis: 1_790_000_000_000,
            invalidEvery: 15
          })
        ]
        yield* fs.writeFileString(input, records.map((record) => JSON.stringify(record)).join("\n"))
        const env = { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: server.baseUrl }
        const files = ["--report", `${directory}/report.json`, "--rejects", `${directory}/rejects.jsonl`]
        const imported = yield* runCli([
          "import",
          input,
          "--max-items",
          "25",
          ...files,
          "--html",
          `${directory}/a.html`
        ], env)
        assert.strictEqual(imported.code, 2, imported.text)
        const report = JSON.parse(yield* fs.readFileString(`${directory}/report.json`))
        const rendered = yield* runCli(["report", `${directory}/report.json`, "--html", `${directory}/b.html`])
        assert.strictEqual(rendered.code, 0, rendered.text)
        // Both ways give the same page.
        assert.strictEqual(
          yield* fs.readFileString(`${directory}/a.html`),
          yield* fs.readFileString(`${directory}/b.html`)
        )

        const page = yield* openPage(`${directory}/b.html`)
        assert.deepStrictEqual(page.errors, [])
        assert.isTrue(page.requests.every((url) => url.startsWith("file:")), page.requests.join(", "))
        assert.strictEqual(count(page.totals["read"]), report.summary.read)
        assert.strictEqual(count(page.totals["created"]), report.summary.created)
        assert.strictEqual(count(page.totals["rejected"]), report.summary.rejected)
        assert.strictEqual(count(page.totals["requests"]), report.summary.requests)
        assert.strictEqual(report.summary.rejected, 10)
        assert.strictEqual(page.charts, 4)
        assert.isAbove(page.bars, 0)
        assert.strictEqual(page.rejectCounts.reduce((sum, text) => sum + count(text), 0), 10)
        assert.include(page.text, "line 15")
        assert.notInclude(yield* fs.readFileString(`${directory}/b.html`), secretKey)
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    60_000
  )

  it.scopedLive(
    "migrate --html: a row per resource, totals that add up, rejects with their resource and line",
    () =>
      Effect.gen(function*() {
        const server = yield* SimulatorServer.SimulatorServer
        const fs = yield* FileSystem.FileSystem
        const directory = yield* fs.makeTempDirectoryScoped({ prefix: "kustomer-html-" })
        const bundle = `${directory}/bundle.jsonl`
        const lines = [...DemoData.bundle(30, { customers: 6, nowMillis: 1_790_000_000_000, invalidEvery: 10 })]
        yield* fs.writeFileString(bundle, lines.map((line) => JSON.stringify(line)).join("\n"))
        const env = { KUSTOMER_API_KEY: secretKey, KUSTOMER_BASE_URL: server.baseUrl }
        const migrated = yield* runCli([
          "migrate",
          bundle,
          "--report",
          `${directory}/report.json`,
          "--rejects",
          `${directory}/rejects.jsonl`,
          "--html",
          `${directory}/report.html`
        ], env)
        assert.strictEqual(migrated.code, 2, migrated.text)
        const report = JSON.parse(yield* fs.readFileString(`${directory}/report.json`))
        const phases: ReadonlyArray<Record<string, number>> = report.phases
        const page = yield* openPage(`${directory}/report.html`)
        assert.deepStrictEqual(page.errors, [])
        assert.deepStrictEqual(page.resources, ["customers", "conversations", "messages", "notes"])
        for (const key of ["created", "rejected", "requests"]) {
          assert.strictEqual(count(page.totals[key]), phases.reduce((sum, phase) => sum + (phase[key] ?? 0), 0), key)
        }
        assert.isAbove(count(page.totals["rejected"]), 0)
        assert.strictEqual(
          page.rejectCounts.reduce((sum, text) => sum + count(text), 0),
          (yield* fs.readFileString(`${directory}/rejects.jsonl`)).trim().split("\n").length
        )
        assert.match(page.text, /conversations, line \d+/)
      }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))),
    60_000
  )
})
