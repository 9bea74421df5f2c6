/**
 * Realistic helpdesk history for the demo: customers with names and e-mail addresses, and conversations with
 * support-desk subjects, tags, statuses, priorities, creation and import times, and external ids — the shape of
 * a Zendesk or Freshdesk export. Deterministic for a seed; pure.
 *
 * @since 0.1.0
 */
import { Prng } from "@effect-kustomer/simulator"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

const isoOf = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

/** A seeded PRNG: the same seed gives the same data. */
const random = (seed: number) => Prng.make(seed)

const pick = <A>(next: () => number, values: ReadonlyArray<A>, fallback: A): A =>
  values[Math.floor(next() * values.length)] ?? fallback

const firstNames = [
  "Ana",
  "Ben",
  "Chloé",
  "Dmitri",
  "Emma",
  "Farah",
  "Gabriel",
  "Hana",
  "Ivan",
  "Jade",
  "Kofi",
  "Lena",
  "Mateo",
  "Nora",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sven",
  "Tariq",
  "Uma",
  "Victor",
  "Wen",
  "Yusuf",
  "Zoe"
]
const lastNames = [
  "Almeida",
  "Becker",
  "Chen",
  "Dubois",
  "Eriksen",
  "Fischer",
  "García",
  "Haddad",
  "Ito",
  "Jensen",
  "Kowalski",
  "Lopez",
  "Moreau",
  "Nakamura",
  "Okafor",
  "Petrov",
  "Rossi",
  "Singh",
  "Tanaka",
  "Walsh"
]

/**
 * `count` customers as the bulk customers endpoint takes them.
 *
 * @since 0.1.0
 */
export const customers = (count: number, seed = 7) => {
  const next = random(seed)
  return Array.from({ length: count }, (_, index) => {
    const first = pick(next, firstNames, "Alex")
    const last = pick(next, lastNames, "Smith")
    const handle = `${first}.${last}`.normalize("NFD").replace(/[^A-Za-z.]/g, "").toLowerCase()
    return {
      externalId: `demo-customer-${index + 1}`,
      name: `${first} ${last}`,
      emails: [{ type: "home", email: `${handle}${index + 1}@example.com` }]
    }
  })
}

interface Topic {
  readonly subjects: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
}

const topics: ReadonlyArray<Topic> = [
  {
    subjects: ["Where is my order #{order}?", "Delivery delayed — I need it by Friday", "Tracking number not working"],
    tags: ["shipping", "order-status"]
  },
  {
    subjects: ["Refund request for order #{order}", "Package arrived damaged", "Exchange for a different size"],
    tags: ["returns", "refund"]
  },
  {
    subjects: [
      "Charged twice for the same order",
      "Invoice needed for order #{order}",
      "Discount code {code} not applied"
    ],
    tags: ["billing"]
  },
  {
    subjects: ["Can't log in to my account", "Password reset link not working", "Please delete my account"],
    tags: ["account"]
  },
  {
    subjects: ["App crashes at checkout", "Payment page shows an error", "Notifications stopped working"],
    tags: ["technical", "bug"]
  },
  {
    subjects: ["Question about warranty coverage", "Do you ship to Canada?", "Thank you for the quick help!"],
    tags: ["question"]
  }
]

const extraTags = ["vip", "urgent", "follow-up", "social", "escalated"]
const channels = ["email", "chat", "sms", "voice"]
const dayMillis = 86_400_000

/** Options of {@link conversations}. @since 0.1.0 */
export interface ConversationOptions {
  /** Customer ids to attach conversations to, round robin with some randomness. */
  readonly customerIds: ReadonlyArray<string>
  /** Now, from the `Clock`: conversations are spread over the year before it and imported at it. */
  readonly nowMillis: number
  readonly seed?: number
  /** When positive, every `invalidEvery`-th conversation has a defect the API would refuse (for the rejects). */
  readonly invalidEvery?: number
}

/**
 * `count` conversations as `POST /v1/conversations/bulk` takes them, generated lazily so that a large demo file
 * streams to disk.
 *
 * @since 0.1.0
 */
export function* conversations(count: number, options: ConversationOptions): Generator<Record<string, unknown>> {
  const next = random(options.seed ?? 42)
  const importedAt = isoOf(options.nowMillis)
  for (let index = 0; index < count; index++) {
    const topic = pick(next, topics, topics[0] ?? { subjects: ["Question"], tags: [] })
    const order = String(40_000 + Math.floor(next() * 60_000))
    const name = pick(next, topic.subjects, "Question")
      .replace("{order}", order)
      .replace("{code}", `SAVE${10 + Math.floor(next() * 40)}`)
    const tags = [...topic.tags, ...(next() < 0.15 ? [pick(next, extraTags, "vip")] : [])]
    const createdMillis = options.nowMillis - Math.floor(next() * 365 * dayMillis)
    const done = next() < 0.8
    const record: Record<string, unknown> = {
      customer: pick(next, options.customerIds, ""),
      externalId: `zd-${100_000 + index}`,
      name,
      status: done ? "done" : "open",
      priority: pick(next, [1, 2, 3, 3, 3, 4, 5], 3),
      direction: next() < 0.85 ? "in" : "out",
      createdAt: isoOf(createdMillis),
      importedAt,
      tags,
      replyChannel: pick(next, channels, "email"),
      custom: {
        sourceSystemStr: "zendesk",
        ...(name.includes(order) ? { orderNumberStr: order } : {}),
        ...(done ? { satisfactionNum: 1 + Math.floor(next() * 5) } : {})
      }
    }
    const invalidEvery = options.invalidEvery ?? 0
    if (invalidEvery > 0 && index % invalidEvery === invalidEvery - 1) {
      // The kinds of defects a real export has: an out-of-range value, a status Kustomer does not create, a date
      // that is not a date.
      const defect = Math.floor(index / invalidEvery) % 3
      if (defect === 0) record["priority"] = 7
      else if (defect === 1) record["status"] = "pending"
      else record["createdAt"] = "31/02/2024"
    }
    yield record
  }
}

/** Kustomer's usual app for each demo channel. */
const appOf: Readonly<Record<string, string>> = { email: "postmark", chat: "chat", sms: "twilio", voice: "voice" }

const customerLines = [
  "Hi, {subject} — can you help?",
  "Any news on this?",
  "Thanks, that solved it.",
  "I still have the problem, see attached."
]
const agentLines = [
  "Thanks for reaching out! Let me look into this for you.",
  "I have checked your order and sent an update.",
  "Glad we could help. Anything else?"
]
const noteLines = ["Checked with the warehouse.", "Refund approved by the team lead.", "Escalated to tier 2."]
const minuteMillis = 60_000

/** Options of {@link bundle}. @since 0.1.0 */
export interface BundleOptions {
  /** Distinct customers, shared by the conversations. */
  readonly customers: number
  /** Now, from the `Clock`. */
  readonly nowMillis: number
  readonly seed?: number
  /** When positive, every `invalidEvery`-th conversation has a defect the API would refuse. */
  readonly invalidEvery?: number
}

/**
 * `count` lines of a migration bundle: each conversation with its customer (an object, shared by several
 * conversations), one to four messages and sometimes a note — what `kustomer-bulk migrate` takes. Generated
 * lazily, so that a large demo bundle streams to disk.
 *
 * @since 0.1.0
 */
export function* bundle(count: number, options: BundleOptions): Generator<Record<string, unknown>> {
  const people = customers(options.customers)
  const byExternalId = new Map(people.map((person) => [person.externalId, person]))
  const next = random((options.seed ?? 42) + 1)
  const shells = conversations(count, {
    customerIds: people.map((person) => person.externalId),
    nowMillis: options.nowMillis,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.invalidEvery === undefined ? {} : { invalidEvery: options.invalidEvery })
  })
  for (const shell of shells) {
    const { customer, replyChannel, ...conversation } = shell
    const channel = typeof replyChannel === "string" ? replyChannel : "email"
    const startMillis = Option.match(DateTime.make(String(conversation["createdAt"])), {
      onNone: () => options.nowMillis,
      onSome: (created) => DateTime.toEpochMillis(created)
    })
    const messageCount = 1 + Math.floor(next() * 4)
    const messages = Array.from({ length: messageCount }, (_, turn) => {
      const fromCustomer = turn % 2 === 0
      const line = fromCustomer ? pick(next, customerLines, "Hello") : pick(next, agentLines, "Thanks")
      return {
        externalId: `${String(conversation["externalId"])}-m${turn + 1}`,
        direction: fromCustomer ? "in" : "out",
        channel,
        app: appOf[channel] ?? "postmark",
        preview: line.replace("{subject}", String(conversation["name"]).toLowerCase()),
        createdAt: isoOf(startMillis + turn * 37 * minuteMillis)
      }
    })
    const notes = next() < 0.4
      ? [{
        externalId: `${String(conversation["externalId"])}-n1`,
        body: pick(next, noteLines, "Checked."),
        createdAt: isoOf(startMillis + messageCount * 37 * minuteMillis)
      }]
      : []
    const owner = byExternalId.get(String(customer)) ?? { externalId: String(customer) }
    yield { ...conversation, customer: owner, messages, notes }
  }
}
