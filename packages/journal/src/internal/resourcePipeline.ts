/**
 * The pipeline for any resource of the registry, each handed on with its own item types
 * (`BulkResource.withItemTypes`).
 */
import { BulkImport, type ImportEvent, type ImportSource, type KustomerClient } from "@effect-kustomer/client"
import { BulkResource } from "@effect-kustomer/domain"
import type * as Stream from "effect/Stream"

/** The pipeline's options that do not depend on the resource. */
export type PipelineOptions = Omit<BulkImport.Options<never, never>, "resource">

/** The import of `records` as objects of `resource`. */
export const events = <E, R>(
  resource: BulkResource.Any,
  records: Stream.Stream<ImportSource.SourceRecord, E, R>,
  options: PipelineOptions
): Stream.Stream<ImportEvent.ImportEvent, E | BulkImport.BulkImportError, R | KustomerClient.KustomerClient> =>
  BulkResource.withItemTypes(resource, (typed) => BulkImport.stream(records, { ...options, resource: typed }))

/** The dry run of `records` as objects of `resource`. */
export const plan = <E, R>(
  resource: BulkResource.Any,
  records: Stream.Stream<ImportSource.SourceRecord, E, R>,
  options: Omit<PipelineOptions, "checkpoint" | "source">
): Stream.Stream<BulkImport.PlanEvent, E, R> =>
  BulkResource.withItemTypes(resource, (typed) => BulkImport.plan(records, { ...options, resource: typed }))
