/**
 * What a finished (or stopped) migration's journal sets say it did, for the commands that come after it — a
 * rollback, a verification. One journal set per run: the first run's at the `--journal` path, then one per delta
 * (`<journal>.delta-<n>`, see `delta.ts`). Of each run: the bundle it read (its path and how it was read, checked
 * against the fingerprint its id map holds), its `importedAt`, every company, customer and conversation it linked
 * (created, found existing, or — a delta's — matched to what an earlier run linked), and every message and note its
 * phase journals settled, with their Kustomer ids.
 */
import { CsvMapping } from "@effect-kustomer/client"
import { JournalFile, RunError } from "@effect-kustomer/journal"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { type MigrationError, toMigrationError } from "./failure.js"
import type * as IdMap from "./idMap.js"
import * as Input from "./input.js"
import * as JournalSet from "./journalSet.js"
import type { ChildPhase } from "./phases.js"

/** A message or note a phase journal settled: its index among the bundle's, its line, its id and outcome. */
export interface SettledChild {
  readonly index: number
  readonly line: number | null
  readonly id: string
  /** `true` when it was found already there (read back from an existing conversation's listing), not created. */
  readonly existed: boolean
  /**
   * `true` when a job's results said it was created; `false` when it was found by a look-up or as a duplicate after
   * a request whose answer was lost and taken to be that request's: created by the migration or there before it,
   * undetermined (messages and notes carry no `importedAt` to tell).
   */
  readonly certain: boolean
}

/**
 * A company, customer or conversation the id map links, and whether the migration surely created it: a job's
 * results said so (`certain`). Otherwise — found as a duplicate or by a look-up after a request whose answer was
 * lost, or found existing — it is the migration's only if it carries its `importedAt` (see `provenance.ts`).
 */
export interface ParentRow extends IdMap.LinkedRow {
  readonly certain: boolean
}

/** What one run's journal set records. */
export interface MigrationRecord {
  /** The run's journal set: the `--journal` path for the first run, `<journal>.delta-<n>` for a delta. */
  readonly journal: string
  /** 0 for the first run, `n` for the delta `<journal>.delta-<n>`. */
  readonly generation: number
  readonly idMap: JournalSet.JournalSet
  /** The bundle as the migration read it. */
  readonly input: Input.BundleInput
  /** The `importedAt` this run gave every object whose bundle line set none (each run has its own). */
  readonly importedAt: string
  readonly companies: ReadonlyArray<ParentRow>
  readonly customers: ReadonlyArray<ParentRow>
  readonly conversations: ReadonlyArray<ParentRow>
  readonly children: { readonly [P in ChildPhase]: ReadonlyArray<SettledChild> }
}

const journalFailure = (journal: string, detail: string): MigrationError =>
  new RunError.RunError({ reason: "Journal", detail: `${journal}: ${detail}` })

/** How the fingerprint the id map holds says the bundle was read (its part after the content's digest). */
const ReadSettings = Schema.parseJson(Schema.Struct({
  format: Schema.Literal("jsonl", "csv"),
  csv: Schema.NullOr(Schema.Struct({
    mapping: Schema.optional(CsvMapping.Mapping),
    delimiter: Schema.optional(Schema.String),
    timeZone: Schema.optional(Schema.String)
  })),
  encoding: Schema.NullOr(Schema.Literal("utf-8", "latin1", "windows-1252"))
}))

/** The stored run of a phase journal names its source `<bundle>#<phase>`. */
const StoredRun = Schema.parseJson(Schema.Struct({ source: Schema.String }))

/** The bundle's path, from the first phase journal that recorded its run. */
const bundlePathOf = (journal: string) =>
  Effect.gen(function*() {
    for (const phase of ["customers", "conversations", "messages", "notes", "companies"] as const) {
      const run = yield* JournalFile.peekMeta(JournalSet.phaseJournalPath(journal, phase), "run").pipe(
        Effect.orElseSucceed(() => Option.none<string>())
      )
      if (Option.isNone(run)) continue
      const decoded = Schema.decodeUnknownOption(StoredRun)(run.value)
      if (Option.isSome(decoded)) return Option.some(decoded.value.source.replace(/#[a-z]+$/, ""))
    }
    return Option.none<string>()
  })

/**
 * The bundle as the migration read it: `given` (the whole input), else its path (`given`, or the one its phase
 * journals recorded) read as the id map's fingerprint says; refused when its content or its reading is not the migration's.
 */
const bundleInputOf = (
  journal: string,
  idMap: IdMap.IdMap,
  given: string | Input.BundleInput | undefined
): Effect.Effect<Input.BundleInput, MigrationError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const stored = yield* Effect.mapError(idMap.meta("bundle"), toMigrationError)
    if (Option.isNone(stored)) return yield* journalFailure(journal, "it records no migration (no bundle was read)")
    const separator = stored.value.indexOf(";{")
    const settings = Schema.decodeUnknownOption(ReadSettings)(stored.value.slice(separator + 1))
    const path = typeof given === "string"
      ? given
      : given?.bundle ?? Option.getOrUndefined(yield* bundlePathOf(journal))
    if (path === undefined) {
      return yield* journalFailure(journal, "it does not name its bundle: give the bundle's path")
    }
    const input: Input.BundleInput = typeof given === "object" ? given : Option.match(settings, {
      onNone: () => ({ bundle: path }),
      onSome: ({ csv, encoding, format }) => ({
        bundle: path,
        format,
        ...(csv === null ? {} : { csv }),
        ...(encoding === null ? {} : { encoding })
      })
    })
    const fingerprint = yield* Effect.mapError(Input.fingerprintOf(input), toMigrationError)
    if (fingerprint !== stored.value) {
      return yield* new RunError.RunError({
        reason: "Input",
        detail: `${input.bundle} is not the bundle the migration of ${journal} read (it changed since, or is read ` +
          "otherwise): give the bundle as it was migrated"
      })
    }
    return input
  })

/** The messages or notes a phase journal settled with an id. */
const childrenOf = (journal: string, phase: ChildPhase) =>
  Effect.map(
    JournalFile.settledObjects(JournalSet.phaseJournalPath(journal, phase)),
    (rows) =>
      rows.flatMap((row): ReadonlyArray<SettledChild> =>
        row.object_id === null
          ? []
          : [{
            index: row.record,
            line: row.line,
            id: row.object_id,
            existed: row.outcome === "AlreadyExisting",
            certain: row.outcome === "Created" && row.job_id !== null
          }]
      )
  )

/**
 * Opens the journal set at `journal` (which must exist) for the scope's life and reads what it records; the bundle
 * is `bundle` when given, else the one the journal names.
 */
export const read = (
  journal: string,
  bundle: string | Input.BundleInput | undefined
): Effect.Effect<MigrationRecord, MigrationError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    if (!(yield* Effect.mapError(JournalFile.hasContent(journal), toMigrationError))) {
      return yield* journalFailure(journal, "there is no migration journal at this path")
    }
    const idMap = yield* Effect.mapError(JournalSet.open(journal), toMigrationError)
    return yield* readOpened(journal, idMap, bundle, 0)
  })

/** What the opened journal set `idMap` at `journal` records. */
const readOpened = (
  journal: string,
  idMap: JournalSet.JournalSet,
  bundle: string | Input.BundleInput | undefined,
  generation: number
): Effect.Effect<MigrationRecord, MigrationError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const input = yield* bundleInputOf(journal, idMap, bundle)
    const importedAt = yield* Effect.mapError(idMap.meta("importedAt"), toMigrationError)
    const parents = (phase: "companies" | "customers" | "conversations") =>
      Effect.gen(function*() {
        const rows = yield* idMap.linked(phase)
        const byJob = new Set(
          (yield* JournalFile.settledObjects(JournalSet.phaseJournalPath(journal, phase)))
            .filter((row) => row.outcome === "Created" && row.job_id !== null)
            .map((row) => row.record)
        )
        return rows.map((row): ParentRow => ({ ...row, certain: !row.existed && byJob.has(row.key) }))
      })
    const links = yield* Effect.all({
      companies: parents("companies"),
      customers: parents("customers"),
      conversations: parents("conversations")
    }).pipe(Effect.mapError(toMigrationError))
    const children = yield* Effect.all({
      messages: childrenOf(journal, "messages"),
      notes: childrenOf(journal, "notes")
    })
      .pipe(Effect.mapError(toMigrationError))
    return {
      journal,
      generation,
      idMap,
      input,
      importedAt: Option.getOrElse(importedAt, () => ""),
      ...links,
      children
    }
  })

/** Every run of one migration, oldest first: its first run, then each delta. */
export interface MigrationHistory {
  /** The `--journal` path. */
  readonly journal: string
  readonly runs: readonly [MigrationRecord, ...ReadonlyArray<MigrationRecord>]
}

/** The first run of a history. */
export const firstRun = (history: MigrationHistory): MigrationRecord => history.runs[0]

/** The newest run of a history: the one whose bundle is the newest export. */
export const newestRun = (history: MigrationHistory): MigrationRecord =>
  history.runs[history.runs.length - 1] ?? history.runs[0]

/**
 * Reads every run of the migration of `journal`: its first run (its bundle `bundle` when given, else the one its
 * journal names), then each delta its id map counts whose journal set exists, each with the bundle it recorded. A
 * delta that never began (no journal set, or no bundle read yet) created nothing and is left out.
 */
export const readAll = (
  journal: string,
  bundle: string | Input.BundleInput | undefined
): Effect.Effect<MigrationHistory, MigrationError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const first = yield* read(journal, bundle)
    const deltas = yield* Effect.mapError(first.idMap.meta("deltas"), toMigrationError)
    const count = Number(Option.getOrElse(deltas, () => "0"))
    const later: Array<MigrationRecord> = []
    for (let generation = 1; generation <= count; generation++) {
      const path = JournalSet.deltaJournalPath(journal, generation)
      if (!(yield* Effect.mapError(JournalFile.hasContent(path), toMigrationError))) continue
      const idMap = yield* Effect.mapError(JournalSet.open(path), toMigrationError)
      if (Option.isNone(yield* Effect.mapError(idMap.meta("bundle"), toMigrationError))) continue
      later.push(yield* readOpened(path, idMap, undefined, generation))
    }
    return { journal, runs: [first, ...later] }
  })
