/**
 * What the simulator does with a repeated `externalId`, per resource: Kustomer's behaviour by default, the
 * `duplicateExternalIds` option over it, and the `--deduplicate` list of the command line. Documented and
 * exported by `SimulatorConfig.ts`.
 */
import * as Option from "effect/Option"
import type { ResourceName } from "../Inspection.js"
import * as Resources from "./resources.js"

/** `"reject"` (refused as a duplicate) or `"allow"` (stored again). */
export type DuplicatePolicy = "reject" | "allow"

/** The duplicate policy of every resource. */
export type DuplicatePolicies = Readonly<Record<ResourceName, DuplicatePolicy>>

/** One policy for every resource, or per resource on top of {@link kustomerDuplicatePolicies}. */
export type DuplicateExternalIdsOption = DuplicatePolicy | Partial<Record<ResourceName, DuplicatePolicy>>

/** Every resource the simulator stores, in the registry's order. */
export const resourceNames: ReadonlyArray<ResourceName> = Resources.all.map((resource) => resource.name)

/** Kustomer's behaviour, from the registry's `deduplicatesExternalId`. */
export const kustomerDuplicatePolicies: DuplicatePolicies = Resources.perResource((resource) =>
  resource.deduplicatesExternalId ? "reject" : "allow"
)

/** Resolves the `duplicateExternalIds` option. */
export const duplicatePolicies = (option: DuplicateExternalIdsOption | undefined): DuplicatePolicies => {
  if (option === undefined) return kustomerDuplicatePolicies
  if (typeof option === "string") return Resources.perResource(() => option)
  return Resources.perResource((resource) => option[resource.name] ?? kustomerDuplicatePolicies[resource.name])
}

const isResourceName = (text: string): text is ResourceName => resourceNames.some((name) => name === text)

/** Parses a comma-separated list of the resources whose duplicates are refused; `none` refuses none. */
export const parseDeduplicate = (text: string): Option.Option<DuplicatePolicies> => {
  const names = text.split(",").map((name) => name.trim().toLowerCase()).filter((name) => name !== "")
  if (names.length === 1 && names[0] === "none") return Option.some(duplicatePolicies("allow"))
  const policies: Record<ResourceName, DuplicatePolicy> = { ...duplicatePolicies("allow") }
  for (const name of names) {
    if (!isResourceName(name)) return Option.none()
    policies[name] = "reject"
  }
  return Option.some(policies)
}

/** The resources whose duplicates a configuration refuses, in {@link resourceNames} order. */
export const deduplicatedResources = (policies: DuplicatePolicies): ReadonlyArray<ResourceName> =>
  resourceNames.filter((name) => policies[name] === "reject")
