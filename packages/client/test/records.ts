/** Conversation records for pipeline tests. */

/** A valid conversation record for `customer`, with an `externalId` unless `withExternalId` is false. */
export const conversationRecord = (index: number, customer: string, withExternalId = true) => ({
  customer,
  ...(withExternalId ? { externalId: `ticket-${index}` } : {}),
  name: `Ticket ${index}`,
  status: index % 3 === 0 ? "done" : "open",
  priority: (index % 5) + 1,
  importedAt: "2026-10-21T14:02:11.925Z",
  tags: ["imported"]
})

/** `count` records, every `invalidEvery`-th one invalid (bad priority); returns the invalid indexes too. */
export const recordsWithInvalid = (
  count: number,
  customers: ReadonlyArray<string>,
  invalidEvery: number,
  withExternalId = true
) => {
  const invalid: Array<number> = []
  const records = Array.from({ length: count }, (_, index) => {
    const customer = customers[index % customers.length] ?? ""
    const record = conversationRecord(index, customer, withExternalId)
    if (invalidEvery > 0 && index % invalidEvery === invalidEvery - 1) {
      invalid.push(index)
      return { ...record, priority: 9 }
    }
    return record
  })
  return { records, invalid }
}
