/**
 * Conversation records for the benchmarks: small ones for the API benchmarks, mixed sizes for the CPU benchmark,
 * and a few invalid ones where a benchmark says so. Deterministic: the same index gives the same record.
 */
import { once } from "node:events"
import { createWriteStream } from "node:fs"

/** A small conversation (about 150 bytes of JSON) with an `externalId` unique to `run`. */
export const smallConversation = (run: string, index: number, customer: string) => ({
  customer,
  externalId: `${run}-${index}`,
  name: `Conversation ${index}`,
  status: index % 3 === 0 ? "done" : "open",
  priority: (index % 5) + 1,
  tags: ["bench"]
})

/** Every `invalidEvery`-th record (1-based) is invalid: its priority is out of range. */
export const isInvalid = (index: number, invalidEvery: number): boolean =>
  invalidEvery > 0 && index % invalidEvery === invalidEvery - 1

/** Small conversations, every `invalidEvery`-th one invalid (0: none). */
export const smallConversations = (
  run: string,
  count: number,
  customers: ReadonlyArray<string>,
  invalidEvery = 0
) =>
  Array.from({ length: count }, (_, index) => {
    const record = smallConversation(run, index, customers[index % customers.length] ?? "")
    return isInvalid(index, invalidEvery) ? { ...record, priority: 9 } : record
  })

const words = "billing refund shipping delay login password invoice order cancel upgrade account question".split(" ")

const sentence = (index: number, length: number): string => {
  const parts: Array<string> = []
  let size = 0
  for (let word = 0; size < length; word++) {
    const next = words[(index * 7 + word * 3) % words.length] ?? "word"
    parts.push(next)
    size += next.length + 1
  }
  return parts.join(" ").slice(0, length)
}

/**
 * A conversation of mixed size: 70 % small (~150 B), 25 % medium (~600 B: dates, custom attributes, assignees),
 * 5 % large (~2.5 kB: long custom texts, many tags). Every `invalidEvery`-th one is invalid.
 */
export const mixedConversation = (run: string, index: number, customer: string, invalidEvery = 0) => {
  const shape = index % 20
  const base = smallConversation(run, index, customer)
  const record: Record<string, unknown> = shape < 14 ? base : {
    ...base,
    createdAt: "2025-03-14T09:26:53.589Z",
    importedAt: "2026-10-21T14:02:11.925Z",
    direction: index % 2 === 0 ? "in" : "out",
    replyChannel: "email",
    defaultLang: "en_us",
    assignedUsers: ["5f1e0c3b2a4d6e7f80912345"],
    assignedTeams: ["5f1e0c3b2a4d6e7f80954321"],
    custom: {
      orderNum: index,
      sourceStr: "helpdesk-export",
      escalatedBool: index % 7 === 0,
      firstReplyAt: "2025-03-14T10:01:00.000Z",
      summaryTxt: sentence(index, shape < 19 ? 200 : 1000),
      ...(shape < 19 ? {} : { transcriptTxt: sentence(index + 1, 1000), linkUrl: "https://example.com/tickets/1" })
    },
    tags: shape < 19 ? ["bench", "medium"] : Array.from({ length: 30 }, (_, tag) => `tag-${tag}`)
  }
  return isInvalid(index, invalidEvery) ? { ...record, priority: 9 } : record
}

/** Writes `count` records as JSON Lines, streaming, and returns the file's size in bytes. */
export const writeJsonLines = async (
  file: string,
  count: number,
  record: (index: number) => unknown
): Promise<number> => {
  const out = createWriteStream(file)
  let bytes = 0
  let buffer = ""
  for (let index = 0; index < count; index++) {
    buffer += `${JSON.stringify(record(index))}\n`
    if (buffer.length > 1 << 16) {
      bytes += Buffer.byteLength(buffer)
      if (!out.write(buffer)) await once(out, "drain")
      buffer = ""
    }
  }
  bytes += Buffer.byteLength(buffer)
  out.end(buffer)
  await once(out, "finish")
  return bytes
}
