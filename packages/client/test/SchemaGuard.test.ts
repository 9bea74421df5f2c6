import { BulkResource } from "@effect-kustomer/domain"
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { issuesOf } from "../src/internal/issueList.js"
import * as SchemaGuard from "../src/internal/schemaGuard.js"
import { conversationRecord } from "./records.js"

/** Any JSON value, small. */
const jsonValue = FastCheck.jsonValue({ maxDepth: 2 })

/**
 * A value changed at one place: a field replaced by any JSON value, a field removed, or a key added, at the top
 * or one level down — what a wrong record looks like.
 */
const mutated = (value: unknown) =>
  FastCheck.tuple(FastCheck.nat(), FastCheck.constantFrom("replace", "remove", "add"), jsonValue).map(
    ([pick, change, replacement]) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return replacement
      const copy: Record<string, unknown> = { ...value }
      const keys = Object.keys(copy)
      const key = keys.length === 0 ? "extra" : (keys[pick % keys.length] ?? "extra")
      const inner = copy[key]
      const target: Record<string, unknown> =
        pick % 2 === 0 && typeof inner === "object" && inner !== null && !Array.isArray(inner)
          ? (copy[key] = { ...inner })
          : copy
      const targetKeys = Object.keys(target)
      const targetKey = targetKeys[pick % Math.max(1, targetKeys.length)] ?? "extra"
      if (change === "replace") target[targetKey] = replacement
      else if (change === "remove") delete target[targetKey]
      else target[`${targetKey}Extra`] = replacement
      return copy
    }
  )

/** The property, per resource: whatever the guard vouches for, decoding accepts and returns unchanged. */
const neverVouchesWrongly = <Item, Encoded>(
  resource: { readonly name: string; readonly item: Schema.Schema<Item, Encoded> }
) =>
  it(`never vouches for ${resource.name} that decoding would refuse or change`, () => {
    const guard = SchemaGuard.compile(resource.item.ast)
    const decodeIgnoring = Schema.decodeUnknownEither(resource.item, { onExcessProperty: "ignore" })
    const decodePreserving = Schema.decodeUnknownEither(resource.item, { onExcessProperty: "preserve" })
    const valid = Arbitrary.make(resource.item)
    const candidates = FastCheck.oneof(valid, valid.chain((value) => mutated(value)))
    let vouched = 0
    FastCheck.assert(
      FastCheck.property(candidates, (candidate) => {
        // Through JSON, as records arrive.
        const record: unknown = JSON.parse(JSON.stringify(candidate) ?? "null")
        if (!guard(record)) return true
        vouched++
        for (const decode of [decodeIgnoring, decodePreserving]) {
          const decoded = decode(record)
          assert.isTrue(Either.isRight(decoded), `decoding refused ${JSON.stringify(record)}`)
          if (Either.isRight(decoded)) assert.deepStrictEqual(decoded.right, record)
        }
        return true
      }),
      { numRuns: 400, seed: 13 }
    )
    assert.isAbove(vouched, 40, "the guard vouched for almost nothing")
  })

/** The property, per resource: a refused record's issues are listed exactly as `ArrayFormatter` lists them. */
const listsIssuesAsTheFormatter = <Item, Encoded>(
  resource: { readonly name: string; readonly item: Schema.Schema<Item, Encoded> }
) =>
  it(`lists the issues of a refused ${resource.name} as ArrayFormatter does`, () => {
    const decode = ParseResult.decodeUnknownEither(resource.item, { errors: "all", onExcessProperty: "ignore" })
    const valid = Arbitrary.make(resource.item)
    let refused = 0
    FastCheck.assert(
      FastCheck.property(valid.chain((value) => mutated(value)), (candidate) => {
        const record: unknown = JSON.parse(JSON.stringify(candidate) ?? "null")
        const decoded = decode(record)
        if (Either.isRight(decoded)) return true
        refused++
        const expected = ParseResult.ArrayFormatter.formatIssueSync(decoded.left)
          .map((issue) => ({ path: issue.path, message: issue.message }))
        assert.deepStrictEqual(issuesOf(decoded.left).map((issue) => ({ ...issue })), expected)
        return true
      }),
      { numRuns: 300, seed: 17 }
    )
    assert.isAbove(refused, 40, "almost no mutation was refused")
  })

describe("SchemaGuard", () => {
  neverVouchesWrongly(BulkResource.Conversations)
  neverVouchesWrongly(BulkResource.Customers)
  neverVouchesWrongly(BulkResource.Messages)
  neverVouchesWrongly(BulkResource.Notes)
  listsIssuesAsTheFormatter(BulkResource.Conversations)
  listsIssuesAsTheFormatter(BulkResource.Customers)
  listsIssuesAsTheFormatter(BulkResource.Messages)
  listsIssuesAsTheFormatter(BulkResource.Notes)

  it("vouches for typical records and not for wrong ones", () => {
    const guard = SchemaGuard.compile(BulkResource.Conversations.item.ast)
    const record = conversationRecord(7, "6b097023c500000000000001")
    assert.isTrue(guard(record))
    assert.isTrue(guard({ ...record, custom: { orderNum: 3, noteTxt: null, linkUrl: "https://example.com/a" } }))
    assert.isFalse(guard({ ...record, priority: 9 }), "a refinement (between 1 and 5)")
    assert.isFalse(guard({ ...record, priority: 2.5 }), "a refinement (an integer)")
    assert.isFalse(guard({ ...record, colour: "red" }), "a key the schema does not declare")
    assert.isFalse(guard({ ...record, custom: { orderNum: "3" } }), "a custom filter")
    assert.isFalse(guard({ ...record, importedAt: "2026-02-30T00:00:00Z" }), "a date that does not exist")
    assert.isFalse(guard({ name: "no customer" }), "a required field missing")
    assert.isFalse(guard({ ...record, externalId: undefined }), "an exact optional field present as undefined")
    assert.isFalse(guard([record]))
  })

  it("leaves to decoding whatever it cannot be sure of", () => {
    const unionOfObjects = Schema.Union(
      Schema.Struct({ a: Schema.String }),
      Schema.Struct({ a: Schema.String, b: Schema.String })
    )
    // Decoding would take the first member and drop `b`.
    assert.isFalse(SchemaGuard.compile(unionOfObjects.ast)({ a: "x", b: "y" }))
    assert.isFalse(SchemaGuard.compile(Schema.Struct({ at: Schema.DateFromString }).ast)({ at: "2026-01-01" }))
    assert.isFalse(SchemaGuard.compile(Schema.Struct({ at: Schema.DateFromString }).ast)({}))
    assert.isTrue(SchemaGuard.compile(Schema.NullOr(Schema.Literal("a", "b")).ast)(null))
    assert.isFalse(SchemaGuard.compile(Schema.Tuple(Schema.String).ast)(["x"]))
  })
})
