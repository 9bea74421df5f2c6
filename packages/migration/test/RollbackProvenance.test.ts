/**
 * What the rollback trusts the id map for: an object the migration created stays recorded as created when a resume
 * finds it again as a duplicate (its outcome was not committed before a kill), and one that existed before stays so.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { tempDir } from "../../journal/test/harness.js"
import * as IdMap from "../src/internal/idMap.js"

describe("the id map's record of what the migration created", () => {
  it.scopedLive("created, then found as a duplicate: still created; existed before: still existed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const idMap = yield* IdMap.open(`${dir}/map.journal`)
      yield* idMap.addCustomers([{ key: "u1", line: 1, record: "{}" }, { key: "u2", line: 2, record: "{}" }])
      yield* idMap.settleCustomer(0, IdMap.Parent.Linked({ id: "c-1", existed: false }))
      yield* idMap.settleCustomer(0, IdMap.Parent.Linked({ id: "c-1", existed: true }))
      yield* idMap.settleCustomer(1, IdMap.Parent.Linked({ id: "c-2", existed: true }))
      yield* idMap.settleConversation(0, IdMap.Parent.Linked({ id: "v-1", existed: false }))
      yield* idMap.settleConversation(0, IdMap.Parent.Linked({ id: "v-1", existed: true }))
      yield* idMap.settleConversation(1, IdMap.Parent.Linked({ id: "v-2", existed: true }))
      // Another id is another object: what the later settlement says stands.
      yield* idMap.settleConversation(2, IdMap.Parent.Linked({ id: "v-3", existed: false }))
      yield* idMap.settleConversation(2, IdMap.Parent.Linked({ id: "v-4", existed: true }))
      assert.deepStrictEqual((yield* idMap.linked("customers")).map((row) => [row.id, row.existed, row.line]), [
        ["c-1", false, 1],
        ["c-2", true, 2]
      ])
      assert.deepStrictEqual((yield* idMap.linked("conversations")).map((row) => [row.id, row.existed]), [
        ["v-1", false],
        ["v-2", true],
        ["v-4", true]
      ])
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
