/**
 * Companies, whose repeated `externalId` Kustomer stores again: they are looked up by `externalId` with a query
 * parameter (`GET /v1/companies?externalId=…`, a list document), so a request whose answer was lost is settled by
 * reading the companies back, never by a blind resend.
 */
import { BulkResource } from "@effect-kustomer/domain"
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { BulkImport, ImportEvent, ImportSource, KustomerClient } from "../src/index.js"
import { runOnTestClock } from "./clock.js"
import { clientWith, json } from "./fakes.js"
import { simulated } from "./importHarness.js"

/** Every other request has its connection reset after the API accepted it. */
const lostAnswers = { connectionResetRate: 0.5, afterAcceptanceShare: 1, seed: 11 }

const companies = Array.from({ length: 40 }, (_, index) => ({ name: `Company ${index}`, externalId: `org-${index}` }))

const importCompanies = (records: ReadonlyArray<unknown>) =>
  runOnTestClock(
    BulkImport.stream(ImportSource.fromIterable(records), {
      resource: BulkResource.Companies,
      maxItems: 5,
      linger: "10 millis"
    }).pipe(
      Stream.runCollect,
      Effect.map((events) => Chunk.toReadonlyArray(events))
    )
  )

const tagCounts = (outcomes: ReadonlyArray<ImportEvent.Outcome>) =>
  outcomes.reduce<Record<string, number>>((counts, outcome) => {
    counts[outcome._tag] = (counts[outcome._tag] ?? 0) + 1
    return counts
  }, {})

describe("KustomerClient.findByExternalId(BulkResource.Companies, …)", () => {
  it.effect("reads the simulator's list answer: the first company stored under it, None for an empty list", () =>
    Effect.gen(function*() {
      yield* importCompanies([{ name: "Acme", externalId: "zd-org/7 & co" }])
      const simulator = yield* Simulator.Simulator
      const [acme] = yield* simulator.findByExternalId("companies", "zd-org/7 & co")
      const client = yield* KustomerClient.KustomerClient
      const found = yield* client.findByExternalId(BulkResource.Companies, "zd-org/7 & co")
      assert.strictEqual(Option.getOrThrow(found).id, acme?.id)
      assert.isTrue(Option.isNone(yield* client.findByExternalId(BulkResource.Companies, "never-sent")))
      const stats = yield* simulator.stats
      assert.strictEqual(stats.requests.byRoute["GET /v1/companies?externalId={externalId}"], 2)
    }).pipe(Effect.provide(simulated())))

  it.effect("asks with the query parameter; skips listed companies of another externalId; None on 404", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* clientWith((_request, url) => {
        const asked = url.searchParams.get("externalId")
        if (asked === "gone") return Effect.succeed(json(404, { errors: [{ code: "not_found" }] }))
        // As a listing that ignored its query parameter would answer: every company, the asked one among them.
        return Effect.succeed(json(200, {
          data: [
            { type: "company", id: "5cb3a1b7c9e77c0013e5f2d1", attributes: { externalId: "other", name: "Other" } },
            { type: "company", id: "5cb3a1b7c9e77c0013e5f2d2", attributes: { externalId: null, name: "None" } },
            { type: "company", id: "5cb3a1b7c9e77c0013e5f2d3", attributes: { externalId: "org 1", name: "Org" } }
          ],
          links: { self: "/v1/companies", next: null }
        }))
      })
      const found = yield* client.findByExternalId(BulkResource.Companies, "org 1")
      assert.strictEqual(Option.getOrThrow(found).id, "5cb3a1b7c9e77c0013e5f2d3")
      assert.isTrue(Option.isNone(yield* client.findByExternalId(BulkResource.Companies, "org 2")))
      assert.isTrue(Option.isNone(yield* client.findByExternalId(BulkResource.Companies, "gone")))
      assert.strictEqual((yield* Ref.get(seen))[0]?.url, "http://127.0.0.1:4010/v1/companies?externalId=org%201")
    }))
})

describe("in-doubt companies (stored again by Kustomer when repeated)", () => {
  it.effect("companies whose answer was lost are read back by externalId, stored once, counted created", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const events = yield* importCompanies(companies)
      const stats = yield* simulator.stats
      assert.isAbove(stats.faults.connection_reset_after_acceptance, 0, "some answers were lost")
      assert.strictEqual(stats.companies.storedTwice, 0, "no company stored twice")
      assert.strictEqual(stats.companies.stored, companies.length)
      const outcomes = events.filter(ImportEvent.isOutcome)
      assert.deepStrictEqual(tagCounts(outcomes), { Created: companies.length })
      const stored = new Map((yield* simulator.objects("companies")).map((company) => [company.id, company.externalId]))
      for (const outcome of outcomes) {
        if (outcome._tag !== "Created" || outcome.objectId === undefined) {
          assert.fail(`expected Created with an id, got ${outcome._tag}`)
        } else {
          assert.strictEqual(stored.get(outcome.objectId), outcome.externalId, "the id of that very company")
        }
      }
      assert.isAbove(stats.requests.byRoute["GET /v1/companies?externalId={externalId}"] ?? 0, 0, "read back")
      const finished = events.find((event) => event._tag === "Finished")
      assert.isTrue(finished !== undefined && finished._tag === "Finished" && finished.lookups > 0, "reads counted")
    }).pipe(Effect.provide(simulated({ faults: lostAnswers }))))

  it.effect("companies without an externalId in a lost request are unknown, never sent twice", () =>
    Effect.gen(function*() {
      const simulator = yield* Simulator.Simulator
      const events = yield* importCompanies(companies.map(({ name }) => ({ name })))
      const stats = yield* simulator.stats
      const counts = tagCounts(events.filter(ImportEvent.isOutcome))
      assert.isAbove(counts["Unknown"] ?? 0, 0, "the lost requests' companies cannot be checked")
      assert.strictEqual((counts["Created"] ?? 0) + (counts["Unknown"] ?? 0), companies.length)
      assert.isAtMost(stats.companies.stored, companies.length, "never more companies than records")
    }).pipe(Effect.provide(simulated({ faults: lostAnswers }))))
})
