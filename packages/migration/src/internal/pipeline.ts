/**
 * The migration's phases as a table: each phase's resource, the parents its records depend on, and how it treats
 * objects that may exist already. Every phase runs the same pipeline, parameterised with its resource.
 */
import { BulkImport, type ImportEvent, type ImportSource, type KustomerClient } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import type * as Stream from "effect/Stream"

/**
 * The phases, in the order they run: a parent's phase before its children's. `updates` runs in a delta only: the
 * conversations whose fields changed since they were sent, updated with the bulk update.
 */
export const phases = ["companies", "customers", "conversations", "updates", "messages", "notes"] as const

/** A phase of the migration. */
export type Phase = typeof phases[number]

/** The parents whose fate is read again when in doubt before their children's phase. */
export const parentKinds = ["customers", "conversations"] as const

/** A kind of parent read again when in doubt. */
export type ParentKind = typeof parentKinds[number]

/** What a phase is. */
export interface PhaseSpec {
  readonly resource: BulkResource.Any
  /** The parents its records depend on, read again first when they are in doubt. */
  readonly parents: ReadonlyArray<ParentKind>
  /** Whether an object Kustomer reports as a duplicate is looked up for its id (a parent: children need it). */
  readonly resolveExisting: boolean
  /**
   * Which objects may exist already though Kustomer reports no duplicate, and are read back before they are sent:
   * `children` of a conversation that existed before the migration (messages, notes: from its listing), or
   * `all` (companies, by `externalId`: a re-run without its journal, a bundle that overlaps an earlier one).
   */
  readonly mayAlreadyExist: "none" | "children" | "all"
  /** What the phase does with its records: creates objects, or updates existing ones (`{ id, …fields }`). */
  readonly operation: "create" | "update"
}

/** The phase table. */
export const table: { readonly [P in Phase]: PhaseSpec } = {
  companies: {
    resource: BulkResource.Companies,
    parents: [],
    resolveExisting: false,
    mayAlreadyExist: "all",
    operation: "create"
  },
  customers: {
    resource: BulkResource.Customers,
    parents: [],
    resolveExisting: true,
    mayAlreadyExist: "none",
    operation: "create"
  },
  conversations: {
    resource: BulkResource.Conversations,
    parents: ["customers"],
    resolveExisting: true,
    mayAlreadyExist: "none",
    operation: "create"
  },
  updates: {
    resource: BulkResource.Conversations,
    parents: [],
    resolveExisting: false,
    mayAlreadyExist: "none",
    operation: "update"
  },
  messages: {
    resource: BulkResource.Messages,
    parents: ["customers", "conversations"],
    resolveExisting: false,
    mayAlreadyExist: "children",
    operation: "create"
  },
  notes: {
    resource: BulkResource.Notes,
    parents: ["conversations"],
    resolveExisting: false,
    mayAlreadyExist: "children",
    operation: "create"
  }
}

/**
 * The phases a bundle needs, in order: the companies phase only when customers name companies as objects (a bundle
 * without any runs the four phases it always did), the updates phase only in a delta.
 */
export const phasesFor = (contents: { readonly companies: number }, delta = false): ReadonlyArray<Phase> =>
  phases.filter((phase) => (phase !== "companies" || contents.companies > 0) && (phase !== "updates" || delta))

/** The pipeline's options that do not depend on the resource. */
export type PipelineOptions = Omit<BulkImport.Options<never, never>, "resource" | "checkpoint" | "source">

export type PhaseOptions = PipelineOptions & Pick<BulkImport.Options<never, never>, "checkpoint" | "source">

/** The phase's import: the same pipeline, parameterised with the phase's resource. */
export const eventsOf = <SE, R>(
  phase: Phase,
  source: Stream.Stream<ImportSource.SourceRecord, SE, R>,
  options: PhaseOptions
): Stream.Stream<ImportEvent.ImportEvent, SE | BulkImport.BulkImportError, R | KustomerClient.KustomerClient> =>
  BulkResource.withItemTypes(
    table[phase].resource,
    (resource) => BulkImport.stream(source, { ...options, resource, operation: table[phase].operation })
  )

/** The phase's dry run. */
export const planOf = <SE, R>(
  phase: Phase,
  source: Stream.Stream<ImportSource.SourceRecord, SE, R>,
  options: PipelineOptions
): Stream.Stream<BulkImport.PlanEvent, SE, R> =>
  BulkResource.withItemTypes(table[phase].resource, (resource) => BulkImport.plan(source, { ...options, resource }))
