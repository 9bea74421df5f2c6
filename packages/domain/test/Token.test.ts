import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Token } from "../src/index.js"

const decode = Schema.decodeUnknownEither(Token.CurrentTokenFromDocument)

const document = {
  data: {
    type: "token",
    id: "5e1ec7ed7000000000000001",
    attributes: {
      roles: ["org.permission.conversation.create", "org.user.message.write", "org.admin"],
      name: "migration key",
      expiresAt: null
    },
    relationships: {
      user: {
        links: { self: "/v1/users/5e1ec7ed00000000000000a1" },
        data: { type: "user", id: "5e1ec7ed00000000000000a1" }
      },
      org: { data: { type: "org", id: "5e1ec7ed0000000000000000" } },
      createdBy: { data: { type: "user", id: "x" } }
    },
    links: { self: "/v1/auth/tokens/current" }
  },
  meta: { anything: true }
}

describe("Token", () => {
  it("reads roles, user and org, ignoring the fields it does not know", () => {
    assert.deepStrictEqual(
      decode(document),
      Either.right({
        roles: ["org.permission.conversation.create", "org.user.message.write", "org.admin"],
        userId: "5e1ec7ed00000000000000a1",
        orgId: "5e1ec7ed0000000000000000"
      })
    )
  })

  it("reads missing or null roles, attributes and relationships as none", () => {
    const empty = { roles: [], userId: undefined, orgId: undefined }
    assert.deepStrictEqual(decode({ data: {} }), Either.right(empty))
    assert.deepStrictEqual(decode({ data: { attributes: {} } }), Either.right(empty))
    assert.deepStrictEqual(decode({ data: { attributes: { roles: null } } }), Either.right(empty))
    assert.deepStrictEqual(decode({ data: { attributes: null, relationships: null } }), Either.right(empty))
    assert.deepStrictEqual(
      decode({ data: { relationships: { user: { data: null }, org: {} } } }),
      Either.right(empty)
    )
  })

  it("refuses what is not a token document", () => {
    assert.isTrue(Either.isLeft(decode({})))
    assert.isTrue(Either.isLeft(decode({ data: { attributes: { roles: "org.admin" } } })))
    assert.isTrue(Either.isLeft(decode({ data: { relationships: { user: { data: { type: "user" } } } } })))
  })

  it("encodes the smallest document with the same roles and ids", () => {
    const token = { roles: ["org.admin"], userId: "u1", orgId: undefined }
    const encoded = Schema.encodeSync(Token.CurrentTokenFromDocument)(token)
    assert.deepStrictEqual(encoded, {
      data: {
        attributes: { roles: ["org.admin"] },
        relationships: { user: { data: { type: "user", id: "u1" } }, org: {} }
      }
    })
    assert.deepStrictEqual(decode(encoded), Either.right(token))
  })

  it("grants a role in either spelling; org.admin keeps createdAt and createdBy", () => {
    const token = { roles: ["org.user.message.write"] }
    assert.isTrue(Token.grants(token, ["org.permission.message.create", "org.user.message.write"]))
    assert.isFalse(Token.grants(token, ["org.permission.note.create", "org.user.note.write"]))
    assert.isTrue(Token.grants(token, []))
    assert.isFalse(Token.keepsCreatedAtAndBy(token))
    assert.isTrue(Token.keepsCreatedAtAndBy({ roles: [Token.orgAdminRole] }))
    assert.strictEqual(Token.orgAdminRole, "org.admin")
  })
})
