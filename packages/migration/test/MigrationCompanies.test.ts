/**
 * Customers' companies: a company the bundle names as an object is created once in the companies phase, however
 * many customers name it, and each customer is linked to its id; one that cannot be created costs its customers
 * their company only, counted — never the customers.
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as NodeFs from "node:fs"
import { fastPipeline, readJsonLines, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

const acme = { externalId: "zd-org-1", name: "Acme" }
// Known by its name only: the customers that name it (in any case) share one company.
const globex = { name: "Globex" }
// Not a company Kustomer takes (`domains` is a list): rejected, its customer created without it.
const broken = { externalId: "zd-org-3", name: "Broken", domains: "broken.example" }

const lines = [
  { externalId: "t-1", customer: { externalId: "c-1", company: acme } },
  { externalId: "t-2", customer: { externalId: "c-2", company: acme } },
  { externalId: "t-3", customer: { externalId: "c-3", company: globex } },
  { externalId: "t-4", customer: { externalId: "c-4", company: { name: "GLOBEX" } } },
  { externalId: "t-5", customer: { externalId: "c-5", company: broken } },
  // A Kustomer company id is sent as given (this one does not exist).
  { externalId: "t-6", customer: { externalId: "c-6", company: "5f0000000000000000000001" } },
  { externalId: "t-7", customer: { externalId: "c-7" } }
]

/** A rejects file entry's bundle line. */
const lineOf = (entry: Record<string, unknown>): unknown => {
  const position = entry["position"]
  return Predicate.isRecord(position) ? position["line"] : undefined
}

const writeBundle = (path: string) =>
  NodeFs.writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")

describe("Migration, customers' companies", () => {
  it.scopedLive("each company created once, customers linked to it; a rejected one costs its customers only it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`)
      const phases: Array<string> = []
      const result = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        rejects: `${dir}/rejects.jsonl`,
        pipeline: fastPipeline,
        onPhase: (phase, place) => Effect.sync(() => phases.push(`${place.number}/${place.of} ${phase}`))
      })
      assert.deepStrictEqual(phases, [
        "1/5 companies",
        "2/5 customers",
        "3/5 conversations",
        "4/5 messages",
        "5/5 notes"
      ])
      const companiesPhase = result.phases[0]
      assert.strictEqual(companiesPhase?.phase, "companies")
      assert.strictEqual(companiesPhase?.summary.created, 2)
      assert.strictEqual(companiesPhase?.summary.rejected, 1)
      // c-6's company id is sent as given: the simulator, like Kustomer, refuses an id it does not know.
      assert.strictEqual(result.phases[1]?.summary.created, 6)
      assert.deepStrictEqual(result.leftOut, { companies: 1 })

      const simulator = yield* Simulator.Simulator
      const companies = yield* simulator.objects("companies")
      assert.deepStrictEqual(companies.map((company) => company.attributes["name"]), ["Acme", "Globex"])
      const idOf = (name: string) => companies.find((company) => company.attributes["name"] === name)?.id
      const customers = new Map((yield* simulator.objects("customers")).map((customer) => [
        customer.attributes["externalId"],
        customer.attributes["company"]
      ]))
      assert.strictEqual(customers.get("c-1"), idOf("Acme"))
      assert.strictEqual(customers.get("c-2"), idOf("Acme"))
      assert.strictEqual(customers.get("c-3"), idOf("Globex"))
      assert.strictEqual(customers.get("c-4"), idOf("Globex"))
      assert.isUndefined(customers.get("c-5"), "the rejected company is left out, the customer created")
      assert.isUndefined(customers.get("c-7"))
      const rejects = readJsonLines(`${dir}/rejects.jsonl`)
      // The customer's line carries its conversation, which has no line of its own.
      assert.deepStrictEqual(rejects.map((entry) => [entry["resource"], lineOf(entry)]), [
        ["companies", 5],
        ["customers", 6]
      ])
      assert.deepStrictEqual(rejects[1]?.["dependants"], { conversations: 1 })
      assert.deepStrictEqual(rejects[1]?.["bundle"], lines[5])
      assert.isUndefined(rejects[0]?.["bundle"], "a company is not sent again: its customers exist")

      // Run again with the journal: nothing is created twice, companies included.
      const again = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        journal: `${dir}/migration.journal`,
        pipeline: fastPipeline
      })
      assert.deepStrictEqual(again.phases.map((phase) => phase.summary.created), [0, 0, 0, 0, 0])
      assert.strictEqual(again.phases[0]?.settledBefore, 3)
      assert.strictEqual((yield* simulator.objects("companies")).length, 2)
    }).pipe(Effect.provide(simulated())))

  it.scoped("a dry run plans the companies phase only for a bundle that names companies", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeBundle(`${dir}/bundle.jsonl`)
      const planned = yield* Migration.dryRun({ bundle: `${dir}/bundle.jsonl` })
      assert.deepStrictEqual(planned.map((phase) => [phase.phase, phase.valid, phase.rejected]), [
        ["companies", 2, 1],
        ["customers", 7, 0],
        ["conversations", 7, 0],
        ["messages", 0, 0],
        ["notes", 0, 0]
      ])
      NodeFs.writeFileSync(`${dir}/plain.jsonl`, JSON.stringify({ customer: { externalId: "c" } }) + "\n")
      const plain = yield* Migration.dryRun({ bundle: `${dir}/plain.jsonl` })
      assert.deepStrictEqual(plain.map((phase) => phase.phase), ["customers", "conversations", "messages", "notes"])
    }).pipe(Effect.provide(simulated())))

  it.scopedLive("a run without the journal finds the companies with an externalId instead of creating them again", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const withIds = lines.filter((line) => line.customer.externalId !== "c-3" && line.customer.externalId !== "c-4")
      NodeFs.writeFileSync(`${dir}/bundle.jsonl`, withIds.map((line) => JSON.stringify(line)).join("\n") + "\n")
      yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, pipeline: fastPipeline })
      const again = yield* Migration.run({ bundle: `${dir}/bundle.jsonl`, pipeline: fastPipeline })
      assert.deepStrictEqual(
        [again.phases[0]?.phase, again.phases[0]?.summary.created, again.phases[0]?.summary.alreadyExisting],
        ["companies", 0, 1]
      )
      const simulator = yield* Simulator.Simulator
      const acmeIds = (yield* simulator.objects("companies")).map((company) => company.id)
      assert.strictEqual(acmeIds.length, 1, "Acme stored once")
      const customers = yield* simulator.objects("customers")
      for (const externalId of ["c-1", "c-2"]) {
        const customer = customers.find((object) => object.attributes["externalId"] === externalId)
        assert.strictEqual(customer?.attributes["company"], acmeIds[0])
      }
    }).pipe(Effect.provide(simulated())))
})
