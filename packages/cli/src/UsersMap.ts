/**
 * `--users-map FILE`: who the history's agents are in Kustomer — a JSON object (`{"12345": "<user id>",
 * "ada@example.com": "<user id>"}`) or a two-column CSV (`source id or e-mail,Kustomer user id`, an optional header
 * row), read once before the migration.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import { CliError } from "./Failure.js"

/** A Kustomer object id: 24 hexadecimal digits. */
const userIdPattern = /^[0-9a-f]{24}$/i

/** The pairs of a map's text, or why it is not a map. */
export const parse = (path: string, text: string): Map<string, string> | string => {
  const trimmed = text.trim()
  const pairs: Array<readonly [string, string]> = []
  if (trimmed.startsWith("{")) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch (error) {
      return `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`
    }
    if (!Predicate.isRecord(parsed)) return `${path} must hold one JSON object: source id or e-mail → user id`
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== "string") return `${path}: the user id of ${JSON.stringify(key)} must be a string`
      pairs.push([key, value])
    }
  } else {
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim() !== "")
    for (const [index, line] of lines.entries()) {
      const cells = line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"))
      const [key, value] = cells
      if (cells.length !== 2 || key === undefined || value === undefined || key === "") {
        return `${path} line ${index + 1}: expected two columns, the source id or e-mail and the Kustomer user id`
      }
      // A header row names the columns rather than a user.
      if (index === 0 && !userIdPattern.test(value)) continue
      pairs.push([key, value])
    }
  }
  for (const [key, value] of pairs) {
    if (!userIdPattern.test(value)) {
      return `${path}: ${JSON.stringify(value)} (for ${JSON.stringify(key)}) is not a Kustomer user id (24 hex digits)`
    }
  }
  return new Map(pairs)
}

/**
 * The map of `--users-map FILE`, or none without the flag; a file that cannot be read or is not a map stops the
 * command before anything is sent.
 *
 * @since 0.1.0
 */
export const read = (
  path: string | undefined
): Effect.Effect<Map<string, string> | undefined, CliError, FileSystem.FileSystem> =>
  path === undefined
    ? Effect.succeed(undefined)
    : Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs.readFileString(path).pipe(
        Effect.mapError((error) => new CliError({ message: `--users-map ${path}: ${error.message}` }))
      )
      const parsed = parse(path, text)
      return typeof parsed === "string" ? yield* new CliError({ message: `--users-map ${parsed}` }) : parsed
    })
