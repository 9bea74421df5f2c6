/**
 * The records of a durable import as its resource reads them — CSV cells converted by the resource's schema — and
 * what the check of the key's roles needs of them: how many messages or notes carry `createdAt`/`createdBy`.
 */
import type { ImportSource } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ImportInput from "../ImportInput.js"
import * as CsvFields from "./csvFields.js"
import * as Roles from "./roles.js"

/** Options of {@link records}: how the input is read, and what its records are (default conversations). */
export type RecordsOptions = ImportSource.ReadOptions & { readonly resource?: BulkResource.Any | undefined }

/** The resource of an import: conversations unless another is named. */
export const resourceOf = (options: { readonly resource?: BulkResource.Any | undefined }): BulkResource.Any =>
  options.resource ?? BulkResource.Conversations

/** `ImportInput.records`, with a CSV input's cells converted as the resource's schema types their fields. */
export const records = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: ImportSource.Format,
  options: RecordsOptions = {}
): ImportInput.Records<E, R> => {
  const source = ImportInput.records(bytes, format, options)
  return format !== "csv"
    ? source
    : { ...source, records: CsvFields.typedRecords(source.records, resourceOf(options), options.csv) }
}

/** What {@link datedRecordsOf} reads: the input as the import reads it, and the records it takes. */
export interface DatedOptions extends RecordsOptions {
  readonly skip?: number | undefined
  readonly limit?: number | undefined
}

/**
 * How many of the records an import takes are messages or notes that carry `createdAt` or `createdBy` (kept only
 * with `org.admin`): the input is read once more, up to where the import itself would stop reading.
 */
export const datedRecordsOf = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  format: ImportSource.Format,
  options: DatedOptions
): Effect.Effect<Roles.DatedRecords, never, R> => {
  const resource = resourceOf(options)
  if (!Roles.keepsDatesOnlyForOrgAdmin(resource)) return Effect.succeed(Roles.noDatedRecords)
  const all = records(bytes, format, options).records.pipe(
    // An input that cannot be read on is reported by the import, after the records before it: those are counted.
    Stream.catchAll(() => Stream.empty)
  )
  const skipped = options.skip === undefined ? all : Stream.drop(all, options.skip)
  const taken = options.limit === undefined ? skipped : Stream.take(skipped, options.limit)
  return Stream.runFold(
    taken,
    0,
    (count, record) => record._tag === "Parsed" && Roles.carriesDates(record.value) ? count + 1 : count
  ).pipe(
    Effect.map((dated): Roles.DatedRecords =>
      resource.name === "messages" ? { messages: dated, notes: 0 } : { messages: 0, notes: dated }
    )
  )
}
