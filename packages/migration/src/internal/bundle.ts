/**
 * One line of a migration bundle, split into the objects each phase sends: the customer (found or created once
 * per key), the conversation's own fields, and its messages and notes. Nothing here is validated against
 * Kustomer's schemas — each phase's pipeline does that, per object, so a bad message rejects that message only.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as BundleSchema from "../Bundle.js"

/** How a customer is found again: by `externalId`, else by e-mail (case-insensitive). */
export type CustomerKey = string

/** The customer of a bundle line, ready to send once `importedAt` is added. */
export interface BundleCustomer {
  readonly key: CustomerKey
  readonly record: Readonly<Record<string, unknown>>
}

/** A bundle line's parts. `customer` is `Left(reason)` when the line does not name a usable customer. */
export interface BundleParts {
  readonly customer: Either.Either<BundleCustomer, string>
  readonly conversation: Readonly<Record<string, unknown>>
  readonly messages: ReadonlyArray<unknown>
  readonly notes: ReadonlyArray<unknown>
}

const isRecord = Predicate.isRecord

const emailOf = (customer: Readonly<Record<string, unknown>>): string | undefined => {
  const plain = customer["email"]
  if (typeof plain === "string" && plain.length > 0) return plain
  const emails = customer["emails"]
  if (!Array.isArray(emails)) return undefined
  const first: unknown = emails[0]
  return isRecord(first) && typeof first["email"] === "string" ? first["email"] : undefined
}

/** The key of a customer: its `externalId`, else its e-mail. */
export const customerKey = (customer: Readonly<Record<string, unknown>>): CustomerKey | undefined => {
  const externalId = customer["externalId"]
  if (typeof externalId === "string" && externalId.length > 0) return `externalId:${externalId}`
  const email = emailOf(customer)
  return email === undefined ? undefined : `email:${email.trim().toLowerCase()}`
}

/** The customer as Kustomer takes it: the convenience `email` string becomes an entry of `emails`. */
const customerRecord = (customer: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
  const { email, ...rest } = customer
  if (typeof email !== "string") return customer
  const emails = Array.isArray(rest["emails"]) ? rest["emails"] : []
  const listed = emails.some((entry: unknown) => isRecord(entry) && entry["email"] === email)
  return { ...rest, emails: listed ? emails : [...emails, { email }] }
}

/** How a company is found again within the bundle: its `externalId`, else its name (case-insensitive). */
export const companyKey = (company: BundleSchema.Company): string =>
  company.externalId !== undefined ? `externalId:${company.externalId}` : `name:${company.name.trim().toLowerCase()}`

const decodeCompany = Schema.decodeUnknownOption(BundleSchema.Company)

/**
 * The company a customer names as an object (the source's organization, `{ externalId?, name, … }`): created once
 * in the companies phase. `None` when the customer names none, or a company id (a string, sent as given).
 */
export const companyOf = (customer: unknown): Option.Option<BundleSchema.Company> =>
  isRecord(customer) && isRecord(customer["company"]) ? decodeCompany(customer["company"]) : Option.none()

const decodeCustomer = BundleSchema.decodePart(BundleSchema.Customer, "customer")
const decodeLine = BundleSchema.decodePart(BundleSchema.LineParts)

const customerOf = (value: unknown): Either.Either<BundleCustomer, string> => {
  if (typeof value === "string") {
    return Either.left("customer must be an object with an externalId or an e-mail, not an id: the migration links ids")
  }
  if (value === undefined) return Either.left("customer is missing: give an object with an externalId or an e-mail")
  return Either.flatMap(decodeCustomer(value), (customer) => {
    const key = customerKey(customer)
    return key === undefined
      ? Either.left("customer needs an externalId or an e-mail, so it is found or created only once")
      : Either.right({ key, record: customerRecord(customer) })
  })
}

/**
 * A line's parts, or why the line cannot be a conversation at all (decoded by `Bundle.LineParts`). `messages` and
 * `notes` that are present but not arrays are refused here, so they are never silently ignored.
 */
export const split = (value: unknown): Either.Either<BundleParts, string> => {
  if (!isRecord(value)) return Either.left("a bundle line must be a JSON object (one conversation)")
  return Either.map(decodeLine(value), (line) => {
    const { customer, messages, notes, ...conversation } = line
    return {
      customer: customerOf(customer),
      conversation,
      messages: messages ?? [],
      notes: notes ?? []
    }
  })
}

/** Fields the migration fills in; the bundle leaves them out. */
export const linkFields = {
  messages: ["conversation", "customer"],
  notes: ["conversation"]
} as const

/** Why an object of the bundle sets a field the migration fills in, if it does. */
export const linkProblem = (fields: ReadonlyArray<string>, value: unknown): string | undefined => {
  if (!isRecord(value)) return undefined
  const set = fields.filter((field) => value[field] !== undefined)
  return set.length === 0
    ? undefined
    : `${set.join(" and ")} ${set.length === 1 ? "is" : "are"} filled in by the migration: leave ${
      set.length === 1 ? "it" : "them"
    } out`
}

/** The record to send: the object with `importedAt` added unless it has one, and the link ids. */
export const withLinks = (
  value: unknown,
  importedAt: string,
  links: Readonly<Record<string, string>>
): unknown => (isRecord(value) ? { importedAt, ...value, ...links } : value)

/** Whether a bundle line names a person: a conversation's `assignee`, or an `author` of a message or note. */
export const namesPeople = (value: unknown): boolean => {
  if (!isRecord(value)) return false
  if (value["assignee"] !== undefined) return true
  const authored = (list: unknown) => Array.isArray(list) && list.some((child) => isRecord(child) && "author" in child)
  return authored(value["messages"]) || authored(value["notes"])
}

/**
 * A message's or note's own parts, as the migration reads them: its `author` checked (`Bundle.Person`); its
 * attachments are read one by one, so that a bad attachment costs that attachment, not the message.
 */
const ChildParts = Schema.Struct({
  author: Schema.optional(BundleSchema.Person),
  attachments: Schema.optional(Schema.Array(Schema.Unknown))
}, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

const decodeChildOf = {
  messages: BundleSchema.decodePart(ChildParts, "message"),
  notes: BundleSchema.decodePart(ChildParts, "note")
} as const

/** Why a message or note of the bundle cannot be read, if it cannot. */
export const childProblem = (phase: "messages" | "notes", value: unknown): string | undefined =>
  Either.match(decodeChildOf[phase](value), { onLeft: (reason) => reason, onRight: () => undefined })

/** Whether an attachment of the bundle is one of Kustomer's own (an `_id`), to be referenced as is. */
export const isKustomerAttachment = Schema.is(BundleSchema.KustomerAttachment)

/** Whether a message or note lists attachments (to carry, or to check). */
export const hasAttachments = (value: unknown): boolean =>
  isRecord(value) && Array.isArray(value["attachments"]) && value["attachments"].length > 0
