/**
 * The bundle as each phase reads it: JSON Lines or mapped CSV, identified for the journal, and turned into the
 * phase's records.
 */
import { ImportSource } from "@effect-kustomer/client"
import { ImportInput } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as IdMap from "./idMap.js"
import * as Phases from "./phases.js"
import type { Phase } from "./pipeline.js"

/**
 * How the bundle is read: JSON Lines (the default), or CSV through a column mapping, where dotted fields such as
 * `customer.email` or `customer.externalId` build the nested customer.
 */
export interface BundleInput {
  /** The bundle's path. */
  readonly bundle: string
  /** Default `jsonl`. */
  readonly format?: "jsonl" | "csv" | undefined
  readonly csv?: ImportSource.CsvOptions | undefined
  /** Default `utf-8`. */
  readonly encoding?: ImportSource.Encoding | undefined
}

export const bundleRecords = (input: BundleInput) =>
  ImportSource.fromFile(input.bundle, { format: input.format ?? "jsonl", csv: input.csv, encoding: input.encoding })

/** What identifies the bundle for the journal: its content, and how it is read. */
export const fingerprintOf = (input: BundleInput) =>
  Effect.map(
    ImportInput.identify(input.bundle, input.format ?? "jsonl"),
    (identity) =>
      `${ImportInput.fingerprint(identity)};${
        JSON.stringify({ format: input.format ?? "jsonl", csv: input.csv ?? null, encoding: input.encoding ?? null })
      }`
  )

/** A phase's records: the distinct customers, or the bundle's objects linked to their parents. */
export const recordsOf = <LE>(
  phase: Phase,
  context: {
    readonly input: BundleInput
    readonly idMap: IdMap.IdMap
    readonly linker: Phases.Linker
    readonly importedAt: string
    readonly findByEmail: Phases.FindByEmail<LE>
    readonly onFound: Effect.Effect<void>
  }
): Stream.Stream<
  ImportSource.SourceRecord,
  ImportSource.SourceError | IdMap.IdMapError | LE,
  FileSystem.FileSystem
> => {
  const { idMap, importedAt, input, linker } = context
  switch (phase) {
    case "customers":
      return Phases.customerRecords(
        idMap.customers,
        idMap,
        importedAt,
        context.findByEmail,
        context.onFound,
        context.linker.leftOut
      )
    case "conversations":
      return Phases.conversationRecords(bundleRecords(input), linker, importedAt)
    case "messages":
    case "notes":
      return Phases.childRecords(bundleRecords(input), phase, linker, importedAt)
  }
}
