/**
 * `import --resource`: any resource of the registry, checked against its own schema (CSV cells converted as its
 * fields' types say); an unknown name lists the valid ones. And the check of the key's roles as the commands show
 * it: the missing roles listed, `--accept-import-dates` going on knowingly and saying so in the summary and the
 * JSON report.
 */
import { BulkResource, Token } from "@effect-kustomer/domain"
import { SimulatorConfig, SimulatorServer } from "@effect-kustomer/simulator"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { nodeLayer, runCli } from "./harness.js"

const adminKey = "eyJ.import-resource-admin.sig"
/** Every role but org.admin: Kustomer would replace the dates of its messages and notes. */
const plainKey = "eyJ.import-resource-plain.sig"

const simulator = SimulatorServer.layer({
  apiKeys: [{ key: adminKey }, { key: plainKey, roles: SimulatorConfig.resourceRoles }],
  customers: 0,
  jobLatency: "10 millis"
})

const customers = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    externalId: `cust-${index}`,
    name: `Customer ${index}`,
    emails: [{ type: "work", email: `customer${index}@example.com` }],
    signedUpAt: "2023-05-01T10:00:00Z"
  }))

const writeLines = (path: string, lines: ReadonlyArray<unknown>) =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) => fs.writeFileString(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
  )

const tempDir = Effect.flatMap(
  FileSystem.FileSystem,
  (fs) => fs.makeTempDirectoryScoped({ prefix: "kustomer-import-resource-" })
)

describe("kustomer-bulk import --resource", () => {
  it.scoped("customers.jsonl --resource customers --dry-run: checked as customers, nothing sent", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = `${dir}/customers.jsonl`
      // The last one has a conversation's field: a customer has no priority.
      yield* writeLines(file, [...customers(4), { externalId: "cust-x", name: "X", priority: 3 }])
      const result = yield* runCli(["import", file, "--resource", "customers", "--dry-run"])
      assert.strictEqual(result.code, 2, result.text)
      assert.include(result.text, "Checking customers from")
      assert.include(result.text, "Dry run — nothing was sent.")
      assert.include(result.text, "line 5: priority")
      // The roles a key will need, before one is made.
      assert.include(result.text, "org.permission.customer.create or org.user.customer.write: to create customers")
      assert.include(result.text, "org.permission.customer.read or org.user.customer.read: to find customers")
      yield* writeLines(`${dir}/valid.jsonl`, customers(4))
      const valid = yield* runCli(["import", `${dir}/valid.jsonl`, "--resource", "customers", "--dry-run", "--json"])
      assert.strictEqual(valid.code, 0, valid.text)
      const document = JSON.parse(valid.stdout.join("\n"))
      assert.strictEqual(document.records, 4)
      assert.strictEqual(document.rejected, 0)
    }).pipe(Effect.provide(nodeLayer)))

  it.scoped("CSV cells are converted as the resource's schema types them", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const file = `${dir}/customers.csv`
      yield* fs.writeFileString(
        file,
        [
          "Id,Name,Signed up,Revision,emails",
          `c-1,Ada,2023-05-01 10:00,3,"[{""email"":""ada@example.com""}]"`,
          `c-2,Grace,not a date,4,"[{""email"":""grace@example.com""}]"`
        ].join("\n") + "\n"
      )
      // signedUpAt (a date-time) and rev (a number) by their columns; `emails` (objects) named by its path.
      const result = yield* runCli([
        "import",
        file,
        "--resource",
        "customers",
        "--dry-run",
        "--mapping",
        "externalId=Id",
        "--mapping",
        "name=Name",
        "--mapping",
        "signedUpAt=Signed up",
        "--mapping",
        "rev=Revision",
        "--mapping",
        "emails=emails",
        "--timezone",
        "UTC"
      ])
      assert.strictEqual(result.code, 2, result.text)
      assert.match(result.text, /valid\s+1\b/)
      assert.include(result.text, `line 3: column "Signed up": "not a date" is not a date-time`)
      // Without a mapping the columns are the fields' paths, converted the same way.
      yield* fs.writeFileString(
        `${dir}/paths.csv`,
        [
          "externalId,name,signedUpAt,rev,emails,tags",
          `c-1,Ada,2023-05-01 10:00,3,"[{""email"":""ada@example.com""}]","vip, early"`
        ].join("\n") + "\n"
      )
      const paths = yield* runCli([
        "import",
        `${dir}/paths.csv`,
        "--resource",
        "customers",
        "--dry-run",
        "--timezone",
        "UTC"
      ])
      assert.strictEqual(paths.code, 0, paths.text)
    }).pipe(Effect.provide(nodeLayer)))

  it.scoped("an unknown resource lists the valid ones, from the registry", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeLines(`${dir}/tickets.jsonl`, customers(1))
      const result = yield* runCli(["import", `${dir}/tickets.jsonl`, "--resource", "tickets", "--dry-run"])
      assert.strictEqual(result.code, 1)
      assert.include(result.text, "--resource tickets is not a resource Kustomer bulk-creates")
      for (const resource of BulkResource.all) assert.include(result.text, resource.name)
    }).pipe(Effect.provide(nodeLayer)))

  it.scopedLive("a real import of customers creates them", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const dir = yield* tempDir
      yield* writeLines(`${dir}/customers.jsonl`, customers(25))
      const env = { KUSTOMER_API_KEY: adminKey, KUSTOMER_BASE_URL: server.baseUrl }
      const result = yield* runCli(
        ["import", `${dir}/customers.jsonl`, "--resource", "customers", "--report", `${dir}/report.json`],
        env
      )
      assert.strictEqual(result.code, 0, result.text)
      assert.include(result.text, "Importing customers from")
      const stats = yield* server.simulator.stats
      assert.strictEqual(stats.customers.stored, 25)
      assert.strictEqual(stats.conversations.stored, 0)
      const [stored] = yield* server.simulator.findByExternalId("customers", "cust-7")
      assert.strictEqual(stored?.attributes["name"], "Customer 7")
      const fs = yield* FileSystem.FileSystem
      const report = JSON.parse(yield* fs.readFileString(`${dir}/report.json`))
      assert.strictEqual(report.resource, "customers")
      assert.isTrue(report.roles.checked)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("dated messages without org.admin: refused; --accept-import-dates goes on and says so", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const dir = yield* tempDir
      const bundle = `${dir}/bundle.jsonl`
      yield* writeLines(
        bundle,
        Array.from({ length: 5 }, (_, index) => ({
          externalId: `t-${index}`,
          customer: { externalId: `u-${index}` },
          messages: [{
            externalId: `m-${index}`,
            channel: "email",
            app: "postmark",
            createdAt: "2020-01-01T00:00:00Z"
          }]
        }))
      )
      const env = { KUSTOMER_API_KEY: plainKey, KUSTOMER_BASE_URL: server.baseUrl }
      const dry = yield* runCli(["migrate", bundle, "--dry-run", "--json"])
      assert.strictEqual(dry.code, 0, dry.text)
      const needed: ReadonlyArray<{ readonly roles: ReadonlyArray<string> }> = JSON.parse(dry.stdout.join("\n"))
        .rolesNeeded
      assert.deepStrictEqual(needed.map((need) => need.roles[0]), [
        "org.permission.customer.create",
        "org.permission.conversation.create",
        "org.permission.message.create",
        "org.permission.bulk.read",
        "org.permission.customer.read",
        "org.permission.conversation.read",
        "org.permission.message.read",
        Token.orgAdminRole
      ])
      const refused = yield* runCli(["migrate", bundle], env)
      assert.strictEqual(refused.code, 1, refused.text)
      assert.include(refused.text, `${Token.orgAdminRole}: to keep the createdAt and createdBy of 5 messages`)
      assert.include(refused.text, "--accept-import-dates")
      assert.strictEqual((yield* server.simulator.stats).customers.stored, 0)

      const accepted = yield* runCli(["migrate", bundle, "--accept-import-dates", "--json"], env)
      assert.strictEqual(accepted.code, 0, accepted.text)
      assert.include(accepted.stderr.join("\n"), "createdAt and createdBy were not kept")
      const document = JSON.parse(accepted.stdout.join("\n"))
      assert.strictEqual(document.roles.createdAtAndByKept, false)
      assert.strictEqual((yield* server.simulator.stats).messages.stored, 5)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))

  it.scopedLive("import --resource messages --accept-import-dates: the summary says the dates were not kept", () =>
    Effect.gen(function*() {
      const server = yield* SimulatorServer.SimulatorServer
      const dir = yield* tempDir
      const env = { KUSTOMER_API_KEY: plainKey, KUSTOMER_BASE_URL: server.baseUrl }
      yield* writeLines(`${dir}/customers.jsonl`, customers(1))
      yield* runCli(["import", `${dir}/customers.jsonl`, "--resource", "customers"], env)
      const [customer] = yield* server.simulator.findByExternalId("customers", "cust-0")
      yield* writeLines(`${dir}/conversations.jsonl`, [{ externalId: "conv-0", customer: customer?.id }])
      yield* runCli(["import", `${dir}/conversations.jsonl`], env)
      const [conversation] = yield* server.simulator.findByExternalId("conversations", "conv-0")
      yield* writeLines(`${dir}/messages.jsonl`, [{
        externalId: "msg-0",
        conversation: conversation?.id,
        channel: "email",
        app: "postmark",
        createdAt: "2020-01-01T00:00:00Z"
      }])
      const refused = yield* runCli(["import", `${dir}/messages.jsonl`, "--resource", "messages"], env)
      assert.strictEqual(refused.code, 1, refused.text)
      assert.include(refused.text, "to keep the createdAt and createdBy of 1 message:")
      const accepted = yield* runCli(
        ["import", `${dir}/messages.jsonl`, "--resource", "messages", "--accept-import-dates", "--json"],
        env
      )
      assert.strictEqual(accepted.code, 0, accepted.text)
      assert.include(accepted.stderr.join("\n"), "createdAt and createdBy were not kept")
      assert.strictEqual(JSON.parse(accepted.stdout.join("\n")).roles.createdAtAndByKept, false)
      assert.strictEqual((yield* server.simulator.stats).messages.stored, 1)
    }).pipe(Effect.provide(Layer.merge(simulator, nodeLayer))))
})
