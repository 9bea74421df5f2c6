/**
 * The migration bundle: JSON Lines, one conversation per line, with its customer, messages and notes nested, each
 * in Kustomer's own field names and without the ids that link them. One Schema per part: the source converters
 * encode their lines with {@link Line} and the migration decodes each part with the same definitions. The
 * migration's rejects file is a bundle too: each of its lines ({@link Reject}) holds the bundle line to send again.
 *
 * Only what the migration itself reads is checked here — the customer's key, the company, the people, the nesting;
 * every other field is Kustomer's and is checked by the resource's own schema when its phase sends it, so a bad
 * message rejects that message only.
 *
 * @since 0.1.0
 */
import * as Arr from "effect/Array"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** Kustomer's own fields of an object, passed through as they are. */
const OtherFields = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const NonEmpty = Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" }))

/**
 * Somebody of the source's team — a message's or note's `author`, a conversation's `assignee` — by the source's id
 * and e-mail. The migration maps them to Kustomer users (a users map, else the org's users by e-mail).
 *
 * @since 0.1.0
 */
export const Person = Schema.Struct({
  externalId: Schema.optional(Schema.String),
  email: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String)
}, OtherFields).annotations({ identifier: "BundlePerson" })
/** @since 0.1.0 */
export type Person = typeof Person.Type

/**
 * A customer's company as the source names it: created once per `externalId` (else per name) in the companies
 * phase, and the customer linked to it. A company given as a string is a Kustomer company id, sent as is.
 *
 * @since 0.1.0
 */
export const Company = Schema.Struct({
  externalId: Schema.optional(NonEmpty),
  name: NonEmpty
}, OtherFields).annotations({ identifier: "BundleCompany" })
/** @since 0.1.0 */
export type Company = typeof Company.Type

const Email = Schema.Struct({ email: Schema.String }, OtherFields)

const hasKey = (customer: {
  readonly externalId?: string | undefined
  readonly email?: string | undefined
  readonly emails?: ReadonlyArray<{ readonly email: string }> | undefined
}): boolean =>
  (customer.externalId ?? "") !== "" || (customer.email ?? "") !== "" || (customer.emails?.[0]?.email ?? "") !== ""

/**
 * A conversation's customer: found or created once per key — its `externalId`, else its first e-mail (`email`, a
 * convenience for `emails: [{ email }]`).
 *
 * @since 0.1.0
 */
export const Customer = Schema.Struct({
  externalId: Schema.optional(Schema.String),
  email: Schema.optional(Schema.String),
  emails: Schema.optional(Schema.Array(Email)),
  company: Schema.optional(Schema.Union(NonEmpty, Company))
}, OtherFields).pipe(
  Schema.filter((customer) =>
    hasKey(customer) || "needs an externalId or an e-mail, so that it is found or created only once"
  )
).annotations({ identifier: "BundleCustomer" })
/** @since 0.1.0 */
export type Customer = typeof Customer.Type

/**
 * A file of the source's history on a message or note, to be uploaded: a `path` relative to the bundle or a `url`.
 * Every field is optional here, as exports leave some out: one the upload cannot do without is that attachment's
 * problem when it is sent, not its message's.
 *
 * @since 0.1.0
 */
export const SourceAttachment = Schema.Struct({
  externalId: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  contentType: Schema.optional(Schema.String),
  size: Schema.optional(Schema.NonNegativeInt),
  path: Schema.optional(NonEmpty),
  url: Schema.optional(NonEmpty)
}).annotations({ identifier: "BundleSourceAttachment" })
/** @since 0.1.0 */
export type SourceAttachment = typeof SourceAttachment.Type

/**
 * An attachment Kustomer already holds (`POST /v1/attachments` answered its `_id`), referenced as is.
 *
 * @since 0.1.0
 */
export const KustomerAttachment = Schema.Struct({ _id: NonEmpty }, OtherFields)
  .annotations({ identifier: "BundleKustomerAttachment" })
/** @since 0.1.0 */
export type KustomerAttachment = typeof KustomerAttachment.Type

/** @since 0.1.0 */
export const Attachment = Schema.Union(KustomerAttachment, SourceAttachment)
/** @since 0.1.0 */
export type Attachment = typeof Attachment.Type

const childFields = {
  author: Schema.optional(Person),
  attachments: Schema.optional(Schema.Array(Attachment))
}

/**
 * A message of the conversation, without `conversation` and `customer` (the migration links them).
 *
 * @since 0.1.0
 */
export const Message = Schema.Struct(childFields, OtherFields).annotations({ identifier: "BundleMessage" })
/** @since 0.1.0 */
export type Message = typeof Message.Type

/**
 * A note of the conversation, without `conversation` (the migration links it).
 *
 * @since 0.1.0
 */
export const Note = Schema.Struct(childFields, OtherFields).annotations({ identifier: "BundleNote" })
/** @since 0.1.0 */
export type Note = typeof Note.Type

/**
 * One bundle line: the conversation's own fields, its `customer`, `assignee`, `messages` and `notes`.
 *
 * @since 0.1.0
 */
export const Line = Schema.Struct({
  customer: Customer,
  assignee: Schema.optional(Person),
  messages: Schema.optional(Schema.Array(Message)),
  notes: Schema.optional(Schema.Array(Note))
}, OtherFields).annotations({ identifier: "BundleLine" })
/** @since 0.1.0 */
export type Line = typeof Line.Type

/**
 * A line's nesting, each part still unread: what the migration decodes first, so that a bad message or note is
 * that object's reject, not its line's.
 *
 * @since 0.1.0
 */
export const LineParts = Schema.Struct({
  customer: Schema.optional(Schema.Unknown),
  assignee: Schema.optional(Schema.Unknown),
  messages: Schema.optional(Schema.Array(Schema.Unknown)),
  notes: Schema.optional(Schema.Array(Schema.Unknown))
}, OtherFields).annotations({ identifier: "BundleLineParts" })
/** @since 0.1.0 */
export type LineParts = typeof LineParts.Type

/**
 * A parse error in a line as one sentence: each problem with its path (`customer.company.name: is missing`).
 *
 * @since 0.1.0
 */
export const reasonOf = (error: ParseResult.ParseError, prefix?: string): string =>
  Arr.map(ParseResult.ArrayFormatter.formatErrorSync(error), (issue) => {
    const path = [...(prefix === undefined ? [] : [prefix]), ...issue.path.map((key) => String(key))].join(".")
    return path === "" ? issue.message : `${path}: ${issue.message}`
  }).join("; ")

/**
 * Decodes a part of a line, the reason on the left (with the part's path in it).
 *
 * @since 0.1.0
 */
export const decodePart = <A, I>(schema: Schema.Schema<A, I>, prefix?: string) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all" })
  return (value: unknown): Either.Either<A, string> => Either.mapLeft(decode(value), (error) => reasonOf(error, prefix))
}

/**
 * A line as the JSON text a bundle holds (without its newline).
 *
 * @since 0.1.0
 */
export const encodeLine = (line: Line): string => JSON.stringify(Schema.encodeSync(Line)(line))

/**
 * The objects not created only because the object of a rejects line was not: a conversation's messages and notes,
 * a customer's conversations (and theirs). A conversation's children have no line of their own: its `bundle` sends
 * them again. A customer's line carries its first conversation; each of its other conversations, a bundle line of
 * its own, has a line that names the customer as its `cause`.
 *
 * @since 0.1.0
 */
export const Dependants = Schema.Struct({
  conversations: Schema.optional(Schema.NonNegativeInt),
  messages: Schema.optional(Schema.NonNegativeInt),
  notes: Schema.optional(Schema.NonNegativeInt)
}).annotations({ identifier: "BundleDependants" })
/** @since 0.1.0 */
export type Dependants = typeof Dependants.Type

const Position = Schema.Struct({ index: Schema.Number, line: Schema.optional(Schema.Number) })

/**
 * A line of the migration's rejects file: an object not created for a reason of its own — its `resource`, its
 * place (`position.line` is the bundle's line), its `outcome` and `reason`, the objects not created because of it
 * (`dependants`) — and `bundle`, the bundle line that sends it again as the bundle had it (with its dependants; a
 * message or note with its conversation's line holding only it; a customer with its first conversation's line),
 * to be fixed where the reason says. `bundle` is left out where sending again could double the object or cannot
 * create it (and for a company or an attachment, whose customer or message exists); `record` (what was sent, or
 * read) is given instead. A customer's other conversations name its line as their `cause`.
 *
 * The rejects file is itself a bundle: the migration reads a line of this shape as its `bundle`, and skips one
 * without.
 *
 * @since 0.1.0
 */
export const Reject = Schema.Struct({
  resource: Schema.String,
  /** An attachment's: the resource of its message or note. */
  of: Schema.optional(Schema.String),
  position: Position,
  outcome: Schema.Literal("Rejected", "Failed", "Unknown"),
  reason: Schema.String,
  jobId: Schema.optional(Schema.String),
  externalId: Schema.optional(Schema.String),
  dependants: Schema.optional(Dependants),
  cause: Schema.optional(Schema.Struct({ resource: Schema.String, position: Position })),
  record: Schema.optional(Schema.Unknown),
  /** A bundle line (`Line`), or the text of one that was not JSON. */
  bundle: Schema.optional(Schema.Unknown)
}).annotations({ identifier: "BundleReject" })
/** @since 0.1.0 */
export type Reject = typeof Reject.Type

/**
 * A rejects line as the JSON text the rejects file holds (without its newline).
 *
 * @since 0.1.0
 */
export const encodeReject = (reject: Reject): string => JSON.stringify(Schema.encodeSync(Reject)(reject))
