/**
 * The bundle's Schema: what a converter writes is what the migration reads, and a bad part costs that part only.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as NodeFs from "node:fs"
import { tempDir } from "../../journal/test/harness.js"
import { Bundle, Migration } from "../src/index.js"

const message = (index: number) => ({
  externalId: `m-${index}`,
  direction: "in",
  channel: "email",
  app: "postmark",
  preview: `message ${index}`
})

describe("Bundle", () => {
  it("encodes a line that decodes to itself, Kustomer's own fields passed through", () => {
    const line: Bundle.Line = {
      externalId: "zd-1",
      status: "open",
      customer: { externalId: "zd-user-5", name: "Ada", company: { externalId: "zd-org-1", name: "Acme" } },
      assignee: { externalId: "zd-user-7", email: "agent@team.example" },
      messages: [{ ...message(0), author: { email: "ada@example.com" } }],
      notes: [{ body: "checked", attachments: [{ name: "log.txt", url: "https://files.example/log.txt", size: 3 }] }]
    }
    const decoded = Bundle.decodePart(Bundle.Line)(JSON.parse(Bundle.encodeLine(line)))
    assert.deepStrictEqual(decoded, Either.right(line))
  })

  it("says which part of a line is wrong, with its path", () => {
    const decode = Bundle.decodePart(Bundle.Line)
    const reasonOf = (value: unknown) => Either.match(decode(value), { onLeft: (reason) => reason, onRight: () => "" })
    assert.match(reasonOf({ customer: { name: "nobody" } }), /^customer: .*externalId or an e-mail/)
    assert.match(reasonOf({ customer: { externalId: "c", company: { externalId: "o" } } }), /customer\.company/)
    assert.match(reasonOf({ customer: { externalId: "c" }, messages: "none" }), /^messages: /)
    assert.match(reasonOf({ customer: { externalId: "c" }, notes: [{ author: 7 }] }), /^notes\.0\.author: /)
  })

  it.scoped("a message with a bad author is that message's reject; its line and siblings go on", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const lines = [
        { externalId: "t-1", customer: { externalId: "c-1" }, messages: [message(1), { ...message(2), author: 42 }] },
        { externalId: "t-2", customer: { email: "ada@example.com" }, messages: [message(3)] }
      ]
      NodeFs.writeFileSync(`${dir}/bundle.jsonl`, lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
      const planned = yield* Migration.dryRun({ bundle: `${dir}/bundle.jsonl`, rejects: `${dir}/rejects.jsonl` })
      const byPhase = Object.fromEntries(planned.map((phase) => [phase.phase, phase]))
      assert.strictEqual(byPhase["conversations"]?.valid, 2)
      assert.strictEqual(byPhase["messages"]?.valid, 2)
      assert.strictEqual(byPhase["messages"]?.rejected, 1)
      const example = byPhase["messages"]?.examples[0]
      assert.strictEqual(example?.position.line, 1)
      assert.match(example?.reason ?? "", /^message\.author: /)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
