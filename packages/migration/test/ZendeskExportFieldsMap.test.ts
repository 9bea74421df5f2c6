import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { ZendeskExport } from "../src/index.js"

const parse = (text: string) => ZendeskExport.parseFieldsMap(text, "map")

const resolved = (text: string, ticketFields?: ReadonlyArray<ZendeskExport.TicketField>) =>
  Either.flatMap(parse(text), (entries) => ZendeskExport.resolveFieldsMap(entries, ticketFields))

const leftOf = <A>(either: Either.Either<A, string>): string =>
  Either.match(either, { onLeft: (message) => message, onRight: () => "(accepted)" })

describe("ZendeskExport fields map", () => {
  it("reads a JSON object: field id → attribute, and the satisfaction keys", () => {
    const map = Either.getOrThrow(resolved(JSON.stringify({
      "360001": "orderNumberStr",
      satisfaction: "csatStr",
      "satisfaction.comment": "csatCommentTxt"
    })))
    assert.deepStrictEqual([...map.byId], [["360001", "orderNumberStr"]])
    assert.strictEqual(map.satisfaction, "csatStr")
    assert.strictEqual(map.satisfactionComment, "csatCommentTxt")
  })

  it("reads CSV lines, with or without a header, quoted cells included", () => {
    const csv = "zendeskField,kustomerAttribute\n360001,orderNumberStr\n\"Refund, amount\",refundAmountNum\r\n"
    assert.deepStrictEqual(Either.getOrThrow(parse(csv)), [
      { field: "360001", attribute: "orderNumberStr" },
      { field: "Refund, amount", attribute: "refundAmountNum" }
    ])
    assert.deepStrictEqual(Either.getOrThrow(parse("360001,orderNumberStr\n")), [
      { field: "360001", attribute: "orderNumberStr" }
    ])
  })

  it("names fields by title through the ticket fields' definitions", () => {
    const ticketFields: ReadonlyArray<ZendeskExport.TicketField> = [
      { id: 360001, title: "Order number" },
      { id: 360002, title: "Gift wrap" },
      { id: 360003, title: "Duplicate" },
      { id: 360004, title: "Duplicate" }
    ]
    const map = Either.getOrThrow(resolved("Order number,orderNumberStr\ngift wrap,giftBool", ticketFields))
    assert.deepStrictEqual([...map.byId], [["360001", "orderNumberStr"], ["360002", "giftBool"]])
    assert.match(leftOf(resolved("Order number,orderNumberStr")), /--ticket-fields/)
    assert.match(leftOf(resolved("Nope,nopeStr", ticketFields)), /no ticket field has that title/)
    assert.match(leftOf(resolved("Duplicate,dupStr", ticketFields)), /360003, 360004/)
    assert.match(
      leftOf(resolved("360001,aStr\nOrder number,bStr", ticketFields)),
      /names ticket field 360001 twice/
    )
  })

  it("refuses what would lose or overwrite a value: untyped names, a field or an attribute twice", () => {
    assert.match(leftOf(parse(JSON.stringify({ "1": "orderNumber" }))), /not a Kustomer custom attribute name/)
    assert.match(leftOf(parse("1,aStr\n2,orderNumber")), /not a Kustomer custom attribute name/)
    assert.match(leftOf(parse(JSON.stringify({ "1": "aStr", "2": "aStr" }))), /1 and 2 both map to aStr/)
    assert.match(leftOf(parse("1,aStr\n1,bStr")), /1 is mapped twice/)
    assert.match(leftOf(parse(JSON.stringify({ "1": 5 }))), /must be a string/)
    assert.match(leftOf(parse("{ not json")), /is not JSON/)
    assert.match(leftOf(parse("[1]")), /expected zendeskFieldIdOrTitle,kustomerAttributeName/)
    assert.match(leftOf(parse("1,aStr,extra")), /map:1: expected/)
  })
})
