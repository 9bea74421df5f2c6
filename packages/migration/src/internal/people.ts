/**
 * The people of a history — who wrote each comment, who was assigned each ticket — as Kustomer users. The bundle
 * names them by the source's id and e-mail (`author`, `assignee`: `{ externalId?, email?, name? }`); a user map
 * (source id or e-mail → Kustomer user id) decides first, then the org's users, read once, by e-mail. A person
 * neither finds is never guessed: the object goes without them and the person is reported, once, with how many
 * objects named them.
 */
import type { KustomerClient, KustomerError } from "@effect-kustomer/client"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"

/** How people are found: the caller's map, and whether the org's users may be read. */
export interface PeopleOptions {
  /** Source id (`author.externalId`, or the source's own id after its `zd-user-` prefix) or e-mail → user id. */
  readonly usersMap?: ReadonlyMap<string, string> | undefined
  /** Read the org's users (`GET /v1/users`) to match by e-mail. Default true. */
  readonly lookUpUsers?: boolean | undefined
}

/** A person the migration could not map, and how many objects named them. */
export interface Unmapped {
  readonly person: string
  readonly objects: number
}

/** Resolves the people of a bundle. */
export interface People {
  /** The user id of a person reference (`undefined`: none, or not found — then counted). */
  readonly userOf: (reference: unknown) => string | undefined
  /** The people not found, most named first. */
  readonly unmapped: () => ReadonlyArray<Unmapped>
}

/** No people: for a dry run, or a bundle without authors and assignees. */
export const none: People = { userOf: () => undefined, unmapped: () => [] }

/** The keys a reference can be found by, most specific first. */
const keysOf = (reference: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const keys: Array<string> = []
  const externalId = reference["externalId"]
  if (typeof externalId === "string" && externalId !== "") {
    keys.push(externalId)
    const bare = /^zd-user-(.+)$/.exec(externalId)?.[1]
    if (bare !== undefined) keys.push(bare)
  }
  const email = reference["email"]
  if (typeof email === "string" && email !== "") keys.push(email.trim().toLowerCase())
  return keys
}

/** What a reference is called in the report: its e-mail, else its id. */
const nameOf = (reference: Readonly<Record<string, unknown>>): string => {
  const email = reference["email"]
  const externalId = reference["externalId"]
  return typeof email === "string" && email !== ""
    ? email
    : typeof externalId === "string"
    ? externalId
    : JSON.stringify(reference)
}

/** The people of a run, from the caller's map and (when allowed) the org's users. */
export const make = (
  options: PeopleOptions,
  listUsers: KustomerClient.KustomerClient["Type"]["listUsers"] | undefined
): Effect.Effect<People, KustomerError.KustomerError> =>
  Effect.gen(function*() {
    const byKey = new Map<string, string>()
    for (const [key, id] of options.usersMap ?? []) byKey.set(key.includes("@") ? key.trim().toLowerCase() : key, id)
    if (listUsers !== undefined && options.lookUpUsers !== false) {
      for (const user of yield* listUsers()) {
        const email = user.email?.trim().toLowerCase()
        // The caller's map decides first.
        if (email !== undefined && email !== "" && !byKey.has(email)) byKey.set(email, user.id)
      }
    }
    const missing = new Map<string, number>()
    return {
      userOf: (reference) => {
        if (!Predicate.isRecord(reference)) return undefined
        for (const key of keysOf(reference)) {
          const id = byKey.get(key)
          if (id !== undefined) return id
        }
        const name = nameOf(reference)
        missing.set(name, (missing.get(name) ?? 0) + 1)
        return undefined
      },
      unmapped: () =>
        [...missing].map(([person, objects]) => ({ person, objects })).sort((a, b) => b.objects - a.objects)
    } satisfies People
  })
