/**
 * `--mapping`: how CSV columns become conversation fields. Each value is either a `field=Column` pair
 * (`name=Subject`, `custom.orderNumberStr=Order #`) or the path of a JSON file holding a whole mapping, decoded by
 * the library's own `CsvMapping.Mapping` schema. They combine in order; later ones win.
 *
 * @since 0.1.0
 */
import { CsvMapping } from "@effect-kustomer/client"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import { CliError } from "./Failure.js"

const pairPattern = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)=(.+)$/s

/**
 * A `field=Column` pair, or `undefined` when the value is not one (then it names a file).
 *
 * @since 0.1.0
 */
export const parsePair = (value: string): readonly [field: string, column: string] | undefined => {
  const match = pairPattern.exec(value)
  return match === null || match[1] === undefined || match[2] === undefined ? undefined : [match[1], match[2]]
}

/**
 * Parses the text of a mapping file.
 *
 * @since 0.1.0
 */
export const parseFile = (path: string, text: string): Either.Either<CsvMapping.Mapping, CliError> =>
  Either.mapLeft(CsvMapping.decodeJson(text), (error) =>
    new CliError({
      message: `--mapping ${path}: not a mapping (a JSON object of field → column, { column, as, separator } ` +
        `or { value }): ${ParseResult.TreeFormatter.formatErrorSync(error).split("\n").slice(0, 4).join(" ")}`
    }))

/**
 * Combines every `--mapping` value into one mapping; `undefined` when there is none (column names are then the
 * field paths).
 *
 * @since 0.1.0
 */
export const resolve = (
  values: ReadonlyArray<string>
): Effect.Effect<CsvMapping.Mapping | undefined, CliError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (values.length === 0) return undefined
    const fs = yield* FileSystem.FileSystem
    let mapping: CsvMapping.Mapping = {}
    for (const value of values) {
      const pair = parsePair(value)
      if (pair !== undefined) {
        mapping = { ...mapping, [pair[0]]: pair[1] }
        continue
      }
      const text = yield* fs.readFileString(value).pipe(
        Effect.mapError((error) =>
          new CliError({
            message: `--mapping ${value}: neither a field=Column pair nor a readable JSON file (${error.message})`
          })
        )
      )
      mapping = { ...mapping, ...(yield* parseFile(value, text)) }
    }
    return mapping
  })
