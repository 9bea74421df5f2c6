/**
 * Whether an object the id map records as found existing was in fact created by the migration: its creation's
 * answer was lost (a dropped connection, a kill), and the resend or the read-back found it. The migration gives
 * every object whose bundle line sets none its own `importedAt` — the time it began, to the millisecond, kept in
 * the id map — which no object made before it carries. An object whose bundle line set its own `importedAt` is
 * never told apart this way: it is taken as existing (a rollback then leaves it, the safe side).
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

/** Whether `attributes` (an object read back) carry the migration's `importedAt`, compared as instants. */
export const createdByMigration = (attributes: Readonly<Record<string, unknown>>, importedAt: string): boolean => {
  const value = attributes["importedAt"]
  if (typeof value !== "string" || importedAt.length === 0) return false
  const left = DateTime.make(value)
  const right = DateTime.make(importedAt)
  return Option.isSome(left) && Option.isSome(right) &&
    DateTime.toEpochMillis(left.value) === DateTime.toEpochMillis(right.value)
}
