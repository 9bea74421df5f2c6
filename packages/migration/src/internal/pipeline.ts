/**
 * The import pipeline, parameterised with each phase's resource: one switch, so that every phase runs the same
 * stages with its own schema and endpoint.
 */
import { BulkImport, type ImportEvent, type ImportSource, type KustomerClient } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import type * as Stream from "effect/Stream"

/** The phases, in the order they run. */
export const phases = ["customers", "conversations", "messages", "notes"] as const

/** A phase of the migration. */
export type Phase = typeof phases[number]

/** The pipeline's options that do not depend on the resource. */
export type PipelineOptions = Omit<BulkImport.Options<never, never>, "resource" | "checkpoint" | "source">

export type PhaseOptions = PipelineOptions & Pick<BulkImport.Options<never, never>, "checkpoint" | "source">

/** The phase's import: the same pipeline, parameterised with the phase's resource. */
export const eventsOf = <SE, R>(
  phase: Phase,
  source: Stream.Stream<ImportSource.SourceRecord, SE, R>,
  options: PhaseOptions
): Stream.Stream<ImportEvent.ImportEvent, SE | BulkImport.BulkImportError, R | KustomerClient.KustomerClient> => {
  switch (phase) {
    case "customers":
      return BulkImport.stream(source, { ...options, resource: BulkResource.Customers })
    case "conversations":
      return BulkImport.stream(source, { ...options, resource: BulkResource.Conversations })
    case "messages":
      return BulkImport.stream(source, { ...options, resource: BulkResource.Messages })
    case "notes":
      return BulkImport.stream(source, { ...options, resource: BulkResource.Notes })
  }
}

/** The phase's dry run. */
export const planOf = <SE, R>(
  phase: Phase,
  source: Stream.Stream<ImportSource.SourceRecord, SE, R>,
  options: PipelineOptions
): Stream.Stream<BulkImport.PlanEvent, SE, R> => {
  switch (phase) {
    case "customers":
      return BulkImport.plan(source, { ...options, resource: BulkResource.Customers })
    case "conversations":
      return BulkImport.plan(source, { ...options, resource: BulkResource.Conversations })
    case "messages":
      return BulkImport.plan(source, { ...options, resource: BulkResource.Messages })
    case "notes":
      return BulkImport.plan(source, { ...options, resource: BulkResource.Notes })
  }
}
