/**
 * Validation of one record: decode it with the resource's schema, check for unknown fields, encode it once to
 * its wire JSON (with its `_clientRef`) and measure it. The resource's item type is erased here: the pipeline
 * needs only these operations.
 */
import { BulkResource, ClientRef, type Ids } from "@effect-kustomer/domain"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Checkpoint from "../../ImportCheckpoint.js"
import * as Events from "../../ImportEvent.js"
import type { Position, SourceRecord } from "../../ImportSource.js"
import type * as KustomerClientModule from "../../KustomerClient.js"
import type { KustomerClient, PreparedBody } from "../../KustomerClient.js"
import type { KustomerError } from "../../KustomerError.js"
import { issuesOf } from "../issueList.js"
import * as SchemaGuard from "../schemaGuard.js"
import { encodesAsItself, unknownFields as unknownFieldsOf } from "../schemaShape.js"
import { ParsedLine } from "../sources/record.js"
import { byteLength } from "../utf8.js"
import type { Options, Settings } from "./settings.js"
import { PreparedItem } from "./stageValues.js"

/** A valid record, encoded once, ready to be chunked. */
export type Prepared = PreparedItem

/** How an item can be found again: by its `externalId`, or (customers without one) by its first e-mail. */
export interface ItemKey {
  readonly field: "externalId" | "email"
  readonly value: string
}

/** The resource with its item type erased: the pipeline needs only these operations. */
export interface ItemCodec {
  readonly name: string
  /** The record as a prepared item, or its rejection (no `Either` around it: this runs once per record). */
  readonly prepare: (record: SourceRecord) => Prepared | Events.Rejected
  readonly submit: (client: KustomerClient["Type"], body: PreparedBody) => Effect.Effect<Ids.BulkJobId, KustomerError>
  /** The key the item can be found by, if it has one. */
  readonly keyOf: (item: Checkpoint.ChunkItem) => ItemKey | undefined
  /** The id of the object with this key; `None` when there is none. */
  readonly find: (client: KustomerClient["Type"], key: ItemKey) => Effect.Effect<Option.Option<string>, KustomerError>
  /** Whether `find` can look this key up (notes have no look-up by `externalId`). */
  readonly findable: (key: ItemKey) => boolean
  /** Whether Kustomer refuses a repeated `externalId` of this resource, so that a resend is safe. */
  readonly deduplicates: boolean
  /** The parent whose listing holds the item (a message's conversation); `undefined` when not listed by parent. */
  readonly parentOf: (item: Checkpoint.ChunkItem) => string | undefined
  /** The ids of one parent's objects, by `externalId` (the first of each); `onPage` runs before each page. */
  readonly list: (
    client: KustomerClient["Type"],
    parentId: string,
    onPage: Effect.Effect<void>
  ) => Effect.Effect<ReadonlyMap<string, string>, KustomerError>
}

/** Whether a `_clientRef` is printable ASCII that JSON writes as is (no `"`, `\\` or control character to escape). */
const isPlainRef = (ref: string): boolean => {
  for (let at = 0; at < ref.length; at++) {
    const code = ref.charCodeAt(at)
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return false
  }
  return true
}

/**
 * A rejection is built from values already of its schema's types (positions, issue lists, the record as read), so
 * its constructor does not validate them again: that cost as much as the decode that found the issues.
 */
const disableValidation: Schema.MakeOptions = { disableValidation: true }

/** A string field of an item's wire JSON. */
const stringFieldOf = (json: string, field: string): string | undefined => {
  const item: unknown = JSON.parse(json)
  if (!Predicate.isRecord(item)) return undefined
  const value = item[field]
  return typeof value === "string" && value !== "" ? value : undefined
}

/** The first of each `externalId` among listed objects. */
const byExternalId = (objects: ReadonlyArray<KustomerClientModule.ExistingObject>): ReadonlyMap<string, string> => {
  const ids = new Map<string, string>()
  for (const object of objects) {
    const externalId = object.attributes?.externalId
    if (typeof externalId === "string" && !ids.has(externalId)) ids.set(externalId, object.id)
  }
  return ids
}

/** The first e-mail address of an item's wire JSON (`emails[0].email`). */
const firstEmailOf = (json: string): string | undefined => {
  const item: unknown = JSON.parse(json)
  if (!Predicate.isRecord(item) || !Array.isArray(item["emails"])) return undefined
  const first: unknown = item["emails"][0]
  return Predicate.isRecord(first) && typeof first["email"] === "string" && first["email"] !== ""
    ? first["email"]
    : undefined
}

export const codecOf = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  resource: BulkResource.BulkResource<Item, Encoded>,
  settings: Settings,
  assignExternalId: ((position: Position) => string) | undefined,
  submit: ItemCodec["submit"] = (client, body) =>
    Effect.map(client.bulkCreatePrepared(resource, body), (job) => job.data.id)
): ItemCodec => {
  // Unknown fields are checked by hand, at every depth: Schema's `onExcessProperty: "error"` costs more than the
  // decode itself. `keep` preserves them through decoding and encoding, so they are sent as given.
  const onExcessProperty = settings.unknownFields === "keep" ? "preserve" : "ignore"
  // The decode's failure is its issue, not a `ParseError`: an `Error` captures a stack trace, which invalid records
  // would pay for nothing.
  const decode = ParseResult.decodeUnknownEither(resource.item, { errors: "all", onExcessProperty })
  const encode = Schema.encodeEither(resource.item, { onExcessProperty })
  const skipEncode = encodesAsItself(resource.item.ast)
  // Most records are valid and use only declared fields: a guard compiled from the schema vouches for those
  // without a full decode (which builds a result per field); any other record is decoded, which says why it fails.
  const certainlyValid = skipEncode ? SchemaGuard.compile(resource.item.ast) : () => false
  const unknownFieldIssues = (settings.unknownFields === "reject"
    ? unknownFieldsOf(resource.item.ast, resource.name)
    : undefined) ?? (() => [])
  const maxItemBytes = settings.maxBytes - 2
  const reject = (record: SourceRecord, issues: Events.Rejected["issues"]) =>
    new Events.Rejected({
      position: record.position,
      issues,
      record: record._tag === "Parsed" ? record.value : undefined
    }, disableValidation)
  /** The item of a valid record: its wire JSON (with the `_clientRef` appended unless already in it), measured. */
  const toItem = (
    record: SourceRecord,
    clientRef: string,
    wire: unknown,
    externalId: string | undefined,
    appendRef: boolean
  ): Prepared | Events.Rejected => {
    // A record read as canonical JSON is sent as read, when it is sent as it was read (its size may be known too).
    const line = record instanceof ParsedLine && wire === record.value ? record : undefined
    let json = line === undefined ? JSON.stringify(wire) : line.json
    let bytes = line === undefined || line.bytes < 0 ? byteLength(json) : line.bytes
    if (appendRef) {
      // Measured in parts: the joined string is left unflattened until a request body joins it again.
      // A plain reference (the default `r<index>`) is quoted as is and is as many bytes as characters.
      const plain = isPlainRef(clientRef)
      const quoted = plain ? `"${clientRef}"` : JSON.stringify(clientRef)
      const empty = json === "{}"
      json = empty ? `{"_clientRef":${quoted}}` : json.slice(0, -1) + `,"_clientRef":${quoted}}`
      // `"_clientRef":` and a closing `}`, with a `,` before them unless the object was empty (its own `}` goes).
      bytes += (empty ? 13 : 14) + (plain ? quoted.length : byteLength(quoted))
    }
    if (bytes > maxItemBytes) {
      return reject(record, [{
        path: "",
        message: `too large: ${bytes} bytes encoded, and a request body holds at most ${settings.maxBytes}`
      }])
    }
    return new PreparedItem(record.position, clientRef, externalId, json, bytes)
  }
  return {
    name: resource.name,
    prepare: (record) => {
      if (record._tag === "Unparsable") return reject(record, [{ path: "", message: record.reason }])
      const value = record.value
      if (!Predicate.isRecord(value)) return reject(record, [{ path: "", message: "expected an object" }])
      const clientRef = settings.clientRef(record.position)
      const assignsExternalId = assignExternalId !== undefined &&
        (value["externalId"] === undefined || value["externalId"] === null)
      // Usually the record is decoded as read and its `_clientRef` appended to the JSON afterwards: a spread copy
      // with the extra field is slower both to decode and to stringify (it costs a third of the validation).
      const appendRef = !assignsExternalId && !("_clientRef" in value) && clientRef.length >= 1 &&
        clientRef.length <= ClientRef.maxClientRefLength
      let input: Record<string, unknown> = value
      if (!appendRef) {
        input = { ...value, _clientRef: clientRef }
        if (assignsExternalId) input["externalId"] = assignExternalId(record.position)
      }
      if (certainlyValid(input)) {
        const externalId = input["externalId"]
        return toItem(record, clientRef, input, typeof externalId === "string" ? externalId : undefined, appendRef)
      }
      const decoded = decode(input)
      const unknownFields = unknownFieldIssues(value)
      if (Either.isLeft(decoded) || unknownFields.length > 0) {
        const invalid = Either.isLeft(decoded)
          ? issuesOf(decoded.left).map((issue) => ({
            path: issue.path.join("."),
            message: issue.message
          }))
          : []
        return reject(record, [...unknownFields, ...invalid])
      }
      if (skipEncode) return toItem(record, clientRef, decoded.right, decoded.right.externalId, appendRef)
      const encoded = encode(decoded.right)
      if (Either.isLeft(encoded)) return reject(record, [{ path: "", message: encoded.left.message }])
      return toItem(record, clientRef, encoded.right, decoded.right.externalId, appendRef)
    },
    submit,
    keyOf: (item) => {
      if (item.externalId !== undefined) return { field: "externalId", value: item.externalId }
      const email = resource.findableByEmail ? firstEmailOf(item.json) : undefined
      return email === undefined ? undefined : { field: "email", value: email }
    },
    find: (client, key) =>
      Effect.map(
        key.field === "externalId"
          ? client.findByExternalId(resource, key.value)
          : client.findCustomerByEmail(key.value),
        (found) => Option.map(found, (object) => object.id)
      ),
    findable: (key) => key.field === "email" || resource.externalIdPath !== undefined,
    deduplicates: resource.deduplicatesExternalId,
    parentOf: (item) => {
      const listing = resource.listing
      return listing === undefined ? undefined : stringFieldOf(item.json, listing.parentField)
    },
    list: (client, parentId, onPage) =>
      Effect.map(client.listChildren(resource, parentId, { onPage }), (objects) => byExternalId(objects))
  }
}

/**
 * The codec of a resource's updates: records `{ id, …fields }` checked with its update schema (its create schema
 * when it has none: the request is then refused unsent), sent with `PUT`. An update is never "found": that its
 * object exists says nothing of whether a lost request applied it, so one given up on in doubt is `Unknown`.
 */
const updateCodecOf = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  resource: BulkResource.BulkResource<Item, Encoded>,
  settings: Settings
): ItemCodec => {
  const submit: ItemCodec["submit"] = (client, body) =>
    Effect.map(client.bulkUpdatePrepared(resource, body), (job) => job.data.id)
  const update = resource.update
  const codec = update === undefined
    ? codecOf(resource, settings, undefined, submit)
    : codecOf({ ...resource, item: update.item }, settings, undefined, submit)
  return { ...codec, findable: () => false }
}

/** The codec of the options' resource (conversations by default) and operation (create by default). */
export const codecFor = <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
  options: Options<Item, Encoded>,
  settings: Settings
): ItemCodec => {
  if (options.operation === "update") {
    return options.resource === undefined
      ? updateCodecOf(BulkResource.Conversations, settings)
      : updateCodecOf(options.resource, settings)
  }
  return options.resource === undefined
    ? codecOf(BulkResource.Conversations, settings, options.assignExternalId)
    : codecOf(options.resource, settings, options.assignExternalId)
}
