/**
 * The bundle as each phase reads it: JSON Lines or mapped CSV, identified for the journal, and turned into the
 * phase's records.
 */
import { CsvMapping, ImportSource } from "@effect-kustomer/client"
import { ImportInput, type OffsetlessTimes } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as BundleSchema from "../Bundle.js"
import * as Delta from "./delta.js"
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
  /**
   * A CSV bundle's date-times without an offset when no `csv.timeZone` is given: `refuse` (default: the run stops
   * before anything is created, with a `OffsetlessTimes.OffsetlessTimes`), or `utc` (read them as UTC).
   */
  readonly offsetlessTimes?: OffsetlessTimes.Mode | undefined
}

/**
 * The bundle's records. A rejects file is read as the bundle it is: a line of it (`Bundle.Reject`) is read as its
 * `bundle` (a string as the text of a line that was not JSON), and one without is skipped; the records are then
 * numbered from 0 again, as in any bundle.
 */
export const bundleRecords = (input: BundleInput) =>
  ImportSource.fromFile(input.bundle, { format: input.format ?? "jsonl", csv: input.csv, encoding: input.encoding })
    .pipe(
      Stream.filterMap((record) => {
        if (record._tag === "Unparsable" || !isReject(record.value)) return Option.some(record)
        const bundle = record.value.bundle
        if (bundle === undefined || bundle === null) return Option.none()
        return Option.some(
          typeof bundle === "string"
            ? ImportSource.fromJsonText(record.position, bundle)
            : ImportSource.parsed(record.position, bundle)
        )
      }),
      Stream.mapAccum(0, (index, record) => [index + 1, { ...record, position: { ...record.position, index } }])
    )

/** Whether a record is a line of a rejects file (a bundle line names its `customer`, a reject its `outcome`). */
const isReject = (value: unknown): value is BundleSchema.Reject =>
  Predicate.isRecord(value) && "outcome" in value && !("customer" in value) && isRejectLine(value)

const isRejectLine = Schema.is(BundleSchema.Reject)

/**
 * A trial: the conversations (bundle lines, counted from 0) a run takes — `skip` of them, then `limit` — with the
 * companies, customers, messages and notes they need. The journal is the full bundle's, so a later run without a
 * window continues it.
 */
export interface LineWindow {
  readonly skip?: number | undefined
  readonly limit: number
}

/** A window with the keys of the parties its lines name: what the companies and customers phases send of it. */
export interface WindowKeys {
  readonly window: LineWindow
  readonly customers: ReadonlySet<string>
  readonly companies: ReadonlySet<string>
}

/** Whether a bundle line (by record index) is in the window. */
export const inWindow = (window: LineWindow, index: number): boolean => {
  const skip = window.skip ?? 0
  return index >= skip && index < skip + window.limit
}

/** The keys of the customers and companies the window's lines name, read from the bundle (the window's size). */
export const windowKeys = (input: BundleInput, window: LineWindow) =>
  Stream.runFold(
    Stream.filter(bundleRecords(input), (record) => inWindow(window, record.position.index)),
    { window, customers: new Set<string>(), companies: new Set<string>() },
    (keys, record) => {
      for (const party of Phases.partiesOf(record)) {
        keys.customers.add(party.customer)
        if (party.company !== undefined) keys.companies.add(party.company)
      }
      return keys
    }
  )

/**
 * The CSV options as the fingerprint holds them: a time zone by its canonical name (`europe/paris` resumes a
 * journal of `Europe/Paris`), and left out when it reads times as UTC, as a bundle read without one was (its
 * journal is resumed with `UTC`); another zone is another fingerprint, so a journal is never resumed in it.
 */
const csvOfFingerprint = (csv: ImportSource.CsvOptions | undefined) => {
  if (csv?.timeZone === undefined) return csv ?? null
  const { timeZone, ...rest } = csv
  const zone = typeof timeZone === "string" ? Either.getOrUndefined(CsvMapping.timeZoneOf(timeZone)) : timeZone
  if (zone === undefined) return csv
  const name = DateTime.zoneToString(zone)
  return name === "UTC" || name === "+00:00" ? rest : { ...rest, timeZone: name }
}

/** What identifies the bundle for the journal: its content, and how it is read. */
export const fingerprintOf = (input: BundleInput) =>
  Effect.map(
    ImportInput.identify(input.bundle, input.format ?? "jsonl"),
    (identity) =>
      `${ImportInput.fingerprint(identity)};${
        JSON.stringify({
          format: input.format ?? "jsonl",
          csv: csvOfFingerprint(input.csv),
          encoding: input.encoding ?? null
        })
      }`
  )

/** A phase's records: the distinct companies or customers, or the bundle's objects linked to their parents. */
export const recordsOf = <LE>(
  phase: Phase,
  context: {
    readonly input: BundleInput
    readonly idMap: IdMap.IdMap
    readonly linker: Phases.Linker
    readonly importedAt: string
    readonly findByEmail: Phases.FindByEmail<LE>
    readonly onFound: Effect.Effect<void>
    /** A trial's window: only its lines, and the parties they name, are sent. */
    readonly window?: WindowKeys | undefined
    /** A delta: only what its plan did not match is sent, and the updates phase sends the changes. */
    readonly delta?: Delta.DeltaContext | undefined
  }
): Stream.Stream<
  ImportSource.SourceRecord,
  ImportSource.SourceError | IdMap.IdMapError | LE,
  FileSystem.FileSystem
> => {
  const { delta, idMap, importedAt, input, linker, window } = context
  const lines = window === undefined
    ? bundleRecords(input)
    : Stream.filter(bundleRecords(input), (record) => inWindow(window.window, record.position.index))
  const parties = (rows: typeof idMap.customers, keys: ReadonlySet<string> | undefined) =>
    keys === undefined ? rows : Stream.filter(rows, (row) => keys.has(row.key))
  switch (phase) {
    case "companies":
      return Phases.companyRecords(parties(idMap.companies, window?.companies), idMap, importedAt)
    case "customers":
      return Phases.customerRecords(
        parties(idMap.customers, window?.customers),
        idMap,
        linker.companyLinks,
        importedAt,
        context.findByEmail,
        context.onFound,
        context.linker.leftOut
      )
    case "conversations":
      return Phases.conversationRecords(
        delta === undefined ? lines : Delta.newConversations(delta, lines),
        linker,
        importedAt
      )
    case "updates":
      return delta === undefined ? Stream.empty : Delta.updateRecords(delta, linker.people)
    case "messages":
    case "notes":
      // Numbered across the whole bundle, then windowed: a child keeps its index whatever the window.
      return Phases.childRecords(
        bundleRecords(input),
        phase,
        linker,
        importedAt,
        (conversationIndex) => window === undefined || inWindow(window.window, conversationIndex),
        delta === undefined ? undefined : Delta.childVerdicts(delta, phase)
      )
  }
}
