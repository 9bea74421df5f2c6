/**
 * `_clientRef`: the caller's own reference for one item of a bulk request, echoed in the job's per-item results.
 *
 * Rules (Kustomer bulk docs): optional, but all-or-nothing within a request; a non-empty string of at most 255
 * characters; unique within the request.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The longest `_clientRef` the API accepts.
 *
 * @since 0.1.0
 */
export const maxClientRefLength = 255

/** @since 0.1.0 */
export const ClientRef = Schema.String.pipe(
  Schema.minLength(1, { message: () => "_clientRef must not be empty" }),
  Schema.maxLength(maxClientRefLength, {
    message: (issue) =>
      `_clientRef must be at most ${maxClientRefLength} characters, got ${String(issue.actual).length}`
  }),
  Schema.annotations({ identifier: "ClientRef" })
)
/** @since 0.1.0 */
export type ClientRef = typeof ClientRef.Type

/**
 * Why a set of items breaks the `_clientRef` rules of one request, or `undefined` when it does not.
 *
 * @since 0.1.0
 */
export const clientRefProblem = (
  refs: ReadonlyArray<string | undefined>
): string | undefined => {
  const present = refs.filter((ref): ref is string => ref !== undefined)
  if (present.length === 0) return undefined
  if (present.length !== refs.length) {
    return `_clientRef must be on every item or on none (${present.length} of ${refs.length} items have one)`
  }
  const seen = new Set<string>()
  for (const ref of present) {
    if (ref.length === 0) return "_clientRef must not be empty"
    if (ref.length > maxClientRefLength) return `_clientRef must be at most ${maxClientRefLength} characters`
    if (seen.has(ref)) return `_clientRef ${JSON.stringify(ref)} appears more than once`
    seen.add(ref)
  }
  return undefined
}
