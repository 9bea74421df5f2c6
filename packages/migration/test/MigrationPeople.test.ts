/**
 * The history's people: a message's or note's `author` becomes its `createdBy`, a conversation's `assignee` its
 * `assignedUsers` — through the caller's user map first, then the org's users by e-mail; a person neither finds is
 * reported with how many objects named them, never guessed.
 */
import { Simulator } from "@effect-kustomer/simulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import { fastPipeline, simulated, tempDir } from "../../journal/test/harness.js"
import { Migration } from "../src/index.js"

const ada = { id: "a9e171d00000000000000a0a", email: "ada@team.example" }
const grace = { id: "a9e171d00000000000000b0b", email: "grace@team.example" }

const line = (index: number) => ({
  externalId: `t-${index}`,
  customer: { externalId: `c-${index}`, name: `Customer ${index}` },
  // Assigned to Ada, whom the org's users list by e-mail.
  assignee: { externalId: "zd-user-1", email: "Ada@Team.example" },
  messages: [
    // From the customer: an inbound message is the customer's, whoever the source says wrote it.
    {
      externalId: `m-${index}-0`,
      direction: "in",
      channel: "email",
      app: "postmark",
      author: { externalId: "zd-user-9" }
    },
    // Grace, by her source id through the user map (the org lists her too, under another e-mail).
    {
      externalId: `m-${index}-1`,
      direction: "out",
      channel: "email",
      app: "postmark",
      author: { externalId: "zd-user-2" }
    },
    // Someone who is no Kustomer user.
    {
      externalId: `m-${index}-2`,
      direction: "out",
      channel: "email",
      app: "postmark",
      author: { externalId: "zd-user-3", email: "former@team.example" }
    }
  ],
  notes: [{ externalId: `n-${index}`, body: "checked", author: { email: "ada@team.example" } }]
})

describe("Migration, the history's people", () => {
  it.scopedLive("authors become createdBy, assignees assignedUsers; the unmapped are reported, never guessed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      NodeFs.writeFileSync(
        `${dir}/bundle.jsonl`,
        [0, 1, 2].map((index) => JSON.stringify(line(index))).join("\n") + "\n"
      )
      const result = yield* Migration.run({
        bundle: `${dir}/bundle.jsonl`,
        pipeline: fastPipeline,
        people: { usersMap: new Map([["2", grace.id]]) }
      })
      assert.deepStrictEqual(result.phases.map((phase) => phase.summary.rejected), [0, 0, 0, 0])
      assert.deepStrictEqual(result.unmappedPeople, [{ person: "former@team.example", objects: 3 }])
      const simulator = yield* Simulator.Simulator
      for (const conversation of yield* simulator.conversations) {
        assert.deepStrictEqual(conversation.attributes["assignedUsers"], [ada.id])
        assert.isUndefined(conversation.attributes["assignee"], "the bundle's reference is not sent")
      }
      const messages = yield* simulator.objects("messages")
      const createdBy = (suffix: string) =>
        messages.filter((message) => String(message.attributes["externalId"]).endsWith(suffix)).map((message) =>
          message.attributes["createdBy"]
        )
      // No createdBy is sent for an inbound message, nor for an author who is no Kustomer user.
      assert.deepStrictEqual(createdBy("-0"), [undefined, undefined, undefined])
      assert.deepStrictEqual(createdBy("-1"), [grace.id, grace.id, grace.id])
      assert.deepStrictEqual(createdBy("-2"), [undefined, undefined, undefined])
      for (const note of yield* simulator.objects("notes")) assert.strictEqual(note.attributes["createdBy"], ada.id)
      for (const message of messages) assert.isUndefined(message.attributes["author"])
    }).pipe(Effect.provide(simulated({ users: [ada, { ...grace, email: "grace.hopper@team.example" }] }))))
})
