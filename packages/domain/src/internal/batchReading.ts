/**
 * Reading a bulk job's batches field by field, so that one odd field is kept raw and never fails its page: the
 * `BatchAttributes`, `BatchResource` and `BatchListDocument` schemas documented and exported by `BulkJob.ts`.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import type * as Types from "effect/Types"
import {
  BatchAttributesShape,
  BatchErrors,
  BatchListLinks,
  BatchResults,
  BatchStatus,
  CompletedAt,
  Count,
  ObjectIds,
  WellFormedBatch
} from "./batchSchemas.js"
import { LooseId, optional } from "./schema.js"

/** What a batch reports (see `BulkJob.BatchAttributes`). */
export interface BatchAttributes extends Schema.Schema.Type<typeof BatchAttributesShape> {}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isEmptyRecord = (value: unknown): boolean => isRecord(value) && Object.keys(value).length === 0

const decodeStatus = Schema.decodeUnknownEither(BatchStatus)
const decodeObjectIds = Schema.decodeUnknownEither(ObjectIds)
const decodeCount = Schema.decodeUnknownEither(Count)
const decodeCompletedAt = Schema.decodeUnknownEither(CompletedAt)
const decodeErrors = Schema.decodeUnknownEither(BatchErrors)
const decodeResults = Schema.decodeUnknownEither(BatchResults)

/** A batch's attributes from a JSON object, field by field (see {@link BatchAttributes}). */
const readAttributes = (input: Readonly<Record<string, unknown>>): BatchAttributes => {
  const attributes: Types.Mutable<BatchAttributes> = {}
  const unreadable: Record<string, unknown> = {}
  const read = <A>(
    name: keyof typeof WellFormedBatch.fields,
    decode: (raw: unknown) => Either.Either<A, unknown>,
    set: (value: A) => void,
    list = false
  ) => {
    const raw = input[name]
    if (raw === undefined || raw === null || (list && isEmptyRecord(raw))) return
    Either.match(decode(raw), {
      onLeft: () => {
        unreadable[name] = raw
      },
      onRight: set
    })
  }
  read("status", decodeStatus, (status) => {
    attributes.status = status
  })
  read("objectIds", decodeObjectIds, (objectIds) => {
    attributes.objectIds = objectIds
  }, true)
  read("successCount", decodeCount, (count) => {
    attributes.successCount = count
  })
  read("failureCount", decodeCount, (count) => {
    attributes.failureCount = count
  })
  if (input.completedAt === null) attributes.completedAt = null
  read("completedAt", decodeCompletedAt, (completedAt) => {
    attributes.completedAt = completedAt
  })
  read("errors", decodeErrors, (errors) => {
    attributes.errors = errors
  }, true)
  read("results", decodeResults, (results) => {
    attributes.results = results
  }, true)
  if (Object.keys(unreadable).length > 0) attributes.unreadable = unreadable
  return attributes
}

/** Attributes from any JSON value: one that is not an object is kept raw as `unreadable.attributes`. */
const readAttributesValue = (raw: unknown): BatchAttributes =>
  isRecord(raw) ? readAttributes(raw) : { unreadable: { attributes: raw } }

/** A batch's attributes: decoding never fails, encoding puts the unreadable fields back. */
export const BatchAttributes: Schema.Schema<BatchAttributes, unknown> = Schema.transformOrFail(
  Schema.Unknown,
  Schema.typeSchema(BatchAttributesShape),
  {
    strict: true,
    decode: (raw) => ParseResult.succeed(readAttributesValue(raw)),
    encode: ({ unreadable, ...wellFormed }) =>
      unreadable !== undefined && "attributes" in unreadable
        ? ParseResult.succeed(unreadable.attributes)
        : ParseResult.map(ParseResult.encode(WellFormedBatch)(wellFormed), (wire) => ({ ...wire, ...unreadable }))
  }
).annotations({ identifier: "BatchAttributes" })

/** A batch as a JSON:API resource. */
export const BatchResource = Schema.Struct({
  type: optional(Schema.String),
  id: optional(LooseId),
  attributes: BatchAttributes
}).annotations({ identifier: "BatchResource" })
type BatchResource = typeof BatchResource.Type

const decodeBatchId = Schema.decodeUnknownOption(LooseId)

/**
 * A batch from any JSON value: a JSON:API resource `{ type, id, attributes }`, a flat batch object
 * `{ id, status, ... }`, or — kept raw as `unreadable.attributes` — anything else. An odd `id` or `type` is left out.
 */
const readBatch = (raw: unknown): BatchResource => {
  if (!isRecord(raw)) return { attributes: readAttributesValue(raw) }
  const id = raw.id === undefined ? undefined : Option.getOrUndefined(decodeBatchId(raw.id))
  const type = typeof raw.type === "string" ? raw.type : undefined
  return {
    ...(type === undefined ? {} : { type }),
    ...(id === undefined ? {} : { id }),
    attributes: "attributes" in raw ? readAttributesValue(raw.attributes) : readAttributes(raw)
  }
}

const decodeLinks = Schema.decodeUnknownEither(BatchListLinks)

/** A batches page as it is written on the wire. */
const WireBatchList = Schema.Struct({
  data: Schema.Array(BatchResource),
  links: optional(BatchListLinks)
})

const BatchListShape = Schema.Struct({
  ...WireBatchList.fields,
  unreadable: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/** A batches page (see `BulkJob.BatchListDocument`). */
export interface BatchListDocument extends Schema.Schema.Type<typeof BatchListShape> {}

const readBatchList = (raw: unknown, ast: SchemaAST.AST) => {
  if (Array.isArray(raw)) return ParseResult.succeed<BatchListDocument>({ data: raw.map(readBatch) })
  if (!isRecord(raw)) {
    return ParseResult.fail(new ParseResult.Type(ast, raw, "expected { data: [batch, ...] } or a list of batches"))
  }
  const document: Types.Mutable<BatchListDocument> = { data: [] }
  const unreadable: Record<string, unknown> = {}
  const data = raw.data
  if (Array.isArray(data)) document.data = data.map(readBatch)
  else if (data !== undefined && data !== null && !isEmptyRecord(data)) unreadable.data = data
  const links = raw.links
  if (links !== undefined && links !== null) {
    Either.match(decodeLinks(links), {
      onLeft: () => {
        unreadable.links = links
      },
      onRight: (decoded) => {
        document.links = decoded
      }
    })
  }
  if (Object.keys(unreadable).length > 0) document.unreadable = unreadable
  return ParseResult.succeed<BatchListDocument>(document)
}

/** The batches response: encoding puts the unreadable parts back. */
export const BatchListDocument: Schema.Schema<BatchListDocument, unknown> = Schema.transformOrFail(
  Schema.Unknown,
  Schema.typeSchema(BatchListShape),
  {
    strict: true,
    decode: (raw, _options, ast) => readBatchList(raw, ast),
    encode: ({ unreadable, ...wellFormed }) =>
      ParseResult.map(ParseResult.encode(WireBatchList)(wellFormed), (wire) => ({ ...wire, ...unreadable }))
  }
).annotations({ identifier: "BatchListDocument" })
