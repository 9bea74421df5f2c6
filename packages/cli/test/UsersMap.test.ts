import { assert, describe, it } from "@effect/vitest"
import * as UsersMap from "../src/UsersMap.js"

const ada = "a9e171d00000000000000a0a"
const grace = "a9e171d00000000000000b0b"

describe("--users-map", () => {
  it("reads a JSON object: source id or e-mail → user id", () => {
    const map = UsersMap.parse("users.json", JSON.stringify({ "12": ada, "grace@team.example": grace }))
    assert.deepStrictEqual(map instanceof Map ? [...map] : map, [["12", ada], ["grace@team.example", grace]])
  })

  it("reads a two-column CSV, with or without a header row", () => {
    const withHeader = UsersMap.parse("users.csv", `zendesk,kustomer\n12,${ada}\n"grace@team.example",${grace}\n`)
    assert.deepStrictEqual(withHeader instanceof Map ? [...withHeader] : withHeader, [
      ["12", ada],
      ["grace@team.example", grace]
    ])
    const bare = UsersMap.parse("users.csv", `12,${ada}`)
    assert.deepStrictEqual(bare instanceof Map ? [...bare] : bare, [["12", ada]])
  })

  it("says which line or entry is wrong", () => {
    assert.include(String(UsersMap.parse("users.csv", `12,${ada}\n13`)), "users.csv line 2: expected two columns")
    assert.include(String(UsersMap.parse("users.json", JSON.stringify({ "12": "ada" }))), "is not a Kustomer user id")
    assert.include(String(UsersMap.parse("users.json", "{ not json")), "is not valid JSON")
  })
})
