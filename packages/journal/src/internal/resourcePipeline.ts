/**
 * The pipeline for any resource of the registry: one switch that hands each resource on with its own item types
 * (a resource's schema is invariant in them, so a union of resources cannot be passed to a generic stage as is).
 */
import { BulkImport, type ImportEvent, type ImportSource, type KustomerClient } from "@effect-kustomer/client"
import type { BulkResource } from "@effect-kustomer/domain"
import type * as Stream from "effect/Stream"

/** The pipeline's options that do not depend on the resource. */
export type PipelineOptions = Omit<BulkImport.Options<never, never>, "resource">

/** Calls `use` with `resource` typed as itself. */
export const withResource = <A>(
  resource: BulkResource.Any,
  use: <Item extends BulkResource.BulkItemBase, Encoded extends BulkResource.BulkItemBase>(
    resource: BulkResource.BulkResource<Item, Encoded>
  ) => A
): A => {
  switch (resource.name) {
    case "companies":
      return use(resource)
    case "customers":
      return use(resource)
    case "conversations":
      return use(resource)
    case "messages":
      return use(resource)
    case "notes":
      return use(resource)
  }
}

/** The import of `records` as objects of `resource`. */
export const events = <E, R>(
  resource: BulkResource.Any,
  records: Stream.Stream<ImportSource.SourceRecord, E, R>,
  options: PipelineOptions
): Stream.Stream<ImportEvent.ImportEvent, E | BulkImport.BulkImportError, R | KustomerClient.KustomerClient> =>
  withResource(resource, (typed) => BulkImport.stream(records, { ...options, resource: typed }))

/** The dry run of `records` as objects of `resource`. */
export const plan = <E, R>(
  resource: BulkResource.Any,
  records: Stream.Stream<ImportSource.SourceRecord, E, R>,
  options: Omit<PipelineOptions, "checkpoint" | "source">
): Stream.Stream<BulkImport.PlanEvent, E, R> =>
  withResource(resource, (typed) => BulkImport.plan(records, { ...options, resource: typed }))
